#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "core/error.hpp"
#include "core/interrupt.hpp"
#include "core/temp_file.hpp"
#include "plan/plan.hpp"
#include "record/record.hpp"
#include "session/run.hpp"
#include "test_workloads.hpp"

namespace sb::session {
namespace {

// Every event as one line; a case's progress events (one per repetition) as one.
class Recorder : public Observer {
 public:
  std::vector<std::string> events;
  void run_started(const RunStarted& e) override {
    events.push_back(fmt::format("run_started {} case(s), label {}", e.cases, e.label));
    record = e.record;
  }
  void case_started(const runner::CaseInPlan& c) override {
    // The record on disk is valid before the first case: an interruption keeps a readable file.
    events.push_back(fmt::format("case_started {}/{}{}", c.index + 1, c.total,
                                 std::filesystem::exists(record) ? "" : " (no record on disk)"));
  }
  void case_progress(const runner::CaseInPlan& c, const runner::ProgressStatus&) override {
    const std::string line = fmt::format("progress {}", c.index + 1);
    if (events.back() != line) events.push_back(line);
  }
  void case_finished(const runner::CaseInPlan& c, const record::CaseResult& r) override {
    events.push_back(fmt::format("case_finished {} {}", c.index + 1, to_string(r.status)));
  }
  void canary_measured(const CanaryMeasured& e) override {
    events.push_back(fmt::format("canary {} ({} probe(s))", e.when, e.result.probes.size()));
  }
  void run_finished(const RunFinished& e) override {
    events.push_back(fmt::format("run_finished {} ok, {} unavailable, {} failed, {} of {} kept{}", e.ok, e.unavailable,
                                 e.failed, e.kept, e.planned, e.interrupted ? ", interrupted" : ""));
  }
  std::filesystem::path record;
};

plan::PlannedCase planned(const char* workload, config::Axes axes = {}) {
  return plan::expand(Registry::instance().get(workload), axes).front();
}

plan::Plan two_cases(plan::PlannedCase first, plan::PlannedCase second) {
  plan::Plan p{{std::move(first), std::move(second)}};
  p.settings.warmup = 1;
  p.settings.min_reps = 3;
  p.settings.max_reps = 5;
  p.source = {{"workload", "test"}};
  return p;
}

TEST(Session, RunHereTellsTheObserverEachCaseInOrderAndWritesTheRecord) {
  TempDir out("sparkbench-session-test-");
  const plan::Plan p = two_cases(planned(test::kSequenceWorkload, {{"spread_pct", {"0.1"}}}), planned(test::kFailingWorkload));
  Recorder recorder;
  interrupt::reset_for_test();
  const RunOutcome o = run_here({p, "here", out.path(), {"sparkbench", "run"}}, recorder);
  const std::vector<std::string> expected = {
      "run_started 2 case(s), label here",
      "case_started 1/2",
      "progress 1",
      "case_finished 1 ok",
      "case_started 2/2",
      "progress 2",
      "case_finished 2 failed",
      "run_finished 1 ok, 0 unavailable, 1 failed, 2 of 2 kept",
  };
  EXPECT_EQ(recorder.events, expected);
  EXPECT_EQ(o.exit_code, kExitFailure);  // a case failed
  EXPECT_EQ(o.record, recorder.record);
  EXPECT_EQ(o.record.parent_path(), out.path() / "here");
  const record::RunRecord rec = record::load(o.record);
  EXPECT_TRUE(rec.complete);
  ASSERT_EQ(rec.cases.size(), 2u);
  EXPECT_EQ(rec.cases[0].status, record::CaseStatus::Ok);
  EXPECT_EQ(rec.command_line, (std::vector<std::string>{"sparkbench", "run"}));
  EXPECT_EQ(rec.settings["max_reps"], 5);
  EXPECT_EQ(rec.settings["source"], p.source);
  EXPECT_EQ(rec.plan, plan::cases_to_json(p.cases));
}

TEST(Session, TheCanaryRunsBeforeTheFirstCaseAndAfterTheLastIntoTheRecord) {
  TempDir out("sparkbench-session-test-");
  plan::Plan p = two_cases(planned(test::kSequenceWorkload, {{"spread_pct", {"0.1"}}}), planned(test::kSequenceWorkload));
  p.settings.canary = true;
  Recorder recorder;
  interrupt::reset_for_test();
  const RunOutcome o = run_here({p, "canary", out.path(), {}}, recorder);
  EXPECT_EQ(o.exit_code, kExitOk);
  const std::vector<std::string> expected = {
      "run_started 2 case(s), label canary",
      "canary start (1 probe(s))",  // CPU cases only: the CPU loop
      "case_started 1/2",
      "progress 1",
      "case_finished 1 ok",
      "case_started 2/2",
      "progress 2",
      "case_finished 2 ok",
      "canary end (1 probe(s))",
      "run_finished 2 ok, 0 unavailable, 0 failed, 2 of 2 kept",
  };
  EXPECT_EQ(recorder.events, expected);
  const record::RunRecord rec = record::load(o.record);
  EXPECT_EQ(rec.settings["canary"], true);
  for (const char* when : {"start", "end"}) {
    ASSERT_TRUE(rec.canary.contains(when)) << rec.canary.dump();
    EXPECT_EQ(rec.canary[when]["probes"]["cpu_loop"]["unit"], "ns");
    EXPECT_EQ(rec.canary[when]["gpu_skipped"], "not asked for (a CPU-only plan)");
  }
}

TEST(Session, WithoutTheCanarySettingTheRecordHasNoCanary) {
  TempDir out("sparkbench-session-test-");
  const plan::Plan p = two_cases(planned(test::kSequenceWorkload, {{"spread_pct", {"0.1"}}}), planned(test::kSequenceWorkload));
  Recorder recorder;
  interrupt::reset_for_test();
  const RunOutcome o = run_here({p, "plain", out.path(), {}}, recorder);
  for (const auto& e : recorder.events) EXPECT_EQ(e.find("canary"), std::string::npos) << e;
  EXPECT_TRUE(record::load(o.record).canary.is_null());
  std::ifstream in(o.record);
  EXPECT_FALSE(nlohmann::json::parse(in).contains("canary"));
}

TEST(Session, ASignalEndsTheRunAfterTheCaseItCutWithItsExitCode) {
  TempDir out("sparkbench-session-test-");
  // Call 3 = the second measured repetition (after one warm-up): the case is kept, partial.
  plan::Plan p = two_cases(planned(test::kInterruptingWorkload, {{"at", {"3"}}}), planned(test::kSequenceWorkload));
  p.settings.canary = true;  // at the start; not after the signal
  Recorder recorder;
  interrupt::reset_for_test();
  const RunOutcome o = run_here({p, "cut", out.path(), {}}, recorder);
  interrupt::reset_for_test();
  const std::vector<std::string> expected = {
      "run_started 2 case(s), label cut",
      "canary start (1 probe(s))",
      "case_started 1/2",
      "progress 1",
      "case_finished 1 ok",
      "run_finished 1 ok, 0 unavailable, 0 failed, 1 of 2 kept, interrupted",
  };
  EXPECT_EQ(recorder.events, expected);
  EXPECT_EQ(o.exit_code, kExitInterrupted);
  const record::RunRecord rec = record::load(o.record);
  EXPECT_TRUE(rec.interrupted);
  ASSERT_EQ(rec.cases.size(), 1u);
  EXPECT_TRUE(rec.cases[0].partial);
  EXPECT_TRUE(rec.canary.contains("start"));
  EXPECT_FALSE(rec.canary.contains("end"));
}

}  // namespace
}  // namespace sb::session
