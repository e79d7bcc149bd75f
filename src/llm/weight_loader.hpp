#pragma once
// One entry point for real weights, whatever the format.
#include <filesystem>

#include "llm/model_config.hpp"
#include "llm/weights.hpp"

namespace sb::llm {

// Reads the weights of `c` (converted to fp32) from a .gguf file, a .safetensors file, a
// model.safetensors.index.json, or a model folder holding model.safetensors.index.json,
// model.safetensors or exactly one .gguf file. Throws sb::Error naming the file (and the tensor).
Weights load_weights(const std::filesystem::path& path, const ModelConfig& c);

}  // namespace sb::llm
