#pragma once
// A file replaced whole or not at all: records, reports, plans and bundles are read by other
// processes (and people) while sparkbench may be writing them, or die on a full disk.
#include <filesystem>
#include <string>

namespace sb {

// Writes to a temporary name in the same directory, then renames over `file`: a reader never
// sees a half-written file. On failure (a full disk, say) it throws sb::Error and leaves the
// earlier `file` as it was and no temporary file behind.
void write_atomic(const std::filesystem::path& file, const std::string& content);

}  // namespace sb
