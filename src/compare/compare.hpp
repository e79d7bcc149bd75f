#pragma once
// Comparison of a baseline and a candidate set of run records: cases paired by id, statistics
// per metric on one basis (the round, or the repetition where a side ran in one process), Holm
// correction across the report, a three-way verdict (slower/faster, equivalent, inconclusive) and
// environment differences. Data only; src/diagnose finds the likely causes in it, src/report renders
// it. docs/methodology.md gives the rules and their simulated error rates.
#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "record/record.hpp"
#include "stats/stats.hpp"
#include "telemetry/telemetry.hpp"

namespace sb::compare {

struct Options {
  double alpha = 0.05;  // family-wise, after Holm
  // The smallest overhead that matters, in percent: a difference is claimed only beyond it, and
  // "equivalent" means the 90% CI of the overhead lies inside +-min_effect_pct.
  double min_effect_pct = 2.0;
  // Parameters left out of the pairing key, to compare e.g. the same workload at two sizes.
  std::vector<std::string> ignore_params;
  // A case cut by an interrupt is left out of the comparison unless this is set.
  bool include_partial = false;
};

// The key that pairs cases across runs: workload and parameters, minus options.ignore_params.
std::string pairing_key(const record::CaseResult& c, const Options& options);

// The outcome of one metric. Slower comes in the seed's bands (Minimal .. Critical).
enum class Verdict { Equivalent, Inconclusive, Faster, Minimal, Moderate, Significant, Critical, NotComparable };
// "equivalent", "inconclusive", "faster", "slower (minimal)", ..., "not comparable"
std::string to_string(Verdict v);
// "slower", "faster", "equivalent", "inconclusive", "not comparable"
std::string outcome_name(Verdict v);
// "minimal" ... "critical" for a slower verdict, "" otherwise.
std::string band_name(Verdict v);
bool is_slower(Verdict v);
// For a significant overhead >= 0. Boundaries: [0, 10) minimal, [10, 20) moderate, [20, 40]
// significant, > 40 critical (10 and 20 open the higher band; 40 still counts as significant).
// A negative overhead (the candidate is better) gives Faster.
Verdict band_for_overhead(double overhead_pct);

// What one value of the tests is: a round (one process: the median of its repetitions) when both
// sides ran in at least two processes, else a repetition (and the verdict can only be
// inconclusive: repetitions of one process cannot tell the environment from that process's state).
enum class TestUnit { Round, Repetition };
std::string to_string(TestUnit u);  // "round", "repetition"

// One side of a metric on the basis every number of the comparison uses.
struct SideBasis {
  std::vector<double> units;  // round medians, or repetitions, in record order
  double center = 0;          // geometric mean of the units
  stats::Interval center_ci;  // its 95% CI (t interval of the mean of the logs, exponentiated)
  double spread_pct = 0;      // standard deviation of the logs of the units, in percent (0 with one unit)
};

// A case whose runs stopped repeating before the CI target (max_reps, max_time, interrupted).
struct ShortOfTarget {
  std::size_t rounds = 0, of = 0;  // rounds that stopped short, of the rounds compared
  std::string reasons;             // their stop reasons, "max_reps" or "max_reps, max_time"
  double widest_pct = 0;           // the widest CI half-width they reached, percent of the mean
  double target_pct = 0;           // the target they missed (the record's ci_target_pct)
};

struct MetricComparison {
  MetricSpec spec;
  TestUnit unit = TestUnit::Repetition;
  SideBasis baseline, candidate;
  // Every repetition of each side pooled: secondary detail for the JSON summary, never a test.
  stats::Summary baseline_repetitions, candidate_repetitions;
  std::size_t rounds_baseline = 0, rounds_candidate = 0;  // processes that measured this metric
  // Extra cost of the candidate in percent, positive = candidate worse: for lower-is-better
  // metrics 100 * (center_c / center_b - 1); for higher-is-better 100 * (center_b / center_c - 1).
  double overhead_pct = 0;
  stats::Interval overhead_ci_pct;    // 95%, from the Welch interval of the difference of the logs
  stats::Interval overhead_ci90_pct;  // 90%: inside +-min_effect_pct is the equivalence test (TOST, 5%)
  stats::WelchResult welch;               // on the logs of the units (p two-sided)
  stats::MannWhitneyResult mann_whitney;  // on the units
  double p_adjusted = 1;  // Holm-adjusted Welch p: primary metrics as one family, secondary ones as another
  double hedges_g = 0;    // on the logs of the units
  Verdict verdict = Verdict::Inconclusive;
  std::string inconclusive_reason;      // why neither a difference nor equivalence was shown
  std::optional<int> rounds_to_resolve;  // rounds per side that would resolve it at the spread seen
  // Why verdict is NotComparable ("too few samples: baseline 1, candidate 5 (need 2 per side)").
  std::string not_comparable;

  bool differs() const { return is_slower(verdict) || verdict == Verdict::Faster; }
  double ci_half_width_pct() const { return (overhead_ci_pct.high - overhead_ci_pct.low) / 2; }
};

struct CaseComparison {
  std::string id, workload, layer;
  std::string candidate_id;  // the candidate's case id: differs from id where --ignore-param paired them
  // The names shown to people (display_id: tuning parameters at their default left out); the ids
  // pair and key everything else.
  std::string name, candidate_name;
  Params params;
  Device device = Device::Cpu;
  // Empty when both sides ran; otherwise why the case cannot be compared
  // ("unavailable in candidate: no CUDA device", "failed in baseline: ...").
  std::string not_comparable;
  MetricComparison primary;
  std::vector<MetricComparison> secondary;
  // The records' telemetry summaries (merged over the compared rounds); absent where none was recorded.
  std::optional<telemetry::Summary> telemetry_baseline, telemetry_candidate;
  std::optional<ShortOfTarget> baseline_short, candidate_short;
  std::size_t partial_left_out = 0;  // rounds (both sides) cut by an interrupt and left out
  // Into Comparison::baseline_records / candidate_records, or into Comparison::pooled_cases when
  // the case ran in several records of that side.
  const record::CaseResult* baseline = nullptr;
  const record::CaseResult* candidate = nullptr;
};

// A difference between the two environment snapshots (flattened path, "cgroup.cpu.quota").
struct EnvDifference {
  std::string path;
  nlohmann::json baseline, candidate;  // null when absent on that side
  int importance = 0;                  // higher = more likely to explain a performance difference
};

// CaseComparison points into this struct's own storage (the records, pooled_cases), so there is no
// copy: a copy's pointers would still point into the original. A move keeps them valid: the
// containers hand over their elements (a vector its buffer, a deque its blocks), none is moved.
struct Comparison {
  Comparison() = default;
  Comparison(const Comparison&) = delete;
  Comparison& operator=(const Comparison&) = delete;
  Comparison(Comparison&&) = default;
  Comparison& operator=(Comparison&&) = default;

  Options options;
  std::vector<record::RunRecord> baseline_records, candidate_records;
  // A case id found in several records of one side (rounds of an A/B run) is pooled into one
  // CaseResult here: the compared rounds' samples concatenated in record order, their telemetry
  // summaries merged (n-weighted means, min of minima, max of maxima, union of throttle
  // reasons), the first compared round's timeline and info. A deque: growing it moves no element.
  std::deque<record::CaseResult> pooled_cases;
  std::string baseline_label, candidate_label;
  std::vector<CaseComparison> cases;  // in the baseline's order
  std::vector<std::string> only_in_baseline, only_in_candidate;
  std::vector<EnvDifference> env_differences;  // most important first
  // The worst outcome across the compared cases' primary metrics (Inconclusive outranks
  // Equivalent and Faster; slower bands outrank it); NotComparable when nothing was compared.
  Verdict overall = Verdict::NotComparable;
  std::string summary;   // one sentence for the top of the report
  std::string stopping;  // how the rounds were chosen (set by `ab`: "precision reached after 5 rounds ...")
};

// Throws sb::Error when the two sides have no case in common (naming both sides' case ids), when a
// side has no record, when the same run is on both sides, or when options are out of range.
// Environment differences are between the first record of each side.
Comparison compare(std::vector<record::RunRecord> baseline, std::vector<record::RunRecord> candidate,
                   const Options& options = {});

// Both snapshots flattened to dotted paths ("cgroup.cpu_quota", "gpu[0].driver_version"; arrays of
// scalars compared whole); the paths whose values differ, volatile readings (timestamps, pids,
// current clocks, temperatures, free memory, ...) left out, most important first.
std::vector<EnvDifference> diff_environments(const nlohmann::json& baseline, const nlohmann::json& candidate);

}  // namespace sb::compare
