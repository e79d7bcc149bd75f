#pragma once
// One entry point for real weights, whatever the format.
#include <filesystem>

#include "llm/checkpoint.hpp"
#include "llm/model_config.hpp"
#include "llm/weights.hpp"

namespace sb::llm {

// Opens the weights of `c` in a .gguf file, a .safetensors file, a model.safetensors.index.json, or
// a model folder holding model.safetensors.index.json, model.safetensors or exactly one .gguf file:
// the files mapped, the tensors found and checked, nothing converted yet (see checkpoint.hpp; the
// CUDA engine streams them to the device from there). Throws sb::Error naming the file (and the
// tensor).
Checkpoint open_checkpoint(const std::filesystem::path& path, const ModelConfig& c);

// The same, converted to fp32 for the reference engine.
Weights load_weights(const std::filesystem::path& path, const ModelConfig& c);

}  // namespace sb::llm
