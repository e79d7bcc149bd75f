// WeightStream: the bf16 chunks it produces from GGUF and safetensors files of every supported dtype
// are, tensor for tensor, what the full fp32 conversion rounded to bf16 gave (the CUDA engine's old
// upload path); each chunk stays inside the staging buffer it was given; and the file pages it has
// read are handed back.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "llm/gguf.hpp"
#include "llm/safetensors.hpp"
#include "llm/weight_loader.hpp"
#include "llm/weight_stream.hpp"
#include "llm_test_files.hpp"
#include "test_support.hpp"

namespace sb::llm {
namespace {

using test::qwen2_tiny;

constexpr std::uint16_t kCanary = 0xdead;  // fills the staging beyond the part the stream is given

// Chunk sizes (elements) and conversion threads: smaller than a row and dividing nothing, rows of
// several tensors, whole tensors.
struct StreamSetting {
  std::size_t staging;
  int threads;
};
constexpr StreamSetting kSettings[] = {{100, 1}, {1000, 3}, {1 << 20, 2}};

// A few values every reader must carry through: subnormals of f16, bf16 and f32, infinities,
// NaN, signed zero, bf16 rounding ties.
Weights with_special_values(Weights w) {
  const float specials[] = {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity(),
                            -std::numeric_limits<float>::infinity(), -0.0f, 0x1p-24f, 3e-8f, 1e-40f, -1e-45f,
                            0x1.008p0f, 0x1.018p0f, 65504.0f, 3.0e38f};
  std::vector<float>& values = w.mutable_tensor(kEmbedding).data;
  std::copy(std::begin(specials), std::end(specials), values.begin());
  return w;
}

// What the CUDA engine was uploading before streaming: the values as stored in `t`, read into fp32,
// rounded to bf16.
std::map<std::string, std::vector<std::uint16_t>> full_conversion(const Weights& original, DType t) {
  std::map<std::string, std::vector<std::uint16_t>> out;
  for (const auto& [name, tensor] : original.all()) {
    for (float v : test::rounded(tensor.data, t)) out[name].push_back(f32_to_bf16(v));
  }
  return out;
}

// Streams `checkpoint` and checks every chunk against the staging it was given; puts the bf16
// values of each tensor together from its chunks into `out`.
void stream_into(const Checkpoint& checkpoint, StreamSetting s, std::map<std::string, std::vector<std::uint16_t>>& out) {
  std::vector<std::uint16_t> staging(s.staging + 64, kCanary);
  WeightStream stream(checkpoint, s.threads);
  const CheckpointTensor* current = nullptr;
  std::size_t index = 0;  // of `current` in the checkpoint
  while (!stream.done()) {
    const WeightStream::Chunk chunk = stream.next(std::span(staging).first(s.staging));
    EXPECT_EQ(chunk.values.data(), staging.data());
    EXPECT_GE(chunk.values.size(), 1u);
    EXPECT_LE(chunk.values.size(), s.staging) << "a chunk larger than its staging";
    for (std::size_t i = s.staging; i < staging.size(); ++i) ASSERT_EQ(staging[i], kCanary) << "written beyond the staging";
    // Tensors in the checkpoint's order, each one's chunks in element order, back to back.
    if (chunk.tensor != current) {
      index += current ? 1 : 0;
      current = chunk.tensor;
      ASSERT_LT(index, checkpoint.tensors.size());
      EXPECT_EQ(chunk.tensor, &checkpoint.tensors[index]) << "tensors out of the checkpoint's order";
      EXPECT_FALSE(out.count(chunk.tensor->name)) << chunk.tensor->name << " streamed twice";
    }
    std::vector<std::uint16_t>& values = out[chunk.tensor->name];
    EXPECT_EQ(chunk.first, static_cast<std::int64_t>(values.size())) << chunk.tensor->name;
    values.insert(values.end(), chunk.values.begin(), chunk.values.end());
  }
  EXPECT_EQ(index + 1, checkpoint.tensors.size());
}

void expect_stream_equals_full_conversion(const Checkpoint& checkpoint, const Weights& original, DType t) {
  const auto expected = full_conversion(original, t);
  for (const StreamSetting s : kSettings) {
    SCOPED_TRACE(::testing::Message() << "staging " << s.staging << " elements, " << s.threads << " threads");
    std::map<std::string, std::vector<std::uint16_t>> got;
    stream_into(checkpoint, s, got);
    ASSERT_EQ(got.size(), expected.size());
    for (const auto& [name, values] : expected) {
      ASSERT_TRUE(got.count(name)) << name;
      EXPECT_EQ(got.at(name), values) << name;
    }
  }
}

class LlmWeightStream : public ::testing::TestWithParam<DType> {};

// llama: Q and K rows are stored permuted and come out in Hugging Face order, also when a chunk
// starts or ends inside a row.
TEST_P(LlmWeightStream, GgufLlamaEqualsTheFullConversion) {
  ModelConfig c = builtin_model("tiny");
  c.attention_bias = c.attention_output_bias = true;  // biases are permuted too
  const Weights w = with_special_values(synthetic_weights(c, 21));
  test::TempDir dir;
  test::gguf_model(c, w, GetParam()).write(dir / "m.gguf");
  expect_stream_equals_full_conversion(open_checkpoint(dir / "m.gguf", c), w, GetParam());
}

TEST_P(LlmWeightStream, GgufQwen2EqualsTheFullConversion) {
  const ModelConfig c = qwen2_tiny();
  const Weights w = with_special_values(synthetic_weights(c, 22));
  test::TempDir dir;
  test::gguf_model(c, w, GetParam()).write(dir / "m.gguf");
  expect_stream_equals_full_conversion(open_checkpoint(dir / "m.gguf", c), w, GetParam());
}

TEST_P(LlmWeightStream, SafetensorsEqualsTheFullConversion) {
  const ModelConfig c = builtin_model("tiny");
  const Weights w = with_special_values(synthetic_weights(c, 23));
  test::TempDir dir;
  test::write_safetensors(dir / "model.safetensors", w, test::all_names(w), GetParam());
  expect_stream_equals_full_conversion(open_checkpoint(dir / "model.safetensors", c), w, GetParam());
}

TEST_P(LlmWeightStream, ShardedSafetensorsEqualsTheFullConversion) {
  const ModelConfig c = builtin_model("tiny");
  const Weights w = with_special_values(synthetic_weights(c, 24));
  test::TempDir dir;
  const auto index = test::write_sharded_safetensors(dir.path(), w, GetParam(), 3);
  expect_stream_equals_full_conversion(open_checkpoint(index, c), w, GetParam());
}

INSTANTIATE_TEST_SUITE_P(Dtypes, LlmWeightStream, ::testing::Values(DType::F32, DType::F16, DType::BF16),
                         [](const auto& info) { return to_string(info.param); });

// Safetensors headers list tensors by name (JSON keys sorted), not by offset: the checkpoint reads
// each file front to back all the same.
TEST(LlmCheckpoint, TensorsComeInFileOrder) {
  const ModelConfig c = builtin_model("tiny");
  const Weights w = synthetic_weights(c, 25);
  test::TempDir dir;
  const auto index = test::write_sharded_safetensors(dir.path(), w, DType::BF16, 2);
  const Checkpoint checkpoint = open_checkpoint(index, c);
  ASSERT_EQ(checkpoint.tensors.size(), w.all().size());
  for (std::size_t i = 1; i < checkpoint.tensors.size(); ++i) {
    const CheckpointTensor& a = checkpoint.tensors[i - 1];
    const CheckpointTensor& b = checkpoint.tensors[i];
    if (a.file == b.file) {
      EXPECT_LT(a.bytes.data(), b.bytes.data()) << a.name << " before " << b.name;
    } else {
      EXPECT_LT(a.file->path(), b.file->path()) << "shards in turn";
    }
  }
}

// The CUDA engine checks the checkpoint it is given against its config, as the readers do.
TEST(LlmCheckpoint, CheckCompleteNamesTheMisshapedTensor) {
  const ModelConfig c = builtin_model("tiny");
  test::TempDir dir;
  test::gguf_model(c, synthetic_weights(c, 26), DType::F16).write(dir / "m.gguf");
  const Checkpoint checkpoint = open_checkpoint(dir / "m.gguf", c);
  ModelConfig other = c;
  other.name = "other";
  other.intermediate_size = 256;
  const std::string msg = sb::test::message_of([&] { check_complete(checkpoint, other); });
  EXPECT_NE(msg.find("m.gguf: tensor 'blk.0.ffn_down.weight' (model.layers.0.mlp.down_proj.weight) has shape [128, "
                     "384] but the model config expects [128, 256]"),
            std::string::npos)
      << msg;
}

// Rss of the mapping that holds `p`, from /proc/self/smaps.
std::int64_t resident_bytes_of_mapping(const void* p) {
  const auto address = reinterpret_cast<std::uintptr_t>(p);
  std::ifstream in("/proc/self/smaps");
  bool inside = false;
  for (std::string line; std::getline(in, line);) {
    std::uintptr_t begin = 0, end = 0;
    char dash = 0;
    std::istringstream header(line);
    if (header >> std::hex >> begin >> dash >> end && dash == '-') {
      inside = begin <= address && address < end;
    } else if (inside && line.rfind("Rss:", 0) == 0) {
      return std::stoll(line.substr(4)) * 1024;
    }
  }
  return -1;
}

// What a stream has converted it hands back to the kernel, so the file's pages do not pile up in
// the process while a model of many GiB streams through.
TEST(LlmWeightStreamMemory, HandsBackThePagesItHasRead) {
  ModelConfig c = builtin_model("tiny");
  c.vocab_size = 8192;  // 16 MiB of F32, so that what may stay resident (below) is a small part of it
  c.intermediate_size = 1536;
  const Weights w = synthetic_weights(c, 27);
  test::TempDir dir;
  test::write_safetensors(dir / "model.safetensors", w, test::all_names(w), DType::F32);
  const Checkpoint checkpoint = open_checkpoint(dir / "model.safetensors", c);
  const void* mapping = checkpoint.tensors.front().bytes.data();
  const auto file_bytes = static_cast<std::int64_t>(std::filesystem::file_size(dir / "model.safetensors"));

  (void)read_weights(checkpoint);  // touches every page, hands none back
  ASSERT_GE(resident_bytes_of_mapping(mapping), file_bytes * 9 / 10) << "the fp32 read maps the file's pages";

  std::vector<std::uint16_t> staging(100000);
  WeightStream stream(checkpoint, 2);
  while (!stream.done()) stream.next(staging);
  const std::int64_t after_streaming = resident_bytes_of_mapping(mapping);
  // What may stay, per tensor: its first and last page, which it shares with its neighbours, and
  // the pages before it that the kernel maps along with its first page (fault-around, 64 KiB by
  // default); plus the header's.
  const std::int64_t page = ::sysconf(_SC_PAGESIZE);
  const std::int64_t allowed = static_cast<std::int64_t>(checkpoint.tensors.size()) * (64 * 1024 + 2 * page) + 64 * 1024;
  EXPECT_LE(after_streaming, allowed) << "of a " << file_bytes << "-byte file";
  EXPECT_LT(allowed, file_bytes / 8) << "the bound says little for this file";
}

}  // namespace
}  // namespace sb::llm
