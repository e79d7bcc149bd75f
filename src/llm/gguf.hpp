#pragma once
// GGUF (llama.cpp's format, version 3; github.com/ggml-org/ggml/blob/master/docs/gguf.md):
//   "GGUF", u32 version, u64 tensor_count, u64 metadata_kv_count,
//   metadata: {string key, u32 value_type, value} (scalars, strings, nested arrays),
//   tensor infos: {string name, u32 n_dims, u64 dims[n_dims], u32 ggml_type, u64 offset},
//   padding to general.alignment (default 32), then the tensor data (offsets relative to it).
// Strings are u64 length + UTF-8 bytes; everything is little-endian. dims[0] is the fastest-varying
// dimension, so a Hugging Face [out, in] weight is stored with dims [in, out] and the same bytes.
//
// llama.cpp's convert_hf_to_gguf.py permutes the rows of Q and K (weights and biases) of `llama`
// models from Hugging Face's rotate-half RoPE layout back to Meta's interleaved one, head by head:
//   gguf = hf.reshape(n_head, 2, head_dim / 2, ...).swapaxes(1, 2).reshape(hf.shape)
// (n_head = num_kv_heads for K). open_gguf marks those tensors (CheckpointTensor::rope_heads), and
// every read of them undoes it, so that the engines see Hugging Face's layout.
// `qwen2` models are converted without that permutation.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <vector>

#include <nlohmann/json.hpp>

#include "llm/checkpoint.hpp"
#include "llm/mapped_file.hpp"

namespace sb::llm {

class GgufFile {
 public:
  // Maps and parses the file. Throws sb::Error naming the file for a bad magic or version, a
  // truncated header, an unknown metadata type, and naming the tensor when its data lies beyond
  // the end of the file.
  explicit GgufFile(const std::filesystem::path& path);
  const std::string& path() const { return file_->path(); }
  std::uint32_t version() const { return version_; }
  // Metadata as JSON: integers, floats, bools, strings and (nested) arrays keep their values.
  const nlohmann::json& metadata() const { return metadata_; }
  std::uint64_t alignment() const { return alignment_; }
  // Tensor names translated to Hugging Face names (see hf_name_from_gguf), shapes in HF order.
  const std::vector<CheckpointTensor>& tensors() const { return tensors_; }

 private:
  std::shared_ptr<const MappedFile> file_;  // shared with the tensors, whose bytes lie in it
  std::uint32_t version_ = 0;
  nlohmann::json metadata_;
  std::uint64_t alignment_ = 32;
  std::vector<CheckpointTensor> tensors_;
};

// "blk.3.attn_q.weight" -> "model.layers.3.self_attn.q_proj.weight", "token_embd.weight" ->
// "model.embed_tokens.weight", ...; names with no Hugging Face counterpart come back unchanged.
std::string hf_name_from_gguf(const std::string& gguf_name);

// The weights of `c` in a GGUF file (F32, F16, BF16 tensors), found and checked, still in the mapped
// file. Throws sb::Error when the file's architecture or hyperparameters (general.architecture,
// <arch>.block_count, .attention.head_count, ...) disagree with `c`, and as add_tensors and
// check_complete do.
Checkpoint open_gguf(const std::filesystem::path& path, const ModelConfig& c);

// The same, read into fp32 in Hugging Face layout.
Weights load_gguf(const std::filesystem::path& path, const ModelConfig& c);

}  // namespace sb::llm
