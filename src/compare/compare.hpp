#pragma once
// Comparison of a baseline and a candidate set of run records: cases paired by id, statistics
// per metric, Holm correction across the report, verdict bands, environment differences and
// the findings that drive "what to check next". Data only; src/report renders it.
#include <deque>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "record/record.hpp"
#include "stats/stats.hpp"

namespace sb::compare {

struct Options {
  double alpha = 0.05;           // family-wise, after Holm
  double min_effect_pct = 2.0;   // smaller differences are reported as noise even when p is small
  int bootstrap_resamples = 10000;
  std::uint64_t seed = 12345;    // bootstrap
  // Parameters left out of the pairing key, to compare e.g. the same workload at two sizes.
  std::vector<std::string> ignore_params;
};

// The key that pairs cases across runs: workload and parameters, minus options.ignore_params.
std::string pairing_key(const record::CaseResult& c, const Options& options);

// The seed's bands for a significant overhead: <10 minimal, 10-20 moderate, 20-40 significant, >40 critical.
enum class Verdict { NoDifference, Faster, Minimal, Moderate, Significant, Critical, NotComparable };
std::string to_string(Verdict v);  // "no significant difference", "faster", "minimal", ...
// For a significant overhead >= 0. Boundaries: [0, 10) minimal, [10, 20) moderate, [20, 40]
// significant, > 40 critical (10 and 20 open the higher band; 40 still counts as significant).
// A negative overhead (the candidate is better) gives Faster.
Verdict band_for_overhead(double overhead_pct);

struct MetricComparison {
  MetricSpec spec;
  stats::Summary baseline, candidate;
  // Extra cost of the candidate in percent, positive = candidate worse: for lower-is-better
  // metrics 100 * (median_c / median_b - 1); for higher-is-better 100 * (median_b / median_c - 1).
  double overhead_pct = 0;
  stats::Interval overhead_ci_pct;  // from the bootstrap CI of the ratio of medians
  stats::WelchResult welch;
  stats::MannWhitneyResult mann_whitney;
  double p_adjusted = 1;  // Holm-adjusted Welch p (primary metrics only; others: unadjusted)
  double hedges_g = 0;
  bool significant = false;  // p_adjusted < alpha and |overhead| >= min_effect_pct
  Verdict verdict = Verdict::NoDifference;
  // Why verdict is NotComparable ("too few samples: baseline 1, candidate 5 (need 2 per side)").
  std::string not_comparable;
  // Rounds of an A/B run (several records per side). When a side's rounds differ among themselves
  // more than their repetitions explain (one-way ANOVA p < kRoundsDifferAlpha), the tests, the
  // overhead and its CI use one value per round (its median) instead of every repetition.
  std::size_t rounds_baseline = 1, rounds_candidate = 1;
  double rounds_differ_p = 1;  // the smaller of the two sides' ANOVA p (1 with one round per side)
  bool round_level = false;
};

// Below this p, the rounds of one side are taken to differ (process state: thread placement,
// memory layout, clocks), so repetitions are not independent and a round becomes the unit.
inline constexpr double kRoundsDifferAlpha = 0.01;

struct CaseComparison {
  std::string id, workload, layer;
  Params params;
  Device device = Device::Cpu;
  // Empty when both sides ran; otherwise why the case cannot be compared
  // ("unavailable in candidate: no CUDA device", "failed in baseline: ...").
  std::string not_comparable;
  MetricComparison primary;
  std::vector<MetricComparison> secondary;
  nlohmann::json telemetry_baseline, telemetry_candidate;  // the records' telemetry summaries
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

// An observation that explains or qualifies the result, with its evidence and what to do.
struct Finding {
  int rank = 0;  // 1 = most likely cause
  std::string title;     // "CPU quota in the candidate"
  std::string evidence;  // "cgroup cpu quota 0.5 CPUs; the cpu-compute cases are 2.0x slower"
  std::string action;    // "run the container with --cpus equal to the host's CPU count"
};

// CaseComparison points into this struct's own storage: move a Comparison, do not copy it (a copy's
// pointers still point into the original).
struct Comparison {
  Options options;
  std::vector<record::RunRecord> baseline_records, candidate_records;
  // A case id found in several records of one side (rounds of an A/B run) is pooled into one
  // CaseResult here: the ok rounds' samples concatenated in record order, their telemetry
  // summaries merged (n-weighted means, min of minima, max of maxima, union of throttle
  // reasons), the first ok round's timeline and info. A deque: growing it moves no element.
  std::deque<record::CaseResult> pooled_cases;
  std::string baseline_label, candidate_label;
  std::vector<CaseComparison> cases;  // in the baseline's order
  std::vector<std::string> only_in_baseline, only_in_candidate;
  std::vector<EnvDifference> env_differences;  // most important first
  std::vector<Finding> findings;               // "what to check next", ranked
  Verdict overall = Verdict::NoDifference;     // worst significant verdict across primary metrics
  std::string summary;                         // one sentence for the top of the report
};

// Throws sb::Error when the two sides have no case in common (naming both sides' case ids), when a
// side has no record, or when options are out of range. Environment differences are between the
// first record of each side.
Comparison compare(std::vector<record::RunRecord> baseline, std::vector<record::RunRecord> candidate,
                   const Options& options = {});

// Both snapshots flattened to dotted paths ("cgroup.cpu_quota", "gpu[0].driver_version"; arrays of
// scalars compared whole); the paths whose values differ, volatile readings (timestamps, pids,
// current clocks, temperatures, free memory, ...) left out, most important first.
std::vector<EnvDifference> diff_environments(const nlohmann::json& baseline, const nlohmann::json& candidate);

}  // namespace sb::compare
