#include <gtest/gtest.h>
#include <signal.h>

#include "plan/plan.hpp"
#include "core/interrupt.hpp"
#include "runner/runner.hpp"
#include "test_workloads.hpp"

namespace sb::runner {
namespace {

plan::PlannedCase planned(const char* workload, config::Axes axes = {}) {
  return plan::expand(Registry::instance().get(workload), axes).front();
}

plan::Settings options(int min_reps, int max_reps, double ci_target = 0.01) {
  plan::Settings s;
  s.warmup = 1;
  s.min_reps = min_reps;
  s.max_reps = max_reps;
  s.ci_target = ci_target;
  s.max_time_s = 30;
  return s;
}

void quiet(const ProgressStatus&) {}
Observer nobody;  // the runner prints nothing; these tests watch the record

TEST(Runner, StopsAtMinRepsWhenTheCiIsAlreadyNarrow) {
  // ±0.1% alternating: after 5 repetitions the 95% CI half-width is t(0.975,4) * 0.1% / 2 = 0.139%.
  const auto r = run_case(planned(test::kSequenceWorkload, {{"spread_pct", {"0.1"}}}), options(5, 30), quiet);
  EXPECT_EQ(r.status, record::CaseStatus::Ok);
  EXPECT_EQ(r.stop_reason, record::StopReason::CiTarget);
  EXPECT_EQ(r.metrics.front().samples.size(), 5u);
  EXPECT_EQ(r.warmup, 1);
  ASSERT_EQ(r.warmup_samples.size(), 1u);  // the primary metric of the warm-up repetition: +0.1%
  EXPECT_DOUBLE_EQ(r.warmup_samples[0], 100.1);
  ASSERT_EQ(r.metrics.size(), 2u);  // every declared metric is recorded
  EXPECT_EQ(r.metrics[1].samples.size(), 5u);
}

TEST(Runner, RepeatsUntilTheCiTargetIsMet) {
  // ±1% alternating: half-width ≈ t(n-1) * 1% / sqrt(n-1): 1.39% at n=5, 1.15% at n=6, below 1% from n=7 on.
  const auto r = run_case(planned(test::kSequenceWorkload, {{"spread_pct", {"1"}}}), options(5, 30), quiet);
  EXPECT_EQ(r.stop_reason, record::StopReason::CiTarget);
  EXPECT_GE(r.metrics.front().samples.size(), 7u);
  EXPECT_LE(r.metrics.front().samples.size(), 9u);
}

TEST(Runner, StopsAtMaxRepsWhenTooNoisy) {
  const auto r = run_case(planned(test::kSequenceWorkload, {{"spread_pct", {"20"}}, {"shape", {"noisy"}}}),
                          options(3, 10), quiet);
  EXPECT_EQ(r.stop_reason, record::StopReason::MaxReps);
  EXPECT_EQ(r.metrics.front().samples.size(), 10u);
}

TEST(Runner, UnavailableAndFailingCasesAreRecordedNotThrown) {
  const auto u = run_case(planned(test::kUnavailableWorkload), options(3, 5), quiet);
  EXPECT_EQ(u.status, record::CaseStatus::Unavailable);
  EXPECT_EQ(u.message, "no such device in tests");
  const auto f = run_case(planned(test::kFailingWorkload), options(3, 5), quiet);
  EXPECT_EQ(f.status, record::CaseStatus::Failed);
  EXPECT_NE(f.message.find("planted failure"), std::string::npos);
}

TEST(Runner, AnOptionalMetricIsRecordedWhenReportedAndLeftOutWhenNot) {
  const auto never = run_case(planned(test::kOptionalMetricWorkload, {{"mode", {"never"}}}), options(3, 5), quiet);
  EXPECT_EQ(never.status, record::CaseStatus::Ok);
  ASSERT_EQ(never.metrics.size(), 1u);
  EXPECT_EQ(never.metrics[0].spec.name, "value");
  const auto always = run_case(planned(test::kOptionalMetricWorkload, {{"mode", {"always"}}}), options(3, 5), quiet);
  ASSERT_EQ(always.metrics.size(), 2u);
  EXPECT_EQ(always.metrics[1].samples.size(), always.metrics[0].samples.size());
}

TEST(Runner, AnOptionalMetricThatStopsBeingReportedFailsTheCase) {
  const auto r = run_case(planned(test::kOptionalMetricWorkload, {{"mode", {"first"}}}), options(3, 5), quiet);
  EXPECT_EQ(r.status, record::CaseStatus::Failed);
  EXPECT_NE(r.message.find("'energy' was reported in the first repetition but not in repetition 2"), std::string::npos)
      << r.message;
}

TEST(Runner, InterruptKeepsFinishedCasesAndCheckpointsEach) {
  const plan::Plan plan{{planned(test::kSequenceWorkload, {{"spread_pct", {"0.1"}}}),
                         planned(test::kSequenceWorkload, {{"spread_pct", {"0.2"}}}),
                         planned(test::kSequenceWorkload, {{"spread_pct", {"0.3"}}})},
                        options(5, 10)};
  record::RunRecord rec;
  int checkpoints = 0;
  interrupt::reset_for_test();
  run(plan, rec, nobody, [&](const record::RunRecord& r) {
    ++checkpoints;
    if (r.cases.size() == 2) interrupt::record_for_test(SIGINT);  // as if Ctrl-C arrived between cases
  });
  interrupt::reset_for_test();
  EXPECT_TRUE(rec.interrupted);
  EXPECT_FALSE(rec.complete);
  ASSERT_EQ(rec.cases.size(), 2u);
  EXPECT_EQ(rec.cases[1].status, record::CaseStatus::Ok);
  EXPECT_FALSE(rec.cases[1].partial);
  EXPECT_GE(checkpoints, 3);  // after each finished case and once at the end
}

TEST(Runner, TheCaseASignalCutsIsKeptMarkedPartialAndNothingRunsAfterIt) {
  // Call 4 = the third measured repetition (after one warm-up): it completes, then the runner stops.
  const plan::Plan plan{{planned(test::kInterruptingWorkload, {{"at", {"4"}}}), planned(test::kSequenceWorkload)},
                        options(5, 30)};
  record::RunRecord rec;
  interrupt::reset_for_test();
  run(plan, rec, nobody, [](const record::RunRecord&) {});
  interrupt::reset_for_test();
  EXPECT_TRUE(rec.interrupted);
  EXPECT_FALSE(rec.complete);
  ASSERT_EQ(rec.cases.size(), 1u);
  const record::CaseResult& cut = rec.cases[0];
  EXPECT_EQ(cut.status, record::CaseStatus::Ok);
  EXPECT_TRUE(cut.partial);
  EXPECT_EQ(cut.stop_reason, record::StopReason::Interrupted);
  EXPECT_EQ(cut.metrics.front().samples.size(), 3u);
}

TEST(Runner, ARepetitionTheSignalCutsShortIsDroppedAndTheOnesBeforeItKept) {
  // As a `command` workload's program that is passed the signal: call 5 throws instead of measuring.
  interrupt::reset_for_test();
  const auto r = run_case(planned(test::kInterruptingWorkload, {{"at", {"5"}}, {"throw", {"yes"}}}), options(5, 30), quiet);
  interrupt::reset_for_test();
  EXPECT_EQ(r.status, record::CaseStatus::Ok) << r.message;
  EXPECT_TRUE(r.partial);
  EXPECT_EQ(r.stop_reason, record::StopReason::Interrupted);
  EXPECT_EQ(r.metrics.front().samples.size(), 3u);
}

TEST(Runner, ACaseCutBeforeTwoRepetitionsFailsButStaysMarkedPartial) {
  interrupt::reset_for_test();
  const auto r = run_case(planned(test::kInterruptingWorkload, {{"at", {"1"}}}), options(5, 30), quiet);
  interrupt::reset_for_test();
  EXPECT_EQ(r.status, record::CaseStatus::Failed);
  EXPECT_TRUE(r.partial);
  EXPECT_EQ(r.message, "interrupted before 2 repetitions were measured");
}

TEST(Runner, WithoutASignalNoCaseIsPartial) {
  interrupt::reset_for_test();
  const auto r = run_case(planned(test::kSequenceWorkload, {{"spread_pct", {"0.1"}}}), options(5, 30), quiet);
  EXPECT_FALSE(r.partial);
  EXPECT_EQ(r.stop_reason, record::StopReason::CiTarget);
}

TEST(Runner, CompleteRunIsMarkedComplete) {
  record::RunRecord rec;
  run({{planned(test::kSequenceWorkload, {{"spread_pct", {"0.1"}}})}, options(5, 10)}, rec, nobody, [](const auto&) {});
  EXPECT_TRUE(rec.complete);
  EXPECT_FALSE(rec.interrupted);
  EXPECT_FALSE(rec.finished_utc.empty());
}

}  // namespace
}  // namespace sb::runner
