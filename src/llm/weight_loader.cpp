#include "llm/weight_loader.hpp"

#include <fstream>
#include <vector>

#include <fmt/format.h>

#include "core/error.hpp"
#include "llm/gguf.hpp"
#include "llm/safetensors.hpp"

namespace sb::llm {

namespace {

bool starts_with_gguf_magic(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  char magic[4] = {};
  return in.read(magic, 4) && std::string_view(magic, 4) == "GGUF";
}

std::filesystem::path weights_in_folder(const std::filesystem::path& dir) {
  for (const char* name : {"model.safetensors.index.json", "model.safetensors"}) {
    if (std::filesystem::exists(dir / name)) return dir / name;
  }
  std::vector<std::filesystem::path> ggufs;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".gguf") ggufs.push_back(entry.path());
  }
  if (ggufs.size() == 1) return ggufs.front();
  throw Error(fmt::format("{}: no weights found ({} .gguf files, no model.safetensors[.index.json])", dir.string(),
                          ggufs.size()),
              "pass the weight file itself: a .safetensors, model.safetensors.index.json or .gguf file");
}

}  // namespace

Checkpoint open_checkpoint(const std::filesystem::path& path, const ModelConfig& c) {
  if (!std::filesystem::exists(path)) {
    throw Error(fmt::format("weights not found: {}", path.string()),
                "pass a .safetensors, model.safetensors.index.json or .gguf file, or a model folder");
  }
  const std::filesystem::path file = std::filesystem::is_directory(path) ? weights_in_folder(path) : path;
  if (file.extension() == ".gguf" || starts_with_gguf_magic(file)) return open_gguf(file, c);
  return open_safetensors(file, c);
}

Weights load_weights(const std::filesystem::path& path, const ModelConfig& c) {
  return read_weights(open_checkpoint(path, c));
}

}  // namespace sb::llm
