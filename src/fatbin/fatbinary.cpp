#include "fatbin/fatbinary.hpp"

#include <algorithm>
#include <array>

#include <fmt/format.h>

namespace sb::fatbin {

namespace {

constexpr std::uint32_t kMagic = 0xBA55ED50;
constexpr std::uint16_t kVersion = 1;

constexpr std::uint16_t kKindPtx = 1;
constexpr std::uint16_t kKindElf = 2;

constexpr std::uint64_t kFlagCompressedLz4 = 0x2000;
constexpr std::uint64_t kFlagCompressedZstd = 0x8000;
constexpr std::uint64_t kFlagArchSpecific = 0x100000;
constexpr std::uint64_t kFlagFamilySpecific = 0x200000;

struct ContainerHeader {
  std::uint32_t magic;
  std::uint16_t version;
  std::uint16_t header_size;
  std::uint64_t entries_size;
};
static_assert(sizeof(ContainerHeader) == 16);

struct EntryHeader {  // the part every entry's header starts with
  std::uint16_t kind;
  std::uint16_t unknown;
  std::uint32_t header_size;
  std::uint64_t payload_size;
  std::uint32_t compressed_size;
  std::uint32_t extension_offset;
  std::uint16_t version_minor;
  std::uint16_t version_major;
  std::uint32_t arch;
  std::uint32_t name_offset;
  std::uint32_t name_size;
  std::uint64_t flags;
  std::uint64_t reserved;
  std::uint64_t uncompressed_size;
};
static_assert(sizeof(EntryHeader) == 64);

// Past the zeros from `at` (alignment a linker may add where it concatenates the sections of
// several objects): the offset of the first byte that is not zero, `end` if there is none.
std::uint64_t skip_zeros(const FileReader& file, std::uint64_t at, std::uint64_t end) {
  std::array<unsigned char, 4096> chunk{};
  while (at < end) {
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(end - at, chunk.size()));
    file.read(at, chunk.data(), n, "the bytes after a fatbinary");
    const auto nonzero = std::find_if(chunk.begin(), chunk.begin() + n, [](unsigned char b) { return b != 0; });
    at += static_cast<std::uint64_t>(nonzero - chunk.begin());
    if (nonzero != chunk.begin() + n) break;
  }
  return at;
}

Entry to_entry(const EntryHeader& h) {
  Entry e;
  e.kind = h.kind == kKindPtx ? CodeKind::ptx : CodeKind::sass;
  e.arch = static_cast<int>(h.arch);
  e.variant = (h.flags & kFlagArchSpecific)     ? ArchVariant::arch_specific
              : (h.flags & kFlagFamilySpecific) ? ArchVariant::family_specific
                                                : ArchVariant::generic;
  e.version_major = h.version_major;
  e.version_minor = h.version_minor;
  e.compressed = (h.flags & (kFlagCompressedLz4 | kFlagCompressedZstd)) != 0;
  e.stored_size = h.payload_size;
  e.uncompressed_size = e.compressed ? h.uncompressed_size : h.payload_size;
  return e;
}

// The entries of one container, [begin, end) in the file.
void read_entries(const FileReader& file, const SectionRange& section, std::uint64_t begin, std::uint64_t end,
                  Fatbinary& out) {
  for (std::uint64_t at = begin; at < end;) {
    const auto where = [&] { return fmt::format("offset {} of section {}", at - section.offset, section.name); };
    if (end - at < sizeof(EntryHeader))
      throw file.damaged(fmt::format("fatbinary entry header at {} is cut short ({} bytes, not {})", where(), end - at,
                                     sizeof(EntryHeader)));
    const auto h = file.read_as<EntryHeader>(at, "a fatbinary entry header");
    if (h.header_size < sizeof(EntryHeader) || h.header_size > end - at)
      throw file.damaged(fmt::format("fatbinary entry at {} gives a header size of {} bytes ({} left in its container)",
                                     where(), h.header_size, end - at));
    if (h.payload_size > end - at - h.header_size)
      throw file.damaged(fmt::format("fatbinary entry at {} claims a payload of {} bytes; its container has {} left",
                                     where(), h.payload_size, end - at - h.header_size));
    if (h.kind == kKindPtx || h.kind == kKindElf)
      out.entries.push_back(to_entry(h));
    else
      ++out.other_entries;
    at += h.header_size + h.payload_size;
  }
}

}  // namespace

Fatbinary read_fatbinary(const FileReader& file, const SectionRange& section) {
  Fatbinary out;
  const std::uint64_t end = section.offset + section.size;  // in the file: find_sections checked it
  for (std::uint64_t at = section.offset; at < end;) {
    const std::uint64_t left = end - at;
    const auto where = [&] { return fmt::format("offset {} of section {}", at - section.offset, section.name); };
    if (left < sizeof(ContainerHeader) || file.read_as<std::uint32_t>(at, "a fatbinary magic") != kMagic) {
      const std::uint64_t next = skip_zeros(file, at, end);
      if (next == at) throw file.damaged(
            fmt::format("no fatbinary header at {}: the bytes there are not the magic 0x{:08X}", where(), kMagic));
      at = next;
      continue;
    }
    const auto h = file.read_as<ContainerHeader>(at, "a fatbinary header");
    if (h.version != kVersion)
      throw file.damaged(fmt::format("fatbinary version {} at {}: only version {} is known", h.version, where(), kVersion));
    if (h.header_size < sizeof(ContainerHeader) || h.header_size > left || h.entries_size > left - h.header_size)
      throw file.damaged(fmt::format("fatbinary at {} claims {} + {} bytes; the section has {} left", where(),
                                     h.header_size, h.entries_size, left));
    read_entries(file, section, at + h.header_size, at + h.header_size + h.entries_size, out);
    ++out.containers;
    at += h.header_size + h.entries_size;
  }
  return out;
}

std::string target_name(const Entry& entry) {
  const char* suffix = entry.variant == ArchVariant::arch_specific     ? "a"
                       : entry.variant == ArchVariant::family_specific ? "f"
                                                                       : "";
  return fmt::format("{}_{}{}", entry.kind == CodeKind::sass ? "sm" : "compute", entry.arch, suffix);
}

}  // namespace sb::fatbin
