#include <gtest/gtest.h>

#include "test_support.hpp"

#include <filesystem>
#include <functional>
#include <string>

#include "core/error.hpp"
#include "llm/safetensors.hpp"
#include "llm/weight_loader.hpp"
#include "llm_test_files.hpp"

namespace sb::llm {
namespace {

using nlohmann::json;

using sb::test::message_of;
using test::expect_same_weights;

class LlmSafetensors : public ::testing::TestWithParam<DType> {};

TEST_P(LlmSafetensors, SingleFileRoundTrip) {
  const ModelConfig c = builtin_model("tiny");
  const Weights w = synthetic_weights(c, 3);
  test::TempDir dir;
  test::write_safetensors(dir / "model.safetensors", w, test::all_names(w), GetParam());
  expect_same_weights(load_safetensors(dir / "model.safetensors", c), w, GetParam());
  expect_same_weights(load_weights(dir.path(), c), w, GetParam());  // the folder finds model.safetensors
}

TEST_P(LlmSafetensors, ShardedRoundTrip) {
  const ModelConfig c = builtin_model("tiny");
  const Weights w = synthetic_weights(c, 4);
  test::TempDir dir;
  const auto index = test::write_sharded_safetensors(dir.path(), w, GetParam(), 3);
  expect_same_weights(load_safetensors(index, c), w, GetParam());
  expect_same_weights(load_weights(dir.path(), c), w, GetParam());  // the folder prefers the index
}

INSTANTIATE_TEST_SUITE_P(Dtypes, LlmSafetensors, ::testing::Values(DType::F32, DType::F16, DType::BF16),
                         [](const auto& info) { return to_string(info.param); });

TEST(LlmSafetensorsErrors, TruncatedFileNamesFileAndTensor) {
  const ModelConfig c = builtin_model("tiny");
  const Weights w = synthetic_weights(c, 5);
  test::TempDir dir;
  const auto file = dir / "model.safetensors";
  test::write_safetensors(file, w, test::all_names(w), DType::BF16);  // model.norm.weight is written last
  std::filesystem::resize_file(file, std::filesystem::file_size(file) - 100);
  const std::string msg = message_of([&] { load_safetensors(file, c); });
  EXPECT_NE(msg.find(file.string() + ": tensor 'model.norm.weight' lies at bytes"), std::string::npos) << msg;
  EXPECT_NE(msg.find("truncated"), std::string::npos) << msg;

  std::filesystem::resize_file(file, 20);  // inside the header
  const std::string header_msg = message_of([&] { load_safetensors(file, c); });
  EXPECT_NE(header_msg.find(file.string() + ": header of"), std::string::npos) << header_msg;
}

TEST(LlmSafetensorsErrors, WrongShapeNamesFileAndTensor) {
  ModelConfig other = builtin_model("tiny");
  other.intermediate_size = 256;
  const Weights w = synthetic_weights(other, 6);
  test::TempDir dir;
  test::write_safetensors(dir / "model.safetensors", w, test::all_names(w), DType::F32);
  const std::string msg = message_of([&] { load_safetensors(dir / "model.safetensors", builtin_model("tiny")); });
  EXPECT_NE(msg.find("model.safetensors: tensor 'model.layers.0.mlp.down_proj.weight' has shape [128, 256] but the "
                     "model config expects [128, 384]"),
            std::string::npos)
      << msg;
}

TEST(LlmSafetensorsErrors, UnsupportedDtypeNamesFileAndTensor) {
  const ModelConfig c = builtin_model("tiny");
  test::TempDir dir;
  const json header = {{"model.norm.weight", {{"dtype", "I8"}, {"shape", {128}}, {"data_offsets", {0, 128}}}}};
  test::write_safetensors_raw(dir / "int8.safetensors", header, test::Bytes(128));
  const std::string msg = message_of([&] { load_safetensors(dir / "int8.safetensors", c); });
  EXPECT_NE(msg.find("int8.safetensors: tensor 'model.norm.weight' has type I8"), std::string::npos) << msg;
}

TEST(LlmSafetensorsErrors, MissingTensorNamesFileAndTensor) {
  const ModelConfig c = builtin_model("tiny");
  const Weights w = synthetic_weights(c, 7);
  std::vector<std::string> names = test::all_names(w);
  std::erase(names, "model.layers.1.self_attn.v_proj.weight");
  test::TempDir dir;
  test::write_safetensors(dir / "model.safetensors", w, names, DType::F32);
  const std::string msg = message_of([&] { load_safetensors(dir / "model.safetensors", c); });
  EXPECT_NE(msg.find("model.safetensors: tensor 'model.layers.1.self_attn.v_proj.weight' is missing"), std::string::npos)
      << msg;
}

TEST(LlmSafetensorsErrors, IndexPointingToTheWrongShard) {
  const ModelConfig c = builtin_model("tiny");
  const Weights w = synthetic_weights(c, 8);
  test::TempDir dir;
  const auto index = test::write_sharded_safetensors(dir.path(), w, DType::F32, 2);
  json doc = json::parse(std::ifstream(index));
  doc["weight_map"]["model.norm.weight"] = doc["weight_map"]["model.norm.weight"] == "model-00001-of-00002.safetensors"
                                               ? "model-00002-of-00002.safetensors"
                                               : "model-00001-of-00002.safetensors";
  std::ofstream(index) << doc.dump();
  const std::string msg = message_of([&] { load_safetensors(index, c); });
  EXPECT_NE(msg.find("tensor 'model.norm.weight' is missing, though"), std::string::npos) << msg;
}

TEST(LlmSafetensorsErrors, ByteRangeThatDisagreesWithTheShape) {
  test::TempDir dir;
  const json header = {{"model.norm.weight", {{"dtype", "F32"}, {"shape", {128}}, {"data_offsets", {0, 256}}}}};
  test::write_safetensors_raw(dir / "bad.safetensors", header, test::Bytes(512));
  const std::string msg = message_of([&] { SafetensorsFile f(dir / "bad.safetensors"); });
  EXPECT_NE(msg.find("bad.safetensors: tensor 'model.norm.weight' (F32 [128]) does not take the 256 bytes"),
            std::string::npos)
      << msg;
}

TEST(LlmSafetensorsErrors, MissingWeightsPath) {
  const std::string msg = message_of([] { load_weights("/nonexistent/model.safetensors", builtin_model("tiny")); });
  EXPECT_NE(msg.find("weights not found: /nonexistent/model.safetensors"), std::string::npos) << msg;
}

}  // namespace
}  // namespace sb::llm
