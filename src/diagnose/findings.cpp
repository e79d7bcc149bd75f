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
using compare::is_slower;
using compare::limit_value;
using nlohmann::json;
using Cases = std::vector<const CaseComparison*>;

// A Finding with the weight that orders it: how directly the observation explains a slowdown
// seen in this comparison (a cause tied to slower cases outranks the same cause without them).
struct Scored {
  double score;
  Finding finding;
};

bool comparable(const CaseComparison& c) { return c.not_comparable.empty(); }
bool slower(const CaseComparison& c) { return comparable(c) && is_slower(c.primary.verdict); }
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

bool cpu_layer(const CaseComparison& c) { return starts_with(c.layer, "cpu"); }
bool gpu_case(const CaseComparison& c) { return starts_with(c.layer, "gpu") || c.device == Device::Gpu; }
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
    bool explains = false;
    for (const auto& [reason, cases] : cand_only) explains = explains || any_slower(cases);
    out.push_back({explains ? 90.0 : 60.0,
                   {0, "GPU throttled in the candidate",
                    fmt::format("candidate telemetry: {}; baseline telemetry: {}", throttle_text(cand_only),
                                throttle_text(base)),
                    throttle_action(cand_only)}});
  }
  if (!base_only.empty()) {
    out.push_back({55,
                   {0, "GPU throttled in the baseline",
                    fmt::format("baseline telemetry: {}; candidate telemetry: {}", throttle_text(base_only),
                                throttle_text(cand)),
                    "the baseline ran below its normal clocks, which flatters the candidate: " +
                        throttle_action(base_only)}});
  }
  if (!both.empty()) {
    out.push_back({45,
                   {0, "GPU throttled in both runs",
                    fmt::format("both sides' telemetry saw: {}", throttle_text(both)),
                    "the comparison holds, but both numbers are below what the GPU can do: " +
                        throttle_action(both)}});
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
  out.push_back({any_shift_slower(lower) ? 85.0 : 50.0,
                 {0, "Lower SM clock in the candidate",
                  fmt::format("mean SM clock more than {}% lower in the candidate on {} of {} cases with clock "
                              "telemetry (candidate vs baseline): {}{}",
                              kClockDropPct, lower.size(), all.size(), shift_list(lower, "MHz", true), cost_note(lower, c.options.min_effect_pct)),
                  "compare clocks and limits on both sides (nvidia-smi -q -d CLOCK,POWER,PERFORMANCE): a lower "
                  "power limit, application or locked clocks, or throttling in the candidate"}});
}

// GPU utilization is sampled coarsely (NVML's busy fraction over its own window): a drop of more
// than 5 points is a change in how much of the time the GPU had work.
void add_lower_gpu_utilization(const Comparison& c, std::vector<Scored>& out) {
  constexpr double kDropPoints = 5;
  const auto all = telemetry_means(c, &telemetry::Summary::gpu_util_pct);
  std::vector<TelemetryShift> lower;
  std::copy_if(all.begin(), all.end(), std::back_inserter(lower),
               [&](auto& s) { return s.candidate < s.baseline - kDropPoints; });
  if (lower.empty()) return;
  out.push_back({any_shift_slower(lower) ? 75.0 : 45.0,
                 {0, "GPU busy less of the time in the candidate",
                  fmt::format("mean GPU utilization more than {} points lower in the candidate on {} of {} cases "
                              "with utilization telemetry (candidate vs baseline): {}{}",
                              kDropPoints, lower.size(), all.size(), shift_list(lower, "%", false), cost_note(lower, c.options.min_effect_pct)),
                  "where a case is slower too, the GPU waits on the host in the candidate: check the CPU quota and "
                  "cpuset (host threads launch kernels and feed data), host-to-device copies (pinned memory) and "
                  "/dev/shm"}});
}

// ---- environment ------------------------------------------------------------------------------

void add_gpu_software(const Comparison& c, std::vector<Scored>& out) {
  const auto diffs = differences_of(c, {Aspect::GpuSoftware, Aspect::GpuDriver});
  if (diffs.empty()) return;
  const auto gpu = comparable_cases(c, gpu_case);
  const std::string outcome = group_outcome(gpu, "GPU");
  out.push_back({any_slower(gpu) ? 80.0 : 40.0,
                 {0, "Different driver, CUDA or library versions",
                  difference_list(diffs) + (outcome.empty() ? "" : "; " + outcome),
                  "run the same driver, CUDA runtime and cuBLAS on both sides (a container image brings its own "
                  "CUDA libraries); compare `sparkbench env` of both and check LD_LIBRARY_PATH and which "
                  "libcublas/libcudart are loaded"}});
}

void add_gpu_settings(const Comparison& c, std::vector<Scored>& out) {
  const auto diffs = differences_of(c, {Aspect::GpuSetting});
  if (diffs.empty()) return;
  const auto gpu = comparable_cases(c, gpu_case);
  const std::string outcome = group_outcome(gpu, "GPU");
  out.push_back({any_slower(gpu) ? 75.0 : 35.0,
                 {0, "Different GPU settings", difference_list(diffs) + (outcome.empty() ? "" : "; " + outcome),
                  "use the same power limit, application clocks and persistence mode on both sides "
                  "(nvidia-smi -q -d POWER,CLOCK)"}});
}

void add_less_cpu(const Comparison& c, std::vector<Scored>& out) {
  const auto diffs = smaller_in_candidate(c, differences_of(c, {Aspect::CpuLimit}));
  if (diffs.empty()) return;
  const auto cpu = comparable_cases(c, cpu_layer);
  const auto gpu = comparable_cases(c, [](const CaseComparison& cc) { return starts_with(cc.layer, "gpu"); });
  std::string evidence = difference_list(diffs);
  for (const auto& outcome : {per_layer_outcome(cpu), group_outcome(gpu, "gpu-layer")}) {
    if (!outcome.empty()) evidence += "; " + outcome;
  }
  out.push_back({any_slower(cpu) ? 95.0 : 30.0,
                 {0, "Less CPU in the candidate (cgroup quota or cpuset)", evidence,
                  "give the container the CPUs the native run has (docker run --cpus / --cpuset-cpus, or no "
                  "quota); GPU work also needs host threads to launch kernels and feed data"}});
}

void add_less_memory(const Comparison& c, std::vector<Scored>& out) {
  const auto all = comparable_cases(c, any_case);
  const std::string outcome = group_outcome(all, "all");
  struct Kind {
    Aspect aspect;
    const char* title;
    const char* action;
  };
  static const Kind kKinds[] = {
      {Aspect::MemoryLimit, "Smaller memory limit in the candidate",
       "raise or remove the container's memory limit (docker run --memory) and check for swapping or OOM kills"},
      {Aspect::Shm, "Smaller /dev/shm in the candidate",
       "give the container a larger /dev/shm (docker run --shm-size=16g, or --ipc=host): NCCL, PyTorch data "
       "loaders and CUDA IPC use it"},
  };
  for (const auto& kind : kKinds) {
    const auto diffs = smaller_in_candidate(c, differences_of(c, {kind.aspect}));
    if (diffs.empty()) continue;
    out.push_back({any_slower(all) ? 70.0 : 30.0, {0, kind.title, difference_list(diffs) + "; " + outcome, kind.action}});
  }
}

// Settings of lower importance are worth checking only when something did change.
void add_other_settings(const Comparison& c, std::vector<Scored>& out) {
  const auto differs = comparable_cases(c, [](const CaseComparison& cc) { return cc.primary.differs(); });
  if (differs.empty()) return;
  const auto diffs = differences_of(c, {Aspect::Ulimit, Aspect::Container, Aspect::EnvVar, Aspect::CpuTuning});
  if (diffs.empty()) return;
  out.push_back({35,
                 {0, "Other settings that differ",
                  fmt::format("{} (while {} case(s) differ significantly)", difference_list(diffs, 5), differs.size()),
                  "align these settings between the two environments and re-run: a difference that follows a "
                  "setting is explained by it"}});
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
  out.push_back({50, {0, "Where the slowdown is", join(parts, "; "), action}});
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
  out.push_back({100,
                 {0, "Equivalent: no difference beyond the threshold",
                  fmt::format("the 90% CI of the overhead lies inside ±{:g}% on all {} compared case(s); the widest is "
                              "{} at {:+.2f}% [{:+.2f}%, {:+.2f}%] ({}/{} rounds)",
                              c.options.min_effect_pct, all.size(), largest->name, m.overhead_pct, m.overhead_ci90_pct.low,
                              m.overhead_ci90_pct.high, m.rounds_baseline, m.rounds_candidate),
                  fmt::format("nothing to fix for these workloads; a difference below {:g}% would need --min-effect "
                              "lower and more rounds to show",
                              c.options.min_effect_pct)}});
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
                  inconclusive_advice(open)}});
}

}  // namespace

std::vector<Finding> find_causes(const Comparison& c) {
  std::vector<Scored> scored;
  add_throttling(c, scored);
  add_lower_sm_clock(c, scored);
  add_lower_gpu_utilization(c, scored);
  add_gpu_software(c, scored);
  add_gpu_settings(c, scored);
  add_less_cpu(c, scored);
  add_less_memory(c, scored);
  add_other_settings(c, scored);
  add_layer_split(c, scored);
  add_equivalence(c, scored);
  add_inconclusive(c, scored);
  for (auto& e : evidence_findings(c)) scored.push_back({e.score, std::move(e.finding)});
  std::stable_sort(scored.begin(), scored.end(), [](auto& a, auto& b) { return a.score > b.score; });
  std::vector<Finding> findings;
  for (auto& s : scored) {
    s.finding.rank = static_cast<int>(findings.size()) + 1;
    findings.push_back(std::move(s.finding));
  }
  return findings;
}

}  // namespace sb::diagnose
