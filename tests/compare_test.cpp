// Tests of sb::compare over hand-built run records. Samples come from a seeded Box–Muller normal
// generator on std::mt19937_64 (whose output the standard fixes), so every run sees the same data.
#include <algorithm>
#include <cmath>
#include <numbers>
#include <random>
#include <sstream>
#include <type_traits>

#include <gtest/gtest.h>

#include <boost/math/distributions/students_t.hpp>
#include <fmt/format.h>

#include "compare/compare.hpp"
#include "core/error.hpp"
#include "diagnose/findings.hpp"
#include "comparison_builders.hpp"

namespace sb::compare {
namespace {

using nlohmann::json;
using namespace test;

TEST(CompareBands, BoundariesBelongToTheHigherBandExcept40) {
  EXPECT_EQ(band_for_overhead(0), Verdict::Minimal);
  EXPECT_EQ(band_for_overhead(9.99), Verdict::Minimal);
  EXPECT_EQ(band_for_overhead(10), Verdict::Moderate);
  EXPECT_EQ(band_for_overhead(19.99), Verdict::Moderate);
  EXPECT_EQ(band_for_overhead(20), Verdict::Significant);
  EXPECT_EQ(band_for_overhead(40), Verdict::Significant);
  EXPECT_EQ(band_for_overhead(40.01), Verdict::Critical);
  EXPECT_EQ(band_for_overhead(-5), Verdict::Faster);
  EXPECT_EQ(to_string(Verdict::Equivalent), "equivalent");
  EXPECT_EQ(to_string(Verdict::Critical), "slower (critical)");
  EXPECT_EQ(outcome_name(Verdict::Critical), "slower");
  EXPECT_EQ(band_name(Verdict::Critical), "critical");
  EXPECT_EQ(band_name(Verdict::Inconclusive), "");
}

// Three rounds per side; the unit is each round's median. Reference values from SciPy 1.17.1 with
// mb = [10.1, 10.2, 10.15], mc = [11.0, 11.1, 11.2] (the round medians) and lb, lc = np.log of them:
//   r = stats.ttest_ind(lc, lb, equal_var=False) -> t 15.08905742852845, p 0.0005296093349909642,
//       df 3.097775293657644; 100 * np.expm1(r.confidence_interval(0.95)) -> [7.349361426954659,
//       11.403268734001216]; at 0.90 -> [7.86159581328915, 10.874214953873603]
//   100 * np.expm1(lc.mean() - lb.mean()) = 9.357531791232624; np.exp(lb.mean()) = 10.149917897529637
//   stats.mannwhitneyu(mb, mc, method='exact') -> U 0, p 0.1
//   Hedges' g of lc vs lb (pooled sd, J = 1 - 3 / (4 (n1 + n2) - 9)) = 9.856131039852468
const std::vector<std::vector<double>> kBaselineRounds{{10.1, 10.3, 9.9}, {10.0, 10.2, 10.4}, {10.15, 10.05, 10.25}};
const std::vector<std::vector<double>> kCandidateRounds{{11.0, 11.3, 10.8}, {11.1, 11.4, 10.9}, {11.2, 11.0, 11.3}};

std::vector<record::RunRecord> records_of(const std::string& label, const std::vector<std::vector<double>>& rounds) {
  std::vector<record::RunRecord> out;
  for (std::size_t i = 0; i < rounds.size(); ++i) {
    out.push_back(make_record(label, {make_case("w/n=1", "cpu-compute", rounds[i])}));
    out.back().started_utc = fmt::format("round {}", i);
  }
  return out;
}

TEST(CompareMetrics, RoundMediansAreTheUnitOfEveryStatistic) {
  const auto c = compare(records_of("native", kBaselineRounds), records_of("docker", kCandidateRounds));
  ASSERT_EQ(c.cases.size(), 1u);
  const auto& m = c.cases[0].primary;
  EXPECT_EQ(m.unit, TestUnit::Round);
  EXPECT_EQ(m.baseline.units, (std::vector<double>{10.1, 10.2, 10.15}));
  EXPECT_NEAR(m.baseline.center, 10.149917897529637, 1e-9);
  EXPECT_NEAR(m.welch.t, 15.08905742852845, 1e-8);
  EXPECT_NEAR(m.welch.p_value, 0.0005296093349909642, 1e-12);
  EXPECT_NEAR(m.welch.df, 3.097775293657644, 1e-9);
  EXPECT_DOUBLE_EQ(m.p_adjusted, m.welch.p_value);  // one case: Holm leaves p as it is
  EXPECT_NEAR(m.overhead_pct, 9.357531791232624, 1e-9);
  EXPECT_NEAR(m.overhead_ci_pct.low, 7.349361426954659, 1e-8);
  EXPECT_NEAR(m.overhead_ci_pct.high, 11.403268734001216, 1e-8);
  EXPECT_NEAR(m.overhead_ci90_pct.low, 7.86159581328915, 1e-8);
  EXPECT_NEAR(m.overhead_ci90_pct.high, 10.874214953873603, 1e-8);
  EXPECT_DOUBLE_EQ(m.mann_whitney.u, 0);
  EXPECT_NEAR(m.mann_whitney.p_value, 0.1, 1e-12);
  EXPECT_NEAR(m.hedges_g, 9.856131039852468, 1e-9);
  EXPECT_EQ(m.baseline_repetitions.n, 9u);  // every repetition, kept as secondary detail
  EXPECT_EQ(m.verdict, Verdict::Minimal);
  EXPECT_EQ(c.overall, Verdict::Minimal);
  // The overhead is recomputable from the two centres the report shows.
  EXPECT_NEAR(m.overhead_pct, 100 * (m.candidate.center / m.baseline.center - 1), 1e-9);
}

// With one process per side even a clear, "certain" difference of its repetitions is no claim
// about the environments.
TEST(CompareVerdicts, OneProcessPerSideIsInconclusiveWhateverItsP) {
  const auto c = compare_single({make_case("w/a", "cpu-compute", normal_samples(30, 10, 0.1, 1))},
                                {make_case("w/a", "cpu-compute", normal_samples(30, 14, 0.1, 2))});
  const auto findings = diagnose::find_causes(c);
  const auto& m = c.cases[0].primary;
  EXPECT_EQ(m.unit, TestUnit::Repetition);
  EXPECT_LT(m.welch.p_value, 1e-10);
  EXPECT_NEAR(m.overhead_pct, 40, 1);
  EXPECT_EQ(m.verdict, Verdict::Inconclusive);
  EXPECT_FALSE(m.rounds_to_resolve);
  EXPECT_TRUE(contains(m.inconclusive_reason, "each side ran in one process")) << m.inconclusive_reason;
  EXPECT_EQ(c.overall, Verdict::Inconclusive);
  EXPECT_TRUE(contains(c.summary, "inconclusive on 1 of 1 cases")) << c.summary;
  EXPECT_TRUE(contains(c.summary, "sparkbench ab")) << c.summary;
  EXPECT_FALSE(contains(c.summary, "slower")) << c.summary;
  ASSERT_FALSE(findings.empty());
  EXPECT_EQ(findings[0].title, "Inconclusive: the data cannot tell yet");
}

TEST(CompareVerdicts, SameDistributionInFourRoundsIsEquivalent) {
  std::vector<record::CaseResult> b, k;
  for (std::uint64_t i = 0; i < 4; ++i) {
    const std::string id = "w/n=" + std::to_string(i);
    b.push_back(make_case(id, "cpu-compute", normal_samples(40, 10, 0.1, 100 + i)));
    k.push_back(make_case(id, "cpu-compute", normal_samples(40, 10, 0.1, 200 + i)));
  }
  const auto c = compare_rounds(b, k);
  const auto findings = diagnose::find_causes(c);
  for (const auto& cc : c.cases) {
    EXPECT_TRUE(cc.not_comparable.empty()) << cc.not_comparable;
    EXPECT_EQ(cc.primary.unit, TestUnit::Round);
    EXPECT_EQ(cc.primary.verdict, Verdict::Equivalent) << cc.id << " overhead " << cc.primary.overhead_pct;
    EXPECT_GT(cc.primary.overhead_ci90_pct.low, -2);
    EXPECT_LT(cc.primary.overhead_ci90_pct.high, 2);
  }
  EXPECT_EQ(c.overall, Verdict::Equivalent);
  EXPECT_TRUE(contains(c.summary, "is equivalent to baseline 'native' on all 4 case(s)")) << c.summary;
  ASSERT_FALSE(findings.empty());
  EXPECT_EQ(findings[0].title, "Equivalent: no difference beyond the threshold");
  EXPECT_TRUE(contains(findings[0].evidence, "inside ±2%")) << findings[0].evidence;
}

TEST(CompareVerdicts, ClearTwentyFivePercentSlowdownIsInTheSignificantBand) {
  std::vector<record::CaseResult> b, k;
  for (std::uint64_t i = 0; i < 3; ++i) {
    const std::string id = "matmul/n=" + std::to_string(i);
    b.push_back(make_case(id, "gpu-compute", normal_samples(40, 100, 3, 10 + i)));
    k.push_back(make_case(id, "gpu-compute", normal_samples(40, 125, 3.75, 20 + i)));
  }
  for (std::uint64_t i = 0; i < 2; ++i) {
    const std::string id = "noop/n=" + std::to_string(i);
    b.push_back(make_case(id, "gpu-memory", normal_samples(40, 50, 0.25, 30 + i)));
    k.push_back(make_case(id, "gpu-memory", normal_samples(40, 50, 0.25, 40 + i)));
  }
  const auto c = compare_rounds(b, k);
  for (std::size_t i = 0; i < 3; ++i) {
    const auto& m = c.cases[i].primary;
    EXPECT_NEAR(m.overhead_pct, 25, 4);
    EXPECT_LT(m.overhead_ci_pct.low, m.overhead_pct);
    EXPECT_GT(m.overhead_ci_pct.high, m.overhead_pct);
    EXPECT_LT(m.p_adjusted, 0.01);
    EXPECT_TRUE(m.differs());
    EXPECT_EQ(m.verdict, Verdict::Significant);
  }
  EXPECT_EQ(c.cases[3].primary.verdict, Verdict::Equivalent);
  EXPECT_EQ(c.overall, Verdict::Significant);
  EXPECT_EQ(c.summary.rfind("candidate 'docker' is ", 0), 0u) << c.summary;
  EXPECT_TRUE(contains(c.summary, "slower than baseline 'native' on 3 of 5 cases (significant band); "
                                  "equivalent (within ±2%) on 2."))
      << c.summary;
}

TEST(CompareVerdicts, HigherIsBetterOverheadIsPositiveWhenTheCandidateIsWorse) {
  // Throughput 200 -> 160: the candidate needs 200/160 = 1.25x the time per token.
  const auto c = compare_rounds(
      {make_case("llm/b=1", "gpu-compute", normal_samples(40, 200, 4, 1), Better::Higher),
       make_case("llm/b=8", "gpu-compute", normal_samples(40, 200, 4, 2), Better::Higher)},
      {make_case("llm/b=1", "gpu-compute", normal_samples(40, 160, 3.2, 3), Better::Higher),
       make_case("llm/b=8", "gpu-compute", normal_samples(40, 240, 4.8, 4), Better::Higher)});
  const auto& worse = c.cases[0].primary;
  EXPECT_NEAR(worse.overhead_pct, 100 * (worse.baseline.center / worse.candidate.center - 1), 1e-9);
  EXPECT_NEAR(worse.overhead_pct, 25, 2.5);
  EXPECT_LT(worse.overhead_ci_pct.low, worse.overhead_pct);  // the ends swapped with the inversion
  EXPECT_GT(worse.overhead_ci_pct.high, worse.overhead_pct);
  EXPECT_EQ(worse.verdict, Verdict::Significant);

  const auto& better = c.cases[1].primary;  // 200 -> 240 tokens/s: 200/240 - 1 = -16.7%
  EXPECT_NEAR(better.overhead_pct, -16.7, 2.5);
  EXPECT_LT(better.overhead_ci_pct.high, 0);
  EXPECT_EQ(better.verdict, Verdict::Faster);
  EXPECT_EQ(c.overall, Verdict::Significant);
}

// Ten rounds whose medians (each round a constant) are exp(noise) and exp(noise + shift): the logs
// differ by a shift of 2.5 standard errors, so Welch's t = 2.5 with 18 degrees of freedom and
// p = 2 * scipy.stats.t.sf(2.5, 18) = 0.022308020232022233 (SciPy 1.17.1).
TEST(CompareHolm, MarginalDifferenceIsNotSignificantAmongManyCases) {
  const auto noise = normal_samples(10, 0, 0.04, 7);
  const double shift = 2.5 * stats::stdev(noise) * std::sqrt(2.0 / 10);
  const auto rounds_of = [](const std::string& label, const std::vector<double>& logs, double add,
                            const std::vector<std::string>& same_ids) {
    std::vector<record::RunRecord> out;
    for (std::size_t i = 0; i < logs.size(); ++i) {
      std::vector<record::CaseResult> cases{make_case("w/marginal", "cpu-compute", std::vector<double>(3, std::exp(logs[i] + add)))};
      for (std::size_t k = 0; k < same_ids.size(); ++k)
        cases.push_back(make_case(same_ids[k], "cpu-compute", std::vector<double>(3, std::exp(logs[(i + k) % logs.size()]))));
      out.push_back(make_record(label, std::move(cases)));
      out.back().started_utc = fmt::format("round {}", i);
    }
    return out;
  };
  const auto alone = compare(rounds_of("a", noise, 0, {}), rounds_of("b", noise, shift, {}));
  const auto& single = alone.cases[0].primary;
  ASSERT_NEAR(single.welch.p_value, 0.022308020232022233, 1e-9);
  EXPECT_GT(single.overhead_pct, 2);  // beyond min_effect: only p decides below
  EXPECT_TRUE(single.differs());

  // With 19 more cases whose two sides are identical (Welch p = 1), Holm multiplies the smallest
  // p by the family size, 20.
  std::vector<std::string> same;
  for (int i = 0; i < 19; ++i) same.push_back("w/same" + std::to_string(i));
  const auto many = compare(rounds_of("a", noise, 0, same), rounds_of("b", noise, shift, same));
  const auto& m = many.cases[0].primary;
  EXPECT_DOUBLE_EQ(m.welch.p_value, single.welch.p_value);
  EXPECT_NEAR(m.p_adjusted, std::min(1.0, 20 * single.welch.p_value), 1e-12);
  EXPECT_FALSE(m.differs());
  EXPECT_EQ(m.verdict, Verdict::Inconclusive);  // not shown different, and the CI is far wider than ±2%
  EXPECT_TRUE(m.rounds_to_resolve.has_value());
  EXPECT_EQ(many.overall, Verdict::Inconclusive);
}

// A real but small difference (0.5%) is equivalent: it is shown to lie inside the margin.
TEST(CompareThreshold, SmallButCertainDifferenceIsEquivalentBelowMinEffect) {
  const auto b = normal_samples(200, 100, 0.1, 5);
  const auto k = normal_samples(200, 100.5, 0.1, 6);
  const auto c = compare_rounds({make_case("w/a", "cpu-compute", b)}, {make_case("w/a", "cpu-compute", k)});
  const auto& m = c.cases[0].primary;
  EXPECT_LT(m.p_adjusted, 1e-6);
  EXPECT_NEAR(m.overhead_pct, 0.5, 0.1);
  EXPECT_FALSE(m.differs());
  EXPECT_EQ(m.verdict, Verdict::Equivalent);

  Options sensitive;
  sensitive.min_effect_pct = 0.25;
  const auto s = compare_rounds({make_case("w/a", "cpu-compute", b)}, {make_case("w/a", "cpu-compute", k)}, 4, sensitive);
  EXPECT_TRUE(s.cases[0].primary.differs());
  EXPECT_EQ(s.cases[0].primary.verdict, Verdict::Minimal);
}

// What the issue saw: `ab --rounds 2` where one process of a side was much slower, +35.5% with a
// 95% CI of about [-8%, +83%]: that is no answer either way, and the report says how to get one.
TEST(CompareThreshold, WideIntervalIsInconclusiveWithTheRoundsThatWouldResolveIt) {
  std::vector<record::RunRecord> a, b;
  for (const auto& [label, centers] : {std::pair{"a", std::vector<double>{0.130, 0.138}}, std::pair{"b", std::vector<double>{0.150, 0.222}}}) {
    for (std::size_t i = 0; i < centers.size(); ++i) {
      (std::string(label) == "a" ? a : b).push_back(make_record(label, {make_case("matmul_cpu/n=256", "cpu-compute",
                                                                                   scaled({0.995, 1.002, 1, 1.005, 0.998}, centers[i]))}));
      (std::string(label) == "a" ? a : b).back().started_utc = fmt::format("round {}", i);
    }
  }
  const auto c = compare(a, b);
  const auto& m = c.cases[0].primary;
  EXPECT_EQ(m.unit, TestUnit::Round);
  EXPECT_GT(m.overhead_pct, 20);
  EXPECT_LT(m.overhead_ci_pct.low, 0);
  EXPECT_EQ(m.verdict, Verdict::Inconclusive);
  ASSERT_TRUE(m.rounds_to_resolve.has_value());
  EXPECT_GT(*m.rounds_to_resolve, 2);
  EXPECT_TRUE(contains(m.inconclusive_reason, "rounds per side would resolve it")) << m.inconclusive_reason;
  EXPECT_TRUE(contains(c.summary, fmt::format("sparkbench ab --rounds {}", *m.rounds_to_resolve))) << c.summary;
  // The estimate is the smallest n whose interval would be narrow enough for the decision the
  // estimate points to (here: showing the difference, half-width |log ratio|, 95%).
  const double s2 = std::pow(m.baseline.spread_pct / 100, 2) + std::pow(m.candidate.spread_pct / 100, 2);
  const double w = std::abs(m.welch.difference);
  const auto half = [&](int n) {
    return boost::math::quantile(boost::math::complement(boost::math::students_t(2.0 * n - 2), 0.025)) * std::sqrt(s2 / n);
  };
  EXPECT_LE(half(*m.rounds_to_resolve), w);
  EXPECT_GT(half(*m.rounds_to_resolve - 1), w);
}

TEST(ComparePairing, ReportsCasesOnOneSideAndCasesThatCannotBeCompared) {
  auto unavailable = make_case("gemm/n=4", "gpu-compute", {});
  unavailable.status = record::CaseStatus::Unavailable;
  unavailable.message = "no CUDA device";
  const auto c = compare_single(
      {make_case("sum/n=1", "cpu-compute", normal_samples(10, 5, 0.1, 1)),
       make_case("only/base", "cpu-compute", normal_samples(10, 5, 0.1, 2)),
       make_case("gemm/n=4", "gpu-compute", normal_samples(10, 5, 0.1, 3)),
       make_case("short/n=1", "cpu-compute", {5.0})},
      {make_case("sum/n=1", "cpu-compute", normal_samples(10, 5, 0.1, 4)), unavailable,
       make_case("short/n=1", "cpu-compute", normal_samples(10, 5, 0.1, 5)),
       make_case("only/cand", "cpu-compute", normal_samples(10, 5, 0.1, 6))});
  EXPECT_EQ(c.only_in_baseline, std::vector<std::string>{"only/base"});
  EXPECT_EQ(c.only_in_candidate, std::vector<std::string>{"only/cand"});
  ASSERT_EQ(c.cases.size(), 3u);  // in the baseline's order
  EXPECT_EQ(c.cases[0].id, "sum/n=1");
  EXPECT_TRUE(c.cases[0].not_comparable.empty());
  EXPECT_EQ(c.cases[1].id, "gemm/n=4");
  EXPECT_EQ(c.cases[1].not_comparable, "unavailable in candidate: no CUDA device");
  EXPECT_EQ(c.cases[1].primary.verdict, Verdict::NotComparable);
  EXPECT_EQ(c.cases[2].id, "short/n=1");
  EXPECT_EQ(c.cases[2].primary.verdict, Verdict::NotComparable);
  EXPECT_TRUE(contains(c.cases[2].not_comparable, "too few samples")) << c.cases[2].not_comparable;
  EXPECT_TRUE(contains(c.summary, "2 case(s) could not be compared")) << c.summary;
}

TEST(ComparePairing, SamplesTheStatisticsRejectMakeTheCaseNotComparable) {
  const auto c = compare_single({make_case("w/a", "cpu", {1.0, 2.0, 3.0}), make_case("w/b", "cpu", {1.0, 1.1, 1.2})},
                                {make_case("w/a", "cpu", {1.0, std::nan(""), 3.0}), make_case("w/b", "cpu", {1.0, 1.1, 1.3})});
  EXPECT_EQ(c.cases[0].primary.verdict, Verdict::NotComparable);
  EXPECT_TRUE(contains(c.cases[0].not_comparable, "'time_ms'")) << c.cases[0].not_comparable;
  EXPECT_TRUE(c.cases[1].not_comparable.empty());
}

TEST(ComparePairing, NoCaseInCommonNamesBothSidesAndTheFix) {
  try {
    compare_single({make_case("a/n=1", "cpu", {1, 2}), make_case("a/n=2", "cpu", {1, 2})},
                   {make_case("b/n=1", "cpu", {1, 2})});
    FAIL() << "expected sb::Error";
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_TRUE(contains(what, "a/n=1") && contains(what, "a/n=2") && contains(what, "b/n=1")) << what;
    EXPECT_TRUE(contains(e.fix(), "same suite")) << e.fix();
  }
}

// --ignore-param pairs two sizes; what was paired is kept on both sides.
TEST(ComparePairing, IgnoredParameterPairsDifferentCasesAndKeepsBothIds) {
  auto small = make_case("matmul_cpu/n=256", "cpu-compute", {1.0, 1.1});
  small.params = Params(std::map<std::string, std::string>{{"n", "256"}});
  auto large = make_case("matmul_cpu/n=260", "cpu-compute", {1.2, 1.3});
  large.params = Params(std::map<std::string, std::string>{{"n", "260"}});
  Options o;
  o.ignore_params = {"n"};
  const auto c = compare_single({small}, {large}, o);
  ASSERT_EQ(c.cases.size(), 1u);
  EXPECT_EQ(c.cases[0].id, "matmul_cpu/n=256");
  EXPECT_EQ(c.cases[0].candidate_id, "matmul_cpu/n=260");
}

TEST(ComparePairing, TheSameRunOnBothSidesIsRefused) {
  auto one = make_record("native", {make_case("w/a", "cpu", {1.0, 1.1})});
  one.started_utc = "2026-12-01T10:00:00Z";
  one.host = "h";
  EXPECT_THROW(compare({one}, {one}), Error);
  try {
    compare({one}, {one});
  } catch (const Error& e) {
    EXPECT_TRUE(contains(e.what(), "the same run is on both sides")) << e.what();
    EXPECT_TRUE(contains(e.fix(), "ab --env native --env native")) << e.fix();
  }
}

TEST(ComparePooling, RoundsOfOneSideArePooledAndLabelsJoined) {
  std::vector<record::RunRecord> b, k;
  auto round1 = make_case("w/a", "gpu-compute", {10, 11, 12});
  round1.telemetry = {{"summary", {{"sm_clock_mhz", {{"mean", 1900.0}, {"min", 1800.0}, {"max", 1950.0}, {"n", 10}}},
                                   {"throttle_reasons", {{"names", {"sw_power_cap"}}, {"mask", 4}}}}}};
  auto round2 = make_case("w/a", "gpu-compute", {13, 14});
  round2.telemetry = {{"summary", {{"sm_clock_mhz", {{"mean", 1600.0}, {"min", 1500.0}, {"max", 1700.0}, {"n", 30}}},
                                   {"throttle_reasons", {{"names", {"hw_slowdown"}}, {"mask", 8}}}}}};
  b.push_back(make_record("native", {round1}));
  b.push_back(make_record("native", {round2}));
  k.push_back(make_record("docker", {make_case("w/a", "gpu-compute", {20, 21, 22})}));
  k.push_back(make_record("podman", {make_case("w/a", "gpu-compute", {23, 24})}));
  Comparison c = compare(std::move(b), std::move(k));
  const Comparison moved = std::move(c);  // the case pointers survive a move
  EXPECT_EQ(moved.baseline_label, "native");
  EXPECT_EQ(moved.candidate_label, "docker+podman");
  ASSERT_EQ(moved.pooled_cases.size(), 2u);
  const auto& cc = moved.cases[0];
  EXPECT_EQ(cc.baseline, &moved.pooled_cases[0]);
  EXPECT_EQ(cc.candidate, &moved.pooled_cases[1]);
  EXPECT_EQ(cc.baseline->metrics[0].samples, (std::vector<double>{10, 11, 12, 13, 14}));
  EXPECT_EQ(cc.primary.candidate_repetitions.n, 5u);
  EXPECT_EQ(cc.primary.candidate.units, (std::vector<double>{21, 23.5}));  // one median per round
  ASSERT_TRUE(cc.telemetry_baseline && cc.telemetry_baseline->sm_clock_mhz);
  const auto& clock = *cc.telemetry_baseline->sm_clock_mhz;
  EXPECT_DOUBLE_EQ(clock.mean, (1900.0 * 10 + 1600.0 * 30) / 40);
  EXPECT_DOUBLE_EQ(clock.min, 1500);
  EXPECT_DOUBLE_EQ(clock.max, 1950);
  ASSERT_TRUE(cc.telemetry_baseline->throttle_reasons);
  EXPECT_EQ(cc.telemetry_baseline->throttle_reasons->names, (std::vector<std::string>{"sw_power_cap", "hw_slowdown"}));
  EXPECT_EQ(cc.telemetry_baseline->throttle_reasons->mask, 12u);
}

// A copy of a Comparison would point into the original's records: there is none; a move, by
// construction or assignment, hands the records and pooled cases over and the pointers stay valid.
static_assert(!std::is_copy_constructible_v<Comparison> && !std::is_copy_assignable_v<Comparison>);
static_assert(std::is_move_constructible_v<Comparison> && std::is_move_assignable_v<Comparison>);

TEST(ComparePooling, CasePointersSurviveAMoveAssignment) {
  std::vector<record::RunRecord> b, k;
  for (const double shift : {0.0, 1.0}) {
    b.push_back(make_record("native", {make_case("w/a", "gpu-compute", {10 + shift, 11 + shift, 12 + shift})}));
    k.push_back(make_record("docker", {make_case("w/a", "gpu-compute", {20 + shift, 21 + shift, 22 + shift})}));
  }
  b.push_back(make_record("native", {make_case("w/single", "gpu-compute", {1, 2, 3})}));
  k.push_back(make_record("docker", {make_case("w/single", "gpu-compute", {1, 2, 3})}));
  Comparison c = compare(std::move(b), std::move(k));
  const record::CaseResult* pooled = c.cases[0].baseline;
  const record::CaseResult* single = c.cases[1].candidate;
  Comparison moved;
  moved = std::move(c);
  ASSERT_EQ(moved.cases.size(), 2u);
  EXPECT_EQ(moved.cases[0].baseline, &moved.pooled_cases[0]);  // pooled: in pooled_cases
  EXPECT_EQ(moved.cases[0].baseline, pooled);
  EXPECT_EQ(moved.cases[1].candidate, &moved.candidate_records[2].cases[0]);  // one round: in its record
  EXPECT_EQ(moved.cases[1].candidate, single);
  EXPECT_EQ(moved.cases[0].baseline->metrics[0].samples, (std::vector<double>{10, 11, 12, 11, 12, 13}));
}

// Five repetitions around `center` with a fixed ±0.5% pattern: one round's process state.
std::vector<double> round_around(double center) {
  return {center * 0.995, center * 1.002, center, center * 1.005, center * 0.998};
}

std::vector<record::RunRecord> rounds_of(const std::string& label, std::initializer_list<double> centers) {
  std::vector<record::RunRecord> records;
  for (double c : centers) {
    records.push_back(make_record(label, {make_case("matmul_cpu/n=256", "cpu-compute", round_around(c))}));
    records.back().started_utc = fmt::format("round at {}", c);
  }
  return records;
}

// What failed CI: an interleaved A/A run on a shared 2-core machine, where each process landed in
// one of two states (0.18 or 0.29 ms) for all its repetitions. Pooled repetitions called that
// "critical"; with the round as the unit it is no claim, as it must be.
TEST(CompareRounds, ProcessStatesThatDifferAreNoClaim) {
  const Comparison c = compare(rounds_of("a", {0.184, 0.185, 0.290}), rounds_of("b", {0.292, 0.291, 0.186}));
  const MetricComparison& m = c.cases[0].primary;
  EXPECT_EQ(m.unit, TestUnit::Round);
  EXPECT_EQ(m.rounds_baseline, 3u);
  EXPECT_EQ(m.rounds_candidate, 3u);
  EXPECT_GT(m.welch.p_value, 0.05);
  EXPECT_EQ(m.verdict, Verdict::Inconclusive);
  EXPECT_EQ(m.baseline_repetitions.n, 15u);  // the secondary detail still has every repetition
}

// Rounds that agree among themselves are still the unit (no gate that falls back to pooling).
TEST(CompareRounds, ConsistentRoundsAreStillTheUnit) {
  const Comparison c = compare(rounds_of("a", {10.0, 10.01, 9.99}), rounds_of("b", {12.5, 12.52, 12.49}));
  const MetricComparison& m = c.cases[0].primary;
  EXPECT_EQ(m.unit, TestUnit::Round);
  EXPECT_EQ(m.baseline.units.size(), 3u);
  EXPECT_EQ(m.verdict, Verdict::Significant);  // +25%
  EXPECT_NEAR(m.overhead_pct, 25.0, 0.5);
}

TEST(CompareRounds, SeveralRoundsAgainstASingleRoundAreInconclusive) {
  const Comparison c = compare(rounds_of("a", {0.184, 0.290}), rounds_of("b", {0.292}));
  const MetricComparison& m = c.cases[0].primary;
  EXPECT_EQ(m.unit, TestUnit::Repetition);
  EXPECT_EQ(m.verdict, Verdict::Inconclusive);
  EXPECT_TRUE(contains(m.inconclusive_reason, "the candidate ran in one process")) << m.inconclusive_reason;
}

// A case cut by Ctrl-C is left out of its round unless asked for, and counted.
TEST(CompareRounds, PartialRoundsAreLeftOutUnlessIncluded) {
  auto records = rounds_of("a", {10.0, 10.01, 9.99});
  records[2].cases[0].stop_reason = record::StopReason::Interrupted;
  records[2].cases[0].partial = true;
  const Comparison left_out = compare(records, rounds_of("b", {10.0, 10.02, 10.01}));
  EXPECT_EQ(left_out.cases[0].primary.rounds_baseline, 2u);
  EXPECT_EQ(left_out.cases[0].partial_left_out, 1u);
  Options o;
  o.include_partial = true;
  const Comparison included = compare(records, rounds_of("b", {10.0, 10.02, 10.01}), o);
  EXPECT_EQ(included.cases[0].primary.rounds_baseline, 3u);
  EXPECT_EQ(included.cases[0].partial_left_out, 0u);
}

TEST(CompareRounds, RoundsThatMissedTheirCiTargetAreMarked) {
  auto records = rounds_of("a", {10.0, 10.01, 9.99});
  for (auto& r : records) r.settings["ci_target_pct"] = 1.0;
  records[1].cases[0].stop_reason = record::StopReason::MaxReps;
  const Comparison c = compare(records, rounds_of("b", {10.0, 10.02, 10.01}));
  ASSERT_TRUE(c.cases[0].baseline_short.has_value());
  EXPECT_EQ(c.cases[0].baseline_short->rounds, 1u);
  EXPECT_EQ(c.cases[0].baseline_short->of, 3u);
  EXPECT_EQ(c.cases[0].baseline_short->reasons, "max_reps");
  EXPECT_EQ(c.cases[0].baseline_short->target_pct, 1.0);
  EXPECT_FALSE(c.cases[0].candidate_short.has_value());
}

TEST(CompareEnvironment, DifferencesRankedByImportanceWithoutVolatileReadings) {
  const auto b = environment("max 100000", "0-15", "16", 1980, "2025-01-01T00:00:00Z", "12.8", 65536, "570.1",
                             "always", "none");
  const auto k = environment("200000 100000", "0-1", "2", 1410, "2025-01-01T00:05:00Z", "13.0", 64, "580.2",
                             "madvise", "docker");
  const auto diffs = diff_environments(b, k);
  std::vector<std::string> paths;
  for (const auto& d : diffs) paths.push_back(d.path);
  const std::vector<std::string> expected = {
      "cuda.runtime_version",   // CUDA runtime
      "gpu[0].driver_version",  // GPU driver
      "cgroup.cpu_max", "cgroup.cpuset",
      "shm.size_bytes",
      "container.runtime",
      "env_vars.OMP_NUM_THREADS",
      "thp.enabled",
      "cpu.flags", "host.hostname",  // the rest, by path
  };
  EXPECT_EQ(paths, expected);
  for (std::size_t i = 1; i < diffs.size(); ++i) EXPECT_GE(diffs[i - 1].importance, diffs[i].importance);
  const auto quota = std::find_if(diffs.begin(), diffs.end(), [](auto& d) { return d.path == "cgroup.cpu_max"; });
  const auto omp = std::find_if(diffs.begin(), diffs.end(), [](auto& d) { return d.path == "env_vars.OMP_NUM_THREADS"; });
  EXPECT_GT(quota->importance, omp->importance);
  EXPECT_EQ(quota->baseline, "max 100000");
  EXPECT_EQ(quota->candidate, "200000 100000");
  EXPECT_TRUE(diff_environments(b, b).empty());
  const auto one_sided = diff_environments(json::object(), {{"cuda", {{"runtime_version", "13.0"}}}});
  ASSERT_EQ(one_sided.size(), 1u);
  EXPECT_TRUE(one_sided[0].baseline.is_null());
}

TEST(CompareEnvironment, ClockSettingsDifferButClockReadingsDoNot) {
  // The snapshot's own key names (env/gpu_nvml.cpp): the clock right now follows the load; the
  // application and maximum clocks are settings.
  const json b = {{"gpu", {{"devices", {{{"sm_clock_mhz", 345}, {"app_sm_clock_mhz", 1755}, {"max_sm_clock_mhz", 1980}}}}}}};
  const json k = {{"gpu", {{"devices", {{{"sm_clock_mhz", 1965}, {"app_sm_clock_mhz", 1980}, {"max_sm_clock_mhz", 1980}}}}}}};
  const auto diffs = diff_environments(b, k);
  ASSERT_EQ(diffs.size(), 1u);
  EXPECT_EQ(diffs[0].path, "gpu.devices[0].app_sm_clock_mhz");
}

TEST(CompareEnvironment, LoadedLibrariesPairByFileNameAndPlainFilesSayNothingAboutVersions) {
  // The H200 runs: natively libcuda.so.1 is a symlink to the versioned file; in a container that
  // bind-mounts the file it is a plain file. The candidate also loads one library more, first.
  const json b = {{"libraries", {{"loaded", {{{"path", "/usr/local/cuda/lib64/libcublas.so.13"},
                                              {"real_path", "/usr/local/cuda/lib64/libcublas.so.13.1.0.3"}},
                                             {{"path", "/usr/local/nvidia/lib64/libcuda.so.1"},
                                              {"real_path", "/usr/local/nvidia/lib64/libcuda.so.580.159.04"}}}}}}};
  const json k = {{"libraries", {{"loaded", {{{"path", "/sparkbench/lib/libfmt.so.9"},
                                              {"real_path", "/sparkbench/lib/libfmt.so.9.1.0"}},
                                             {{"path", "/opt/cublas/libcublas.so.13"},
                                              {"real_path", "/opt/cublas/libcublas.so.13"}},
                                             {{"path", "/usr/local/nvidia/lib64/libcuda.so.1"},
                                              {"real_path", "/usr/local/nvidia/lib64/libcuda.so.1"}}}}}}};
  std::vector<std::string> paths;
  for (const auto& d : diff_environments(b, k)) paths.push_back(d.path);
  const std::vector<std::string> expected = {"libraries.loaded[libcublas.so.13].path",
                                             "libraries.loaded[libfmt.so.9].path",
                                             "libraries.loaded[libfmt.so.9].real_path"};
  EXPECT_EQ(paths, expected);
}

const std::string kLessCpu = "Less CPU in the candidate: CPU parallelism available (quota, cpuset, affinity, thread variables)";

TEST(CompareFindings, CpuQuotaExplainsSlowerCpuCasesWhileGpuCasesAreUnchanged) {
  const auto env_b = environment("max 100000", "0-15", "16", 1980, "t0", "12.8", 65536, "570.1", "always", "none");
  auto env_k = env_b;
  env_k["cgroup"] = {{"cpu_max", "200000 100000"}, {"cpuset", "0-1"}};
  std::vector<record::CaseResult> b, k;
  for (std::uint64_t i = 0; i < 2; ++i) {
    const std::string cpu_id = "cpu_sum/n=" + std::to_string(i), gpu_id = "matmul/n=" + std::to_string(i);
    const auto cpu = normal_samples(20, 50, 1, 300 + i);
    b.push_back(make_case(cpu_id, "cpu-compute", cpu));
    k.push_back(make_case(cpu_id, "cpu-compute", scaled(cpu, 2.0)));
    b.push_back(make_case(gpu_id, "gpu-compute", normal_samples(20, 10, 0.05, 400 + i)));
    k.push_back(make_case(gpu_id, "gpu-compute", normal_samples(20, 10, 0.05, 500 + i)));
  }
  const auto c = compare_rounds(b, k, 4, {}, env_b, env_k);
  const auto findings = diagnose::find_causes(c);
  ASSERT_FALSE(findings.empty());
  const auto& top = findings[0];
  EXPECT_EQ(top.rank, 1);
  EXPECT_EQ(top.title, kLessCpu);
  EXPECT_TRUE(contains(top.evidence, "cgroup.cpu_max: baseline max 100000, candidate 200000 100000")) << top.evidence;
  EXPECT_TRUE(contains(top.evidence, "cgroup.cpuset: baseline 0-15, candidate 0-1")) << top.evidence;
  EXPECT_TRUE(contains(top.evidence, "cpu-compute cases 2.0x slower on geometric mean (2 of 2 slower")) << top.evidence;
  EXPECT_TRUE(contains(top.evidence, "gpu-layer cases equivalent (2 of 2)")) << top.evidence;
  const auto* split = find_finding(findings, "Where the slowdown is");
  ASSERT_NE(split, nullptr);
  EXPECT_GT(split->rank, 1);
  EXPECT_TRUE(contains(split->action, "host-side work is slower in the candidate while GPU work is not")) << split->action;
  EXPECT_EQ(find_finding(findings, "Equivalent"), nullptr);
  EXPECT_EQ(find_finding(findings, "Inconclusive"), nullptr);
  EXPECT_EQ(find_finding(findings, "throttled"), nullptr);  // no telemetry, no throttling claim
  for (std::size_t i = 0; i < findings.size(); ++i) EXPECT_EQ(findings[i].rank, static_cast<int>(i) + 1);
}

// The snapshot fields that a container with --cpuset-cpus 0 changes on a 2-CPU host, as a real
// native-vs-podman run recorded them, together with the lower nproc ulimit podman sets.
TEST(CompareFindings, CpusetNamesTheLayerItSlowedAndTheLayersItLeftAlone) {
  const json env_b = {{"cgroup", {{"cpuset_effective_cpus", "0-1"}, {"cpuset_effective_count", 2}}},
                      {"cpu", {{"affinity_list", "0-1"}, {"affinity_count", 2}}},
                      {"ulimits", {{"nproc", {{"soft", 96365}, {"hard", 96365}}}}}};
  const json env_k = {{"cgroup", {{"cpuset_effective_cpus", "0"}, {"cpuset_effective_count", 1}}},
                      {"cpu", {{"affinity_list", "0"}, {"affinity_count", 1}}},
                      {"ulimits", {{"nproc", {{"soft", 32768}, {"hard", 32768}}}}}};
  const auto scaling = normal_samples(20, 2.0e8, 2.0e6, 11);
  const auto syscall = normal_samples(20, 60, 0.3, 12);
  const auto memory = normal_samples(20, 11, 0.05, 13);
  const auto faults = normal_samples(20, 250, 2, 14);  // ns per fault, 10% faster in the candidate
  const auto c = compare_rounds(
      {make_case("cpu_scaling/threads=all", "cpu-scaling", scaling, Better::Higher),
       make_case("syscall/call=clock_gettime", "cpu-syscall", syscall),
       make_case("memory_bandwidth/threads=1", "cpu-memory", memory, Better::Higher),
       make_case("page_faults/size_mib=64", "cpu-pagefault", faults)},
      {make_case("cpu_scaling/threads=all", "cpu-scaling", scaled(scaling, 0.5), Better::Higher),
       make_case("syscall/call=clock_gettime", "cpu-syscall", normal_samples(20, 60, 0.3, 22)),
       make_case("memory_bandwidth/threads=1", "cpu-memory", normal_samples(20, 11, 0.05, 23), Better::Higher),
       make_case("page_faults/size_mib=64", "cpu-pagefault", scaled(faults, 0.9))},
      4, {}, env_b, env_k);
  const auto findings = diagnose::find_causes(c);
  ASSERT_FALSE(findings.empty());
  const auto& top = findings[0];
  EXPECT_EQ(top.title, kLessCpu);
  EXPECT_TRUE(contains(top.evidence, "cgroup.cpuset_effective_cpus: baseline 0-1, candidate 0")) << top.evidence;
  EXPECT_TRUE(contains(top.evidence, "cpu-scaling cases 2.0x slower on geometric mean (1 of 1 slower: "
                                     "cpu_scaling/threads=all +100.0%)"))
      << top.evidence;
  // The layer that slowed first, then the one that got faster, then those that did not move.
  EXPECT_TRUE(contains(top.evidence, "cpu_scaling/threads=all +100.0%); cpu-pagefault cases faster (1 of 1); neither "
                                     "slower nor faster: cpu-memory (1 equivalent), cpu-syscall (1 equivalent)"))
      << top.evidence;
  // "ulimits.nproc.soft" is a ulimit, not a shared library ("libcublas.so"): no GPU-software finding.
  EXPECT_EQ(find_finding(findings, "driver, CUDA or library"), nullptr);
  const auto nproc = std::find_if(c.env_differences.begin(), c.env_differences.end(),
                                  [](auto& d) { return d.path == "ulimits.nproc.soft"; });
  ASSERT_NE(nproc, c.env_differences.end());
  EXPECT_EQ(nproc->importance, diff_environments({{"ulimits", {{"nofile", 1024}}}}, {{"ulimits", {{"nofile", 64}}}})[0].importance);
  const auto library = diff_environments({{"loaded", {{"libcublas.so.13", "a"}}}}, {{"loaded", {{"libcublas.so.13", "b"}}}});
  ASSERT_EQ(library.size(), 1u);
  EXPECT_GT(library[0].importance, nproc->importance);
}

// A case that uses /dev/shm (io-shm): both limits can explain it, each citing it.
TEST(CompareFindings, SmallerSharedMemoryAndMemoryLimitInTheCandidate) {
  const json env_b = {{"shm", {{"size", "16G"}}}, {"cgroup", {{"memory_max", "max"}}}};
  const json env_k = {{"shm", {{"size", "64M"}}}, {"cgroup", {{"memory_max", 8589934592}}}};
  const auto base = normal_samples(20, 10, 0.2, 1);
  const auto c = compare_rounds({make_case("shm_bandwidth/size_mib=32", "io-shm", base)},
                                {make_case("shm_bandwidth/size_mib=32", "io-shm", scaled(base, 1.3))}, 4, {}, env_b, env_k);
  const auto findings = diagnose::find_causes(c);
  const auto* shm = find_finding(findings, "Smaller /dev/shm");
  ASSERT_NE(shm, nullptr);
  EXPECT_TRUE(contains(shm->evidence, "shm.size: baseline 16G, candidate 64M")) << shm->evidence;
  EXPECT_TRUE(contains(shm->evidence, "io-shm cases 30.0% slower")) << shm->evidence;
  const auto* memory = find_finding(findings, "Smaller memory limit");
  ASSERT_NE(memory, nullptr);
  EXPECT_TRUE(contains(memory->evidence, "cgroup.memory_max: baseline max, candidate 8589934592")) << memory->evidence;
  // The other way round nothing is smaller in the candidate, so neither finding is produced.
  const auto reverse = compare_rounds({make_case("shm_bandwidth/size_mib=32", "io-shm", base)},
                                      {make_case("shm_bandwidth/size_mib=32", "io-shm", scaled(base, 1.3))}, 4, {}, env_k,
                                      env_b);
  EXPECT_EQ(find_finding(diagnose::find_causes(reverse), "Smaller"), nullptr);
}

TEST(CompareFindings, ThrottlingSeenInTheCandidatesTelemetryIsTheTopFinding) {
  auto b = make_case("matmul/n=8192", "gpu-compute", normal_samples(20, 10, 0.2, 1));
  auto k = make_case("matmul/n=8192", "gpu-compute", normal_samples(20, 12.5, 0.25, 2));
  b.telemetry = telemetry_summary(1980, {});
  k.telemetry = telemetry_summary(1500, {"sw_power_cap"});
  const auto c = compare_rounds({b}, {k});
  const auto findings = diagnose::find_causes(c);
  ASSERT_GE(findings.size(), 2u);
  EXPECT_EQ(findings[0].title, "GPU throttled in the candidate");
  EXPECT_TRUE(contains(findings[0].evidence, "sw_power_cap in 1 case(s) (matmul/n=8192)")) << findings[0].evidence;
  EXPECT_TRUE(contains(findings[0].evidence, "baseline telemetry: none")) << findings[0].evidence;
  EXPECT_TRUE(contains(findings[0].action, "power limit")) << findings[0].action;
  const auto* clock = find_finding(findings, "Lower SM clock");
  ASSERT_NE(clock, nullptr);
  EXPECT_EQ(clock->rank, 2);
  EXPECT_TRUE(contains(clock->evidence, "matmul/n=8192 1500 vs 1980 MHz (-24.2%)")) << clock->evidence;
  EXPECT_EQ(find_finding(findings, "GPU busy less"), nullptr);  // utilization was the same on both sides
  EXPECT_FALSE(contains(clock->evidence, "cost no measurable time")) << clock->evidence;  // this case is slower
}

TEST(CompareFindings, TelemetryShiftsOnEquivalentCasesSaySoAndRankBelowEquivalence) {
  // The same times on both sides (the H200 sanity run: 1751 vs 1524 MHz under a power cap, GPU
  // utilization 77 vs 58 % from a handful of samples), no case slower.
  auto b = make_case("matmul/n=10000", "gpu-compute", normal_samples(20, 6.0, 0.03, 7));
  auto k = make_case("matmul/n=10000", "gpu-compute", normal_samples(20, 6.0, 0.03, 8));
  b.telemetry = telemetry_summary(1751, {"sw_power_cap"});
  k.telemetry = telemetry_summary(1524, {"sw_power_cap"});
  k.telemetry["summary"]["gpu_util_pct"]["mean"] = 58.0;
  const auto c = compare_rounds({b}, {k});
  const auto findings = diagnose::find_causes(c);
  ASSERT_FALSE(findings.empty());
  EXPECT_EQ(findings[0].title, "Equivalent: no difference beyond the threshold");
  for (const char* title : {"Lower SM clock", "GPU busy less"}) {
    const auto* f = find_finding(findings, title);
    ASSERT_NE(f, nullptr) << title;
    EXPECT_GT(f->rank, 1);
    EXPECT_TRUE(contains(f->evidence, "these cases are equivalent (within ±2%), so the shift cost no measurable time"))
        << f->evidence;
  }
}

}  // namespace
}  // namespace sb::compare
