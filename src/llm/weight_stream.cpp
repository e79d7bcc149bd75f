#include "llm/weight_stream.hpp"

#include <algorithm>
#include <stdexcept>
#include <thread>

namespace sb::llm {

namespace {

// Each thread's share of a chunk starts on a 64-byte boundary of the staging buffer, so that no two
// threads write the same cache line.
constexpr std::int64_t kShareAlignment = 64 / sizeof(std::uint16_t);

}  // namespace

int weight_stream_threads() {
  return static_cast<int>(std::clamp(std::thread::hardware_concurrency() / 2, 1u, 8u));
}

WeightStream::WeightStream(const Checkpoint& checkpoint, int threads) : checkpoint_(checkpoint), team_(threads) {
  if (!done()) checkpoint_.tensors.front().file->will_need(checkpoint_.tensors.front().bytes);
}

WeightStream::Chunk WeightStream::next(std::span<std::uint16_t> staging) {
  if (done()) throw std::logic_error("WeightStream::next after the last chunk");
  if (staging.empty()) throw std::logic_error("WeightStream::next with an empty staging buffer");
  const CheckpointTensor& t = checkpoint_.tensors[tensor_];
  if (next_ == 0 && tensor_ + 1 < checkpoint_.tensors.size()) {
    // Read ahead while this tensor converts; a no-op when the file is already in the page cache.
    const CheckpointTensor& following = checkpoint_.tensors[tensor_ + 1];
    following.file->will_need(following.bytes);
  }
  const std::int64_t count = std::min(static_cast<std::int64_t>(staging.size()), element_count(t.shape) - next_);
  const Chunk chunk{.tensor = &t, .first = next_, .values = staging.first(static_cast<std::size_t>(count))};
  convert(t, next_, staging.first(static_cast<std::size_t>(count)));
  next_ += count;
  hand_back(t, next_);
  if (next_ == element_count(t.shape)) {
    ++tensor_;
    next_ = 0;
  }
  return chunk;
}

void WeightStream::convert(const CheckpointTensor& t, std::int64_t first, std::span<std::uint16_t> out) {
  const auto count = static_cast<std::int64_t>(out.size());
  const std::int64_t share = (count / team_.size() + kShareAlignment) / kShareAlignment * kShareAlignment;
  team_.run_seconds([&](int member) {
    const std::int64_t begin = std::min(count, member * share);
    const std::int64_t end = std::min(count, begin + share);
    if (begin < end) read_bf16(t, first + begin, end - begin, out.data() + begin);
  });
}

// Elements [0, end) of `t` are converted: the file pages holding them are not needed again.
void WeightStream::hand_back(const CheckpointTensor& t, std::int64_t end) const {
  const std::size_t element = dtype_size(*t.dtype);
  if (t.rope_heads == 0) {
    t.file->done_with(t.bytes.first(static_cast<std::size_t>(end) * element));
  } else if (end == element_count(t.shape)) {
    t.file->done_with(t.bytes);  // permuted rows are read out of order: only once the tensor is done
  }
}

}  // namespace sb::llm
