#pragma once
// The keys and values of one sequence's past positions, for every layer, after RoPE:
// [layer][position][kv_head * head_dim], fp32. Sized once for prompt + generated tokens.
#include <cstdint>
#include <vector>

#include "llm/model_config.hpp"

namespace sb::llm {

class KvCache {
 public:
  KvCache(const ModelConfig& c, std::int64_t capacity);
  std::int64_t capacity() const { return capacity_; }
  std::int64_t length() const { return length_; }  // positions filled so far
  void advance(std::int64_t positions) { length_ += positions; }

  float* key(std::int64_t layer, std::int64_t position) { return keys_.data() + offset(layer, position); }
  float* value(std::int64_t layer, std::int64_t position) { return values_.data() + offset(layer, position); }
  const float* key(std::int64_t layer, std::int64_t position) const { return keys_.data() + offset(layer, position); }
  const float* value(std::int64_t layer, std::int64_t position) const { return values_.data() + offset(layer, position); }

 private:
  std::size_t offset(std::int64_t layer, std::int64_t position) const {
    return static_cast<std::size_t>((layer * capacity_ + position) * kv_dim_);
  }

  std::int64_t capacity_;
  std::int64_t kv_dim_;
  std::int64_t length_ = 0;
  std::vector<float> keys_;
  std::vector<float> values_;
};

}  // namespace sb::llm
