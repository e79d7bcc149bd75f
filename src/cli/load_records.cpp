#include <fmt/format.h>

#include "cli/commands.hpp"

namespace sb::cli {

std::vector<record::RunRecord> load_records(const std::string& file_or_dir, bool skip_bad_records) {
  record::LoadedRecords loaded = record::load_all(file_or_dir, skip_bad_records);
  for (const auto& u : loaded.unread)
    fmt::print(stderr, "sparkbench: {}skipped {}: {}\n", u.damaged ? "warning: " : "", u.file.string(), u.reason);
  return std::move(loaded.records);
}

}  // namespace sb::cli
