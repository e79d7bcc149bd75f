#include <elf.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/child_process.hpp"
#include "core/error.hpp"
#include "core/temp_file.hpp"
#include "fatbin/coverage.hpp"
#include "fatbin/mapped_libraries.hpp"

namespace sb::fatbin {
namespace {

// ---- Files made here, byte by byte, so that every malformed case can be planted.

template <class T>
void put(std::string& bytes, std::size_t offset, T value) {
  if (bytes.size() < offset + sizeof value) bytes.resize(offset + sizeof value, '\0');
  std::memcpy(bytes.data() + offset, &value, sizeof value);
}

struct TestEntry {
  std::uint16_t kind = 2;  // 1 PTX, 2 ELF
  std::uint32_t arch = 90;
  std::uint16_t major = 1, minor = 8;
  std::uint64_t flags = 0x11;  // 64-bit, Linux
  std::uint32_t header_size = 64;
  std::uint64_t payload = 16;
  std::uint64_t uncompressed = 0;
};

constexpr std::uint64_t kZstd = 0x8000, kArchSpecific = 0x100000, kFamilySpecific = 0x200000;

// One fatbinary container: its 16-byte header, then each entry's header and payload.
std::string container(const std::vector<TestEntry>& entries) {
  std::string body;
  for (const TestEntry& e : entries) {
    std::string header(e.header_size, '\0');
    put<std::uint16_t>(header, 0, e.kind);
    put<std::uint16_t>(header, 2, 0x0101);
    put<std::uint32_t>(header, 4, e.header_size);
    put<std::uint64_t>(header, 8, e.payload);
    put<std::uint16_t>(header, 24, e.minor);
    put<std::uint16_t>(header, 26, e.major);
    put<std::uint32_t>(header, 28, e.arch);
    put<std::uint64_t>(header, 40, e.flags);
    put<std::uint64_t>(header, 56, e.uncompressed);
    body += header + std::string(e.payload, 'Z');
  }
  std::string out;
  put<std::uint32_t>(out, 0, 0xBA55ED50);
  put<std::uint16_t>(out, 4, 1);
  put<std::uint16_t>(out, 6, 16);
  put<std::uint64_t>(out, 8, body.size());
  return out + body;
}

// An ELF64 file: its header, the sections' bytes, the section name table, then the section table
// (null, .shstrtab, the sections given).
struct TestElf {
  std::string bytes;
  std::uint64_t section_table = 0;  // offset of the section table
  // Offset of a field of section header i (0 null, 1 .shstrtab, 2... the sections given).
  std::size_t header_field(int i, std::size_t field) const { return section_table + i * sizeof(Elf64_Shdr) + field; }
};

TestElf make_elf(const std::vector<std::pair<std::string, std::string>>& sections) {
  TestElf elf;
  std::string& out = elf.bytes;
  out.assign(sizeof(Elf64_Ehdr), '\0');
  std::vector<Elf64_Shdr> headers(2);
  std::string names(1, '\0');
  const auto add_name = [&](const std::string& name) {
    const auto at = static_cast<Elf64_Word>(names.size());
    names += name + '\0';
    return at;
  };
  headers[1].sh_name = add_name(".shstrtab");
  for (const auto& [name, bytes] : sections) {
    Elf64_Shdr h{};
    h.sh_name = add_name(name);
    h.sh_type = SHT_PROGBITS;
    h.sh_offset = out.size();
    h.sh_size = bytes.size();
    out += bytes;
    out.resize((out.size() + 7) / 8 * 8, '\0');
    headers.push_back(h);
  }
  headers[1].sh_type = SHT_STRTAB;
  headers[1].sh_offset = out.size();
  headers[1].sh_size = names.size();
  out += names;
  out.resize((out.size() + 7) / 8 * 8, '\0');
  elf.section_table = out.size();
  for (const Elf64_Shdr& h : headers) out.append(reinterpret_cast<const char*>(&h), sizeof h);

  Elf64_Ehdr eh{};
  std::memcpy(eh.e_ident, ELFMAG, SELFMAG);
  eh.e_ident[EI_CLASS] = ELFCLASS64;
  eh.e_ident[EI_DATA] = ELFDATA2LSB;
  eh.e_ident[EI_VERSION] = EV_CURRENT;
  eh.e_type = ET_DYN;
  eh.e_machine = EM_X86_64;
  eh.e_version = EV_CURRENT;
  eh.e_ehsize = sizeof(Elf64_Ehdr);
  eh.e_shoff = elf.section_table;
  eh.e_shentsize = sizeof(Elf64_Shdr);
  eh.e_shnum = static_cast<Elf64_Half>(headers.size());
  eh.e_shstrndx = 1;
  std::memcpy(out.data(), &eh, sizeof eh);
  return elf;
}

class FileIn {
 public:
  explicit FileIn(const std::string& bytes) : dir_("sb-fatbin-test-"), path_((dir_.path() / "file").string()) {
    std::ofstream(path_, std::ios::binary) << bytes;
  }
  const std::string& path() const { return path_; }

 private:
  TempDir dir_;
  std::string path_;
};

Coverage coverage_of(const std::string& bytes) { return coverage(FileIn(bytes).path()); }

// coverage() of the bytes throws sb::Error whose message holds `expected`.
void expect_error(const std::string& bytes, const std::string& expected) {
  try {
    coverage_of(bytes);
    ADD_FAILURE() << "no error; expected one saying \"" << expected << "\"";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(expected), std::string::npos) << e.what();
    EXPECT_FALSE(e.fix().empty());
  }
}

// ---- The format.

TEST(Fatbin, ReadsEveryContainerAndEntryHeader) {
  const std::string first = container({
      {.kind = 2, .arch = 90},
      {.kind = 1, .arch = 90, .major = 9, .minor = 0, .flags = 0x11 | kZstd, .header_size = 80, .payload = 24,
       .uncompressed = 700},
  });
  const std::string second = container({
      {.kind = 2, .arch = 121, .flags = 0x11 | kArchSpecific, .header_size = 112},
      {.kind = 8, .arch = 90},  // LTO IR
      {.kind = 1, .arch = 103, .major = 9, .minor = 0, .flags = 0x11 | kFamilySpecific},
  });
  const std::string empty = container({});
  // Zeros between containers, as a linker's alignment leaves them, are skipped.
  const Coverage c = coverage_of(make_elf({{".nv_fatbin", first + std::string(8, '\0') + empty + second}}).bytes);
  EXPECT_EQ(c.section, ".nv_fatbin");
  EXPECT_EQ(c.containers, 3u);
  EXPECT_EQ(c.other_entries, 1u);
  ASSERT_EQ(c.entries.size(), 4u);

  EXPECT_EQ(c.entries[0].kind, CodeKind::sass);
  EXPECT_EQ(target_name(c.entries[0]), "sm_90");
  EXPECT_EQ(c.entries[0].version_major, 1);
  EXPECT_EQ(c.entries[0].version_minor, 8);
  EXPECT_FALSE(c.entries[0].compressed);
  EXPECT_EQ(c.entries[0].stored_size, 16u);
  EXPECT_EQ(c.entries[0].uncompressed_size, 16u);

  EXPECT_EQ(c.entries[1].kind, CodeKind::ptx);
  EXPECT_EQ(target_name(c.entries[1]), "compute_90");
  EXPECT_EQ(c.entries[1].version_major, 9);
  EXPECT_TRUE(c.entries[1].compressed);
  EXPECT_EQ(c.entries[1].stored_size, 24u);
  EXPECT_EQ(c.entries[1].uncompressed_size, 700u);

  EXPECT_EQ(target_name(c.entries[2]), "sm_121a");
  EXPECT_EQ(target_name(c.entries[3]), "compute_103f");
  EXPECT_EQ(c.summary(), "sm_90 sm_121a SASS, compute_90 compute_103f PTX");
}

TEST(Fatbin, ReadsTheExecutableFatbinaryElseTheRelocatableOneAsCuobjdumpDoes) {
  const std::string sm80 = container({{.arch = 80}}), sm90 = container({{.arch = 90}});
  const Coverage both = coverage_of(make_elf({{"__nv_relfatbin", sm80}, {".nv_fatbin", sm90}}).bytes);
  EXPECT_EQ(both.section, ".nv_fatbin");
  EXPECT_EQ(both.summary(), "sm_90 SASS, no PTX");
  const Coverage relocatable = coverage_of(make_elf({{".text", "code"}, {"__nv_relfatbin", sm80}}).bytes);
  EXPECT_EQ(relocatable.section, "__nv_relfatbin");
  EXPECT_EQ(relocatable.summary(), "sm_80 SASS, no PTX");
}

TEST(Fatbin, AFileWithoutAFatbinaryHasNoKernels) {
  const Coverage c = coverage_of(make_elf({{".text", "code"}}).bytes);
  EXPECT_EQ(c.section, "");
  EXPECT_TRUE(c.entries.empty());
  EXPECT_EQ(c.summary(), "no CUDA fatbinary");
  EXPECT_FALSE(c.has_sass_for(90));
  EXPECT_FALSE(c.ptx_jit_for(90));
}

TEST(Fatbin, HostileFilesGiveAClearErrorNeverACrash) {
  expect_error("", "not an ELF file (0 bytes)");
  expect_error("#!/bin/sh\necho hello\n", "not an ELF file");
  const TestElf good = make_elf({{".nv_fatbin", container({{.arch = 90}})}});
  expect_error(good.bytes.substr(0, 40), "truncated");  // inside the ELF header
  expect_error(good.bytes.substr(0, good.bytes.size() - 10), "does not fit in the file");  // the section table cut

  std::string elf32 = good.bytes;
  elf32[EI_CLASS] = ELFCLASS32;
  expect_error(elf32, "32-bit ELF");
  std::string big_endian = good.bytes;
  big_endian[EI_DATA] = ELFDATA2MSB;
  expect_error(big_endian, "big-endian");

  std::string past_end = good.bytes;  // the section's offset past the end of the file
  put<Elf64_Off>(past_end, good.header_field(2, offsetof(Elf64_Shdr, sh_offset)), 1ull << 40);
  expect_error(past_end, "section .nv_fatbin");
  std::string huge_section = good.bytes;  // offset + size overflows 64 bits
  put<Elf64_Xword>(huge_section, good.header_field(2, offsetof(Elf64_Shdr, sh_size)), ~0ull - 8);
  expect_error(huge_section, "runs past the end of the file");
  std::string many_sections = good.bytes;
  put<Elf64_Half>(many_sections, offsetof(Elf64_Ehdr, e_shnum), 0xfff0);
  expect_error(many_sections, "section table");
  std::string names_index = good.bytes;
  put<Elf64_Half>(names_index, offsetof(Elf64_Ehdr, e_shstrndx), 7);
  expect_error(names_index, "section name table index 7");

  // Inside the fatbinary.
  const std::string entry = container({{.arch = 90}});
  std::string huge = entry;  // the container claims 2^63 bytes
  put<std::uint64_t>(huge, 8, 1ull << 63);
  expect_error(make_elf({{".nv_fatbin", huge}}).bytes, "claims 16 + 9223372036854775808 bytes");
  std::string payload = entry;  // the entry claims more than its container holds
  put<std::uint64_t>(payload, 16 + 8, ~0ull);
  expect_error(make_elf({{".nv_fatbin", payload}}).bytes, "claims a payload of");
  std::string header_size = entry;  // an entry header of 0 bytes would never advance
  put<std::uint32_t>(header_size, 16 + 4, 0);
  expect_error(make_elf({{".nv_fatbin", header_size}}).bytes, "header size of 0 bytes");
  expect_error(make_elf({{".nv_fatbin", entry.substr(0, 16) + std::string(40, 'Z')}}).bytes, "claims 16 + 80 bytes");
  std::string version = entry;
  put<std::uint16_t>(version, 4, 2);
  expect_error(make_elf({{".nv_fatbin", version}}).bytes, "fatbinary version 2");
  expect_error(make_elf({{".nv_fatbin", entry + "junk after it"}}).bytes, "no fatbinary header");
  std::string short_entry = container({});  // 20 bytes of entries: less than one entry header
  put<std::uint64_t>(short_entry, 8, 20);
  expect_error(make_elf({{".nv_fatbin", short_entry + std::string(20, 'Z')}}).bytes, "is cut short");
  // A section of zeros only: padding, no containers.
  EXPECT_EQ(coverage_of(make_elf({{".nv_fatbin", std::string(64, '\0')}}).bytes).containers, 0u);
}

TEST(Fatbin, ADirectoryOrAMissingFileIsNamed) {
  EXPECT_THROW(coverage("/nonexistent/libcublas.so.13"), Error);
  EXPECT_THROW(coverage("/"), Error);
}

// ---- What runs on which GPU.

Entry sass(int arch, ArchVariant v = ArchVariant::generic) { return {.kind = CodeKind::sass, .arch = arch, .variant = v}; }
Entry ptx(int arch, ArchVariant v = ArchVariant::generic, int major = 9) {
  return {.kind = CodeKind::ptx, .arch = arch, .variant = v, .version_major = major};
}

TEST(FatbinCompatibility, SassRunsWithinItsMajorVersionAtTheSameOrAHigherMinor) {
  EXPECT_TRUE(sass_runs_on(sass(80), 80));
  EXPECT_TRUE(sass_runs_on(sass(80), 86));
  EXPECT_TRUE(sass_runs_on(sass(120), 121));  // DGX Spark runs sm_120 SASS
  EXPECT_FALSE(sass_runs_on(sass(86), 80));
  EXPECT_FALSE(sass_runs_on(sass(89), 90));
  EXPECT_FALSE(sass_runs_on(sass(100), 121));
  EXPECT_FALSE(sass_runs_on(ptx(90), 90));
  // Architecture-specific: that GPU only. Family-specific: the family (one major version).
  EXPECT_TRUE(sass_runs_on(sass(90, ArchVariant::arch_specific), 90));
  EXPECT_FALSE(sass_runs_on(sass(120, ArchVariant::arch_specific), 121));
  EXPECT_TRUE(sass_runs_on(sass(100, ArchVariant::family_specific), 103));
  EXPECT_TRUE(sass_runs_on(sass(120, ArchVariant::family_specific), 121));
  EXPECT_FALSE(sass_runs_on(sass(100, ArchVariant::family_specific), 110));
  EXPECT_FALSE(sass_runs_on(sass(121, ArchVariant::family_specific), 120));
}

TEST(FatbinCompatibility, PtxIsCompiledForTheSameOrANewerGpu) {
  EXPECT_TRUE(ptx_jits_for(ptx(80), 80));
  EXPECT_TRUE(ptx_jits_for(ptx(90), 121));
  EXPECT_FALSE(ptx_jits_for(ptx(90), 89));
  EXPECT_FALSE(ptx_jits_for(sass(90), 90));
  EXPECT_TRUE(ptx_jits_for(ptx(100, ArchVariant::arch_specific), 100));
  EXPECT_FALSE(ptx_jits_for(ptx(100, ArchVariant::arch_specific), 103));
  EXPECT_TRUE(ptx_jits_for(ptx(120, ArchVariant::family_specific), 121));
  EXPECT_FALSE(ptx_jits_for(ptx(100, ArchVariant::family_specific), 120));
}

TEST(FatbinCompatibility, CoverageAnswersForAGpu) {
  Coverage c;
  c.section = ".nv_fatbin";
  c.entries = {sass(80), sass(80), sass(90, ArchVariant::arch_specific), ptx(80, ArchVariant::generic, 8), ptx(90)};
  EXPECT_EQ(c.summary(), "sm_80 sm_90a SASS, compute_80 compute_90 PTX");
  EXPECT_TRUE(c.has_sass_for(86));
  EXPECT_TRUE(c.has_sass_for(90));
  EXPECT_FALSE(c.has_sass_for(121));
  ASSERT_TRUE(c.ptx_jit_for(121));
  EXPECT_EQ(c.ptx_jit_for(121)->arch, 90);  // the highest that fits
  EXPECT_EQ(c.ptx_jit_for(89)->arch, 80);
  EXPECT_FALSE(c.ptx_jit_for(75));
  c.entries = {ptx(90)};
  EXPECT_EQ(c.summary(), "no SASS, compute_90 PTX");
}

// ---- Mapped libraries.

TEST(FatbinMaps, ListsEachMappedFileOnce) {
  std::istringstream maps(
      "55d0c0a00000-55d0c0a20000 r--p 00000000 fd:01 131 /usr/bin/python3.12\n"
      "55d0c0a20000-55d0c0b00000 r-xp 00020000 fd:01 131 /usr/bin/python3.12\n"
      "55d0c1000000-55d0c1100000 rw-p 00000000 00:00 0          [heap]\n"
      "7f0000000000-7f0000100000 rw-p 00000000 00:00 0 \n"
      "7f1000000000-7f1000200000 r-xp 00000000 fd:01 77 /opt/my env/lib/libcublasLt.so.13.1.0.3\n"
      "7f2000000000-7f2000200000 r--p 00000000 fd:01 78 /usr/lib/libnccl.so.2.27.3 (deleted)\n"
      "7f3000000000-7f3000001000 r-xp 00000000 00:00 0                  [vdso]\n");
  const std::vector<MappedLibrary> files = parse_maps(maps);
  ASSERT_EQ(files.size(), 3u);
  EXPECT_EQ(files[0].path, "/usr/bin/python3.12");
  EXPECT_EQ(files[1].path, "/opt/my env/lib/libcublasLt.so.13.1.0.3");
  EXPECT_EQ(files[1].version, "13.1.0.3");
  EXPECT_FALSE(files[1].deleted);
  EXPECT_EQ(files[2].path, "/usr/lib/libnccl.so.2.27.3");
  EXPECT_TRUE(files[2].deleted);
}

TEST(FatbinMaps, KnowsCudaLibrariesAndTheirVersionsByName) {
  for (const char* name : {"/usr/lib/x86_64-linux-gnu/libcuda.so.580.65.06", "libcudart.so.13", "libcublas.so.13",
                           "libcublasLt.so.13.1.0.3", "libcudnn_ops.so.9", "libnccl.so.2", "libnvinfer_plugin.so.10",
                           "/site-packages/torch/lib/libtorch_cuda.so", "libc10_cuda.so", "libggml-cuda.so"})
    EXPECT_TRUE(is_cuda_library_name(name)) << name;
  for (const char* name : {"/usr/lib/libc.so.6", "libcuda_helpers.a", "/opt/libcublas/README", "libtorch_cpu.so"})
    EXPECT_FALSE(is_cuda_library_name(name)) << name;
  EXPECT_EQ(version_from_file_name("/usr/local/cuda/lib64/libcublas.so.13.1.0.3"), "13.1.0.3");
  EXPECT_EQ(version_from_file_name("libcudnn.so.9"), "9");
  EXPECT_EQ(version_from_file_name("libtorch_cuda.so"), "");
  EXPECT_EQ(version_from_file_name("libfoo.so.1.debug"), "");
}

TEST(FatbinMaps, ThisProcessListsItsOwnExecutableFirst) {
  const std::vector<MappedLibrary> libraries = mapped_cuda_libraries(::getpid());
  ASSERT_FALSE(libraries.empty());
  EXPECT_TRUE(libraries.front().main_executable);
  EXPECT_EQ(libraries.front().path, std::filesystem::canonical("/proc/self/exe").string());
  for (const LibraryCoverage& l : library_coverage(::getpid()))
    EXPECT_TRUE(l.error.empty()) << l.library.path << ": " << l.error;
  EXPECT_THROW(mapped_cuda_libraries(-1), Error);
}

// ---- Real nvcc output, compared with cuobjdump.

// "ELF sm_90" / "PTX sm_103f" for each line of `cuobjdump --list-elf --list-ptx`, sorted.
std::vector<std::string> cuobjdump_listing(const std::string& path) {
  const ChildOutcome run = run_child_process({.argv = {SPARKBENCH_CUOBJDUMP, "--list-elf", "--list-ptx", path}});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  static const std::regex line(R"(^(ELF|PTX) file\s+\d+: .*\.(sm_\d+[af]?)\.(cubin|ptx)$)");
  std::vector<std::string> listed;
  std::istringstream out(run.out);
  for (std::string l; std::getline(out, l);) {
    std::smatch m;
    if (std::regex_match(l, m, line)) listed.push_back(m[1].str() + " " + m[2].str());
  }
  std::sort(listed.begin(), listed.end());
  return listed;
}

// The same listing from our reader. cuobjdump 13.2 names a family-specific cubin without its "f"
// (sm_100f is listed as sm_100), and a family-specific PTX with it.
std::vector<std::string> our_listing(const Coverage& c) {
  std::vector<std::string> listed;
  for (const Entry& e : c.entries) {
    const bool sass = e.kind == CodeKind::sass;
    const char* suffix = e.variant == ArchVariant::arch_specific                ? "a"
                         : e.variant == ArchVariant::family_specific && !sass ? "f"
                                                                                : "";
    listed.push_back(std::string(sass ? "ELF" : "PTX") + " sm_" + std::to_string(e.arch) + suffix);
  }
  std::sort(listed.begin(), listed.end());
  return listed;
}

#define SKIP_WITHOUT(path) \
  if (std::string(path).empty()) GTEST_SKIP() << "SKIPPED: a CPU-only build has no CUDA test libraries"

TEST(FatbinNvcc, SassOnly) {
  SKIP_WITHOUT(SPARKBENCH_FATBIN_TEST_sass);
  const Coverage c = coverage(SPARKBENCH_FATBIN_TEST_sass);
  EXPECT_EQ(c.summary(), "sm_90 SASS, no PTX");
  EXPECT_TRUE(c.has_sass_for(90));
  EXPECT_FALSE(c.has_sass_for(121));
  EXPECT_FALSE(c.ptx_jit_for(121));
  for (const Entry& e : c.entries) EXPECT_EQ(e.version_major, 1);  // cuobjdump's "code version = [1,8]"
}

TEST(FatbinNvcc, PtxOnly) {
  SKIP_WITHOUT(SPARKBENCH_FATBIN_TEST_ptx);
  const Coverage c = coverage(SPARKBENCH_FATBIN_TEST_ptx);
  EXPECT_EQ(c.summary(), "no SASS, compute_90 PTX");
  EXPECT_FALSE(c.has_sass_for(90));
  ASSERT_TRUE(c.ptx_jit_for(121));
  EXPECT_GE(c.ptx_jit_for(121)->version_major, 9);  // CUDA 13.0 writes PTX ISA 9.0
}

TEST(FatbinNvcc, SassAndPtx) {
  SKIP_WITHOUT(SPARKBENCH_FATBIN_TEST_both);
  const Coverage c = coverage(SPARKBENCH_FATBIN_TEST_both);
  EXPECT_EQ(c.summary(), "sm_80 SASS, compute_90 PTX");
  EXPECT_TRUE(c.has_sass_for(86));
  EXPECT_FALSE(c.has_sass_for(90));
  ASSERT_TRUE(c.ptx_jit_for(90));
  EXPECT_EQ(c.ptx_jit_for(90)->arch, 90);
}

TEST(FatbinNvcc, ArchitectureAndFamilySpecificTargets) {
  SKIP_WITHOUT(SPARKBENCH_FATBIN_TEST_variants);
  const Coverage c = coverage(SPARKBENCH_FATBIN_TEST_variants);
  EXPECT_EQ(c.summary(), "sm_90a sm_100f sm_121 sm_121a SASS, compute_100a compute_103f compute_120 PTX");
  EXPECT_TRUE(c.has_sass_for(121));
  EXPECT_TRUE(c.has_sass_for(103));  // sm_100f
  EXPECT_FALSE(c.has_sass_for(120));
  EXPECT_EQ(c.ptx_jit_for(120)->arch, 120);
  EXPECT_EQ(c.ptx_jit_for(103)->arch, 103);
}

TEST(FatbinNvcc, ToolkitCublas) {
  SKIP_WITHOUT(SPARKBENCH_FATBIN_TEST_CUBLAS);
  const Coverage c = coverage(SPARKBENCH_FATBIN_TEST_CUBLAS);  // tens of MB: only entry headers are read
  EXPECT_GT(c.containers, 10u);
  EXPECT_TRUE(std::any_of(c.entries.begin(), c.entries.end(), [](const Entry& e) { return e.compressed; }));
  std::cout << "libcublas: " << c.entries.size() << " entries in " << c.containers << " containers: " << c.summary()
            << "\n";
}

TEST(FatbinNvcc, ListsWhatCuobjdumpLists) {
  SKIP_WITHOUT(SPARKBENCH_FATBIN_TEST_sass);
  if (std::string(SPARKBENCH_CUOBJDUMP).empty())
    GTEST_SKIP() << "SKIPPED: no cuobjdump next to nvcc (configure with -DSPARKBENCH_CUOBJDUMP=/path/to/cuobjdump)";
  for (const char* path : {SPARKBENCH_FATBIN_TEST_sass, SPARKBENCH_FATBIN_TEST_ptx, SPARKBENCH_FATBIN_TEST_both,
                           SPARKBENCH_FATBIN_TEST_variants, SPARKBENCH_FATBIN_TEST_CUBLAS}) {
    const std::vector<std::string> ours = our_listing(coverage(path)), theirs = cuobjdump_listing(path);
    EXPECT_FALSE(theirs.empty()) << path;
    EXPECT_EQ(ours, theirs) << path;
    std::cout << path << ": " << ours.size() << " entries, as cuobjdump lists them\n";
  }
}

}  // namespace
}  // namespace sb::fatbin
