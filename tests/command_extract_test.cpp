// The `command` workload's metric readers, and each preset's parsers on a sample of its tool's
// documented output (tests/data/command/README.md says where each format is documented). Expected
// values are the numbers printed in those samples.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "core/error.hpp"
#include "test_support.hpp"
#include "workloads/command/definition.hpp"
#include "workloads/command/extract.hpp"
#include "workloads/command/presets.hpp"

namespace sb::command {
namespace {

using nlohmann::json;

std::string sample(const std::string& name) {
  std::ifstream in(std::string(SPARKBENCH_TEST_DATA) + "/command/" + name, std::ios::binary);
  EXPECT_TRUE(in) << name;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The preset's metrics, read from `text` (the stream or file each metric names).
std::map<std::string, double> read_preset(const std::string& preset, const std::string& text, json argv = {"tool"}) {
  const Definition d = parse({{"name", "t"}, {"preset", preset}, {"argv", argv}});
  std::map<std::string, double> out;
  for (const auto& m : d.metrics) out[m.spec.name] = extract(m.extraction, text);
  return out;
}

TEST(CommandExtract, RegexTakesTheFirstGroupOfTheLastMatchingLine) {
  const std::string text = "step 1: 10.5 ms\nstep 2: 11.25 ms\ndone\n";
  EXPECT_DOUBLE_EQ(extract_regex(text, R"(step \d+: ([0-9.]+) ms)", true), 11.25);
  EXPECT_DOUBLE_EQ(extract_regex(text, R"(step \d+: ([0-9.]+) ms)", false), 10.5);
  EXPECT_DOUBLE_EQ(extract_regex("rate=1.5e3/s\r\n", R"(rate=([0-9.e]+)/s$)", true), 1500);  // CRLF output
}

TEST(CommandExtract, RegexErrorsSayWhatWasMissing) {
  const std::string none = test::message_of([] { extract_regex("nothing here\n", R"(TFLOPS: ([0-9.]+))", true); });
  EXPECT_NE(none.find("no line matches the regex 'TFLOPS: ([0-9.]+)'"), std::string::npos) << none;
  const std::string word = test::message_of([] { extract_regex("TFLOPS: n/a\n", R"(TFLOPS: (\S+))", true); });
  EXPECT_NE(word.find("captured 'n/a', which is not a number"), std::string::npos) << word;
}

TEST(CommandExtract, JsonPointerReadsTheWholeDocumentOrTheLastJsonLine) {
  EXPECT_DOUBLE_EQ(extract_json_pointer("{\n  \"a\": {\"b\": [1, 2.5]}\n}\n", "/a/b/1"), 2.5);
  EXPECT_DOUBLE_EQ(extract_json_pointer("log line\n{\"x\": 1}\nmore log\n{\"x\": 2}\ntrailer\n", "/x"), 2);
  EXPECT_DOUBLE_EQ(extract_json_pointer("{\"x\": \"3.5\"}", "/x"), 3.5);  // a number written as text
  const std::string missing = test::message_of([] { extract_json_pointer("{\"tflops\": 1, \"ms\": 2}", "/tflop"); });
  EXPECT_NE(missing.find("nothing at '/tflop'"), std::string::npos) << missing;
  EXPECT_NE(missing.find("ms, tflops"), std::string::npos) << missing;  // the keys that are there
  const std::string text = test::message_of([] { extract_json_pointer("{\"x\": \"fast\"}", "/x"); });
  EXPECT_NE(text.find("\"fast\", not a number"), std::string::npos) << text;
  const std::string no_json = test::message_of([] { extract_json_pointer("plain text\n", "/x"); });
  EXPECT_NE(no_json.find("no line that is one"), std::string::npos) << no_json;
}

TEST(CommandExtract, CsvFindsTheHeaderAndSkipsOtherLines) {
  const std::string text = "loading...\nname,\"value, quoted\",ms\na,\"1,5\",2.5\nwarning: x\nb,\"x\",3.75\n";
  EXPECT_DOUBLE_EQ(extract_csv(text, "ms", true, ','), 3.75);
  EXPECT_DOUBLE_EQ(extract_csv(text, "ms", false, ','), 2.5);
  EXPECT_DOUBLE_EQ(extract_csv("a;b\n1;2\n", "b", true, ';'), 2);
  const std::string col = test::message_of([] { extract_csv("a,b\n1,2\n", "c", true, ','); });
  EXPECT_NE(col.find("no CSV header line has a column 'c'"), std::string::npos) << col;
  const std::string cell = test::message_of([] { extract_csv("name,ms\na,\"x\"\n", "ms", true, ','); });
  EXPECT_NE(cell.find("holds 'x', not a number"), std::string::npos) << cell;
}

TEST(CommandExtract, ScaleConvertsUnits) {
  Extraction x;
  x.method = Extraction::Method::JsonPointer;
  x.pattern = "/avg_latency";
  x.scale = 1000;
  EXPECT_DOUBLE_EQ(extract(x, "{\"avg_latency\": 1.25}"), 1250);
}

TEST(CommandPresets, TrtllmBenchThroughput) {
  const auto m = read_preset("trtllm-bench-throughput", sample("trtllm_bench_throughput.txt"));
  EXPECT_DOUBLE_EQ(m.at("output_tokens_per_s"), 185.8351);
  EXPECT_DOUBLE_EQ(m.at("request_throughput"), 1.4439);
  EXPECT_DOUBLE_EQ(m.at("total_tokens_per_s"), 780.1607);
  EXPECT_DOUBLE_EQ(m.at("avg_request_latency_ms"), 3671.8441);
}

TEST(CommandPresets, TrtllmBenchLatencyWithTabAlignedLabels) {
  const auto m = read_preset("trtllm-bench-latency", sample("trtllm_bench_latency.txt"));
  EXPECT_DOUBLE_EQ(m.at("avg_request_latency_ms"), 3734.7334);
  EXPECT_DOUBLE_EQ(m.at("avg_ttft_ms"), 425.9885);
  EXPECT_DOUBLE_EQ(m.at("avg_tpot_ms"), 3.2344);
  EXPECT_DOUBLE_EQ(m.at("output_speed_per_user"), 312.0708);
}

TEST(CommandPresets, TrtllmBenchLatencyWithAnOlderReleasesLabels) {
  const auto m = read_preset("trtllm-bench-latency", sample("trtllm_bench_streaming_older.txt"));
  EXPECT_DOUBLE_EQ(m.at("avg_request_latency_ms"), 75903.4456);
  EXPECT_DOUBLE_EQ(m.at("avg_ttft_ms"), 52667.0339);
  EXPECT_DOUBLE_EQ(m.at("avg_tpot_ms"), 182.9639);
  EXPECT_DOUBLE_EQ(m.at("output_speed_per_user"), 5.4656);
}

TEST(CommandPresets, VllmBenchThroughput) {
  const auto m = read_preset("vllm-bench-throughput", sample("vllm_bench_throughput.txt"));
  EXPECT_DOUBLE_EQ(m.at("output_tokens_per_s"), 18116.77);
  EXPECT_DOUBLE_EQ(m.at("total_tokens_per_s"), 54350.30);
  EXPECT_DOUBLE_EQ(m.at("requests_per_s"), 70.77);
}

TEST(CommandPresets, VllmBenchLatencyReadsItsOutputJsonInMilliseconds) {
  const auto m = read_preset("vllm-bench-latency", sample("vllm_bench_latency.json"),
                             {"vllm", "bench", "latency", "--output-json", "{output_file}"});
  // numpy's mean and percentiles of the file's ten latencies (in seconds), times 1000.
  EXPECT_NEAR(m.at("avg_latency_ms"), 1840.63, 1e-9);
  EXPECT_NEAR(m.at("p50_latency_ms"), 1839.15, 1e-9);
  EXPECT_NEAR(m.at("p99_latency_ms"), 1859.579, 1e-9);
}

TEST(CommandPresets, VllmBenchLatencyNeedsTheOutputFileInArgv) {
  const std::string msg = test::message_of([] { parse({{"name", "v"}, {"preset", "vllm-bench-latency"}, {"argv", {"vllm"}}}); });
  EXPECT_NE(msg.find("reads {output_file}, but neither argv nor env passes it"), std::string::npos) << msg;
}

TEST(CommandPresets, LlamaBenchJson) {
  const auto m = read_preset("llama-bench", sample("llama_bench.json"));
  EXPECT_DOUBLE_EQ(m.at("pp_tokens_per_s"), 7100.002165);
  EXPECT_DOUBLE_EQ(m.at("tg_tokens_per_s"), 118.881588);
}

TEST(CommandPresets, LlamaBenchCsvColumn) {
  // For -o csv the metrics are the user's: the avg_ts column of the tg row (the last one).
  EXPECT_DOUBLE_EQ(extract_csv(sample("llama_bench.csv"), "avg_ts", true, ','), 119.915244);
  EXPECT_DOUBLE_EQ(extract_csv(sample("llama_bench.csv"), "avg_ts", false, ','), 7285.676949);
}

TEST(CommandPresets, TorchMatmulJsonLineAfterAWarning) {
  const auto m = read_preset("torch-matmul", sample("torch_matmul.txt"));
  EXPECT_DOUBLE_EQ(m.at("tflops"), 774.13);
  EXPECT_DOUBLE_EQ(m.at("gemm_ms"), 1.4203);
}

TEST(CommandPresets, EveryPresetParses) {
  for (const auto& name : preset_names()) {
    const Definition d = parse({{"name", "p"}, {"preset", name}, {"argv", {"tool", "{output_file}"}}});
    EXPECT_FALSE(d.metrics.empty()) << name;
    EXPECT_FALSE(d.help.empty()) << name;
  }
}

}  // namespace
}  // namespace sb::command
