#pragma once
// Comparison of a baseline and a candidate set of run records: cases paired by id, statistics
// per metric, Holm correction across the report, verdict bands, environment differences and
// the findings that drive "what to check next". Data only; src/report renders it.
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
};

// The seed's bands for a significant overhead: <10 minimal, 10-20 moderate, 20-40 significant, >40 critical.
enum class Verdict { NoDifference, Faster, Minimal, Moderate, Significant, Critical, NotComparable };
std::string to_string(Verdict v);  // "no significant difference", "faster", "minimal", ...
Verdict band_for_overhead(double overhead_pct);  // for a significant overhead >= 0

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
};

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
  const record::CaseResult* baseline = nullptr;   // into Comparison::baseline_records
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

struct Comparison {
  Options options;
  std::vector<record::RunRecord> baseline_records, candidate_records;
  std::string baseline_label, candidate_label;
  std::vector<CaseComparison> cases;  // in the baseline's order
  std::vector<std::string> only_in_baseline, only_in_candidate;
  std::vector<EnvDifference> env_differences;  // most important first
  std::vector<Finding> findings;               // "what to check next", ranked
  Verdict overall = Verdict::NoDifference;     // worst significant verdict across primary metrics
  std::string summary;                         // one sentence for the top of the report
};

// Throws sb::Error when the two sides have no case in common (naming both sides' case ids).
Comparison compare(std::vector<record::RunRecord> baseline, std::vector<record::RunRecord> candidate,
                   const Options& options = {});

std::vector<EnvDifference> diff_environments(const nlohmann::json& baseline, const nlohmann::json& candidate);

}  // namespace sb::compare
