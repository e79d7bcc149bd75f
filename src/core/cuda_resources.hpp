#pragma once
// Owning handles for CUDA objects, so that whatever a case allocates is released when the case
// ends, also when make() throws halfway. Destructors ignore the status: nothing is left to do
// about a failed release, and a destructor must not throw.
#include <cstddef>
#include <memory>
#include <type_traits>

#include <cuda_runtime_api.h>

#include "core/cuda_status.hpp"

namespace sb::cuda {

namespace release {
struct DeviceMemory { void operator()(void* p) const noexcept { cudaFree(p); } };
struct HostMemory { void operator()(void* p) const noexcept { cudaFreeHost(p); } };
struct Event { void operator()(cudaEvent_t e) const noexcept { cudaEventDestroy(e); } };
struct Stream { void operator()(cudaStream_t s) const noexcept { cudaStreamDestroy(s); } };
struct Graph { void operator()(cudaGraph_t g) const noexcept { cudaGraphDestroy(g); } };
struct GraphExec { void operator()(cudaGraphExec_t g) const noexcept { cudaGraphExecDestroy(g); } };
}  // namespace release

// cudaMalloc'd or cudaMallocManaged memory (both are released with cudaFree).
template <class T>
using DeviceArray = std::unique_ptr<T[], release::DeviceMemory>;
// cudaHostAlloc'd (page-locked) host memory.
template <class T>
using PinnedArray = std::unique_ptr<T[], release::HostMemory>;
using Event = std::unique_ptr<std::remove_pointer_t<cudaEvent_t>, release::Event>;
using Stream = std::unique_ptr<std::remove_pointer_t<cudaStream_t>, release::Stream>;
using Graph = std::unique_ptr<std::remove_pointer_t<cudaGraph_t>, release::Graph>;
using GraphExec = std::unique_ptr<std::remove_pointer_t<cudaGraphExec_t>, release::GraphExec>;

template <class T>
DeviceArray<T> device_array(std::size_t count) {
  void* p = nullptr;
  SB_CUDA_CHECK(cudaMalloc(&p, count * sizeof(T)));
  return DeviceArray<T>(static_cast<T*>(p));
}

template <class T>
DeviceArray<T> managed_array(std::size_t count) {
  void* p = nullptr;
  SB_CUDA_CHECK(cudaMallocManaged(&p, count * sizeof(T), cudaMemAttachGlobal));
  return DeviceArray<T>(static_cast<T*>(p));
}

template <class T>
PinnedArray<T> pinned_array(std::size_t count) {
  void* p = nullptr;
  SB_CUDA_CHECK(cudaHostAlloc(&p, count * sizeof(T), cudaHostAllocDefault));
  return PinnedArray<T>(static_cast<T*>(p));
}

inline Event make_event(unsigned flags = cudaEventDefault) {
  cudaEvent_t e = nullptr;
  SB_CUDA_CHECK(cudaEventCreateWithFlags(&e, flags));
  return Event(e);
}

// A stream of our own that does not synchronize with the legacy default stream (and can be
// captured into a graph, which the legacy stream cannot).
inline Stream make_stream() {
  cudaStream_t s = nullptr;
  SB_CUDA_CHECK(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking));
  return Stream(s);
}

}  // namespace sb::cuda
