#pragma once
// Everything the CUDA engine allocates on the device, owned in one place and counted, so that the
// engine can report what it holds next to what the memory plan predicted.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/cuda_resources.hpp"

namespace sb::llm {

class DeviceAllocations {
 public:
  template <class T>
  T* allocate(std::int64_t count) {
    const auto bytes = static_cast<std::size_t>(count) * sizeof(T);
    blocks_.push_back(cuda::device_array<std::byte>(bytes));
    bytes_ += static_cast<std::int64_t>(bytes);
    return reinterpret_cast<T*>(blocks_.back().get());
  }
  std::int64_t bytes() const { return bytes_; }

 private:
  std::vector<cuda::DeviceArray<std::byte>> blocks_;
  std::int64_t bytes_ = 0;
};

}  // namespace sb::llm
