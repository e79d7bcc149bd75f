#include "core/affinity.hpp"

#include <sched.h>

#include <thread>

namespace sb {

int affinity_cpu_count() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    const int n = CPU_COUNT(&set);
    if (n > 0) return n;
  }
  // More than CPU_SETSIZE (1024) CPUs, or no affinity call: the best remaining guess.
  const unsigned hw = std::thread::hardware_concurrency();
  return hw > 0 ? static_cast<int>(hw) : 1;
}

}  // namespace sb
