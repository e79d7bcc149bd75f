#pragma once
// Where the named sections of an ELF64 file lie: all that the fatbinary reader needs of ELF. The
// structures are glibc's <elf.h>; every offset and size from the file is checked against its size.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fatbin/file_reader.hpp"

namespace sb::fatbin {

struct SectionRange {
  std::string name;
  std::uint64_t offset = 0;  // in the file
  std::uint64_t size = 0;
};

// The sections of the file named one of `names`, in the order of its section table; a section
// without bytes in the file (SHT_NOBITS, as in a debug-only copy) is left out. Throws sb::Error
// for a file that is not a little-endian ELF64 file (naming a 32-bit one as such) and for headers
// that point past its end.
std::vector<SectionRange> find_sections(const FileReader& file, const std::vector<std::string_view>& names);

}  // namespace sb::fatbin
