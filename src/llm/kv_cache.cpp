#include "llm/kv_cache.hpp"

namespace sb::llm {

KvCache::KvCache(const ModelConfig& c, std::int64_t capacity)
    : capacity_(capacity),
      kv_dim_(c.kv_dim()),
      keys_(static_cast<std::size_t>(c.num_layers * capacity * c.kv_dim())),
      values_(keys_.size()) {}

}  // namespace sb::llm
