#pragma once
// What a record keeps of the libraries a process mapped: for each, its version and which of its
// kernels the GPU runs. The one JSON form, written by env's snapshot (sparkbench itself) and the
// `command` workload's info (the user's program), and read by diagnose.
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "fatbin/mapped_libraries.hpp"

namespace sb::fatbin {

// [{path, version, summary, sass_for_device, ptx_jit}], plus main_executable: true for a process's
// executable and error (summary null) for a file that could not be read. `sm` is the GPU's compute
// capability (90 for 9.0): sass_for_device says whether some SASS of the file runs on it as it is,
// ptx_jit names the PTX target the driver compiles at load where none does ("compute_90"; null
// where SASS runs or no PTX fits). Without a GPU (nullopt) both are null. version is null where the
// file name gives none.
nlohmann::json library_report(const std::vector<LibraryCoverage>& libraries, std::optional<int> sm);

}  // namespace sb::fatbin
