#include <gtest/gtest.h>

#include "test_support.hpp"

#include <filesystem>
#include <functional>
#include <string>

#include "core/error.hpp"
#include "llm/gguf.hpp"
#include "llm/weight_loader.hpp"
#include "llm_test_files.hpp"

namespace sb::llm {
namespace {

using sb::test::message_of;
using test::expect_same_weights;
using test::qwen2_tiny;

class LlmGguf : public ::testing::TestWithParam<DType> {};

// llama: the writer permutes Q and K as llama.cpp does; the reader must hand back HF layout.
TEST_P(LlmGguf, LlamaRoundTripUndoesTheRopePermutation) {
  const ModelConfig c = builtin_model("tiny");
  const Weights w = synthetic_weights(c, 11);
  test::TempDir dir;
  test::gguf_model(c, w, GetParam()).write(dir / "tiny.gguf");
  expect_same_weights(load_gguf(dir / "tiny.gguf", c), w, GetParam());
  expect_same_weights(load_weights(dir.path(), c), w, GetParam());  // the folder's only .gguf
}

TEST_P(LlmGguf, Qwen2RoundTripWithBiasesAndTiedEmbedding) {
  const ModelConfig c = qwen2_tiny();
  const Weights w = synthetic_weights(c, 12);
  test::TempDir dir;
  test::gguf_model(c, w, GetParam()).write(dir / "qwen.gguf");
  expect_same_weights(load_gguf(dir / "qwen.gguf", c), w, GetParam());
}

INSTANTIATE_TEST_SUITE_P(Dtypes, LlmGguf, ::testing::Values(DType::F32, DType::F16, DType::BF16),
                         [](const auto& info) { return to_string(info.param); });

TEST(LlmGgufLayout, LlamaWithAttentionBiasPermutesTheBiasesToo) {
  ModelConfig c = builtin_model("tiny");
  c.attention_bias = c.attention_output_bias = true;
  const Weights w = synthetic_weights(c, 13);
  test::TempDir dir;
  test::gguf_model(c, w, DType::F32).write(dir / "m.gguf");
  expect_same_weights(load_gguf(dir / "m.gguf", c), w, DType::F32);
}

// Llama 3.1 GGUF files carry rope_freqs.weight, the llama3 frequency factors llama.cpp applies; the
// engine computes them from the config instead.
TEST(LlmGgufLayout, StoredRopeFrequenciesAreSkipped) {
  const ModelConfig c = builtin_model("tiny");
  const Weights w = synthetic_weights(c, 19);
  test::GgufBuilder b = test::gguf_model(c, w, DType::F32);
  b.tensor("rope_freqs.weight", {16}, 0, test::encode(std::vector<float>(16, 1.0f), DType::F32));
  test::TempDir dir;
  b.write(dir / "m.gguf");
  expect_same_weights(load_gguf(dir / "m.gguf", c), w, DType::F32);
}

// convert_hf_to_gguf.py's permute on a head of 4 rows r0..r3 gives r0, r2, r1, r3
// (reshape(1, 2, 2).swapaxes(1, 2): [[r0, r1], [r2, r3]] -> [[r0, r2], [r1, r3]]). Reads of a tensor
// marked rope_heads undo it, whole or from any element on.
TEST(LlmGgufLayout, ReadsUndoThePermutationOfAPinnedExample) {
  auto stored = [](const Shape& shape, const std::vector<float>& values, std::int64_t heads, const test::TempDir& dir) {
    test::write_file(dir / "t.bin", test::encode(values, DType::F32));
    CheckpointTensor t{.name = "t", .dtype = DType::F32, .shape = shape, .rope_heads = heads};
    t.file = std::make_shared<const MappedFile>(dir / "t.bin");
    t.bytes = t.file->bytes();
    return t;
  };
  test::TempDir dir;
  const CheckpointTensor t = stored({8, 1}, {0, 2, 1, 3, 4, 6, 5, 7}, 2, dir);  // two heads of 4 rows
  EXPECT_EQ(read_f32(t).data, (std::vector<float>{0, 1, 2, 3, 4, 5, 6, 7}));
  const CheckpointTensor wide = stored({4, 2}, {0, 10, 2, 12, 1, 11, 3, 13}, 1, dir);  // rows move whole
  EXPECT_EQ(read_f32(wide).data, (std::vector<float>{0, 10, 1, 11, 2, 12, 3, 13}));
  std::vector<float> middle(5);
  read_f32(wide, 1, 5, middle.data());  // starts and ends inside a row
  EXPECT_EQ(middle, (std::vector<float>{10, 1, 11, 2, 12}));
  std::vector<std::uint16_t> bf16(5);
  read_bf16(wide, 1, 5, bf16.data());
  for (std::size_t i = 0; i < bf16.size(); ++i) EXPECT_EQ(bf16[i], f32_to_bf16(middle[i])) << i;
}

TEST(LlmGgufLayout, TensorNames) {
  EXPECT_EQ(hf_name_from_gguf("token_embd.weight"), "model.embed_tokens.weight");
  EXPECT_EQ(hf_name_from_gguf("output.weight"), "lm_head.weight");
  EXPECT_EQ(hf_name_from_gguf("output_norm.weight"), "model.norm.weight");
  EXPECT_EQ(hf_name_from_gguf("blk.17.attn_output.weight"), "model.layers.17.self_attn.o_proj.weight");
  EXPECT_EQ(hf_name_from_gguf("blk.0.ffn_norm.weight"), "model.layers.0.post_attention_layernorm.weight");
  EXPECT_EQ(hf_name_from_gguf("blk.3.attn_k.bias"), "model.layers.3.self_attn.k_proj.bias");
  EXPECT_EQ(hf_name_from_gguf("rope_freqs.weight"), "rope_freqs.weight");
  EXPECT_EQ(hf_name_from_gguf("blk.x.attn_q.weight"), "blk.x.attn_q.weight");
}

TEST(LlmGgufMetadata, EveryValueTypeAndACustomAlignment) {
  test::GgufBuilder b;
  b.string_kv("general.architecture", "llama");
  b.u64_kv("general.alignment", 64);
  b.i8_kv("test.i8", -5);
  b.f64_kv("test.f64", 0.25);
  b.bool_kv("test.flag", true);
  b.string_array_kv("tokenizer.ggml.tokens", {"<s>", "b", ""});
  b.f32_array_kv("tokenizer.ggml.scores", {0.5f, -1.0f});
  b.nested_array_kv("test.nested");
  b.tensor("output_norm.weight", {3}, 0, test::encode({1, 2, 3}, DType::F32));
  b.tensor("blk.0.attn_norm.weight", {2}, 30, test::encode({4, 5}, DType::BF16));
  test::TempDir dir;
  b.write(dir / "meta.gguf", 64);

  const GgufFile f(dir / "meta.gguf");
  EXPECT_EQ(f.version(), 3u);
  EXPECT_EQ(f.alignment(), 64u);
  const nlohmann::json& m = f.metadata();
  EXPECT_EQ(m["general.architecture"], "llama");
  EXPECT_EQ(m["test.i8"], -5);
  EXPECT_EQ(m["test.f64"], 0.25);
  EXPECT_EQ(m["test.flag"], true);
  EXPECT_EQ(m["tokenizer.ggml.tokens"], (nlohmann::json{"<s>", "b", ""}));
  EXPECT_EQ(m["tokenizer.ggml.scores"], (nlohmann::json{0.5, -1.0}));
  EXPECT_EQ(m["test.nested"], nlohmann::json::parse("[[1, -2], [3]]"));
  ASSERT_EQ(f.tensors().size(), 2u);
  EXPECT_EQ(f.tensors()[0].name, "model.norm.weight");
  EXPECT_EQ(read_f32(f.tensors()[0]).data, (std::vector<float>{1, 2, 3}));
  EXPECT_EQ(read_f32(f.tensors()[1]).data, (std::vector<float>{4, 5}));
  // The second tensor starts at the next multiple of 64 of the data section.
  EXPECT_EQ(f.tensors()[1].bytes.data() - f.tensors()[0].bytes.data(), 64);
}

TEST(LlmGgufErrors, TruncatedFileNamesFileAndTensor) {
  const ModelConfig c = builtin_model("tiny");
  test::TempDir dir;
  const auto file = dir / "tiny.gguf";
  test::gguf_model(c, synthetic_weights(c, 14), DType::F16).write(file);  // output_norm.weight (256 bytes) comes last
  std::filesystem::resize_file(file, std::filesystem::file_size(file) - 100);
  const std::string msg = message_of([&] { GgufFile f(file); });
  EXPECT_NE(msg.find(file.string() + ": tensor 'output_norm.weight' (F16 [128]) lies beyond the end of the file"),
            std::string::npos)
      << msg;

  std::filesystem::resize_file(file, 100);  // inside the metadata
  const std::string header = message_of([&] { GgufFile f(file); });
  EXPECT_NE(header.find(file.string() + ": truncated: metadata '"), std::string::npos) << header;
}

TEST(LlmGgufErrors, NotAGgufFile) {
  test::TempDir dir;
  test::write_file(dir / "x.gguf", test::Bytes(16));
  const std::string msg = message_of([&] { GgufFile f(dir / "x.gguf"); });
  EXPECT_NE(msg.find("x.gguf: not a GGUF file"), std::string::npos) << msg;
}

TEST(LlmGgufErrors, QuantizedTensorNamesFileTensorAndType) {
  const ModelConfig c = builtin_model("tiny");
  test::TempDir dir;
  test::GgufBuilder q;
  q.string_kv("general.architecture", "llama");
  q.tensor("blk.0.ffn_up.weight", {128, 384}, 8, test::Bytes(384 * 128 / 32 * 34));  // Q8_0: 34 bytes per 32 values
  q.write(dir / "q8.gguf");
  const std::string msg = message_of([&] { load_gguf(dir / "q8.gguf", c); });
  EXPECT_NE(msg.find("q8.gguf: tensor 'blk.0.ffn_up.weight' (model.layers.0.mlp.up_proj.weight) has type Q8_0"),
            std::string::npos)
      << msg;
}

TEST(LlmGgufErrors, WrongShapeNamesFileAndTensor) {
  ModelConfig other = builtin_model("tiny");
  other.intermediate_size = 256;
  test::TempDir dir;
  // Metadata of the tiny model, tensors of another one.
  test::gguf_model(builtin_model("tiny"), synthetic_weights(other, 16), DType::F32).write(dir / "m.gguf");
  const std::string msg = message_of([&] { load_gguf(dir / "m.gguf", builtin_model("tiny")); });
  EXPECT_NE(msg.find("m.gguf: tensor 'blk.0.ffn_down.weight' (model.layers.0.mlp.down_proj.weight) has shape "
                     "[128, 256] but the model config expects [128, 384]"),
            std::string::npos)
      << msg;
}

TEST(LlmGgufErrors, MissingTensorNamesFileAndTensor) {
  const ModelConfig c = builtin_model("tiny");
  const Weights all = synthetic_weights(c, 17);
  Weights w;
  for (const auto& [name, t] : all.all()) {
    if (name != "model.layers.0.self_attn.o_proj.weight") w.insert(name, t);
  }
  test::TempDir dir;
  test::gguf_model(c, w, DType::F32).write(dir / "m.gguf");
  const std::string msg = message_of([&] { load_gguf(dir / "m.gguf", c); });
  EXPECT_NE(msg.find("m.gguf: tensor 'model.layers.0.self_attn.o_proj.weight' is missing"), std::string::npos) << msg;
}

// Same tensor shapes, different head split: only the metadata can tell.
TEST(LlmGgufErrors, HyperparametersThatDisagreeWithTheConfig) {
  const ModelConfig c = builtin_model("tiny");
  test::TempDir dir;
  test::gguf_model(c, synthetic_weights(c, 18), DType::F32).write(dir / "m.gguf");
  ModelConfig eight_heads = c;
  eight_heads.name = "eight-heads";
  eight_heads.num_heads = 8;
  eight_heads.num_kv_heads = 4;
  eight_heads.head_dim = 16;
  const std::string msg = message_of([&] { load_gguf(dir / "m.gguf", eight_heads); });
  EXPECT_NE(msg.find("m.gguf: metadata 'llama.attention.head_count' is 4 but the model config 'eight-heads' has 8"),
            std::string::npos)
      << msg;
  const std::string arch = message_of([&] { load_gguf(dir / "m.gguf", qwen2_tiny()); });
  EXPECT_NE(arch.find("general.architecture is 'llama' but the model config 'tiny-qwen2' is a 'qwen2' model"),
            std::string::npos)
      << arch;
}

}  // namespace
}  // namespace sb::llm
