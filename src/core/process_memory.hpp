#pragma once
// This process's resident memory as the kernel counts it in /proc/self/status, so that a workload can
// record what it took on the host (the LLM case: loading a checkpoint) next to what it measured.
#include <cstdint>
#include <optional>

namespace sb {

struct ProcessMemory {
  // Bytes; nullopt where the kernel does not report the field (sandboxes, old kernels).
  std::optional<std::int64_t> peak_resident;  // VmHWM: the high-water mark of VmRSS
  std::optional<std::int64_t> resident_anon;  // RssAnon: heap, stacks, pinned buffers
  std::optional<std::int64_t> resident_file;  // RssFile: mapped files, the binary and its libraries
};

ProcessMemory process_memory();

// Resets VmHWM to the current resident size (writes 5 to /proc/self/clear_refs, Linux 4.0 and
// newer), so that the next VmHWM is the peak of what ran in between. False where that is refused;
// VmHWM is then the peak since the process started.
bool reset_peak_resident();

}  // namespace sb
