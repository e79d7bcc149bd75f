#pragma once
#include <string>

namespace sb {

struct GpuPresence {
  bool present = false;
  int device_count = 0;
  std::string reason;  // why no GPU can be used (empty when present)
};

// Whether this process can use a CUDA device. Never throws; cached after the first call.
const GpuPresence& gpu_presence();

}  // namespace sb
