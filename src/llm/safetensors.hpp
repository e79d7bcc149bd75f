#pragma once
// Hugging Face safetensors: an 8-byte little-endian header length, a JSON header
// {"name": {"dtype": "BF16", "shape": [..], "data_offsets": [begin, end]}, "__metadata__": {..}},
// then the tensor bytes (offsets relative to the end of the header). Large models come sharded:
// model.safetensors.index.json maps each tensor name to the file holding it.
#include <filesystem>
#include <vector>

#include "llm/checkpoint.hpp"
#include "llm/mapped_file.hpp"

namespace sb::llm {

class SafetensorsFile {
 public:
  // Maps the file and parses its header. Throws sb::Error naming the file (and the tensor) for a
  // malformed header or a tensor whose bytes lie beyond the end of the file.
  explicit SafetensorsFile(const std::filesystem::path& path);
  const std::string& path() const { return file_.path(); }
  const std::vector<CheckpointTensor>& tensors() const { return tensors_; }

 private:
  MappedFile file_;
  std::vector<CheckpointTensor> tensors_;
};

// Reads the weights of `c` from a single .safetensors file or a model.safetensors.index.json
// (sharded), converted to fp32, and checks them against the config (see check_weights).
Weights load_safetensors(const std::filesystem::path& path, const ModelConfig& c);

}  // namespace sb::llm
