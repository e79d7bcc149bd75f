#pragma once
// A checkpoint's tensors converted to bf16 one bounded chunk at a time, so that an upload never
// holds the model on the host. The caller hands in the staging buffer each chunk is converted into
// (the CUDA engine alternates two pinned buffers: one is copied to the device while the next is
// filled), so the host memory an upload takes is its staging plus the file pages being read; the
// stream hands those back to the kernel behind it (MappedFile::done_with) and asks for the next
// tensor's ahead (MappedFile::will_need).
#include <cstddef>
#include <cstdint>
#include <span>

#include "core/worker_team.hpp"
#include "llm/checkpoint.hpp"

namespace sb::llm {

class WeightStream {
 public:
  struct Chunk {
    const CheckpointTensor* tensor = nullptr;  // one of the checkpoint's
    std::int64_t first = 0;                    // position of values[0] in the tensor (Hugging Face order)
    std::span<const std::uint16_t> values;     // bf16 bit patterns, at the start of the staging given
  };

  // Tensors in the checkpoint's (file) order, each in chunks in element order. `threads` (>= 1)
  // convert each chunk together: reading a page-cached file is bound by page faults and memory
  // bandwidth, which one thread does not saturate. `checkpoint` must outlive the stream.
  WeightStream(const Checkpoint& checkpoint, int threads);

  bool done() const { return tensor_ == checkpoint_.tensors.size(); }
  // Converts the next chunk into `staging` (not empty): the next staging.size() elements of the
  // current tensor, or what is left of it. Never writes beyond staging.size() elements.
  Chunk next(std::span<std::uint16_t> staging);

 private:
  void convert(const CheckpointTensor& t, std::int64_t first, std::span<std::uint16_t> out);
  void hand_back(const CheckpointTensor& t, std::int64_t end) const;

  const Checkpoint& checkpoint_;
  std::size_t tensor_ = 0;  // the current tensor
  std::int64_t next_ = 0;   // its next element
  WorkerTeam team_;
};

// The conversion threads for a WeightStream on this machine: half the cores, at most 8, at least
// one: page faults and conversion run in parallel while the rest of the machine stays free.
int weight_stream_threads();

}  // namespace sb::llm
