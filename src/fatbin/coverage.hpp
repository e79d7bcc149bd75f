#pragma once
// Which GPUs a CUDA binary has kernels for: the SASS architectures and PTX versions of its
// fatbinary. An image without SASS for the GPU (DGX Spark's GB10 is sm_121) runs PTX compiled by
// the driver at load time, or a library's slower fallback kernels, or nothing at all.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fatbin/fatbinary.hpp"

namespace sb::fatbin {

struct Coverage {
  // The section read: ".nv_fatbin", the code the CUDA runtime loads; else "__nv_relfatbin" (the
  // relocatable device code of an object or static library); "" when the file has neither. The
  // same choice as cuobjdump's without -all.
  std::string section;
  std::size_t containers = 0;
  std::vector<Entry> entries;     // SASS and PTX, in file order
  std::size_t other_entries = 0;  // LTO IR and kinds not known

  // Whether some SASS runs on a GPU of compute capability `sm` (121 for 12.1) as it is.
  bool has_sass_for(int sm) const;
  // The PTX the driver would compile for that GPU where no SASS runs: the highest compatible one.
  std::optional<Entry> ptx_jit_for(int sm) const;
  // "sm_80 sm_90 SASS, compute_90 PTX"; "no SASS, compute_90 PTX"; "no CUDA fatbinary".
  std::string summary() const;
};

// Reads the fatbinary of an ELF64 file (a library, an executable, an object). Throws sb::Error,
// naming the file and what is wrong with it, for a file that cannot be read or is damaged.
Coverage coverage(const std::string& path);

// Whether the file is an ELF64 file with a .nv_fatbin section: the sections table only, to pick
// the CUDA binaries among many files cheaply. False also for a file that cannot be read as ELF64.
bool has_fatbinary(const std::string& path);

// A compute capability as CUDA writes it, "9.0" or "12.1", as the number the rules below take (90,
// 121); nullopt for anything else.
std::optional<int> sm_of_compute_capability(std::string_view text);

// The compatibility rules, by compute capability X.Y written as the number XY (sm / 10 is the
// major version, sm % 10 the minor):
//   SASS for sm_XY (and the family-specific sm_XYf) runs on X.Z for Z >= Y: "A cubin generated for
//     a certain compute capability is supported to run on any GPU with the same major revision and
//     same or higher minor revision of compute capability" (NVIDIA, Ada Compatibility Guide, 1.2
//     "Application Compatibility"); a family is one major version, sm_100f runs on 10.0 and 10.3
//     (CUDA Programming Guide, 5.1.2 "Feature Availability"; NVIDIA technical blog "NVIDIA
//     Blackwell and NVIDIA CUDA 12.9 Introduce Family-Specific Architecture Features").
//   SASS for the architecture-specific sm_XYa runs on X.Y only (the same section of the guide).
//   PTX for compute_XY is compiled by the driver for any GPU of compute capability >= X.Y (PTX is
//     forward compatible: the same compatibility guide); compute_XYf only for X.Z with Z >= Y, and
//     compute_XYa only for X.Y (the same section of the programming guide).
bool sass_runs_on(const Entry& entry, int sm);
bool ptx_jits_for(const Entry& entry, int sm);

}  // namespace sb::fatbin
