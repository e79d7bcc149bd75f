#pragma once
// NVIDIA's fatbinary, the container nvcc embeds in a CUDA binary's .nv_fatbin section (and, for
// relocatable device code, __nv_relfatbin): one entry per compiled form of the kernels, SASS (a
// cubin, ELF) for one real architecture or PTX for one virtual one. Only the entry headers are
// read, never the payloads, so a 500 MB libcublasLt takes a few thousand small reads.
//
// The layout (little-endian; NVIDIA does not document it):
//   container header, 16 bytes: u32 magic 0xBA55ED50, u16 version 1, u16 header size (16: where
//     the first entry starts), u64 size of the entries after it. Containers follow each other
//     directly in the section, one per translation unit (or device link).
//   entry header, 64 bytes and an extension (its size is in the header: 64 to 120 seen):
//     u16 kind (1 PTX, 2 ELF/SASS; 8 LTO IR, not listed by cuobjdump), u16 (0x0101), u32 header
//     size, u64 payload size (padded to 8: the next entry starts after it), u32 compressed size,
//     u32 offset of the extension, u16 minor and u16 major version (PTX: the ISA version, 9.0 for
//     CUDA 13.0; SASS: the cubin ABI, cuobjdump's "code version" [1,8]), u32 architecture (90 for
//     sm_90), u32 name offset and size, u64 flags, u64 reserved, u64 uncompressed size.
//   flags: 0x2000 compressed (LZ4, CUDA 11/12), 0x8000 compressed (zstd: CUDA 13 compresses PTX
//     and large cubins by default), 0x100000 architecture-specific (sm_90a), 0x200000
//     family-specific (sm_100f).
// Sources: the field names of fatBinaryHeader in public CUDA-runtime re-implementations and readers
// (n-eiling/cuda-fatbin-decompression, GrigoryEvko/nvopen-tools' FORMAT_SPECIFICATION.md), the
// section names in the toolkit's include/fatbinary_section.h, and nvcc 13.0 output checked against
// cuobjdump (tests/fatbin_test.cpp: the a/f flags come from gencode sm_90a, sm_100f, sm_121a, ...).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fatbin/elf_sections.hpp"
#include "fatbin/file_reader.hpp"

namespace sb::fatbin {

enum class CodeKind { sass, ptx };

// What else than the number a target's name says: nvcc's sm_90, sm_90a and sm_100f.
enum class ArchVariant { generic, arch_specific, family_specific };

struct Entry {
  CodeKind kind = CodeKind::sass;
  int arch = 0;  // the compute capability without its dot: 90 for sm_90, 121 for sm_121
  ArchVariant variant = ArchVariant::generic;
  int version_major = 0;  // PTX: the PTX ISA version; SASS: the cubin's ABI version
  int version_minor = 0;
  bool compressed = false;
  std::uint64_t stored_size = 0;        // bytes of the payload in the file, padding included
  std::uint64_t uncompressed_size = 0;  // its size decompressed (stored_size when not compressed)
};

struct Fatbinary {
  std::size_t containers = 0;
  std::vector<Entry> entries;     // SASS and PTX, in file order
  std::size_t other_entries = 0;  // entries of other kinds (LTO IR): no code a GPU runs
};

// Every container in the section. Throws sb::Error (the file named, the offset in the section)
// for anything that is not a well-formed fatbinary: a wrong magic or version, a size past the
// section's end, an entry header too short.
Fatbinary read_fatbinary(const FileReader& file, const SectionRange& section);

// nvcc's name of the target: "sm_90", "sm_90a", "sm_100f", "compute_90", "compute_100a".
std::string target_name(const Entry& entry);

}  // namespace sb::fatbin
