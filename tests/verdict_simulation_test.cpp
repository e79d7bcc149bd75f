// The verdict rules validated by simulation: the real compare() and the real stopping rule of `ab`
// (compare/stopping.hpp) over synthetic records, seeded, so every run sees the same numbers.
//
// Noise model (the issue that asked for these rates names it): each round is one process with its
// own offset, standard deviation 1.5% of the mean, and each repetition inside it has its own
// noise, coefficient of variation 2%; both are Student t with 3 degrees of freedom (heavy tails),
// scaled to those standard deviations, and act multiplicatively (value = mean * exp(offset + noise),
// so that a heavy tail never makes a time negative). A round has 10 to 30 repetitions. The variant
// without process offsets is the case where pooling repetitions would be legitimate.
//
// The rates are printed ("[ sim ] ...") and copied into docs/methodology.md.
#include <cmath>
#include <cstdint>
#include <iostream>
#include <numbers>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "compare/compare.hpp"
#include "compare/stopping.hpp"

namespace sb::compare {
namespace {

// Normal and Student-t variates from std::mt19937_64, whose output the standard fixes (the
// distributions of <random> are not), via Box–Muller.
class Noise {
 public:
  explicit Noise(std::uint64_t seed) : rng_(seed) {}
  double normal() {
    const double r = std::sqrt(-2 * std::log(uniform())), theta = 2 * std::numbers::pi * uniform();
    return r * std::cos(theta);
  }
  // Student t with 3 degrees of freedom scaled to standard deviation `sd` (its variance is 3).
  double t3(double sd) {
    double chi2 = 0;
    for (int i = 0; i < 3; ++i) chi2 += std::pow(normal(), 2);
    return sd / std::sqrt(3.0) * normal() / std::sqrt(chi2 / 3);
  }
  int repetitions() { return 10 + static_cast<int>(rng_() % 21); }  // 10..30

 private:
  double uniform() { return (static_cast<double>(rng_() >> 11) + 0.5) / 9007199254740992.0; }  // (0, 1)
  std::mt19937_64 rng_;
};

struct Model {
  double process_sd = 0.015;  // of the mean, per round
  double repetition_cv = 0.02;
};

record::RunRecord round_record(const std::string& label, int round, double mean, const Model& model, Noise& noise) {
  record::CaseResult c;
  c.id = "w/n=1";
  c.workload = "w";
  c.layer = "cpu-compute";
  c.stop_reason = record::StopReason::CiTarget;
  const double offset = model.process_sd > 0 ? noise.t3(model.process_sd) : 0;
  std::vector<double> samples;
  for (int i = noise.repetitions(); i > 0; --i) samples.push_back(mean * std::exp(offset + noise.t3(model.repetition_cv)));
  c.metrics.push_back({MetricSpec{.name = "time_ms", .unit = "ms", .better = Better::Lower, .help = ""}, std::move(samples)});
  record::RunRecord r;
  r.label = label;
  r.host = "sim";
  r.started_utc = fmt::format("round-{}", round);
  r.cases.push_back(std::move(c));
  return r;
}

struct Outcome {
  Verdict verdict = Verdict::Inconclusive;
  stats::Interval ci;
  int rounds = 0;
  bool precision_met = false;
};

// One `ab`: rounds A then B until the stopping rule says stop.
Outcome simulate_ab(double true_overhead_pct, const Model& model, const StoppingRule& rule, Noise& noise) {
  std::vector<record::RunRecord> a, b;
  for (int round = 1;; ++round) {
    a.push_back(round_record("a", round, 1.0, model, noise));
    b.push_back(round_record("b", round, 1.0 + true_overhead_pct / 100, model, noise));
    const Comparison c = compare(a, b);
    const StoppingCheck check = check_stopping(rule, round, c);
    if (check.stop) {
      const auto& m = c.cases.at(0).primary;
      return {m.verdict, m.overhead_ci_pct, round, check.widths.at(0).half_width_pct <= rule.precision_pct};
    }
  }
}

struct Rates {
  int n = 0, slower = 0, faster = 0, equivalent = 0, inconclusive = 0, covered = 0, precision_met = 0,
      equivalent_when_precise = 0;
  double rounds = 0;
  double rate(int count) const { return static_cast<double>(count) / n; }
};

Rates simulate(int sims, double true_overhead_pct, const Model& model, std::uint64_t seed, const StoppingRule& rule = {}) {
  Noise noise(seed);
  Rates r;
  for (int i = 0; i < sims; ++i) {
    const Outcome o = simulate_ab(true_overhead_pct, model, rule, noise);
    ++r.n;
    r.slower += is_slower(o.verdict);
    r.faster += o.verdict == Verdict::Faster;
    r.equivalent += o.verdict == Verdict::Equivalent;
    r.inconclusive += o.verdict == Verdict::Inconclusive;
    r.covered += o.ci.low <= true_overhead_pct && true_overhead_pct <= o.ci.high;
    r.precision_met += o.precision_met;
    r.equivalent_when_precise += o.precision_met && o.verdict == Verdict::Equivalent;
    r.rounds += o.rounds;
  }
  r.rounds /= r.n;
  return r;
}

void print(const std::string& name, const Rates& r) {
  const auto pct = [&](int count) { return 100.0 * count / r.n; };
  std::cout << fmt::format(
      "[ sim ] {}: {} simulated ab runs; slower {:.1f}%, faster {:.1f}%, equivalent {:.1f}% (of those that met "
      "--precision: {:.1f}%), inconclusive {:.1f}%; 95% CI covers the true overhead in {:.1f}%; {:.1f} rounds per "
      "side on average, --precision met in {:.1f}%\n",
      name, r.n, pct(r.slower), pct(r.faster), pct(r.equivalent),
      r.precision_met ? 100.0 * r.equivalent_when_precise / r.precision_met : 0.0, pct(r.inconclusive), pct(r.covered),
      r.rounds, pct(r.precision_met));
}

// A rate of at most `p`, allowing the one-sided 99% binomial margin of n simulations.
double at_most(double p, int n) { return p + 2.326 * std::sqrt(p * (1 - p) / n); }

constexpr int kSims = 1000;

// The 95% CI of the overhead covers the true value in 93-97% of the simulations.
void expect_coverage(const Rates& r) {
  EXPECT_GE(r.rate(r.covered), 0.93);
  EXPECT_LE(r.rate(r.covered), 0.97);
}

// An A/A comparison: a claim (slower or faster) in at most 5% (plus the margin), equivalence in
// most of those that met --precision.
void expect_aa(const Rates& r) {
  EXPECT_LE(r.rate(r.slower + r.faster), at_most(0.05, r.n));
  EXPECT_GT(static_cast<double>(r.equivalent_when_precise) / r.precision_met, 0.5);
  expect_coverage(r);
}

TEST(VerdictSimulation, AaWithProcessNoiseClaimsFewDifferencesAndMostlyEquivalence) {
  const Rates r = simulate(kSims, 0, Model{}, 1);
  print("A/A, process offsets SD 1.5%, repetitions CV 2%", r);
  expect_aa(r);
}

TEST(VerdictSimulation, AaWithoutProcessNoiseClaimsFewDifferencesAndMostlyEquivalence) {
  const Rates r = simulate(kSims, 0, Model{.process_sd = 0}, 2);
  print("A/A, no process offsets, repetitions CV 2%", r);
  expect_aa(r);
}

TEST(VerdictSimulation, PlantedThreePercentIsFoundAsSlower) {
  const Rates r = simulate(kSims, 3, Model{}, 3);
  print("true +3%, process offsets SD 1.5%, repetitions CV 2%", r);
  EXPECT_GE(r.rate(r.slower), 0.80);
  expect_coverage(r);
}

TEST(VerdictSimulation, TrueFivePercentIsNotCalledEquivalent) {
  const Rates r = simulate(kSims, 5, Model{}, 4);
  print("true +5%, process offsets SD 1.5%, repetitions CV 2%", r);
  EXPECT_LE(r.rate(r.equivalent), at_most(0.05, r.n));
  expect_coverage(r);
}

// Two single runs and a compare: one process per side can never claim a difference, or equivalence.
TEST(VerdictSimulation, OneProcessPerSideIsAlwaysInconclusive) {
  Noise noise(5);
  const Model model;
  int claims = 0;
  for (int i = 0; i < 200; ++i) {
    std::vector<record::RunRecord> a{round_record("native", 1, 1.0, model, noise)};
    std::vector<record::RunRecord> b{round_record("container", 1, 1.0, model, noise)};
    const auto& m = compare(std::move(a), std::move(b)).cases.at(0).primary;
    claims += m.verdict != Verdict::Inconclusive;
    EXPECT_EQ(m.unit, TestUnit::Repetition);
  }
  std::cout << fmt::format("[ sim ] A/A, one process per side: {} of 200 comparisons claimed anything but inconclusive\n",
                           claims);
  EXPECT_EQ(claims, 0);
}

}  // namespace
}  // namespace sb::compare
