#pragma once
// Which cases each kind of cause can affect, by the case's layer (and parameters): a cause cites
// only the slower cases it could have slowed, so that a difference that touches other layers does
// not take the blame for them. docs/diagnosis.md lists the layers of each cause.
#include "compare/compare.hpp"

namespace sb::diagnose {

// A `command:` case: a user's program, whose use of the machine sparkbench does not know.
bool command_case(const compare::CaseComparison& c);
// Uses /dev/shm: io-shm, and command: cases (data loaders, NCCL, vLLM's workers use it).
bool uses_shm(const compare::CaseComparison& c);
// Bound by the host's CPUs: cpu-* except cpu-syscall (a quota or a smaller cpuset does not make one
// system call slower), and command: cases of the opaque "command" layer.
bool cpu_bound(const compare::CaseComparison& c);
// Scales with the threads it may use: cpu-scaling, cpu-compute (BLAS, llm_cpu), cpu-memory, unless
// its `threads` parameter is 1.
bool scales_with_threads(const compare::CaseComparison& c);
// A GPU case whose time is the host's launches and syncs, not the GPU's work: gpu-launch, and the
// token-by-token generation of gpu-llm / llm-inference at a batch of at most 4.
bool launch_bound(const compare::CaseComparison& c);
// Bound by a memory limit: cpu-memory, cpu-pagefault, io-* (page cache and /dev/shm are charged to
// the memory cgroup), unified-memory, and command: cases.
bool memory_bound(const compare::CaseComparison& c);
// Runs on the GPU: gpu-* layers or a GPU device.
bool gpu_bound(const compare::CaseComparison& c);
// One system call at a time: cpu-syscall.
bool syscall_bound(const compare::CaseComparison& c);

}  // namespace sb::diagnose
