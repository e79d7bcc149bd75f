#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/error.hpp"
#include "record/record.hpp"

namespace sb::record {
namespace {

namespace fs = std::filesystem;

struct TempDir {
  fs::path path;
  TempDir() {
    char tmpl[] = "/tmp/sparkbench-record-test-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() { fs::remove_all(path); }
};

RunRecord sample_record() {
  RunRecord r;
  r.sparkbench_version = "0.1.0";
  r.label = "native";
  r.host = "box";
  r.started_utc = "2026-11-24T05:00:00Z";
  r.complete = true;
  r.settings = {{"max_reps", 30}};
  r.environment = {{"cpu", {{"logical_cpus", 8}}}};
  CaseResult c;
  c.id = "matmul_cpu/n=256,precision=fp32";
  c.workload = "matmul_cpu";
  c.layer = "cpu-compute";
  c.params = Params({{"n", "256"}, {"precision", "fp32"}});
  c.metrics = {{{.name = "time_ms", .unit = "ms", .better = Better::Lower}, {1.5, 1.25, 1.75}},
               {{.name = "gflops", .unit = "GFLOP/s", .better = Better::Higher}, {22.0, 26.5, 19.25}}};
  c.stop_reason = "ci_target";
  c.telemetry = {{"available", false}, {"reason", "no NVML"}};
  r.cases.push_back(c);
  return r;
}

TEST(Record, RoundTripsThroughJson) {
  const RunRecord r = sample_record();
  const RunRecord back = record::from_json(to_json(r), "mem");
  ASSERT_EQ(back.cases.size(), 1u);
  const CaseResult& c = back.cases.front();
  EXPECT_EQ(c.id, r.cases.front().id);
  EXPECT_EQ(c.params.str("n"), "256");
  EXPECT_EQ(c.metrics[1].spec.better, Better::Higher);
  EXPECT_EQ(c.metrics[0].samples, (std::vector<double>{1.5, 1.25, 1.75}));
  EXPECT_EQ(back.environment, r.environment);
  EXPECT_EQ(back.find_case(c.id), &back.cases.front());
}

TEST(Record, PartialIsWrittenAndOldRecordsTakeItFromTheStopReason) {
  RunRecord r = sample_record();
  r.cases.push_back(r.cases.front());
  r.cases[1].id += ",cut";
  r.cases[1].stop_reason = "interrupted";
  r.cases[1].partial = true;
  nlohmann::json j = to_json(r);
  EXPECT_EQ(j["cases"][0]["partial"], false);
  EXPECT_EQ(j["cases"][1]["partial"], true);
  const RunRecord back = record::from_json(j, "mem");
  EXPECT_FALSE(back.cases[0].partial);
  EXPECT_TRUE(back.cases[1].partial);
  // Written before the field existed: the case an interrupt cut said so only in its stop reason.
  for (auto& c : j["cases"]) c.erase("partial");
  const RunRecord old = record::from_json(j, "old");
  EXPECT_FALSE(old.cases[0].partial);
  EXPECT_TRUE(old.cases[1].partial);
}

TEST(Record, RejectsNewerSchemaAndForeignJson) {
  auto j = to_json(sample_record());
  j["schema_version"] = kSchemaVersion + 1;
  try {
    record::from_json(j, "future.json");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("newer"), std::string::npos) << e.what();
    EXPECT_NE(e.fix().find("upgrade"), std::string::npos);
  }
  EXPECT_THROW(record::from_json(nlohmann::json{{"hello", 1}}, "other.json"), Error);
  auto damaged = to_json(sample_record());
  damaged["cases"][0].erase("metrics");
  EXPECT_THROW(record::from_json(damaged, "damaged.json"), Error);
}

TEST(Record, AtomicWriteLeavesNoTemporaryAndReplaces) {
  TempDir d;
  const fs::path f = d.path / "native" / "r.json";
  write_atomic(f, "first");
  write_atomic(f, to_json(sample_record()).dump());
  EXPECT_EQ(load(f).label, "native");
  int entries = 0;
  for (const auto& e : fs::directory_iterator(f.parent_path())) {
    (void)e;
    ++entries;
  }
  EXPECT_EQ(entries, 1);
}

TEST(Record, LoadAllTakesRecordsOnlyAndSaysWhenNoneAreThere) {
  TempDir d;
  write_atomic(d.path / "a.json", to_json(sample_record()).dump());
  write_atomic(d.path / "summary.json", R"({"schema": "sparkbench.comparison"})");
  write_atomic(d.path / "notes.txt", "x");
  EXPECT_EQ(load_all(d.path).size(), 1u);
  TempDir empty;
  EXPECT_THROW(load_all(empty.path), Error);
  EXPECT_THROW(load_all(empty.path / "missing"), Error);
}

TEST(Record, DefaultPathIsLabelThenTimestampAndHost) {
  EXPECT_EQ(default_path("results", "docker", "20261124T050000Z", "box").string(),
            "results/docker/20261124T050000Z_box.json");
}

TEST(Record, TwoRunsInTheSameSecondGetTwoFiles) {
  TempDir d;
  const fs::path wanted = d.path / "20261124T050000Z_box.json";
  EXPECT_EQ(claim_unused_path(wanted), wanted);
  EXPECT_EQ(claim_unused_path(wanted), d.path / "20261124T050000Z_box-2.json");
  EXPECT_EQ(claim_unused_path(wanted), d.path / "20261124T050000Z_box-3.json");
  EXPECT_THROW(claim_unused_path(d.path / "missing" / "r.json"), Error);
}

}  // namespace
}  // namespace sb::record
