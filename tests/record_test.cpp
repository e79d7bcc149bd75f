#include <gtest/gtest.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "record/record.hpp"
#include "test_support.hpp"

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
  c.stop_reason = StopReason::CiTarget;
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
  r.cases[1].stop_reason = StopReason::Interrupted;
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

TEST(Record, WarmUpSamplesAreWrittenWhenThereAreAnyAndOldRecordsLoadWithout) {
  RunRecord r = sample_record();
  EXPECT_FALSE(to_json(r)["cases"][0].contains("warmup_samples"));  // none: not written
  EXPECT_TRUE(record::from_json(to_json(r), "old").cases[0].warmup_samples.empty());
  r.cases[0].warmup = 2;
  r.cases[0].warmup_samples = {4.5, 1.75};
  const nlohmann::json j = to_json(r);
  EXPECT_EQ(j["cases"][0]["warmup_samples"], nlohmann::json({4.5, 1.75}));
  EXPECT_EQ(record::from_json(j, "mem").cases[0].warmup_samples, (std::vector<double>{4.5, 1.75}));
}

TEST(Record, TheCanaryIsWrittenOnlyWhenRunAndOldRecordsLoadWithout) {
  RunRecord r = sample_record();
  EXPECT_FALSE(to_json(r).contains("canary"));  // an old record's shape: not run
  EXPECT_TRUE(record::from_json(to_json(r), "old").canary.is_null());
  r.canary = {{"start", {{"probes", {{"cpu_loop", {{"value", 1.5}}}}}}}, {"end", {{"error", "wrong sum"}}}};
  const nlohmann::json j = to_json(r);
  EXPECT_EQ(j["canary"], r.canary);
  EXPECT_EQ(record::from_json(j, "mem").canary, r.canary);
}

// The strings records have always held, one per value: a renamed enumerator must not change them.
TEST(Record, StatusAndStopReasonAreWrittenAsTheirStringsAndReadBack) {
  const std::pair<CaseStatus, const char*> statuses[] = {
      {CaseStatus::Ok, "ok"}, {CaseStatus::Unavailable, "unavailable"}, {CaseStatus::Failed, "failed"}};
  const std::pair<StopReason, const char*> reasons[] = {{StopReason::None, ""},
                                                        {StopReason::CiTarget, "ci_target"},
                                                        {StopReason::MaxReps, "max_reps"},
                                                        {StopReason::MaxTime, "max_time"},
                                                        {StopReason::Interrupted, "interrupted"}};
  EXPECT_EQ(std::size(statuses), std::size(kCaseStatuses));
  EXPECT_EQ(std::size(reasons), std::size(kStopReasons));
  RunRecord r = sample_record();
  r.cases.clear();
  for (const auto& [status, text] : statuses) {
    EXPECT_EQ(case_status_from_string(text), status) << text;
    CaseResult c = sample_record().cases.front();
    c.id = text;
    c.status = status;
    r.cases.push_back(c);
  }
  for (const auto& [reason, text] : reasons) {
    EXPECT_EQ(stop_reason_from_string(text), reason) << text;
    CaseResult c = sample_record().cases.front();
    c.id = std::string("stop:") + text;
    c.stop_reason = reason;
    r.cases.push_back(c);
  }
  const nlohmann::json j = to_json(r);
  const RunRecord back = record::from_json(j, "mem");
  for (std::size_t i = 0; i < std::size(statuses); ++i) {
    EXPECT_EQ(j["cases"][i]["status"], statuses[i].second);
    EXPECT_EQ(back.cases[i].status, statuses[i].first);
  }
  for (std::size_t i = 0; i < std::size(reasons); ++i) {
    const auto& c = j["cases"][std::size(statuses) + i];
    EXPECT_EQ(c["stop_reason"], reasons[i].second);
    EXPECT_EQ(back.cases[std::size(statuses) + i].stop_reason, reasons[i].first);
  }
  EXPECT_EQ(case_status_from_string("OK"), std::nullopt);
  EXPECT_EQ(stop_reason_from_string("max_rounds"), std::nullopt);
}

TEST(Record, AnUnknownStatusOrStopReasonIsADamagedRecordNamingIt) {
  auto j = to_json(sample_record());
  j["cases"][0]["status"] = "skipped";
  const std::string status = test::message_of([&] { record::from_json(j, "edited.json"); });
  EXPECT_NE(status.find("edited.json is a damaged sparkbench record: case matmul_cpu/n=256,precision=fp32 has status "
                        "\"skipped\", which this sparkbench does not know (it knows \"ok\", \"unavailable\", \"failed\")"),
            std::string::npos)
      << status;
  j = to_json(sample_record());
  j["cases"][0]["stop_reason"] = "max_rounds";
  const std::string reason = test::message_of([&] { record::from_json(j, "edited.json"); });
  EXPECT_NE(reason.find("has stop_reason \"max_rounds\", which this sparkbench does not know (it knows \"\", "
                        "\"ci_target\", \"max_reps\", \"max_time\", \"interrupted\")"),
            std::string::npos)
      << reason;
  // In a directory it is one of the damaged files, skipped only when asked.
  TempDir d;
  write_atomic(d.path / "a.json", to_json(sample_record()).dump());
  write_atomic(d.path / "b.json", j.dump());
  EXPECT_NE(test::message_of([&] { load_all(d.path, false); }).find("max_rounds"), std::string::npos);
  EXPECT_EQ(load_all(d.path, /*skip_damaged=*/true).records.size(), 1u);
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

std::string file_text(const fs::path& f) {
  std::ifstream in(f, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

// Every record file is written by record::write: secrets redacted; and a record read and written
// again (the session moving a container's record to the host with its launch facts) is the same
// file, byte for byte.
TEST(Record, WriteRedactsAndARecordReadAndWrittenAgainIsTheSameFile) {
  TempDir d;
  RunRecord r = sample_record();
  r.command_line = {"sparkbench", "run", "--api-key", "sk-live-PLANTED123"};
  r.environment["env_vars"] = {{"HF_TOKEN", "hf_PLANTEDabc"}, {"PATH", "/usr/bin"}};
  r.cases[0].message = "auth https://bob:url-PLANTED-pw@example.com failed";
  r.cases[0].info = {{"tail", "token hf_PLANTEDabc rejected"}, {"gflops", 22.0}, {"iterations", 12}};
  r.launch = {{"mode", "container"}, {"command", {"docker", "run", "-e", "HF_TOKEN=hf_PLANTEDabc", "img"}}};
  write(d.path / "a.json", r);
  const std::string written = file_text(d.path / "a.json");
  EXPECT_EQ(written.find("PLANTED"), std::string::npos) << written;
  EXPECT_NE(written.find(R"("HF_TOKEN": "<redacted>")"), std::string::npos) << written;
  EXPECT_NE(written.find("\n \"cases\": ["), std::string::npos) << "not the one-space indentation of records";

  RunRecord back = load(d.path / "a.json");
  write(d.path / "b.json", back);
  EXPECT_EQ(file_text(d.path / "b.json"), written);
  write(d.path / "c.json", nlohmann::json::parse(written));
  EXPECT_EQ(file_text(d.path / "c.json"), written);
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
  const LoadedRecords loaded = load_all(d.path, /*skip_damaged=*/false);
  ASSERT_EQ(loaded.records.size(), 1u);
  EXPECT_EQ(loaded.records[0].source, d.path / "a.json");
  ASSERT_EQ(loaded.unread.size(), 1u);  // notes.txt is not .json: not a candidate at all
  EXPECT_EQ(loaded.unread[0].file, d.path / "summary.json");
  EXPECT_FALSE(loaded.unread[0].damaged);
  EXPECT_EQ(loaded.unread[0].reason, R"(not a run record (schema "sparkbench.comparison"))");
  TempDir empty;
  EXPECT_THROW(load_all(empty.path, false), Error);
  EXPECT_THROW(load_all(empty.path / "missing", false), Error);
}

// A truncated record in a directory was silently dropped: a round vanished from the comparison.
TEST(Record, LoadAllNamesEveryFileItDidNotReadAndStopsAtDamagedOnesUnlessSkipped) {
  TempDir d;
  const std::string good = to_json(sample_record()).dump(1);
  write_atomic(d.path / "a.json", good);
  write_atomic(d.path / "b.json", good.substr(0, good.size() / 2));  // a full disk, a killed copy
  auto no_metrics = to_json(sample_record());
  no_metrics["cases"][0].erase("metrics");
  write_atomic(d.path / "c.json", no_metrics.dump());
  write_atomic(d.path / "summary.json", R"({"schema": "sparkbench.comparison", "schema_version": 1})");

  const std::string stopped = test::message_of([&] { load_all(d.path, /*skip_damaged=*/false); });
  EXPECT_NE(stopped.find("2 .json file(s)"), std::string::npos) << stopped;
  EXPECT_NE(stopped.find((d.path / "b.json").string() + ": not valid JSON"), std::string::npos) << stopped;
  EXPECT_NE(stopped.find((d.path / "c.json").string() + ": damaged run record"), std::string::npos) << stopped;
  EXPECT_EQ(stopped.find("summary.json"), std::string::npos) << "not a record, but not damaged either: " << stopped;
  EXPECT_NE(stopped.find("--skip-bad-records"), std::string::npos) << stopped;

  const LoadedRecords skipped = load_all(d.path, /*skip_damaged=*/true);
  ASSERT_EQ(skipped.records.size(), 1u);
  EXPECT_EQ(skipped.records[0].source, d.path / "a.json");
  ASSERT_EQ(skipped.unread.size(), 3u);
  EXPECT_EQ(skipped.unread[0].file, d.path / "b.json");
  EXPECT_TRUE(skipped.unread[0].damaged);
  EXPECT_EQ(skipped.unread[1].file, d.path / "c.json");
  EXPECT_TRUE(skipped.unread[1].damaged);
  EXPECT_NE(skipped.unread[1].reason.find("metrics"), std::string::npos) << skipped.unread[1].reason;
  EXPECT_EQ(skipped.unread[2].file, d.path / "summary.json");
  EXPECT_FALSE(skipped.unread[2].damaged);
  EXPECT_NE(skipped.unread[2].reason.find("not a run record"), std::string::npos);
}

TEST(Record, LoadAllStopsAtANewerSchemaEvenWhenSkippingDamagedFiles) {
  TempDir d;
  write_atomic(d.path / "a.json", to_json(sample_record()).dump());
  auto future = to_json(sample_record());
  future["schema_version"] = kSchemaVersion + 1;
  write_atomic(d.path / "future.json", future.dump());
  const std::string message = test::message_of([&] { load_all(d.path, /*skip_damaged=*/true); });
  EXPECT_NE(message.find("newer"), std::string::npos) << message;
}

TEST(Record, LoadSaysADirectoryOrADeviceIsNotARecordFile) {
  TempDir d;
  EXPECT_NE(test::message_of([&] { load(d.path); }).find("is a directory"), std::string::npos);
  EXPECT_NE(test::message_of([&] { load_all("/dev/null", false); }).find("neither a record file nor a directory"),
            std::string::npos);
}

// In a child process: writes 64 KiB where files may have 4 KiB; exits 0 when write_atomic
// throws sb::Error.
[[noreturn]] void write_under_a_file_size_limit(const fs::path& f) {
  const rlimit limit{4096, 4096};
  setrlimit(RLIMIT_FSIZE, &limit);
  signal(SIGXFSZ, SIG_IGN);  // write() then fails with EFBIG instead of killing the process
  try {
    write_atomic(f, std::string(64 * 1024, 'x'));
  } catch (const Error&) {
    std::_Exit(0);
  }
  std::_Exit(1);
}

// A full disk (here: a file size limit, which fails write() the same way, without root) must not
// leave the temporary file behind, nor touch the record already there.
TEST(Record, AtomicWriteThatFailsLeavesNoTemporaryAndTheOldFileIntact) {
  TempDir d;
  const fs::path f = d.path / "r.json";
  write_atomic(f, "old");
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) write_under_a_file_size_limit(f);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "write_atomic did not throw sb::Error on a failed write";
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(d.path)) names.push_back(e.path().filename().string());
  EXPECT_EQ(names, std::vector<std::string>{"r.json"}) << "a temporary file was left behind";
  std::ifstream in(f);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "old");
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
