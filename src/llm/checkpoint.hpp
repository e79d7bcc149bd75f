#pragma once
// What the weight readers (safetensors, GGUF) have in common: a tensor found in a checkpoint file,
// still in the file's bytes; a Checkpoint, the model's tensors found in its files and checked; and
// reading a tensor, whole or a range of it, as fp32 (the reference engine) or as bf16 (the CUDA
// engine, which streams them to the device without an fp32 copy of the model).
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "llm/dtype.hpp"
#include "llm/mapped_file.hpp"
#include "llm/weights.hpp"

namespace sb::llm {

struct CheckpointTensor {
  std::string name;             // the Hugging Face name (GGUF names are translated)
  std::string name_in_file;     // as the file spells it ("blk.0.attn_q.weight")
  std::string type_name;        // as the file spells it: "BF16", "Q4_K", ...
  std::optional<DType> dtype;   // nullopt: a type the engine cannot read (quantized, integer)
  Shape shape;                  // Hugging Face order: [out_features, in_features]
  std::span<const std::byte> bytes;        // inside `file`; empty when dtype is nullopt
  std::shared_ptr<const MappedFile> file;  // keeps `bytes` mapped; names the file in messages
  // > 0: the rows are stored in llama.cpp's interleaved RoPE order over this many heads (Q and K of
  // GGUF llama models, see gguf.hpp); every read below returns them in Hugging Face order.
  std::int64_t rope_heads = 0;
};

// For messages: "'model.norm.weight'", or "'output_norm.weight' (model.norm.weight)" for GGUF.
std::string tensor_label(const CheckpointTensor& t);

// Bytes taken by `shape` elements of `element_size` bytes; nullopt when that overflows 64 bits
// (a corrupt header), so that readers can report it instead of wrapping around.
std::optional<std::uint64_t> byte_count(const Shape& shape, std::size_t element_size);

// Throws sb::Error naming the file and the tensor when its type is one sparkbench cannot read.
void require_readable(const CheckpointTensor& t);

// Elements [first, first + count) of a readable tensor, in Hugging Face order (row-major), as fp32,
// or as bf16 bit patterns: element for element f32_to_bf16 of the fp32 value.
void read_f32(const CheckpointTensor& t, std::int64_t first, std::int64_t count, float* out);
void read_bf16(const CheckpointTensor& t, std::int64_t first, std::int64_t count, std::uint16_t* out);
// The whole tensor in fp32. Throws as require_readable does.
Tensor read_f32(const CheckpointTensor& t);

// The tensors of a model found in a checkpoint (one file or a model's shards), still in the mapped
// files, each checked against the model config: every tensor of the model, each once, with its
// shape and a readable type, in file order (shard after shard, each by offset), so that reading
// them in this order reads every file front to back.
struct Checkpoint {
  std::string source;  // the path given, for messages
  std::vector<CheckpointTensor> tensors;
};

// Adds the tensors of one file that belong to the model (see wanted_tensor) to `checkpoint`. Throws
// sb::Error naming the file and the tensor for an unexpected or mis-shaped tensor, an unsupported
// type, or a tensor already found in another file.
void add_tensors(Checkpoint& checkpoint, const ExpectedShapes& expected, const std::vector<CheckpointTensor>& tensors);

// Checks that `checkpoint` holds exactly the tensors of `c` with their shapes. Throws sb::Error
// naming the file and the unexpected or mis-shaped tensor, or `checkpoint.source` and the missing one.
void check_complete(const Checkpoint& checkpoint, const ModelConfig& c);

// Every tensor converted to fp32, for the reference engine.
Weights read_weights(const Checkpoint& checkpoint);

}  // namespace sb::llm
