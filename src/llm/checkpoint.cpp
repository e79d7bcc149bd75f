#include "llm/checkpoint.hpp"

#include <fmt/format.h>

#include "core/error.hpp"

namespace sb::llm {

std::optional<std::uint64_t> byte_count(const Shape& shape, std::size_t element_size) {
  std::uint64_t bytes = element_size;
  for (std::int64_t d : shape) {
    if (d < 0 || __builtin_mul_overflow(bytes, static_cast<std::uint64_t>(d), &bytes)) return std::nullopt;
  }
  return bytes;
}

std::string tensor_label(const CheckpointTensor& t) {
  if (t.name_in_file.empty() || t.name_in_file == t.name) return fmt::format("'{}'", t.name);
  return fmt::format("'{}' ({})", t.name_in_file, t.name);
}

Tensor read_f32(const CheckpointTensor& t, const std::string& file) {
  if (!t.dtype) {
    throw Error(fmt::format("{}: tensor {} has type {}, which sparkbench cannot read", file, tensor_label(t), t.type_name),
                "use a checkpoint with F32, F16 or BF16 weights (unquantized; for GGUF, convert with "
                "--outtype f16 or bf16)");
  }
  Tensor out{t.shape, std::vector<float>(static_cast<std::size_t>(element_count(t.shape)))};
  to_f32(*t.dtype, t.bytes.data(), out.data.size(), out.data.data());
  return out;
}

void add_tensors(Weights& w, const ExpectedShapes& expected, const std::vector<CheckpointTensor>& tensors,
                 const std::string& file) {
  for (const CheckpointTensor& t : tensors) {
    if (!wanted_tensor(expected, t.name, t.shape, file, tensor_label(t))) continue;
    if (w.contains(t.name)) {
      throw Error(fmt::format("{}: tensor {} was already read from another file", file, tensor_label(t)),
                  "the checkpoint's shards overlap: check model.safetensors.index.json");
    }
    w.insert(t.name, read_f32(t, file));
  }
}

}  // namespace sb::llm
