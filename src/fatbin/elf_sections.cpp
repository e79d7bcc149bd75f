#include "fatbin/elf_sections.hpp"

#include <elf.h>

#include <algorithm>
#include <bit>
#include <cstring>

#include <fmt/format.h>

namespace sb::fatbin {

namespace {

static_assert(std::endian::native == std::endian::little, "the headers are read as they lie in a little-endian file");

// Limits far above any real binary, so that a hostile header cannot make us allocate gigabytes.
constexpr std::uint64_t kMaxSections = 1u << 20;
constexpr std::uint64_t kMaxNameTable = 16u << 20;

void check_identification(const FileReader& file) {
  unsigned char ident[EI_NIDENT] = {};
  if (file.size() < SELFMAG) throw file.damaged(fmt::format("not an ELF file ({} bytes)", file.size()));
  file.read(0, ident, SELFMAG, "the ELF magic");
  if (std::memcmp(ident, ELFMAG, SELFMAG) != 0) throw file.damaged("not an ELF file (no ELF magic at its start)");
  file.read(0, ident, EI_NIDENT, "the ELF identification");
  if (ident[EI_CLASS] == ELFCLASS32)
    throw file.damaged("a 32-bit ELF file: CUDA binaries are 64-bit, and only ELF64 is read");
  if (ident[EI_CLASS] != ELFCLASS64) throw file.damaged(fmt::format("unknown ELF class {}", ident[EI_CLASS]));
  if (ident[EI_DATA] != ELFDATA2LSB) throw file.damaged("a big-endian ELF file: only little-endian ones are read");
}

}  // namespace

std::vector<SectionRange> find_sections(const FileReader& file, const std::vector<std::string_view>& names) {
  check_identification(file);
  const auto header = file.read_as<Elf64_Ehdr>(0, "the ELF header");
  if (header.e_shoff == 0) return {};  // no section table
  if (header.e_shentsize != sizeof(Elf64_Shdr))
    throw file.damaged(fmt::format("section headers of {} bytes, not {}", header.e_shentsize, sizeof(Elf64_Shdr)));

  // More than 0xff00 sections, or a name table index past that, are kept in section 0 (gABI).
  std::uint64_t count = header.e_shnum;
  std::uint64_t names_index = header.e_shstrndx;
  if (count == 0 || names_index == SHN_XINDEX) {
    const auto first = file.read_as<Elf64_Shdr>(header.e_shoff, "the first section header");
    if (count == 0) count = first.sh_size;
    if (names_index == SHN_XINDEX) names_index = first.sh_link;
  }
  if (count == 0) return {};
  if (count > kMaxSections || !file.contains(header.e_shoff, count * sizeof(Elf64_Shdr)))
    throw file.damaged(fmt::format("its section table ({} headers at offset {}) does not fit in the file ({} bytes)",
                                   count, header.e_shoff, file.size()));
  std::vector<Elf64_Shdr> sections(count);
  file.read(header.e_shoff, sections.data(), count * sizeof(Elf64_Shdr), "the section table");
  if (names_index == SHN_UNDEF) return {};  // sections without names: none can be the one asked for
  if (names_index >= count)
    throw file.damaged(fmt::format("section name table index {} of {} sections", names_index, count));

  const Elf64_Shdr& table = sections[names_index];
  if (table.sh_type == SHT_NOBITS || table.sh_size > kMaxNameTable || !file.contains(table.sh_offset, table.sh_size))
    throw file.damaged(fmt::format("its section name table ({} bytes at offset {}) is not in the file ({} bytes)",
                                   table.sh_size, table.sh_offset, file.size()));
  std::string name_table(table.sh_size, '\0');
  file.read(table.sh_offset, name_table.data(), name_table.size(), "the section name table");

  std::vector<SectionRange> found;
  for (const Elf64_Shdr& section : sections) {
    if (section.sh_name >= name_table.size() || section.sh_type == SHT_NOBITS) continue;
    const std::string_view name(name_table.c_str() + section.sh_name);  // ends at a NUL: the string has one
    if (std::find(names.begin(), names.end(), name) == names.end()) continue;
    if (!file.contains(section.sh_offset, section.sh_size))
      throw file.damaged(fmt::format("section {} ({} bytes at offset {}) runs past the end of the file ({} bytes): "
                                     "it is truncated or damaged",
                                     name, section.sh_size, section.sh_offset, file.size()));
    found.push_back({std::string(name), section.sh_offset, section.sh_size});
  }
  return found;
}

}  // namespace sb::fatbin
