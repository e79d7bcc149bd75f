#include "workloads/command/presets.hpp"

#include <map>

namespace sb::command {
namespace {

using nlohmann::json;

// A decimal number as the tools print it: 28390.4265, 5.0689E+14, -1.
constexpr const char* kNumber = R"(([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?))";

json metric(const std::string& name, const std::string& unit, const std::string& better, const std::string& help) {
  return {{"name", name}, {"unit", unit}, {"better", better}, {"help", help}};
}

// A "Label:   value" line of a text report.
json report_line(json m, const std::string& from, const std::string& label_regex) {
  m["from"] = from;
  m["regex"] = "^" + label_regex + R"(\s*)" + kNumber;
  return m;
}

json json_value(json m, const std::string& from, const std::string& pointer, double scale = 1) {
  m["from"] = from;
  m["json_pointer"] = pointer;
  if (scale != 1) m["scale"] = scale;
  return m;
}

// Settings vLLM logs at start-up (read from its output, the last occurrence): the engine config
// line "Initializing a V1 LLM engine (v...) with config: ..., quantization=None,
// enforce_eager=False, kv_cache_dtype=auto, ..." (vllm/v1/engine/core.py), the attention backend
// it picked ("Using FLASH_ATTN backend", "Using AttentionBackendEnum.FLASHINFER backend"), the KV
// cache it allocated ("GPU KV cache size: 123,456 tokens", "Maximum concurrency for 4,096 tokens
// per request: 30.14x", vllm/v1/core/kv_cache_utils.py) and the CUDA graph capture ("Graph
// capturing finished in 5 secs"). Eager mode (26 vs 59 tok/s in one report) or a smaller KV cache
// on one side is a different engine configuration, not a container's overhead.
json vllm_settings() {
  return {{"version", R"(LLM engine \(v([^)]+)\))"},
          {"quantization", R"(\bquantization=([^,\s]+))"},
          {"enforce_eager", R"(\benforce_eager=(True|False))"},
          {"kv_cache_dtype", R"(\bkv_cache_dtype=([^,\s]+))"},
          {"attention_backend", R"(Using ((?:\S+ )?\S+) backend)"},
          {"kv_cache_tokens", R"(GPU KV cache size: ([0-9,]+) tokens)"},
          {"max_concurrency", R"(Maximum concurrency for [0-9,]+ tokens per request: ([0-9.]+)x)"},
          {"cuda_graph_capture", R"((Graph capturing finished in [0-9.]+ secs?))"}};
}

// trtllm-bench's report heads (tensorrt_llm/bench/dataclasses/reporting.py): "Quantization:",
// "KV Cache Dtype:", "Max Runtime Batch Size:", "Max Runtime Tokens:", "KV Memory Percentage:",
// and the backend's banner ("= PyTorch backend").
json trtllm_settings() {
  return {{"version", R"(TensorRT[- ]LLM Version:\s*(\S+))"},
          {"backend", R"(^= (\S+) backend)"},
          {"dtype", R"(^Dtype:\s*(\S+))"},
          {"kv_cache_dtype", R"(^KV Cache Dtype:\s*(\S+))"},
          {"quantization", R"(^Quantization:\s*(\S+))"},
          {"max_batch_size", R"(^Max Runtime Batch Size:\s*(\S+))"},
          {"max_num_tokens", R"(^Max Runtime Tokens:\s*(\S+))"},
          {"kv_memory_percentage", R"(^KV Memory Percentage:\s*(\S+))"},
          {"scheduling_policy", R"(^Scheduling Policy:\s*(.+\S))"}};
}

// llama-bench -o json prints each test's settings beside its results (tools/llama-bench).
json llama_bench_settings() {
  return {{"build_commit", R"re("build_commit":\s*"([^"]*)")re"},
          {"n_gpu_layers", R"re("n_gpu_layers":\s*([0-9-]+))re"},
          {"flash_attn", R"re("flash_attn":\s*([a-z0-9]+))re"},
          {"type_k", R"re("type_k":\s*"([^"]*)")re"},
          {"n_batch", R"re("n_batch":\s*([0-9]+))re"},
          {"n_ubatch", R"re("n_ubatch":\s*([0-9]+))re"},
          {"n_threads", R"re("n_threads":\s*([0-9]+))re"}};
}

const std::map<std::string, json>& presets() {
  static const std::map<std::string, json> table = [] {
    std::map<std::string, json> t;
    // trtllm-bench prints its report through its logger (stdout or stderr by version), hence
    // `output`. Lines: docs/source/performance/perf-benchmarking.md ("PERFORMANCE OVERVIEW") and
    // tensorrt_llm/bench/dataclasses/reporting.py (ReportUtility.report_statistics).
    t["trtllm-bench-throughput"] = {
        {"help", "trtllm-bench throughput: offline max-throughput run of a dataset"},
        {"settings", trtllm_settings()},
        {"device", "gpu"},
        {"layer", "llm-inference"},
        {"metrics",
         {report_line(metric("output_tokens_per_s", "tokens/s", "higher", "Total Output Throughput"), "output",
                      R"(Total Output Throughput \(tokens/sec\):)"),
          report_line(metric("request_throughput", "req/s", "higher", "Request Throughput"), "output",
                      R"(Request Throughput \(req/sec\):)"),
          report_line(metric("total_tokens_per_s", "tokens/s", "higher", "Total Token Throughput (input + output)"),
                      "output", R"(Total Token Throughput \(tokens/sec\):)"),
          report_line(metric("avg_request_latency_ms", "ms", "lower", "Average request latency"), "output",
                      R"(Average request latency \(ms\):)")}}};
    // `trtllm-bench latency` reports through the same utility in streaming mode, which adds TTFT/TPOT.
    t["trtllm-bench-latency"] = {
        {"help", "trtllm-bench latency: one request at a time, streaming"},
        {"settings", trtllm_settings()},
        {"device", "gpu"},
        {"layer", "llm-inference"},
        {"metrics",
         {report_line(metric("avg_request_latency_ms", "ms", "lower", "Average request latency"), "output",
                      R"(Average request latency \(ms\):)"),
          report_line(metric("avg_ttft_ms", "ms", "lower", "Average time to first token"), "output",
                      R"(Average time-to-first-token \[TTFT\] \(ms\):)"),
          report_line(metric("avg_tpot_ms", "ms", "lower", "Average time per output token"), "output",
                      R"(Average time-per-output-token \[TPOT\] \(ms\):)"),
          report_line(metric("output_speed_per_user", "tokens/s", "higher", "Per User Output Speed"), "output",
                      R"(Per User Output Speed (?:\[1/TPOT\] )?\((?:tps|tokens/sec)/user\):)")}}};
    // `vllm bench throughput` prints "Throughput: R requests/s, T total tokens/s, O output tokens/s"
    // (vllm/benchmarks/throughput.py); its --output-json lacks the output-token rate.
    t["vllm-bench-throughput"] = {
        {"help", "vllm bench throughput: offline throughput of a batch of prompts"},
        {"settings", vllm_settings()},
        {"device", "gpu"},
        {"layer", "llm-inference"},
        {"metrics",
         {[] {
            json m = metric("output_tokens_per_s", "tokens/s", "higher", "output tokens per second");
            m["regex"] = std::string("^Throughput: .*, ") + kNumber + " output tokens/s";
            return m;
          }(),
          [] {
            json m = metric("total_tokens_per_s", "tokens/s", "higher", "prompt + output tokens per second");
            m["regex"] = std::string("^Throughput: .*, ") + kNumber + " total tokens/s";
            return m;
          }(),
          [] {
            json m = metric("requests_per_s", "req/s", "higher", "requests per second");
            m["regex"] = std::string("^Throughput: ") + kNumber + " requests/s";
            return m;
          }()}}};
    // `vllm bench latency --output-json {output_file}` writes {"avg_latency", "std_latency",
    // "latencies", "percentiles": {"10", "25", "50", "75", "90", "99"}} in seconds
    // (vllm/benchmarks/latency.py).
    t["vllm-bench-latency"] = {
        {"help", "vllm bench latency: latency of one batch (needs --output-json {output_file} in argv)"},
        {"settings", vllm_settings()},
        {"device", "gpu"},
        {"layer", "llm-inference"},
        {"metrics",
         {json_value(metric("avg_latency_ms", "ms", "lower", "mean batch latency"), "file", "/avg_latency", 1000),
          json_value(metric("p50_latency_ms", "ms", "lower", "median batch latency"), "file", "/percentiles/50", 1000),
          json_value(metric("p99_latency_ms", "ms", "lower", "99th percentile batch latency"), "file",
                     "/percentiles/99", 1000)}}};
    // `llama-bench -p N -n M -o json` prints a JSON array: the pp test first, then the tg test, each
    // with avg_ts/stddev_ts (tools/llama-bench/README.md, "Output formats: JSON").
    t["llama-bench"] = {
        {"help", "llama-bench -p N -n M -o json: prompt processing and generation tokens/s"},
        {"settings", llama_bench_settings()},
        {"device", "gpu"},
        {"layer", "llm-inference"},
        {"metrics",
         {json_value(metric("tg_tokens_per_s", "tokens/s", "higher", "text generation (the -n test)"), "stdout",
                     "/1/avg_ts"),
          json_value(metric("pp_tokens_per_s", "tokens/s", "higher", "prompt processing (the -p test)"), "stdout",
                     "/0/avg_ts")}}};
    // benchmarks/commands/torch_matmul.py prints one JSON line per run.
    t["torch-matmul"] = {
        {"help", "torch.matmul of n x n matrices, timed with CUDA events inside one Python process"},
        {"device", "gpu"},
        {"layer", "gpu-compute"},
        {"metrics",
         {json_value(metric("tflops", "TFLOP/s", "higher", "2 n^3 / median GEMM time"), "stdout", "/tflops"),
          json_value(metric("gemm_ms", "ms", "lower", "median time of one GEMM"), "stdout", "/median_ms")}}};
    return t;
  }();
  return table;
}

}  // namespace

const json* find_preset(const std::string& name) {
  const auto it = presets().find(name);
  return it == presets().end() ? nullptr : &it->second;
}

std::vector<std::string> preset_names() {
  std::vector<std::string> out;
  for (const auto& [name, j] : presets()) out.push_back(name);
  return out;
}

}  // namespace sb::command
