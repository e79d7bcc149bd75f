#include "diagnose/findings.hpp"

#include <limits>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <map>
#include <optional>

#include <fmt/format.h>

#include "compare/environment_paths.hpp"
#include "compare/inconclusive_advice.hpp"
#include "diagnose/cause_layers.hpp"
#include "diagnose/scoring.hpp"
#include "diagnose/evidence_findings.hpp"

namespace sb::diagnose {
namespace {

using compare::Aspect;
using compare::CaseComparison;
using compare::Comparison;
using compare::EnvDifference;
using compare::Verdict;
using compare::classify;
using compare::inconclusive_advice;
using compare::limit_value;
using nlohmann::json;

bool any_slower(const Cases& cases) { return std::any_of(cases.begin(), cases.end(), [](auto* c) { return slower(*c); }); }
bool starts_with(const std::string& s, std::string_view prefix) { return s.rfind(prefix, 0) == 0; }

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : std::string(separator)) + p;
  return out;
}

// The candidate's cost relative to the baseline (2.0 = takes twice as long / half the throughput).
double cost_ratio(const CaseComparison& c) { return 1 + c.primary.overhead_pct / 100; }

std::string ratio_text(double r) {
  if (r >= 1.5) return fmt::format("{:.1f}x slower", r);
  if (r >= 1) return fmt::format("{:.1f}% slower", 100 * (r - 1));
  return fmt::format("{:.1f}% faster", 100 * (1 - r));
}

std::string case_list(const Cases& cases) {
  std::string out;
  for (std::size_t i = 0; i < std::min<std::size_t>(cases.size(), 3); ++i) {
    out += fmt::format("{}{} {:+.1f}%", i ? ", " : "", cases[i]->name, cases[i]->primary.overhead_pct);
  }
  if (cases.size() > 3) out += fmt::format(" and {} more", cases.size() - 3);
  return out;
}

Cases comparable_cases(const Comparison& c, bool (*in_group)(const CaseComparison&)) {
  Cases out;
  for (const auto& cc : c.cases) {
    if (comparable(cc) && in_group(cc)) out.push_back(&cc);
  }
  return out;
}

// Every case of the scope, whatever its status: the ones a cause may cite (cause_score counts only
// those worse in the candidate).
Cases cases_in(const Comparison& c, bool (*in_scope)(const CaseComparison&)) {
  Cases out;
  for (const auto& cc : c.cases) {
    if (in_scope(cc)) out.push_back(&cc);
  }
  return out;
}

bool cpu_layer(const CaseComparison& c) { return starts_with(c.layer, "cpu"); }
bool any_case(const CaseComparison&) { return true; }

// "cpu-layer cases 2.0x slower on geometric mean (3 of 3 slower: a +95.0%, ...)", "gpu-layer cases
// equivalent (2 of 2 within +-2%)" or "gpu-layer cases: 1 equivalent, 1 inconclusive". Empty when the
// group has no comparable case.
std::string group_outcome(const Cases& group, std::string_view name) {
  if (group.empty()) return "";
  Cases worse;
  std::size_t better = 0, equivalent = 0, inconclusive = 0;
  double log_sum = 0;
  for (const auto* c : group) {
    log_sum += std::log(cost_ratio(*c));
    if (slower(*c)) worse.push_back(c);
    if (c->primary.verdict == Verdict::Faster) ++better;
    if (c->primary.verdict == Verdict::Equivalent) ++equivalent;
    if (c->primary.verdict == Verdict::Inconclusive) ++inconclusive;
  }
  if (!worse.empty()) {
    return fmt::format("{} cases {} on geometric mean ({} of {} slower: {})", name,
                       ratio_text(std::exp(log_sum / static_cast<double>(group.size()))), worse.size(), group.size(),
                       case_list(worse));
  }
  const std::size_t n = group.size();
  if (equivalent == n) return fmt::format("{} cases equivalent ({} of {})", name, n, n);
  if (better == n) return fmt::format("{} cases faster ({} of {})", name, n, n);
  std::vector<std::string> parts;
  if (better > 0) parts.push_back(fmt::format("{} faster", better));
  if (equivalent > 0) parts.push_back(fmt::format("{} equivalent", equivalent));
  if (inconclusive > 0) parts.push_back(fmt::format("{} inconclusive", inconclusive));
  return fmt::format("{} cases not {}slower ({} of {})", name, inconclusive > 0 ? "shown " : "", join(parts, ", "), n);
}

bool any_differs(const Cases& cases) {
  return std::any_of(cases.begin(), cases.end(), [](auto* c) { return c->primary.differs(); });
}

// The group's cases layer by layer: the layers with a slower case first, then those that only got
// faster, each with its outcome, then the layers where nothing moved, by name and verdicts ("neither
// slower nor faster: cpu-memory (1 equivalent), cpu-syscall (2 equivalent)"), so that the layer a
// restriction hits stands out from the ones it leaves alone.
std::string per_layer_outcome(const Cases& group) {
  std::map<std::string, Cases> by_layer;
  for (const auto* c : group) by_layer[c->layer].push_back(c);
  std::vector<std::string> slowed, sped_up, unmoved;
  for (const auto& [layer, cases] : by_layer) {
    if (any_slower(cases)) {
      slowed.push_back(group_outcome(cases, layer));
    } else if (any_differs(cases)) {
      sped_up.push_back(group_outcome(cases, layer));
    } else {
      const auto equivalent = std::count_if(cases.begin(), cases.end(),
                                            [](auto* c) { return c->primary.verdict == Verdict::Equivalent; });
      std::vector<std::string> parts;
      if (equivalent > 0) parts.push_back(fmt::format("{} equivalent", equivalent));
      if (equivalent < static_cast<long>(cases.size()))
        parts.push_back(fmt::format("{} inconclusive", static_cast<long>(cases.size()) - equivalent));
      unmoved.push_back(fmt::format("{} ({})", layer, join(parts, ", ")));
    }
  }
  slowed.insert(slowed.end(), sped_up.begin(), sped_up.end());
  if (!unmoved.empty()) slowed.push_back("neither slower nor faster: " + join(unmoved, ", "));
  return join(slowed, "; ");
}

std::string value_text(const json& v) {
  if (v.is_null()) return "absent";
  return v.is_string() ? v.get<std::string>() : v.dump();
}

std::string difference_list(const std::vector<const EnvDifference*>& diffs, std::size_t limit = 4) {
  std::string out;
  for (std::size_t i = 0; i < std::min(diffs.size(), limit); ++i) {
    out += fmt::format("{}{}: baseline {}, candidate {}", i ? "; " : "", diffs[i]->path, value_text(diffs[i]->baseline),
                       value_text(diffs[i]->candidate));
  }
  if (diffs.size() > limit) out += fmt::format("; {} more", diffs.size() - limit);
  return out;
}

std::vector<const EnvDifference*> differences_of(const Comparison& c, std::initializer_list<Aspect> aspects) {
  std::vector<const EnvDifference*> out;
  for (const auto& d : c.env_differences) {
    if (std::find(aspects.begin(), aspects.end(), classify(d.path)) != aspects.end()) out.push_back(&d);
  }
  return out;
}

// Differences where the candidate has a smaller limit than the baseline.
// The snapshot records "no limit" as null plus a sibling flag (cgroup.cpu_quota_cpus = null with
// cgroup.cpu_quota_unlimited = true), so a null limit is read through that flag.
std::optional<double> limit_in(const json& environment, const EnvDifference& d, const json& value) {
  static const std::map<std::string, std::string> kUnlimitedFlag = {
      {"cpu_quota_cpus", "cpu_quota_unlimited"}, {"memory_limit_bytes", "memory_unlimited"}, {"pids_limit", "pids_unlimited"}};
  if (value.is_null()) {
    const auto dot = d.path.rfind('.');
    const auto flag = kUnlimitedFlag.find(d.path.substr(dot == std::string::npos ? 0 : dot + 1));
    if (flag == kUnlimitedFlag.end() || dot == std::string::npos) return std::nullopt;
    const json* parent = &environment;
    for (std::size_t start = 0; start < dot;) {
      const auto next = std::min(d.path.find('.', start), dot);
      const std::string key = d.path.substr(start, next - start);
      if (!parent->is_object() || !parent->contains(key)) return std::nullopt;
      parent = &(*parent)[key];
      start = next + 1;
    }
    if (parent->is_object() && parent->value(flag->second, json()).is_boolean() && (*parent)[flag->second].get<bool>())
      return std::numeric_limits<double>::infinity();
    return std::nullopt;
  }
  return limit_value(d.path, value);
}

std::vector<const EnvDifference*> smaller_in_candidate(const Comparison& c, const std::vector<const EnvDifference*>& diffs) {
  std::vector<const EnvDifference*> out;
  const json& base_env = c.baseline_records.front().environment;
  const json& cand_env = c.candidate_records.front().environment;
  for (const auto* d : diffs) {
    const auto b = limit_in(base_env, *d, d->baseline), v = limit_in(cand_env, *d, d->candidate);
    if (b && v && *v < *b) out.push_back(d);
  }
  return out;
}

// ---- telemetry --------------------------------------------------------------------------------

// reason -> cases whose telemetry saw it.
using ThrottleSeen = std::map<std::string, Cases>;

using Summary = std::optional<telemetry::Summary>;

ThrottleSeen throttle_seen(const Comparison& c, Summary CaseComparison::*side) {
  ThrottleSeen seen;
  for (const auto& cc : c.cases) {
    const Summary& summary = cc.*side;
    if (!summary || !summary->throttle_reasons) continue;
    for (const auto& name : summary->throttle_reasons->names) {
      // The telemetry module leaves these benign states out already; a summary from another
      // producer may not, and an idle GPU is not a throttled one.
      if (name == "gpu_idle" || name == "applications_clocks_setting") continue;
      seen[name].push_back(&cc);
    }
  }
  return seen;
}

std::string throttle_text(const ThrottleSeen& seen) {
  std::vector<std::string> parts;
  for (const auto& [reason, cases] : seen) {
    std::vector<std::string> ids;
    for (std::size_t i = 0; i < std::min<std::size_t>(cases.size(), 3); ++i) ids.push_back(cases[i]->name);
    parts.push_back(fmt::format("{} in {} case(s) ({}{})", reason, cases.size(), join(ids, ", "),
                                cases.size() > 3 ? ", ..." : ""));
  }
  return parts.empty() ? "none" : join(parts, "; ");
}

std::string throttle_action(const ThrottleSeen& seen) {
  std::vector<std::string> steps;
  const auto mentions = [&](std::string_view fragment) {
    return std::any_of(seen.begin(), seen.end(), [&](auto& s) { return s.first.find(fragment) != std::string::npos; });
  };
  if (mentions("power")) steps.push_back("check the power limit and draw (nvidia-smi -q -d POWER)");
  if (mentions("thermal")) steps.push_back("check cooling and temperatures (nvidia-smi -q -d TEMPERATURE)");
  steps.push_back("nvidia-smi -q -d PERFORMANCE lists the active clock-event reasons while a case runs");
  return join(steps, "; ");
}

ThrottleSeen only_in(const ThrottleSeen& a, const ThrottleSeen& b) {
  ThrottleSeen out;
  for (const auto& [reason, cases] : a) {
    if (!b.count(reason)) out[reason] = cases;
  }
  return out;
}

void add_throttling(const Comparison& c, std::vector<Scored>& out) {
  const auto base = throttle_seen(c, &CaseComparison::telemetry_baseline);
  const auto cand = throttle_seen(c, &CaseComparison::telemetry_candidate);
  const auto cand_only = only_in(cand, base), base_only = only_in(base, cand);
  ThrottleSeen both;
  for (const auto& [reason, cases] : cand) {
    if (base.count(reason)) both[reason] = cases;
  }
  if (!cand_only.empty()) {
    Cases seen;  // the GPU cases it can have slowed
    for (const auto& [reason, cases] : cand_only)
      for (const auto* k : cases)
        if (gpu_bound(*k) && std::find(seen.begin(), seen.end(), k) == seen.end()) seen.push_back(k);
    const double score = cause_score(c, seen, 9);
    out.push_back({score == kNote ? 60.0 : score,
                   {0, "GPU throttled in the candidate",
                    fmt::format("candidate telemetry: {}; baseline telemetry: {}", throttle_text(cand_only),
                                throttle_text(base)),
                    throttle_action(cand_only), Category::MachineState, cited_ids(seen)}});
  }
  if (!base_only.empty()) {
    out.push_back({55,
                   {0, "GPU throttled in the baseline",
                    fmt::format("baseline telemetry: {}; candidate telemetry: {}", throttle_text(base_only),
                                throttle_text(cand)),
                    "the baseline ran below its normal clocks, which flatters the candidate: " +
                        throttle_action(base_only),
                    Category::MachineState, {}}});
  }
  if (!both.empty()) {
    out.push_back({45,
                   {0, "GPU throttled in both runs",
                    fmt::format("both sides' telemetry saw: {}", throttle_text(both)),
                    "the comparison holds, but both numbers are below what the GPU can do: " +
                        throttle_action(both),
                    Category::MachineState, {}}});
  }
}

struct TelemetryShift {
  const CaseComparison* c;
  double baseline, candidate;
};

// Cases whose telemetry has `field` on both sides, with its means.
std::vector<TelemetryShift> telemetry_means(const Comparison& c,
                                            std::optional<telemetry::FieldSummary> telemetry::Summary::*field) {
  std::vector<TelemetryShift> out;
  for (const auto& cc : c.cases) {
    const auto mean = [&](const Summary& summary) -> std::optional<double> {
      if (!summary || !((*summary).*field)) return std::nullopt;
      return ((*summary).*field)->mean;
    };
    const auto b = mean(cc.telemetry_baseline), k = mean(cc.telemetry_candidate);
    if (b && k) out.push_back({&cc, *b, *k});
  }
  return out;
}

// "matmul/n=8192 1500 vs 1980 MHz (-24.2%)"; with relative = false the change is in points.
std::string shift_list(const std::vector<TelemetryShift>& shifts, std::string_view unit, bool relative) {
  std::vector<std::string> parts;
  for (std::size_t i = 0; i < std::min<std::size_t>(shifts.size(), 3); ++i) {
    const auto& s = shifts[i];
    parts.push_back(relative ? fmt::format("{} {:.0f} vs {:.0f} {} ({:+.1f}%)", s.c->name, s.candidate, s.baseline,
                                           unit, 100 * (s.candidate / s.baseline - 1))
                             : fmt::format("{} {:.0f} vs {:.0f} {} ({:+.0f} points)", s.c->name, s.candidate,
                                           s.baseline, unit, s.candidate - s.baseline));
  }
  if (shifts.size() > 3) parts.push_back(fmt::format("and {} more", shifts.size() - 3));
  return join(parts, ", ");
}

bool any_shift_slower(const std::vector<TelemetryShift>& shifts) {
  return std::any_of(shifts.begin(), shifts.end(), [](auto& s) { return slower(*s.c); });
}

// A telemetry shift on cases that are not slower: say what their verdicts show, so that the reader
// does not chase it. Only equivalent cases show that it cost no measurable time. Short cases give
// few samples, and their means move with where the samples fell.
std::string cost_note(const std::vector<TelemetryShift>& shifts, double margin_pct) {
  if (any_shift_slower(shifts)) return "";
  const bool all_equivalent = std::all_of(shifts.begin(), shifts.end(),
                                          [](auto& s) { return s.c->primary.verdict == Verdict::Equivalent; });
  if (all_equivalent)
    return fmt::format("; these cases are equivalent (within ±{:g}%), so the shift cost no measurable time (a case "
                       "of a few tenths of a second gives few telemetry samples)",
                       margin_pct);
  return "; none of these cases is shown slower, but not all are shown equivalent either (see their verdicts)";
}

// A mean SM clock more than 3% below the baseline's is beyond the boost jitter of one GPU.
void add_lower_sm_clock(const Comparison& c, std::vector<Scored>& out) {
  constexpr double kClockDropPct = 3;
  const auto all = telemetry_means(c, &telemetry::Summary::sm_clock_mhz);
  std::vector<TelemetryShift> lower;
  std::copy_if(all.begin(), all.end(), std::back_inserter(lower),
               [&](auto& s) { return s.baseline > 0 && 100 * (s.candidate / s.baseline - 1) < -kClockDropPct; });
  if (lower.empty()) return;
  Cases cited;
  for (const auto& s : lower)
    if (gpu_bound(*s.c)) cited.push_back(s.c);
  const double score = cause_score(c, cited, 8);
  out.push_back({score == kNote ? 50.0 : score,
                 {0, "Lower SM clock in the candidate",
                  fmt::format("mean SM clock more than {}% lower in the candidate on {} of {} cases with clock "
                              "telemetry (candidate vs baseline): {}{}",
                              kClockDropPct, lower.size(), all.size(), shift_list(lower, "MHz", true), cost_note(lower, c.options.min_effect_pct)),
                  "compare clocks and limits on both sides (nvidia-smi -q -d CLOCK,POWER,PERFORMANCE): a lower "
                  "power limit, application or locked clocks, or throttling in the candidate",
                  Category::MachineState, cited_ids(cited)}});
}

// ---- environment ------------------------------------------------------------------------------

// What the cases a cause may cite did: their layers' outcomes, and those that failed in the
// candidate only ("io-shm cases 30.0% slower ...; shm_bandwidth/size_mib=32 failed in the candidate").
std::string scope_outcome(const Cases& scope) {
  Cases measured;
  std::vector<std::string> failed;
  for (const auto* k : scope) {
    if (comparable(*k)) measured.push_back(k);
    else if (failed_only_in_candidate(*k)) failed.push_back(fmt::format("{} {} in the candidate", k->name, to_string(k->candidate->status)));
  }
  std::vector<std::string> parts;
  if (const auto outcome = per_layer_outcome(measured); !outcome.empty()) parts.push_back(outcome);
  if (!failed.empty()) parts.push_back(join(failed, ", "));
  return join(parts, "; ");
}

// A cause with evidence behind it, or, where no case it can affect is worse in the candidate, an
// unranked note: the difference is worth knowing, but it explains nothing here.
void add_cause(const Comparison& c, std::vector<Scored>& out, const Cases& scope, double prior, Category category,
               std::string title, const std::string& differences, std::string_view layers, std::string action) {
  const double score = cause_score(c, scope, prior);
  if (score == kNote) {
    out.push_back({kNote,
                   {0, "Also differs: " + title,
                    fmt::format("{}; no slower or failed case in the layers it can affect ({})", differences, layers),
                    std::move(action), category, {}}});
    return;
  }
  const std::string outcome = scope_outcome(scope);
  out.push_back({score,
                 {0, std::move(title), differences + (outcome.empty() ? "" : "; " + outcome), std::move(action),
                  category, cited_ids(scope)}});
}

void add_gpu_software(const Comparison& c, std::vector<Scored>& out) {
  const auto diffs = differences_of(c, {Aspect::GpuSoftware, Aspect::GpuDriver});
  if (diffs.empty()) return;
  add_cause(c, out, cases_in(c, gpu_bound), 5, Category::Stack, "Different driver, CUDA or library versions",
            difference_list(diffs), "gpu-* and other GPU cases",
            "run the same driver, CUDA runtime and cuBLAS on both sides (a container image brings its own "
            "CUDA libraries); compare `sparkbench env` of both and check LD_LIBRARY_PATH and which "
            "libcublas/libcudart are loaded");
}

void add_gpu_settings(const Comparison& c, std::vector<Scored>& out) {
  const auto diffs = differences_of(c, {Aspect::GpuSetting});
  if (diffs.empty()) return;
  add_cause(c, out, cases_in(c, gpu_bound), 6, Category::MachineState, "Different GPU settings", difference_list(diffs),
            "gpu-* and other GPU cases",
            "use the same power limit, application clocks and persistence mode on both sides "
            "(nvidia-smi -q -d POWER,CLOCK)");
}

// Thread-count variables of OpenMP, the BLAS libraries and PyTorch ("OMP_NUM_THREADS", "MKL_NUM_THREADS").
bool thread_variable(const std::string& path) {
  if (!starts_with(path, "env_vars.")) return false;
  const std::string name = path.substr(path.find('.') + 1);
  static constexpr std::string_view kSuffix = "_NUM_THREADS";
  return (name.size() > kSuffix.size() && name.compare(name.size() - kSuffix.size(), kSuffix.size(), kSuffix) == 0) ||
         name == "VECLIB_MAXIMUM_THREADS";
}

// The host-side limits on parallelism: a smaller quota, cpuset or affinity mask, and a different
// set of allowed core classes (a text, "4P+4E", so any difference counts).
std::vector<const EnvDifference*> host_cpu_limits(const Comparison& c) {
  std::vector<const EnvDifference*> classes, counted;
  for (const auto* d : differences_of(c, {Aspect::CpuLimit})) (d->path.find("affinity_classes") != std::string::npos ? classes : counted).push_back(d);
  auto out = smaller_in_candidate(c, counted);
  out.insert(out.end(), classes.begin(), classes.end());
  return out;
}

std::vector<const EnvDifference*> thread_variables(const Comparison& c) {
  std::vector<const EnvDifference*> out;
  for (const auto& d : c.env_differences)
    if (thread_variable(d.path)) out.push_back(&d);
  return out;
}

// GPU utilization is sampled coarsely (NVML's busy fraction over its own window): a drop of more
// than 5 points is a change in how much of the time the GPU had work.
constexpr double kUtilDropPoints = 5;

// Launch-bound GPU cases that are slower while the GPU was busy less of the time: the GPU waited on
// the host, the signature of a host-side limit.
std::vector<TelemetryShift> idle_launch_bound(const Comparison& c) {
  std::vector<TelemetryShift> out;
  for (const auto& s : telemetry_means(c, &telemetry::Summary::gpu_util_pct))
    if (launch_bound(*s.c) && slower(*s.c) && s.candidate < s.baseline - kUtilDropPoints) out.push_back(s);
  return out;
}

std::string moved_list(const Cases& cases) {
  Cases moved;
  std::copy_if(cases.begin(), cases.end(), std::back_inserter(moved), [](auto* k) { return comparable(*k) && k->primary.differs(); });
  if (moved.empty()) return "none of them moved";
  return fmt::format("{} of {} moved: {}", moved.size(), cases.size(), case_list(moved));
}

// One cause: quota, cpuset, affinity and thread-count variables all decide how much CPU
// parallelism a case gets. A host-side limit can slow every CPU-bound case and the launch-bound GPU
// cases; a thread variable only the cases that scale with threads.
void add_cpu_parallelism(const Comparison& c, std::vector<Scored>& out) {
  const auto limits = host_cpu_limits(c), threads = thread_variables(c);
  if (limits.empty() && threads.empty()) return;
  auto diffs = limits;
  diffs.insert(diffs.end(), threads.begin(), threads.end());
  const bool host_limit = !limits.empty();
  const auto scope = host_limit ? cases_in(c, [](const CaseComparison& k) { return cpu_bound(k) || scales_with_threads(k) || launch_bound(k); })
                                : cases_in(c, scales_with_threads);
  const auto idle = idle_launch_bound(c);
  const double prior = 7 + (idle.empty() ? 0 : 10);  // a GPU idling while launch-bound work slows points at the host
  const std::string title = "Less CPU in the candidate: CPU parallelism available (quota, cpuset, affinity, thread variables)";
  std::string action = "give the container the CPUs the native run has (docker run --cpus / --cpuset-cpus, or no "
                       "quota); GPU work also needs host threads to launch kernels and feed data";
  if (!threads.empty())
    action += "; set the same thread-count variables on both sides (OMP_NUM_THREADS, OPENBLAS_NUM_THREADS, ...: the "
              "baseline's values, or unset)";
  const double score = cause_score(c, scope, prior);
  if (score == kNote) {
    add_cause(c, out, scope, prior, Category::Limits, title, difference_list(diffs),
              host_limit ? "cpu-* but cpu-syscall, launch-bound GPU cases" : "cases that scale with threads", action);
    return;
  }
  std::string evidence = difference_list(diffs);
  const auto gpu = comparable_cases(c, [](const CaseComparison& k) { return starts_with(k.layer, "gpu"); });
  for (const auto& outcome : {per_layer_outcome(comparable_cases(c, cpu_layer)), group_outcome(gpu, "gpu-layer")}) {
    if (!outcome.empty()) evidence += "; " + outcome;
  }
  if (const auto scaling = cases_in(c, scales_with_threads); !scaling.empty())
    evidence += "; of the cases that scale with threads, " + moved_list(scaling);
  if (!idle.empty())
    evidence += "; launch-bound GPU cases slower while the GPU was busy less of the time (it waited on the host): " +
                shift_list(idle, "% GPU utilization", false);
  out.push_back({score, {0, title, evidence, action, Category::Limits, cited_ids(scope)}});
}

// The GPU busy less of the time: a symptom, not a cause. Where launch-bound cases slowed with it and
// the candidate limits the host's CPUs, it is that limit's evidence (cited there) and ranks low here.
void add_lower_gpu_utilization(const Comparison& c, std::vector<Scored>& out) {
  const auto all = telemetry_means(c, &telemetry::Summary::gpu_util_pct);
  std::vector<TelemetryShift> lower;
  std::copy_if(all.begin(), all.end(), std::back_inserter(lower),
               [&](auto& s) { return s.candidate < s.baseline - kUtilDropPoints; });
  if (lower.empty()) return;
  const bool host_limit = !host_cpu_limits(c).empty() || !thread_variables(c).empty();
  const bool explained = host_limit && !idle_launch_bound(c).empty();
  out.push_back({explained ? 45.0 : any_shift_slower(lower) ? 75.0 : 45.0,
                 {0, "GPU busy less of the time in the candidate",
                  fmt::format("mean GPU utilization more than {} points lower in the candidate on {} of {} cases "
                              "with utilization telemetry (candidate vs baseline): {}{}{}",
                              kUtilDropPoints, lower.size(), all.size(), shift_list(lower, "%", false),
                              cost_note(lower, c.options.min_effect_pct),
                              explained ? "; launch-bound cases slowed with it: evidence for the host-side CPU limit "
                                          "ranked above (the GPU waited on the host)"
                                        : ""),
                  "where a case is slower too, the GPU waits on the host in the candidate: check the CPU quota and "
                  "cpuset (host threads launch kernels and feed data), host-to-device copies (pinned memory) and "
                  "/dev/shm",
                  Category::Unexplained, {}}});
}

void add_less_memory(const Comparison& c, std::vector<Scored>& out) {
  const auto memory = smaller_in_candidate(c, differences_of(c, {Aspect::MemoryLimit}));
  if (!memory.empty()) {
    add_cause(c, out, cases_in(c, memory_bound), 4, Category::Limits, "Smaller memory limit in the candidate",
              difference_list(memory), "cpu-memory, cpu-pagefault, io-*, unified-memory, command: cases",
              "raise or remove the container's memory limit (docker run --memory) and check for swapping or OOM kills");
  }
  // The size of /dev/shm itself: "memory.shmem_bytes" is the shared memory in use, not a limit.
  auto shm = differences_of(c, {Aspect::Shm});
  std::erase_if(shm, [](auto* d) { return !starts_with(d->path, "shm."); });
  shm = smaller_in_candidate(c, shm);
  if (!shm.empty()) {
    add_cause(c, out, cases_in(c, uses_shm), 6, Category::Limits, "Smaller /dev/shm in the candidate",
              difference_list(shm), "io-shm, command: cases",
              "give the container a larger /dev/shm (docker run --shm-size=16g, or --ipc=host): NCCL, PyTorch data "
              "loaders and CUDA IPC use it");
  }
}

// A seccomp filter runs on every system call, and an AppArmor/SELinux profile on the calls it
// mediates: the cost a syscall-bound case sees in a container, which a CPU quota does not cause.
void add_security_profile(const Comparison& c, std::vector<Scored>& out) {
  static const std::string_view kKeys[] = {"security.seccomp_mode", "security.seccomp_filters", "security.apparmor",
                                           "security.selinux"};
  std::vector<const EnvDifference*> diffs;
  for (const auto& d : c.env_differences)
    if (std::find(std::begin(kKeys), std::end(kKeys), d.path) != std::end(kKeys)) diffs.push_back(&d);
  if (diffs.empty()) return;
  add_cause(c, out, cases_in(c, syscall_bound), 8, Category::Isolation,
            "Different seccomp filter or security profile (seccomp, AppArmor, SELinux)", difference_list(diffs),
            "cpu-syscall",
            "a seccomp filter runs on every system call: to measure its share, re-run the candidate once with "
            "--security-opt seccomp=unconfined (and apparmor=unconfined); keep the profile where the workload runs");
}

// Settings of lower importance: never a cause by themselves (no layer to tie them to), a note
// worth checking when something did change.
void add_other_settings(const Comparison& c, std::vector<Scored>& out) {
  const auto differs = comparable_cases(c, [](const CaseComparison& cc) { return cc.primary.differs(); });
  if (differs.empty()) return;
  auto diffs = differences_of(c, {Aspect::Ulimit, Aspect::Container, Aspect::EnvVar, Aspect::CpuTuning});
  // Thread variables are the CPU-parallelism cause's, the security profile the syscall cause's.
  std::erase_if(diffs, [](auto* d) { return thread_variable(d->path) || starts_with(d->path, "security."); });
  if (diffs.empty()) return;
  out.push_back({kNote,
                 {0, "Also differs: other settings",
                  fmt::format("{} (while {} case(s) differ significantly)", difference_list(diffs, 5), differs.size()),
                  "align these settings between the two environments and re-run: a difference that follows a "
                  "setting is explained by it",
                  Category::Unexplained, {}}});
}

// A case that measured on one side and failed or was unavailable on the other: the strongest
// evidence there is that the environments differ. Cases that failed alike are grouped.
void add_failed_one_side(const Comparison& c, std::vector<Scored>& out) {
  struct Group {
    bool candidate;
    const record::CaseResult* result;
    Cases cases;
  };
  std::vector<Group> groups;
  for (const auto& cc : c.cases) {
    const bool in_candidate = failed_only_in_candidate(cc);
    if (!in_candidate && !failed_only_in_baseline(cc)) continue;
    const auto* r = in_candidate ? cc.candidate : cc.baseline;
    const auto same = std::find_if(groups.begin(), groups.end(), [&](const Group& g) {
      return g.candidate == in_candidate && g.result->status == r->status && g.result->message == r->message;
    });
    if (same != groups.end()) same->cases.push_back(&cc);
    else groups.push_back({in_candidate, r, {&cc}});
  }
  for (const auto& g : groups) {
    const char* side = g.candidate ? "candidate" : "baseline";
    const char* other = g.candidate ? "baseline" : "candidate";
    const std::string what = g.cases.size() == 1 ? g.cases.front()->name : fmt::format("{} cases", g.cases.size());
    std::vector<std::string> names;
    for (const auto* k : g.cases) names.push_back(k->name);
    const std::string message = g.result->message.empty() ? "(no message)" : g.result->message;
    out.push_back({g.candidate ? kFailedOneSide : 95.0,
                   {0, fmt::format("{} {} only in the {}: {}", what, to_string(g.result->status), side, message),
                    fmt::format("{}: {} in the {}, measured in the {}", join(names, ", "), to_string(g.result->status),
                                side, other),
                    g.candidate ? "the candidate's environment refuses what the baseline's allows: the message names "
                                  "what is missing or too small (the findings below that cite the case point at the "
                                  "setting: /dev/shm, memory limit, ulimits, a device or library)"
                                : "the baseline could not run it, so the candidate's result has nothing to compare "
                                  "with: fix the baseline's environment and re-run",
                    Category::Unexplained, {}}});
  }
}

// ---- the results themselves -------------------------------------------------------------------

void add_layer_split(const Comparison& c, std::vector<Scored>& out) {
  std::map<std::string, Cases> by_layer;
  for (const auto& cc : c.cases) {
    if (comparable(cc)) by_layer[cc.layer.empty() ? "(no layer)" : cc.layer].push_back(&cc);
  }
  enum Kind { kCpu, kGpu, kOther };
  bool present[3] = {}, slowed[3] = {};
  std::vector<std::string> parts;
  for (const auto& [layer, cases] : by_layer) {
    parts.push_back(group_outcome(cases, layer));
    const Kind kind = starts_with(layer, "cpu") ? kCpu : starts_with(layer, "gpu") ? kGpu : kOther;
    present[kind] = true;
    slowed[kind] = slowed[kind] || any_slower(cases);
  }
  if (by_layer.size() < 2 || !(slowed[kCpu] || slowed[kGpu] || slowed[kOther])) return;
  std::string action = "start with the highest-ranked environment differences; the layers that moved together "
                       "share the cause";
  if (slowed[kCpu] && !slowed[kGpu] && !slowed[kOther]) {
    action = fmt::format("host-side work is slower in the candidate{}: compare the CPU quota, cpuset, CPU governor "
                         "and memory settings of the two environments",
                         present[kGpu] ? " while GPU work is not" : "");
  } else if (slowed[kGpu] && !slowed[kCpu] && !slowed[kOther]) {
    action = fmt::format("GPU work is slower in the candidate{}: compare driver, CUDA runtime and cuBLAS versions, "
                         "clocks and power limits",
                         present[kCpu] ? " while host work is not" : "");
  }
  out.push_back({50, {0, "Where the slowdown is", join(parts, "; "), action, Category::Unexplained, {}}});
}

// Equivalent on every case: the one answer that says "no difference", with the interval that shows it.
void add_equivalence(const Comparison& c, std::vector<Scored>& out) {
  const auto all = comparable_cases(c, any_case);
  if (all.empty() || !std::all_of(all.begin(), all.end(), [](auto* cc) { return cc->primary.verdict == Verdict::Equivalent; }))
    return;
  const auto widest = [](const CaseComparison* k) {
    return std::max(std::abs(k->primary.overhead_ci90_pct.low), std::abs(k->primary.overhead_ci90_pct.high));
  };
  const auto* largest = *std::max_element(all.begin(), all.end(), [&](auto* a, auto* b) { return widest(a) < widest(b); });
  const auto& m = largest->primary;
  const auto failed = std::count_if(c.cases.begin(), c.cases.end(), [](auto& k) {
    return failed_only_in_candidate(k) || failed_only_in_baseline(k);
  });
  out.push_back({100,
                 {0, "Equivalent: no difference beyond the threshold",
                  fmt::format("the 90% CI of the overhead lies inside ±{:g}% on all {} compared case(s); the widest is "
                              "{} at {:+.2f}% [{:+.2f}%, {:+.2f}%] ({}/{} rounds)",
                              c.options.min_effect_pct, all.size(), largest->name, m.overhead_pct, m.overhead_ci90_pct.low,
                              m.overhead_ci90_pct.high, m.rounds_baseline, m.rounds_candidate),
                  failed > 0 ? fmt::format("nothing to fix in the compared cases, but {} case(s) failed on one side "
                                           "only (above): their failure is the difference",
                                           failed)
                             : fmt::format("nothing to fix for these workloads; a difference below {:g}% would need "
                                           "--min-effect lower and more rounds to show",
                                           c.options.min_effect_pct),
                  Category::Unexplained, {}}});
}

// Inconclusive cases: neither a difference nor equivalence is shown, and what would settle it. The top
// finding when nothing else differs, so that a thin result never reads as "nothing to fix".
void add_inconclusive(const Comparison& c, std::vector<Scored>& out) {
  const auto all = comparable_cases(c, any_case);
  const auto open = comparable_cases(c, [](const CaseComparison& cc) { return cc.primary.verdict == Verdict::Inconclusive; });
  if (open.empty()) return;
  std::vector<std::string> examples;
  for (std::size_t i = 0; i < std::min<std::size_t>(open.size(), 3); ++i) {
    const auto& m = open[i]->primary;
    examples.push_back(fmt::format("{} {:+.1f}% [{:+.1f}%, {:+.1f}%]", open[i]->name, m.overhead_pct, m.overhead_ci_pct.low,
                                   m.overhead_ci_pct.high));
  }
  if (open.size() > 3) examples.push_back(fmt::format("and {} more", open.size() - 3));
  out.push_back({any_differs(all) ? 20.0 : 100.0,
                 {0, "Inconclusive: the data cannot tell yet",
                  fmt::format("{} of {} compared case(s) show neither a difference beyond ±{:g}% nor equivalence: {}",
                              open.size(), all.size(), c.options.min_effect_pct, join(examples, ", ")),
                  inconclusive_advice(open), Category::Unexplained, {}}});
}

}  // namespace

std::vector<Finding> find_causes(const Comparison& c) {
  std::vector<Scored> scored;
  add_failed_one_side(c, scored);
  add_throttling(c, scored);
  add_lower_sm_clock(c, scored);
  add_lower_gpu_utilization(c, scored);
  add_gpu_software(c, scored);
  add_gpu_settings(c, scored);
  add_cpu_parallelism(c, scored);
  add_less_memory(c, scored);
  add_security_profile(c, scored);
  add_other_settings(c, scored);
  add_layer_split(c, scored);
  add_equivalence(c, scored);
  add_inconclusive(c, scored);
  // The evidence findings on this scale: one tied to worse cases on its side (their score >= 60)
  // is a cause among the others; one without is a note, like every difference that explains no case.
  for (auto& e : evidence_findings(c)) {
    e.finding.category = e.kind == EvidenceKind::MachineState ? Category::MachineState
                         : e.kind == EvidenceKind::Limits     ? Category::Limits
                                                              : Category::Stack;
    scored.push_back({e.score >= 60 ? kCause + 0.6 * e.score : kNote, std::move(e.finding)});
  }
  std::stable_sort(scored.begin(), scored.end(), [](auto& a, auto& b) { return a.score > b.score; });
  std::vector<Finding> findings;
  int rank = 0;
  for (auto& s : scored) {
    s.finding.rank = s.score == kNote ? 0 : ++rank;  // the notes sort last
    findings.push_back(std::move(s.finding));
  }
  return findings;
}

}  // namespace sb::diagnose
