#include "llm/checkpoint.hpp"

#include <algorithm>
#include <set>

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

void require_readable(const CheckpointTensor& t) {
  if (t.dtype) return;
  throw Error(fmt::format("{}: tensor {} has type {}, which sparkbench cannot read", t.file->path(), tensor_label(t),
                          t.type_name),
              "use a checkpoint with F32, F16 or BF16 weights (unquantized; for GGUF, convert with "
              "--outtype f16 or bf16)");
}

namespace {

// The stored row that holds Hugging Face row `row` of a [heads * head_dim, ...] tensor whose rows
// llama.cpp permuted: within each head, HF row part * head_dim / 2 + j was stored as row 2 j + part.
std::int64_t stored_row(std::int64_t row, std::int64_t rows, std::int64_t heads) {
  const std::int64_t head_dim = rows / heads;
  const std::int64_t half = head_dim / 2;
  const std::int64_t within = row % head_dim;
  return row - within + 2 * (within % half) + within / half;
}

// Calls visit(stored bytes, element count, offset into the output) for each run of elements
// [first, first + count), in Hugging Face order, that lies contiguously in the file: the whole range
// at once, unless the rows are permuted (then at most a row at a time).
template <class Visit>
void for_each_stored_run(const CheckpointTensor& t, std::int64_t first, std::int64_t count, Visit visit) {
  const auto element = static_cast<std::int64_t>(dtype_size(*t.dtype));
  if (t.rope_heads == 0) {
    visit(t.bytes.data() + first * element, count, 0);
    return;
  }
  const std::int64_t rows = t.shape.at(0);
  const std::int64_t columns = element_count(t.shape) / rows;
  for (std::int64_t done = 0; done < count;) {
    const std::int64_t row = (first + done) / columns;
    const std::int64_t column = (first + done) % columns;
    const std::int64_t run = std::min(count - done, columns - column);
    visit(t.bytes.data() + (stored_row(row, rows, t.rope_heads) * columns + column) * element, run, done);
    done += run;
  }
}

}  // namespace

void read_f32(const CheckpointTensor& t, std::int64_t first, std::int64_t count, float* out) {
  for_each_stored_run(t, first, count, [&](const std::byte* src, std::int64_t n, std::int64_t at) {
    to_f32(*t.dtype, src, static_cast<std::size_t>(n), out + at);
  });
}

void read_bf16(const CheckpointTensor& t, std::int64_t first, std::int64_t count, std::uint16_t* out) {
  for_each_stored_run(t, first, count, [&](const std::byte* src, std::int64_t n, std::int64_t at) {
    to_bf16(*t.dtype, src, static_cast<std::size_t>(n), out + at);
  });
}

Tensor read_f32(const CheckpointTensor& t) {
  require_readable(t);
  Tensor out{t.shape, std::vector<float>(static_cast<std::size_t>(element_count(t.shape)))};
  read_f32(t, 0, element_count(t.shape), out.data.data());
  return out;
}

void add_tensors(Checkpoint& checkpoint, const ExpectedShapes& expected, const std::vector<CheckpointTensor>& tensors) {
  const std::size_t file_start = checkpoint.tensors.size();
  for (const CheckpointTensor& t : tensors) {
    const std::string& file = t.file->path();
    if (!wanted_tensor(expected, t.name, t.shape, file, tensor_label(t))) continue;
    const bool seen = std::any_of(checkpoint.tensors.begin(), checkpoint.tensors.end(),
                                  [&](const CheckpointTensor& other) { return other.name == t.name; });
    if (seen) {
      throw Error(fmt::format("{}: tensor {} was already read from another file", file, tensor_label(t)),
                  "the checkpoint's shards overlap: check model.safetensors.index.json");
    }
    require_readable(t);
    checkpoint.tensors.push_back(t);
  }
  // By offset: headers need not list tensors in the order of their bytes (safetensors' JSON keys
  // are sorted by name), and reading front to back is what the page cache reads ahead for.
  std::sort(checkpoint.tensors.begin() + static_cast<std::ptrdiff_t>(file_start), checkpoint.tensors.end(),
            [](const CheckpointTensor& a, const CheckpointTensor& b) { return a.bytes.data() < b.bytes.data(); });
}

void check_complete(const Checkpoint& checkpoint, const ModelConfig& c) {
  const ExpectedShapes expected = expected_shapes(c);
  std::set<std::string> found;
  for (const CheckpointTensor& t : checkpoint.tensors) {
    wanted_tensor(expected, t.name, t.shape, t.file->path(), tensor_label(t));
    found.insert(t.name);
  }
  require_present(expected, found, c, checkpoint.source);
}

Weights read_weights(const Checkpoint& checkpoint) {
  Weights w;
  for (const CheckpointTensor& t : checkpoint.tensors) w.insert(t.name, read_f32(t));
  return w;
}

}  // namespace sb::llm
