// The CUDA engine: memory planned and checked before anything is allocated, weights fused at load,
// prefill through cuBLAS, decode steps through GEMV or cuBLAS (per weight, measured) replayed from
// CUDA graphs. Every public call ends with its results on the host (a stream synchronisation);
// nothing inside a step waits for the host.
#include "llm_cuda/cuda_engine.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <map>
#include <set>

#include <fmt/format.h>

#include "core/cuda_resources.hpp"
#include "core/cuda_status.hpp"
#include "core/cuda_timing.hpp"
#include "llm/rope.hpp"
#include "llm_cuda/cublas_linear.hpp"
#include "llm_cuda/device_allocations.hpp"
#include "llm_cuda/device_model.hpp"
#include "llm_cuda/kernels.hpp"

namespace sb::llm {

namespace {

using kernels::bf16;

// The projections of a forward pass; decode picks an implementation for each.
enum class Projection { Qkv, O, GateUp, Down, LmHead };
constexpr int kProjectionCount = 5;
constexpr std::array<const char*, kProjectionCount> kProjectionNames = {"qkv", "o", "gate_up", "down", "lm_head"};
enum class GemmImpl { Gemv, Cublas };

const char* to_string(GemmImpl g) { return g == GemmImpl::Gemv ? "gemv" : "cublas"; }

// A forward pass over new tokens: prefill of `new_tokens` per sequence from `start`, or one decode
// step at the position held on the device.
struct Pass {
  bool decode = false;
  int new_tokens = 1;
  int start = 0;
};

int select_device(const CudaEngineOptions& o) {
  cuda::usable_device();
  SB_CUDA_CHECK(cudaSetDevice(o.device));
  return o.device;
}

const CudaEngineOptions& checked(const CudaEngineOptions& o) {
  if (o.max_batch < 1) throw Error(fmt::format("CUDA engine: max_batch {}", o.max_batch), "use a batch of at least 1");
  if (o.max_tokens_per_sequence < 1) {
    throw Error(fmt::format("CUDA engine: max_tokens_per_sequence {}", o.max_tokens_per_sequence),
                "set max_tokens_per_sequence to the prompt length plus the tokens to generate");
  }
  if (o.decode_gemm != "gemv" && o.decode_gemm != "cublas" && o.decode_gemm != "auto") {
    throw Error(fmt::format("CUDA engine: decode_gemm '{}'", o.decode_gemm), "use gemv, cublas or auto");
  }
  if (o.decode_gemm == "gemv" && o.max_batch > kernels::kGemvMaxRows) {
    throw Error(fmt::format("CUDA engine: decode_gemm gemv with max_batch {}; the GEMV kernel handles up to {} rows",
                            o.max_batch, kernels::kGemvMaxRows),
                "use decode_gemm cublas or auto for larger batches");
  }
  if (o.weight_staging_bytes < 2) {
    throw Error(fmt::format("CUDA engine: weight_staging_bytes {}", o.weight_staging_bytes),
                "give the weight staging room for at least one bf16 value (the default is 64 MiB)");
  }
  return o;
}

InferenceRequest request_of(const CudaEngineOptions& o) {
  // The engine does not know how a sequence splits into prompt and generated tokens: it is sized for
  // a prompt filling the whole cache, the largest prefill.
  return {.batch = o.max_batch, .prompt_tokens = o.max_tokens_per_sequence, .generated_tokens = 0,
          .prefill_chunk_tokens = o.prefill_chunk_tokens};
}

MemoryPlan checked_plan(const ModelConfig& c, const CudaEngineOptions& o, int device) {
  validate(c, c.name);
  const MemoryPlan plan = plan_memory(c, kCudaEngineDType, request_of(o));
  std::size_t free = 0, total = 0;
  SB_CUDA_CHECK(cudaMemGetInfo(&free, &total));
  cudaDeviceProp prop{};
  SB_CUDA_CHECK(cudaGetDeviceProperties(&prop, device));
  require_fits(plan, c, kCudaEngineDType, request_of(o), static_cast<std::int64_t>(free),
               fmt::format("the free memory of {} (device {})", prop.name, device));
  return plan;
}

}  // namespace

struct CudaEngine::Impl {
  Impl(const ModelConfig& c, const CudaEngineOptions& o)
      : config(c),
        options(checked(o)),
        device(select_device(options)),
        plan(checked_plan(config, options, device)),
        stream(cuda::make_stream()),
        cublas(stream.get(), memory),
        model(allocate_model(config, memory)) {
    SB_CUDA_CHECK(cudaDeviceGetAttribute(&sm_count, cudaDevAttrMultiProcessorCount, device));
    allocate_state();
  }

  ~Impl() { cudaStreamSynchronize(stream.get()); }  // nothing may still use what is freed next

  // ---- sizes ----
  int hidden() const { return static_cast<int>(config.hidden_size); }
  int q_dim() const { return static_cast<int>(config.q_dim()); }
  int qkv_dim() const { return static_cast<int>(config.q_dim() + 2 * config.kv_dim()); }
  int intermediate() const { return static_cast<int>(config.intermediate_size); }
  int vocab() const { return static_cast<int>(config.vocab_size); }
  int capacity() const { return static_cast<int>(options.max_tokens_per_sequence); }
  int max_batch() const { return static_cast<int>(options.max_batch); }

  kernels::AttentionShape attention_shape(int batch) const {
    return {.batch = batch,
            .num_heads = static_cast<int>(config.num_heads),
            .num_kv_heads = static_cast<int>(config.num_kv_heads),
            .head_dim = static_cast<int>(config.head_dim),
            .capacity = capacity(),
            .scale = static_cast<float>(1.0 / std::sqrt(static_cast<double>(config.head_dim)))};
  }

  // Activations for the largest prefill pass (see memory_plan.hpp); decode uses the first rows.
  // `normed` also holds the attention output, and the down projection reads SwiGLU's result in
  // place in `gate_up`, which keeps the live set at the plan's count per token.
  void allocate_state() {
    const std::int64_t whole = options.max_batch * options.max_tokens_per_sequence;
    rows = options.prefill_chunk_tokens > 0 ? std::max(std::min(options.prefill_chunk_tokens, whole), options.max_batch)
                                            : whole;
    x = memory.allocate<bf16>(rows * hidden());
    normed = memory.allocate<bf16>(rows * std::max(hidden(), q_dim()));
    qkv = memory.allocate<bf16>(rows * qkv_dim());
    q_rotated = memory.allocate<bf16>(rows * q_dim());
    gate_up = memory.allocate<bf16>(rows * 2 * intermediate());
    last_normed = memory.allocate<bf16>(options.max_batch * hidden());
    logits = memory.allocate<float>(options.max_batch * vocab());

    cache_elements_per_layer = options.max_batch * options.max_tokens_per_sequence * config.kv_dim();
    k_cache = memory.allocate<bf16>(config.num_layers * cache_elements_per_layer);
    v_cache = memory.allocate<bf16>(config.num_layers * cache_elements_per_layer);

    const std::vector<double> frequencies = rope_inverse_frequencies(config);
    const std::vector<float> as_float(frequencies.begin(), frequencies.end());
    inv_freq = memory.allocate<float>(static_cast<std::int64_t>(as_float.size()));
    // On the engine's stream, so that the kernels after it wait for the copy (a pageable source is
    // staged before the call returns, so as_float may go out of scope).
    SB_CUDA_CHECK(cudaMemcpyAsync(inv_freq, as_float.data(), as_float.size() * sizeof(float), cudaMemcpyHostToDevice,
                                  stream.get()));

    decode_splits.assign(static_cast<std::size_t>(max_batch()) + 1, 1);
    std::size_t workspace_bytes = 0;
    for (int b = 1; b <= max_batch(); ++b) {
      decode_splits[b] = kernels::attention_decode_splits(attention_shape(b), sm_count);
      workspace_bytes = std::max(workspace_bytes, kernels::attention_decode_workspace_bytes(attention_shape(b), decode_splits[b]));
    }
    attention_workspace = memory.allocate<std::byte>(static_cast<std::int64_t>(std::max<std::size_t>(workspace_bytes, 16)));

    prompt_tokens = memory.allocate<std::int32_t>(whole);
    tokens = memory.allocate<std::int32_t>(options.max_batch);
    position = memory.allocate<int>(1);
    argmax_slots = memory.allocate<kernels::ArgmaxSlot>(options.max_batch);
    SB_CUDA_CHECK(cudaMemsetAsync(argmax_slots, 0, sizeof(kernels::ArgmaxSlot) * options.max_batch, stream.get()));
    host_prompt = cuda::pinned_array<std::int32_t>(static_cast<std::size_t>(whole));
    host_tokens = cuda::pinned_array<std::int32_t>(static_cast<std::size_t>(options.max_batch));
    host_position = cuda::pinned_array<int>(1);

    // Zeros, not leftovers: the decode GEMM timing reads these buffers before any forward pass.
    const std::pair<void*, std::int64_t> zeroed[] = {{x, rows * hidden() * 2},
                                                     {normed, rows * std::max(hidden(), q_dim()) * 2},
                                                     {qkv, rows * qkv_dim() * 2},
                                                     {gate_up, rows * 2 * intermediate() * 2},
                                                     {last_normed, options.max_batch * hidden() * 2},
                                                     {logits, options.max_batch * vocab() * 4}};
    for (const auto& [p, bytes] : zeroed) {
      SB_CUDA_CHECK(cudaMemsetAsync(p, 0, static_cast<std::size_t>(bytes), stream.get()));
    }
  }

  // ---- one projection: the inputs and outputs of each are fixed by the forward pass ----
  // GateUp includes SwiGLU (fused into the GEMV, after cuBLAS a kernel of its own), so that "auto"
  // compares what each choice runs.
  void project(Projection p, int layer, int count, GemmImpl impl) {
    const DeviceLayer& l = model.layers[static_cast<std::size_t>(layer)];
    const int h = hidden(), i = intermediate();
    const cudaStream_t s = stream.get();
    auto run = [&](const bf16* w, int n, int k, const bf16* in, std::int64_t in_stride, bf16* out, bool accumulate) {
      if (impl == GemmImpl::Gemv) {
        kernels::gemv(w, n, k, in, in_stride, count, out, accumulate, s);
      } else {
        cublas.linear(w, n, k, in, in_stride, count, out, accumulate);
      }
    };
    switch (p) {
      case Projection::Qkv: run(l.qkv, qkv_dim(), h, normed, h, qkv, false); break;
      case Projection::O: run(l.o, h, q_dim(), normed, q_dim(), x, true); break;
      case Projection::GateUp:
        if (impl == GemmImpl::Gemv) {
          kernels::gemv_swiglu(l.gate_up, i, h, normed, h, count, gate_up, s);
        } else {
          cublas.linear(l.gate_up, 2 * i, h, normed, h, count, gate_up, false);
          kernels::swiglu_in_place(gate_up, count, i, s);
        }
        break;
      case Projection::Down: run(l.down, h, i, gate_up, 2 * i, x, true); break;
      case Projection::LmHead:
        if (impl == GemmImpl::Gemv) {
          kernels::gemv(model.lm_head, vocab(), h, last_normed, h, count, logits, s);
        } else {
          cublas.linear(model.lm_head, vocab(), h, last_normed, h, count, logits);
        }
        break;
    }
  }

  GemmImpl impl_for(Projection p, const Pass& pass, int count) const {
    // The last positions of a prefill are as many rows as a decode step: same choice.
    const bool few_rows = pass.decode || p == Projection::LmHead;
    return few_rows && count <= kernels::kGemvMaxRows ? decode_impl[static_cast<int>(p)] : GemmImpl::Cublas;
  }

  // ---- the forward pass ----
  void layer_forward(int layer, int count, const kernels::AttentionShape& shape, const Pass& pass) {
    const DeviceLayer& l = model.layers[static_cast<std::size_t>(layer)];
    const cudaStream_t s = stream.get();
    const float eps = static_cast<float>(config.rms_norm_eps);
    bf16* k = k_cache + layer * cache_elements_per_layer;
    bf16* v = v_cache + layer * cache_elements_per_layer;

    kernels::rms_norm(x, hidden(), l.input_norm, count, hidden(), eps, normed, s);
    project(Projection::Qkv, layer, count, impl_for(Projection::Qkv, pass, count));
    if (l.qkv_bias) kernels::add_bias(qkv, l.qkv_bias, count, qkv_dim(), s);
    bf16* attended = normed;  // the normed input is consumed by the q/k/v projection
    if (pass.decode) {
      kernels::rope_and_store_kv_decode(qkv, inv_freq, q_rotated, k, v, shape, position, s);
      kernels::attention_decode(q_rotated, k, v, attended, shape, position, decode_splits[shape.batch],
                                attention_workspace, s);
    } else {
      kernels::rope_and_store_kv(qkv, inv_freq, q_rotated, k, v, shape, pass.new_tokens, pass.start, s);
      kernels::attention_prefill(q_rotated, k, v, attended, shape, pass.new_tokens, pass.start, s);
    }
    project(Projection::O, layer, count, impl_for(Projection::O, pass, count));  // x += o_proj(attended)
    if (l.o_bias) kernels::add_bias(x, l.o_bias, count, hidden(), s);

    kernels::rms_norm(x, hidden(), l.post_norm, count, hidden(), eps, normed, s);
    project(Projection::GateUp, layer, count, impl_for(Projection::GateUp, pass, count));  // and SwiGLU
    project(Projection::Down, layer, count, impl_for(Projection::Down, pass, count));  // x += down_proj(swiglu)
  }

  // Final norm of each sequence's last position (rows `last_row_stride` apart from `last_rows`),
  // then lm_head: fp32 logits [batch, vocab].
  void final_logits(int batch, const bf16* last_rows, std::int64_t last_row_stride, const Pass& pass) {
    kernels::rms_norm(last_rows, last_row_stride, model.final_norm, batch, hidden(),
                      static_cast<float>(config.rms_norm_eps), last_normed, stream.get());
    project(Projection::LmHead, 0, batch, impl_for(Projection::LmHead, pass, batch));
  }

  // Positions start .. start + new_tokens - 1 of every sequence; tokens: [batch * new_tokens].
  void enqueue_prefill_pass(int batch, int new_tokens, int start, const std::int32_t* pass_tokens, bool last) {
    const int count = batch * new_tokens;
    const Pass pass{.decode = false, .new_tokens = new_tokens, .start = start};
    kernels::embed_tokens(pass_tokens, count, model.embedding, hidden(), x, stream.get());
    for (int layer = 0; layer < config.num_layers; ++layer) layer_forward(layer, count, attention_shape(batch), pass);
    if (last) final_logits(batch, x + static_cast<std::int64_t>(new_tokens - 1) * hidden(),
                           static_cast<std::int64_t>(new_tokens) * hidden(), pass);
  }

  // One token per sequence from `tokens` at *position; leaves the next tokens in `tokens` (argmax)
  // and advances *position.
  void enqueue_decode_step(int batch) {
    const Pass pass{.decode = true};
    kernels::embed_tokens(tokens, batch, model.embedding, hidden(), x, stream.get());
    for (int layer = 0; layer < config.num_layers; ++layer) layer_forward(layer, batch, attention_shape(batch), pass);
    final_logits(batch, x, hidden(), pass);
    kernels::argmax(logits, batch, vocab(), argmax_slots, tokens, position, stream.get());
  }

  // ---- decode GEMM choice ----
  void choose_decode_gemms() {
    // The weights were just written; a GEMV reads its weight before the kernel ahead of it ends.
    SB_CUDA_CHECK(cudaStreamSynchronize(stream.get()));
    for (int p = 0; p < kProjectionCount; ++p) {
      if (options.decode_gemm == "gemv") {
        decode_impl[p] = GemmImpl::Gemv;
      } else if (options.decode_gemm == "cublas" || max_batch() > kernels::kGemvMaxRows) {
        decode_impl[p] = GemmImpl::Cublas;
      } else {
        const double gemv_ms = time_projection(static_cast<Projection>(p), GemmImpl::Gemv);
        const double cublas_ms = time_projection(static_cast<Projection>(p), GemmImpl::Cublas);
        decode_impl[p] = gemv_ms <= cublas_ms ? GemmImpl::Gemv : GemmImpl::Cublas;
      }
    }
  }

  // Every layer's weight of this projection once per pass (as a decode step reads them: from
  // memory, not from L2), at max_batch rows; one pass of warm-up, then three timed.
  double time_projection(Projection p, GemmImpl impl) {
    const int layers = p == Projection::LmHead ? 1 : static_cast<int>(config.num_layers);
    auto pass = [&] {
      for (int layer = 0; layer < layers; ++layer) project(p, layer, max_batch(), impl);
    };
    pass();
    cuda::StreamTimer timer(stream.get());
    timer.start();
    for (int repeat = 0; repeat < 3; ++repeat) pass();
    return timer.stop_ms();
  }

  // ---- decode steps, eager or from a graph ----
  // Before the first decode step of a batch size: one eager step (every kernel loaded, cuBLAS's
  // algorithms chosen, outside any capture and outside any timing), then the capture. The eager step
  // runs at position 0 with token 0, writing only cache position 0, which the next prefill
  // overwrites; so this is done before a prefill, never between a prefill and its decode steps.
  void prepare_decode(int batch) {
    if (prepared.count(batch)) return;
    SB_CUDA_CHECK(cudaMemsetAsync(tokens, 0, sizeof(std::int32_t) * static_cast<std::size_t>(batch), stream.get()));
    SB_CUDA_CHECK(cudaMemsetAsync(position, 0, sizeof(int), stream.get()));
    enqueue_decode_step(batch);
    SB_CUDA_CHECK(cudaStreamSynchronize(stream.get()));
    if (options.cuda_graphs) capture_decode_graph(batch);
    prepared.insert(batch);
  }

  void capture_decode_graph(int batch) {
    SB_CUDA_CHECK(cudaStreamBeginCapture(stream.get(), cudaStreamCaptureModeThreadLocal));
    try {
      enqueue_decode_step(batch);
    } catch (...) {
      cudaGraph_t partial = nullptr;
      cudaStreamEndCapture(stream.get(), &partial);
      if (partial) cudaGraphDestroy(partial);
      throw;
    }
    cudaGraph_t captured = nullptr;
    SB_CUDA_CHECK(cudaStreamEndCapture(stream.get(), &captured));
    const cuda::Graph graph(captured);
    cudaGraphExec_t exec = nullptr;
    SB_CUDA_CHECK(cudaGraphInstantiate(&exec, captured, 0));
    graphs[batch] = cuda::GraphExec(exec);
  }

  void run_decode_step(int batch) {
    if (options.cuda_graphs) {
      SB_CUDA_CHECK(cudaGraphLaunch(graphs.at(batch).get(), stream.get()));
    } else {
      enqueue_decode_step(batch);
    }
  }

  // ---- requests ----
  int check_prompts(const std::vector<std::vector<std::int32_t>>& prompts) const {
    if (prompts.empty() || static_cast<std::int64_t>(prompts.size()) > options.max_batch) {
      throw Error(fmt::format("CUDA engine: {} prompts; this engine was sized for 1 to {}", prompts.size(),
                              options.max_batch),
                  "create the engine with a larger max_batch, or pass fewer prompts");
    }
    const std::size_t length = prompts.front().size();
    for (const auto& prompt : prompts) {
      if (prompt.size() != length || length == 0) {
        throw Error("CUDA engine: prompts of different lengths, or an empty one",
                    "pass non-empty prompts of equal length (the engine batches equal-length sequences)");
      }
      check_tokens(prompt);
    }
    if (static_cast<std::int64_t>(length) > options.max_tokens_per_sequence) {
      throw Error(fmt::format("CUDA engine: a prompt of {} tokens; the KV cache holds {} per sequence", length,
                              options.max_tokens_per_sequence),
                  "create the engine with a larger max_tokens_per_sequence");
    }
    return static_cast<int>(length);
  }

  void check_tokens(std::span<const std::int32_t> ids) const {
    for (std::int32_t t : ids) {
      if (t < 0 || t >= config.vocab_size) {
        throw Error(fmt::format("token {} is outside the vocabulary [0, {})", t, config.vocab_size),
                    "pass token ids of this model's tokenizer");
      }
    }
  }

  // Prefill passes of at most prefill_chunk_tokens rows (whole positions of every sequence), the
  // last one producing the logits; then the decode position is the prompt length.
  void enqueue_prefill(const std::vector<std::vector<std::int32_t>>& prompts) {
    const int batch = static_cast<int>(prompts.size());
    const int length = static_cast<int>(prompts.front().size());
    const int per_pass = options.prefill_chunk_tokens > 0
                             ? std::max(1, static_cast<int>(options.prefill_chunk_tokens / batch))
                             : length;
    // Pass by pass, rows b * n + t of a pass of n positions from s: token s + t of sequence b.
    for (int start = 0; start < length; start += per_pass) {
      const int n = std::min(per_pass, length - start);
      for (int b = 0; b < batch; ++b)
        for (int t = 0; t < n; ++t) host_prompt[batch * start + b * n + t] = prompts[b][start + t];
    }
    SB_CUDA_CHECK(cudaMemcpyAsync(prompt_tokens, host_prompt.get(), sizeof(std::int32_t) * batch * length,
                                  cudaMemcpyHostToDevice, stream.get()));
    for (int start = 0; start < length; start += per_pass) {
      const int n = std::min(per_pass, length - start);
      enqueue_prefill_pass(batch, n, start, prompt_tokens + batch * start, start + n == length);
    }
    host_position[0] = length;
    SB_CUDA_CHECK(cudaMemcpyAsync(position, host_position.get(), sizeof(int), cudaMemcpyHostToDevice, stream.get()));
    current_batch = batch;
    length_done = length;
  }

  std::vector<std::vector<float>> logits_to_host(int batch) {
    std::vector<float> all(static_cast<std::size_t>(batch) * vocab());
    SB_CUDA_CHECK(cudaMemcpyAsync(all.data(), logits, all.size() * sizeof(float), cudaMemcpyDeviceToHost, stream.get()));
    SB_CUDA_CHECK(cudaStreamSynchronize(stream.get()));
    std::vector<std::vector<float>> rows_out;
    for (int b = 0; b < batch; ++b) rows_out.emplace_back(all.begin() + b * vocab(), all.begin() + (b + 1) * vocab());
    return rows_out;
  }

  void tokens_to_host(int batch) {
    SB_CUDA_CHECK(cudaMemcpyAsync(host_tokens.get(), tokens, sizeof(std::int32_t) * batch, cudaMemcpyDeviceToHost,
                                  stream.get()));
    SB_CUDA_CHECK(cudaStreamSynchronize(stream.get()));
  }

  ModelConfig config;
  CudaEngineOptions options;
  int device = 0;
  MemoryPlan plan;
  cuda::Stream stream;
  DeviceAllocations memory;  // before cublas: its workspace outlives the handle
  CublasLinear cublas;
  DeviceModel model;
  WeightUpload weight_upload;
  int sm_count = 0;

  std::int64_t rows = 0;
  bf16* x = nullptr;            // the residual stream [rows, hidden]
  bf16* normed = nullptr;       // norm outputs, then the attention output
  bf16* qkv = nullptr;
  bf16* q_rotated = nullptr;
  bf16* gate_up = nullptr;
  bf16* last_normed = nullptr;  // [max_batch, hidden]
  float* logits = nullptr;      // [max_batch, vocab]
  float* inv_freq = nullptr;
  bf16* k_cache = nullptr;
  bf16* v_cache = nullptr;
  std::int64_t cache_elements_per_layer = 0;
  std::vector<int> decode_splits;
  std::byte* attention_workspace = nullptr;
  std::int32_t* prompt_tokens = nullptr;
  std::int32_t* tokens = nullptr;  // the tokens a decode step feeds; argmax writes the next ones
  int* position = nullptr;         // the position a decode step feeds them at
  kernels::ArgmaxSlot* argmax_slots = nullptr;  // [max_batch], zeroed
  cuda::PinnedArray<std::int32_t> host_prompt;
  cuda::PinnedArray<std::int32_t> host_tokens;
  cuda::PinnedArray<int> host_position;

  std::array<GemmImpl, kProjectionCount> decode_impl{};
  std::set<int> prepared;
  std::map<int, cuda::GraphExec> graphs;
  int current_batch = 0;        // sequences of the last prefill
  std::int64_t length_done = 0;  // positions of the cache they fill
};

CudaEngine::CudaEngine(const ModelConfig& config, std::uint64_t seed, const CudaEngineOptions& options)
    : impl_(std::make_unique<Impl>(config, options)) {
  generate_synthetic_weights(config, seed, impl_->model, impl_->stream.get());
  impl_->choose_decode_gemms();
  SB_CUDA_CHECK(cudaStreamSynchronize(impl_->stream.get()));
}

CudaEngine::CudaEngine(const ModelConfig& config, const Checkpoint& checkpoint, const CudaEngineOptions& options) {
  check_complete(checkpoint, config);
  impl_ = std::make_unique<Impl>(config, options);
  impl_->weight_upload = upload_checkpoint(config, checkpoint, impl_->model, impl_->options.weight_staging_bytes,
                                           impl_->stream.get());
  impl_->choose_decode_gemms();
  SB_CUDA_CHECK(cudaStreamSynchronize(impl_->stream.get()));
}

CudaEngine::CudaEngine(const ModelConfig& config, const Weights& weights, const CudaEngineOptions& options) {
  check_weights(weights, config, "weights of " + config.name);
  impl_ = std::make_unique<Impl>(config, options);
  upload_weights(config, weights, impl_->model, impl_->stream.get());
  impl_->choose_decode_gemms();
  SB_CUDA_CHECK(cudaStreamSynchronize(impl_->stream.get()));
}

CudaEngine::~CudaEngine() = default;
CudaEngine::CudaEngine(CudaEngine&&) noexcept = default;
CudaEngine& CudaEngine::operator=(CudaEngine&&) noexcept = default;

const ModelConfig& CudaEngine::config() const { return impl_->config; }
const MemoryPlan& CudaEngine::memory_plan() const { return impl_->plan; }
std::int64_t CudaEngine::device_bytes() const { return impl_->memory.bytes(); }
const WeightUpload& CudaEngine::weight_upload() const { return impl_->weight_upload; }

std::vector<std::vector<float>> CudaEngine::prefill_logits(const std::vector<std::vector<std::int32_t>>& prompts) {
  Impl& e = *impl_;
  e.check_prompts(prompts);
  e.prepare_decode(static_cast<int>(prompts.size()));
  e.enqueue_prefill(prompts);
  return e.logits_to_host(e.current_batch);
}

std::vector<std::vector<float>> CudaEngine::decode_logits(std::span<const std::int32_t> tokens) {
  Impl& e = *impl_;
  if (e.current_batch == 0 || static_cast<int>(tokens.size()) != e.current_batch) {
    throw Error(fmt::format("CUDA engine: decode of {} tokens after a prefill of {} sequences", tokens.size(),
                            e.current_batch),
                "prefill first, then pass one token per sequence");
  }
  if (e.length_done >= e.options.max_tokens_per_sequence) {
    throw Error(fmt::format("CUDA engine: the KV cache's {} positions per sequence are full",
                            e.options.max_tokens_per_sequence),
                "create the engine with a larger max_tokens_per_sequence");
  }
  e.check_tokens(tokens);
  std::copy(tokens.begin(), tokens.end(), e.host_tokens.get());
  SB_CUDA_CHECK(cudaMemcpyAsync(e.tokens, e.host_tokens.get(), sizeof(std::int32_t) * tokens.size(),
                                cudaMemcpyHostToDevice, e.stream.get()));
  e.run_decode_step(e.current_batch);
  ++e.length_done;
  return e.logits_to_host(e.current_batch);
}

CudaEngine::Generation CudaEngine::generate_greedy(const std::vector<std::vector<std::int32_t>>& prompts,
                                                   std::int64_t steps) {
  using Clock = std::chrono::steady_clock;
  const auto ms_since = [](Clock::time_point t) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
  };
  Impl& e = *impl_;
  const int length = e.check_prompts(prompts);
  const int batch = static_cast<int>(prompts.size());
  // The last generated token is not fed back: the cache holds prompt + steps - 1 positions.
  if (steps < 1 || length + steps - 1 > e.options.max_tokens_per_sequence) {
    throw Error(fmt::format("CUDA engine: {} steps after a prompt of {} tokens need {} cache positions; it holds {}",
                            steps, length, length + steps - 1, e.options.max_tokens_per_sequence),
                "generate at least one token, and size max_tokens_per_sequence for prompt + steps");
  }
  e.prepare_decode(batch);

  Generation g;
  g.tokens.assign(static_cast<std::size_t>(batch), {});
  const auto collect = [&] {
    for (int b = 0; b < batch; ++b) g.tokens[b].push_back(e.host_tokens[b]);
  };
  const Clock::time_point start = Clock::now();
  e.enqueue_prefill(prompts);
  kernels::argmax(e.logits, batch, e.vocab(), e.argmax_slots, e.tokens, nullptr, e.stream.get());
  e.tokens_to_host(batch);
  g.prefill_ms = ms_since(start);
  collect();
  for (std::int64_t step = 1; step < steps; ++step) {
    const Clock::time_point step_start = Clock::now();
    e.run_decode_step(batch);
    e.tokens_to_host(batch);
    g.step_ms.push_back(ms_since(step_start));
    collect();
    ++e.length_done;
  }
  return g;
}

std::vector<std::pair<std::string, std::string>> CudaEngine::decode_gemm_choices() const {
  std::vector<std::pair<std::string, std::string>> choices;
  for (int p = 0; p < kProjectionCount; ++p) choices.emplace_back(kProjectionNames[p], to_string(impl_->decode_impl[p]));
  return choices;
}

}  // namespace sb::llm
