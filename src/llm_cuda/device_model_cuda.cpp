#include "llm_cuda/device_model.hpp"

#include <array>
#include <chrono>
#include <map>

#include "core/cuda_resources.hpp"
#include "core/cuda_status.hpp"
#include "llm/dtype.hpp"
#include "llm/weight_stream.hpp"
#include "llm_cuda/kernels.hpp"

namespace sb::llm {

namespace {

using kernels::bf16;

// Where each checkpoint tensor lives inside the fused device tensors.
std::map<std::string, bf16*> destinations(const ModelConfig& c, const DeviceModel& model) {
  const std::int64_t h = c.hidden_size;
  std::map<std::string, bf16*> at = {{kEmbedding, model.embedding}, {kFinalNorm, model.final_norm}};
  if (!c.tie_word_embeddings) at[kLmHead] = model.lm_head;
  for (std::int64_t l = 0; l < c.num_layers; ++l) {
    const LayerNames n = layer_names(l);
    const DeviceLayer& d = model.layers[static_cast<std::size_t>(l)];
    at[n.input_norm] = d.input_norm;
    at[n.q] = d.qkv;
    at[n.k] = d.qkv + c.q_dim() * h;
    at[n.v] = d.qkv + (c.q_dim() + c.kv_dim()) * h;
    if (c.attention_bias) {
      at[n.q_bias] = d.qkv_bias;
      at[n.k_bias] = d.qkv_bias + c.q_dim();
      at[n.v_bias] = d.qkv_bias + c.q_dim() + c.kv_dim();
    }
    at[n.o] = d.o;
    if (c.attention_output_bias) at[n.o_bias] = d.o_bias;
    at[n.post_norm] = d.post_norm;
    at[n.gate] = d.gate_up;
    at[n.up] = d.gate_up + c.intermediate_size * h;
    at[n.down] = d.down;
  }
  return at;
}

}  // namespace

DeviceModel allocate_model(const ModelConfig& c, DeviceAllocations& memory) {
  const std::int64_t h = c.hidden_size;
  const std::int64_t qkv = c.q_dim() + 2 * c.kv_dim();
  DeviceModel m;
  m.embedding = memory.allocate<bf16>(c.vocab_size * h);
  for (std::int64_t l = 0; l < c.num_layers; ++l) {
    DeviceLayer d;
    d.input_norm = memory.allocate<bf16>(h);
    d.qkv = memory.allocate<bf16>(qkv * h);
    if (c.attention_bias) d.qkv_bias = memory.allocate<bf16>(qkv);
    d.o = memory.allocate<bf16>(h * c.q_dim());
    if (c.attention_output_bias) d.o_bias = memory.allocate<bf16>(h);
    d.post_norm = memory.allocate<bf16>(h);
    d.gate_up = memory.allocate<bf16>(2 * c.intermediate_size * h);
    d.down = memory.allocate<bf16>(h * c.intermediate_size);
    m.layers.push_back(d);
  }
  m.final_norm = memory.allocate<bf16>(h);
  m.lm_head = c.tie_word_embeddings ? m.embedding : memory.allocate<bf16>(c.vocab_size * h);
  return m;
}

void generate_synthetic_weights(const ModelConfig& c, std::uint64_t seed, const DeviceModel& model, cudaStream_t stream) {
  const std::map<std::string, bf16*> at = destinations(c, model);
  for (const TensorSpec& spec : expected_tensors(c)) {
    const SyntheticDistribution d = synthetic_distribution(c, spec);
    kernels::fill_synthetic_weights(at.at(spec.name), element_count(spec.shape), tensor_stream(seed, spec.name), d.offset,
                                    d.scale, stream);
  }
}

void upload_weights(const ModelConfig& c, const Weights& weights, const DeviceModel& model, cudaStream_t stream) {
  const std::map<std::string, bf16*> at = destinations(c, model);
  std::vector<std::uint16_t> bits;
  for (const TensorSpec& spec : expected_tensors(c)) {
    const std::vector<float>& values = weights.at(spec.name).data;
    bits.resize(values.size());
    for (std::size_t i = 0; i < values.size(); ++i) bits[i] = f32_to_bf16(values[i]);
    // Synchronous (pageable source): `bits` is reused for the next tensor.
    SB_CUDA_CHECK(cudaMemcpyAsync(at.at(spec.name), bits.data(), bits.size() * sizeof(std::uint16_t),
                                  cudaMemcpyHostToDevice, stream));
    SB_CUDA_CHECK(cudaStreamSynchronize(stream));
  }
}

namespace {

// Two staging buffers and, for each, an event recorded after the copy that reads it.
struct Staging {
  explicit Staging(std::size_t elements)
      : elements(elements),
        buffers{cuda::pinned_array<std::uint16_t>(elements), cuda::pinned_array<std::uint16_t>(elements)},
        copied{cuda::make_event(cudaEventDisableTiming), cuda::make_event(cudaEventDisableTiming)} {}
  std::span<std::uint16_t> buffer(int b) { return {buffers[b].get(), elements}; }

  std::size_t elements;
  std::array<cuda::PinnedArray<std::uint16_t>, 2> buffers;
  std::array<cuda::Event, 2> copied;
};

void stream_chunks(WeightStream& weights, Staging& staging, const std::map<std::string, bf16*>& at, WeightUpload& upload,
                   cudaStream_t stream) {
  for (int b = 0; !weights.done(); b ^= 1) {
    // The copy that read this buffer last must be done before it is refilled (an event not yet
    // recorded counts as done).
    SB_CUDA_CHECK(cudaEventSynchronize(staging.copied[b].get()));
    const WeightStream::Chunk chunk = weights.next(staging.buffer(b));
    SB_CUDA_CHECK(cudaMemcpyAsync(at.at(chunk.tensor->name) + chunk.first, chunk.values.data(),
                                  chunk.values.size_bytes(), cudaMemcpyHostToDevice, stream));
    SB_CUDA_CHECK(cudaEventRecord(staging.copied[b].get(), stream));
    upload.bytes += static_cast<std::int64_t>(chunk.values.size_bytes());
    ++upload.chunks;
  }
}

}  // namespace

WeightUpload upload_checkpoint(const ModelConfig& c, const Checkpoint& checkpoint, const DeviceModel& model,
                               std::int64_t staging_bytes, cudaStream_t stream) {
  const auto start = std::chrono::steady_clock::now();
  const std::map<std::string, bf16*> at = destinations(c, model);
  Staging staging(static_cast<std::size_t>(staging_bytes) / sizeof(std::uint16_t));
  const int threads = weight_stream_threads();
  WeightStream weights(checkpoint, threads);
  WeightUpload upload{.staging_bytes = 2 * static_cast<std::int64_t>(staging.elements * sizeof(std::uint16_t)),
                      .threads = threads};
  try {
    stream_chunks(weights, staging, at, upload, stream);
    SB_CUDA_CHECK(cudaStreamSynchronize(stream));
  } catch (...) {
    (void)cudaStreamSynchronize(stream);  // copies still in flight read the staging freed next
    throw;
  }
  upload.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return upload;
}

}  // namespace sb::llm
