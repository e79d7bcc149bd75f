#pragma once
// Hugging Face safetensors: an 8-byte little-endian header length, a JSON header
// {"name": {"dtype": "BF16", "shape": [..], "data_offsets": [begin, end]}, "__metadata__": {..}},
// then the tensor bytes (offsets relative to the end of the header). Large models come sharded:
// model.safetensors.index.json maps each tensor name to the file holding it.
#include <filesystem>
#include <memory>
#include <vector>

#include "llm/checkpoint.hpp"
#include "llm/mapped_file.hpp"

namespace sb::llm {

class SafetensorsFile {
 public:
  // Maps the file and parses its header. Throws sb::Error naming the file (and the tensor) for a
  // malformed header or a tensor whose bytes lie beyond the end of the file.
  explicit SafetensorsFile(const std::filesystem::path& path);
  const std::string& path() const { return file_->path(); }
  const std::vector<CheckpointTensor>& tensors() const { return tensors_; }

 private:
  std::shared_ptr<const MappedFile> file_;  // shared with the tensors, whose bytes lie in it
  std::vector<CheckpointTensor> tensors_;
};

// The weights of `c` in a single .safetensors file or a model.safetensors.index.json (sharded),
// found and checked (see add_tensors and check_complete), still in the mapped files.
Checkpoint open_safetensors(const std::filesystem::path& path, const ModelConfig& c);

// The same, read into fp32.
Weights load_safetensors(const std::filesystem::path& path, const ModelConfig& c);

}  // namespace sb::llm
