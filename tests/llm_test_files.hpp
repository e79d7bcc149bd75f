#pragma once
// Writers for the weight files the LLM reader tests read back: safetensors (single and sharded)
// and GGUF, written here from the format descriptions, independently of the readers under test;
// and the check that what a reader loaded is what was written.
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "llm/dtype.hpp"
#include "llm/model_config.hpp"
#include "llm/weights.hpp"

namespace sb::llm::test {

// The tiny model as a qwen2: attention biases and a tied embedding, the GGUF and stream tests' other
// architecture.
inline ModelConfig qwen2_tiny() {
  ModelConfig c = builtin_model("tiny");
  c.name = "tiny-qwen2";
  c.model_type = "qwen2";
  c.attention_bias = true;
  c.tie_word_embeddings = true;
  return c;
}

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "sparkbench_llm_XXXXXX").string();
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

using Bytes = std::vector<std::byte>;

template <class T>
void append(Bytes& out, T value) {
  const auto* p = reinterpret_cast<const std::byte*>(&value);
  out.insert(out.end(), p, p + sizeof(T));
}

inline Bytes encode(const std::vector<float>& values, DType t) {
  Bytes out;
  for (float v : values) {
    if (t == DType::F32) append(out, v);
    if (t == DType::F16) append(out, f32_to_f16(v));
    if (t == DType::BF16) append(out, f32_to_bf16(v));
  }
  return out;
}

inline const char* safetensors_name(DType t) {
  return t == DType::F32 ? "F32" : t == DType::F16 ? "F16" : "BF16";
}

inline void write_file(const std::filesystem::path& path, const Bytes& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

// A safetensors file from a header (as JSON) and the data section that follows it.
inline void write_safetensors_raw(const std::filesystem::path& path, const nlohmann::json& header, const Bytes& data) {
  const std::string text = header.dump();
  Bytes out;
  append<std::uint64_t>(out, text.size());
  for (char ch : text) out.push_back(static_cast<std::byte>(ch));
  out.insert(out.end(), data.begin(), data.end());
  write_file(path, out);
}

inline void write_safetensors(const std::filesystem::path& path, const Weights& w, const std::vector<std::string>& names,
                              DType t) {
  nlohmann::json header = {{"__metadata__", {{"format", "pt"}}}};
  Bytes data;
  for (const std::string& name : names) {
    const Tensor& tensor = w.at(name);
    const Bytes bytes = encode(tensor.data, t);
    header[name] = {{"dtype", safetensors_name(t)}, {"shape", tensor.shape}, {"data_offsets", {data.size(), data.size() + bytes.size()}}};
    data.insert(data.end(), bytes.begin(), bytes.end());
  }
  write_safetensors_raw(path, header, data);
}

inline std::vector<std::string> all_names(const Weights& w) {
  std::vector<std::string> names;
  for (const auto& [name, tensor] : w.all()) names.push_back(name);
  return names;
}

// model-0000i-of-0000n.safetensors plus model.safetensors.index.json, as transformers' save_pretrained writes them.
inline std::filesystem::path write_sharded_safetensors(const std::filesystem::path& dir, const Weights& w, DType t,
                                                       int shards) {
  const std::vector<std::string> names = all_names(w);
  nlohmann::json index = {{"metadata", {{"total_size", 0}}}, {"weight_map", nlohmann::json::object()}};
  for (int s = 0; s < shards; ++s) {
    const std::string file = fmt::format("model-{:05d}-of-{:05d}.safetensors", s + 1, shards);
    std::vector<std::string> part;
    for (std::size_t i = s; i < names.size(); i += shards) {
      part.push_back(names[i]);
      index["weight_map"][names[i]] = file;
    }
    write_safetensors(dir / file, w, part, t);
  }
  const std::filesystem::path index_path = dir / "model.safetensors.index.json";
  std::ofstream(index_path) << index.dump(2);
  return index_path;
}

// GGUF v3, little-endian, written field by field as docs/gguf.md (ggml-org/ggml) lays it out.
class GgufBuilder {
 public:
  void string_kv(const std::string& key, const std::string& value) { key_of(key, 8); put_string(kv_, value); }
  void u32_kv(const std::string& key, std::uint32_t value) { key_of(key, 4); append(kv_, value); }
  void u64_kv(const std::string& key, std::uint64_t value) { key_of(key, 10); append(kv_, value); }
  void i8_kv(const std::string& key, std::int8_t value) { key_of(key, 1); append(kv_, value); }
  void f32_kv(const std::string& key, float value) { key_of(key, 6); append(kv_, value); }
  void f64_kv(const std::string& key, double value) { key_of(key, 12); append(kv_, value); }
  void bool_kv(const std::string& key, bool value) { key_of(key, 7); append<std::uint8_t>(kv_, value ? 1 : 0); }
  void string_array_kv(const std::string& key, const std::vector<std::string>& values) {
    key_of(key, 9);
    append<std::uint32_t>(kv_, 8);
    append<std::uint64_t>(kv_, values.size());
    for (const std::string& v : values) put_string(kv_, v);
  }
  void f32_array_kv(const std::string& key, const std::vector<float>& values) {
    key_of(key, 9);
    append<std::uint32_t>(kv_, 6);
    append<std::uint64_t>(kv_, values.size());
    for (float v : values) append(kv_, v);
  }
  // An array of arrays of int16: [[1, -2], [3]].
  void nested_array_kv(const std::string& key) {
    key_of(key, 9);
    append<std::uint32_t>(kv_, 9);
    append<std::uint64_t>(kv_, 2);
    append<std::uint32_t>(kv_, 3);
    append<std::uint64_t>(kv_, 2);
    append<std::int16_t>(kv_, 1);
    append<std::int16_t>(kv_, -2);
    append<std::uint32_t>(kv_, 3);
    append<std::uint64_t>(kv_, 1);
    append<std::int16_t>(kv_, 3);
  }
  // `dims` in GGUF order (fastest-varying first).
  void tensor(const std::string& name, const std::vector<std::uint64_t>& dims, std::uint32_t ggml_type, Bytes data) {
    tensors_.push_back({name, dims, ggml_type, std::move(data)});
  }

  void write(const std::filesystem::path& path, std::uint64_t alignment = 32) const {
    Bytes out;
    for (char ch : std::string("GGUF")) out.push_back(static_cast<std::byte>(ch));
    append<std::uint32_t>(out, 3);
    append<std::uint64_t>(out, tensors_.size());
    append<std::uint64_t>(out, kv_count_);
    out.insert(out.end(), kv_.begin(), kv_.end());
    std::uint64_t offset = 0;
    std::vector<std::uint64_t> offsets;
    for (const T& t : tensors_) {
      put_string(out, t.name);
      append<std::uint32_t>(out, static_cast<std::uint32_t>(t.dims.size()));
      for (std::uint64_t d : t.dims) append(out, d);
      append(out, t.type);
      append(out, offset);
      offsets.push_back(offset);
      offset = align(offset + t.data.size(), alignment);
    }
    out.resize(align(out.size(), alignment));
    const std::size_t data_start = out.size();
    for (std::size_t i = 0; i < tensors_.size(); ++i) {
      out.resize(data_start + offsets[i]);
      out.insert(out.end(), tensors_[i].data.begin(), tensors_[i].data.end());
    }
    write_file(path, out);
  }

 private:
  struct T {
    std::string name;
    std::vector<std::uint64_t> dims;
    std::uint32_t type;
    Bytes data;
  };
  static std::uint64_t align(std::uint64_t x, std::uint64_t a) { return (x + a - 1) / a * a; }
  static void put_string(Bytes& out, const std::string& s) {
    append<std::uint64_t>(out, s.size());
    for (char ch : s) out.push_back(static_cast<std::byte>(ch));
  }
  void key_of(const std::string& key, std::uint32_t type) {
    put_string(kv_, key);
    append(kv_, type);
    ++kv_count_;
  }

  Bytes kv_;
  std::uint64_t kv_count_ = 0;
  std::vector<T> tensors_;
};

// llama.cpp's tensor names (gguf-py/gguf/constants.py, TENSOR_NAMES) for the Hugging Face ones.
inline std::string gguf_name(const std::string& hf) {
  static const std::map<std::string, std::string> global = {
      {"model.embed_tokens.weight", "token_embd.weight"}, {"model.norm.weight", "output_norm.weight"},
      {"lm_head.weight", "output.weight"}};
  static const std::map<std::string, std::string> layer = {
      {"input_layernorm.weight", "attn_norm.weight"},  {"self_attn.q_proj.weight", "attn_q.weight"},
      {"self_attn.k_proj.weight", "attn_k.weight"},    {"self_attn.v_proj.weight", "attn_v.weight"},
      {"self_attn.o_proj.weight", "attn_output.weight"}, {"self_attn.q_proj.bias", "attn_q.bias"},
      {"self_attn.k_proj.bias", "attn_k.bias"},        {"self_attn.v_proj.bias", "attn_v.bias"},
      {"self_attn.o_proj.bias", "attn_output.bias"},
      {"post_attention_layernorm.weight", "ffn_norm.weight"}, {"mlp.gate_proj.weight", "ffn_gate.weight"},
      {"mlp.up_proj.weight", "ffn_up.weight"},         {"mlp.down_proj.weight", "ffn_down.weight"}};
  if (global.count(hf)) return global.at(hf);
  const std::size_t start = std::string("model.layers.").size();
  const std::size_t dot = hf.find('.', start);
  return "blk." + hf.substr(start, dot - start) + "." + layer.at(hf.substr(dot + 1));
}

// convert_hf_to_gguf.py's LlamaModel.permute: rows of each head reordered from rotate-half to
// interleaved, w.reshape(n_head, 2, rows / n_head / 2, cols).swapaxes(1, 2).reshape(w.shape).
inline std::vector<float> llama_cpp_permute(const Tensor& t, std::int64_t n_head) {
  const std::int64_t rows = t.shape[0];
  const std::int64_t cols = element_count(t.shape) / rows;
  const std::int64_t half = rows / n_head / 2;
  std::vector<float> out(t.data.size());
  for (std::int64_t h = 0; h < n_head; ++h)
    for (std::int64_t j = 0; j < half; ++j)
      for (std::int64_t part = 0; part < 2; ++part)
        for (std::int64_t col = 0; col < cols; ++col)
          out[((h * half + j) * 2 + part) * cols + col] = t.data[((h * 2 + part) * half + j) * cols + col];
  return out;
}

inline std::uint32_t ggml_type(DType t) { return t == DType::F32 ? 0 : t == DType::F16 ? 1 : 30; }

// A GGUF file of model `c` as llama.cpp's converter would write it (Q/K permuted for llama).
inline GgufBuilder gguf_model(const ModelConfig& c, const Weights& w, DType t) {
  GgufBuilder b;
  const std::string& arch = c.model_type;
  b.string_kv("general.architecture", arch);
  b.string_kv("general.name", "sparkbench test model");
  b.u32_kv(arch + ".block_count", static_cast<std::uint32_t>(c.num_layers));
  b.u32_kv(arch + ".context_length", static_cast<std::uint32_t>(c.max_position_embeddings));
  b.u32_kv(arch + ".embedding_length", static_cast<std::uint32_t>(c.hidden_size));
  b.u32_kv(arch + ".feed_forward_length", static_cast<std::uint32_t>(c.intermediate_size));
  b.u32_kv(arch + ".attention.head_count", static_cast<std::uint32_t>(c.num_heads));
  b.u32_kv(arch + ".attention.head_count_kv", static_cast<std::uint32_t>(c.num_kv_heads));
  b.f32_kv(arch + ".rope.freq_base", static_cast<float>(c.rope_theta));
  b.f32_kv(arch + ".attention.layer_norm_rms_epsilon", static_cast<float>(c.rms_norm_eps));
  b.u32_kv("general.file_type", t == DType::F32 ? 0 : t == DType::F16 ? 1 : 32);
  for (const auto& [name, tensor] : w.all()) {
    std::vector<float> values = tensor.data;
    const bool q = name.find("q_proj") != std::string::npos;
    const bool k = name.find("k_proj") != std::string::npos;
    if (arch == "llama" && (q || k)) values = llama_cpp_permute(tensor, q ? c.num_heads : c.num_kv_heads);
    std::vector<std::uint64_t> dims(tensor.shape.rbegin(), tensor.shape.rend());
    b.tensor(gguf_name(name), dims, ggml_type(t), encode(values, t));
  }
  return b;
}

// What a tensor becomes after a trip through `t` and back.
inline std::vector<float> rounded(const std::vector<float>& values, DType t) {
  std::vector<float> out;
  for (float v : values) out.push_back(t == DType::F16 ? f16_to_f32(f32_to_f16(v)) : t == DType::BF16 ? bf16_to_f32(f32_to_bf16(v)) : v);
  return out;
}

// The loaded weights are the written ones: every tensor, its shape, and its values as stored in `t`.
inline void expect_same_weights(const Weights& loaded, const Weights& original, DType t) {
  ASSERT_EQ(loaded.all().size(), original.all().size());
  for (const auto& [name, tensor] : original.all()) {
    ASSERT_TRUE(loaded.contains(name)) << name;
    EXPECT_EQ(loaded.at(name).shape, tensor.shape) << name;
    EXPECT_EQ(loaded.at(name).data, rounded(tensor.data, t)) << name;
  }
}

}  // namespace sb::llm::test
