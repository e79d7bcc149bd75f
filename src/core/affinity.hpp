#pragma once
namespace sb {

// How many CPUs this process may run on (sched_getaffinity): what a container's cpuset leaves,
// which std::thread::hardware_concurrency() does not tell. At least 1.
int affinity_cpu_count();

}  // namespace sb
