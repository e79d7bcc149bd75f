#pragma once
// What the weight readers (safetensors, GGUF) have in common: a tensor found in a checkpoint file,
// still in the file's bytes, and its conversion to the fp32 the reference engine uses.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "llm/dtype.hpp"
#include "llm/weights.hpp"

namespace sb::llm {

struct CheckpointTensor {
  std::string name;             // the Hugging Face name (GGUF names are translated)
  std::string name_in_file;     // as the file spells it ("blk.0.attn_q.weight")
  std::string type_name;        // as the file spells it: "BF16", "Q4_K", ...
  std::optional<DType> dtype;   // nullopt: a type the engine cannot read (quantized, integer)
  Shape shape;                  // Hugging Face order: [out_features, in_features]
  std::span<const std::byte> bytes;  // inside the mapped file; empty when dtype is nullopt
};

// For messages: "'model.norm.weight'", or "'output_norm.weight' (model.norm.weight)" for GGUF.
std::string tensor_label(const CheckpointTensor& t);

// Bytes taken by `shape` elements of `element_size` bytes; nullopt when that overflows 64 bits
// (a corrupt header), so that readers can report it instead of wrapping around.
std::optional<std::uint64_t> byte_count(const Shape& shape, std::size_t element_size);

// Converts `t` to fp32. Throws sb::Error naming `file` and the tensor when its type is unsupported.
Tensor read_f32(const CheckpointTensor& t, const std::string& file);

// Adds the tensors of one file that belong to the model (see wanted_tensor) to `w`, converted to
// fp32. Throws sb::Error naming the file and the tensor for an unexpected or mis-shaped tensor,
// an unsupported type, or a tensor already read from another file.
void add_tensors(Weights& w, const ExpectedShapes& expected, const std::vector<CheckpointTensor>& tensors,
                 const std::string& file);

}  // namespace sb::llm
