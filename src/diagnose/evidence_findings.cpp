#include "diagnose/evidence_findings.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <map>
#include <optional>
#include <set>

#include <fmt/format.h>

#include "core/byte_size.hpp"
#include "stats/stats.hpp"
#include "telemetry/telemetry.hpp"

namespace sb::diagnose {

std::string to_string(EvidenceKind k) {
  switch (k) {
    case EvidenceKind::MachineState: return "MachineState";
    case EvidenceKind::Stack: return "Stack";
    case EvidenceKind::Limits: return "Limits";
  }
  return "Stack";
}

namespace {

using compare::CaseComparison;
using compare::Comparison;
using compare::Verdict;
using nlohmann::json;
using Cases = std::vector<const CaseComparison*>;

enum class Side { Baseline, Candidate };
const char* name_of(Side s) { return s == Side::Baseline ? "baseline" : "candidate"; }
Side other(Side s) { return s == Side::Baseline ? Side::Candidate : Side::Baseline; }
const std::vector<record::RunRecord>& records_of(const Comparison& c, Side s) {
  return s == Side::Baseline ? c.baseline_records : c.candidate_records;
}
const json& environment_of(const Comparison& c, Side s) { return records_of(c, s).front().environment; }
const record::CaseResult* result_of(const CaseComparison& cc, Side s) {
  return s == Side::Baseline ? cc.baseline : cc.candidate;
}
const std::string& id_in(const CaseComparison& cc, Side s) { return s == Side::Baseline ? cc.id : cc.candidate_id; }

bool comparable(const CaseComparison& c) { return c.not_comparable.empty(); }
bool slower(const CaseComparison& c) { return comparable(c) && compare::is_slower(c.primary.verdict); }
bool faster(const CaseComparison& c) { return comparable(c) && c.primary.verdict == Verdict::Faster; }
// Worse on side s: slower in the candidate, or faster in it (the baseline was the slow one).
bool worse_on(const CaseComparison& c, Side s) { return s == Side::Candidate ? slower(c) : faster(c); }
bool gpu_case(const CaseComparison& c) { return c.layer.starts_with("gpu") || c.device == Device::Gpu; }

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : std::string(separator)) + p;
  return out;
}

// The value at a chain of object keys; nullptr where one is missing.
const json* find(const json& j, std::initializer_list<const char*> keys) {
  const json* at = &j;
  for (const char* k : keys) {
    if (!at->is_object() || !at->contains(k)) return nullptr;
    at = &(*at)[k];
  }
  return at;
}
std::optional<double> number_at(const json& j, std::initializer_list<const char*> keys) {
  const json* v = find(j, keys);
  return v && v->is_number() ? std::optional<double>(v->get<double>()) : std::nullopt;
}

// "123,456" for a whole number, as people read token counts.
std::string grouped(long long n) {
  std::string digits = std::to_string(n < 0 ? -n : n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return (n < 0 ? "-" : "") + out;
}

// A setting's or version's value as shown: whole numbers grouped (also when the engine printed them).
std::string setting_text(const json& v) {
  if (v.is_null()) return "unset";
  if (v.is_number_integer()) return grouped(v.get<long long>());
  if (!v.is_string()) return v.dump();
  const auto& s = v.get_ref<const std::string&>();
  const bool whole = !s.empty() && s.size() < 16 && std::all_of(s.begin(), s.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
  return whole ? grouped(std::stoll(s)) : s;
}

// "+1.5%", "-0.4%", and "+0.0%" for what rounds to zero (never "-0.0%").
std::string signed_pct(double pct) { return fmt::format("{:+.1f}%", std::abs(pct) < 0.05 ? 0.0 : pct); }

// "a +30.0% (slower), b -0.4% (equivalent)": up to four cases with their outcomes.
std::string case_outcomes(const Cases& cases) {
  std::vector<std::string> parts;
  for (std::size_t i = 0; i < std::min<std::size_t>(cases.size(), 4); ++i)
    parts.push_back(fmt::format("{} {} ({})", cases[i]->name, signed_pct(cases[i]->primary.overhead_pct),
                                compare::outcome_name(cases[i]->primary.verdict)));
  if (cases.size() > 4) parts.push_back(fmt::format("and {} more", cases.size() - 4));
  return join(parts, ", ");
}

// Extra cost of `value` over `reference` in percent, positive = worse, whichever way is better.
double cost_pct(double value, double reference, Better better) {
  return better == Better::Lower ? 100 * (value / reference - 1) : 100 * (reference / value - 1);
}

std::string rounds_text(const std::vector<std::size_t>& rounds) {
  std::vector<std::string> parts;
  for (auto r : rounds) parts.push_back(std::to_string(r + 1));
  return join(parts, ", ");
}

// ---- the canary -------------------------------------------------------------------------------

struct ProbeReading {
  double value = 0;
  Better better = Better::Lower;
  std::string unit;
};

// One round's canary: each probe the mean of its start and end values, the GPU's power and SM clock
// the mean of their means while the probes ran.
struct RoundCanary {
  std::map<std::string, ProbeReading> probes;
  std::optional<double> power_w, sm_clock_mhz;
};

std::optional<RoundCanary> round_canary(const json& canary) {
  if (!canary.is_object()) return std::nullopt;
  RoundCanary out;
  std::map<std::string, std::vector<double>> values;
  std::vector<double> power, clock;
  for (const char* moment : {"start", "end"}) {
    const json* probes = find(canary, {moment, "probes"});
    if (!probes || !probes->is_object()) continue;
    for (const auto& [name, p] : probes->items()) {
      if (!p.is_object() || !p.contains("value") || !p["value"].is_number()) continue;
      values[name].push_back(p["value"].get<double>());
      out.probes[name].better = better_from_string(p.value("better", "lower"));
      out.probes[name].unit = p.value("unit", "");
    }
    if (const json* t = find(canary, {moment, "telemetry"}); t && t->is_object()) {
      const auto summary = telemetry::summary_from_json(*t);
      if (summary.power_w) power.push_back(summary.power_w->mean);
      if (summary.sm_clock_mhz) clock.push_back(summary.sm_clock_mhz->mean);
    }
  }
  if (values.empty()) return std::nullopt;
  for (auto& [name, v] : values) out.probes[name].value = stats::mean(v);
  if (!power.empty()) out.power_w = stats::mean(power);
  if (!clock.empty()) out.sm_clock_mhz = stats::mean(clock);
  return out;
}

std::vector<std::optional<RoundCanary>> side_canaries(const Comparison& c, Side s) {
  std::vector<std::optional<RoundCanary>> out;
  for (const auto& r : records_of(c, s)) out.push_back(round_canary(r.canary));
  return out;
}

// The median over a side's rounds of each probe, and of power and clock.
RoundCanary median_canary(const std::vector<std::optional<RoundCanary>>& rounds) {
  std::map<std::string, std::vector<double>> values;
  std::vector<double> power, clock;
  RoundCanary out;
  for (const auto& r : rounds) {
    if (!r) continue;
    for (const auto& [name, p] : r->probes) {
      values[name].push_back(p.value);
      out.probes[name] = p;
    }
    if (r->power_w) power.push_back(*r->power_w);
    if (r->sm_clock_mhz) clock.push_back(*r->sm_clock_mhz);
  }
  for (auto& [name, v] : values) out.probes[name].value = stats::median(v);
  if (!power.empty()) out.power_w = stats::median(power);
  if (!clock.empty()) out.sm_clock_mhz = stats::median(clock);
  return out;
}

// The probe of `round` that lost most against `reference`, with its cost in percent.
struct WorstProbe {
  std::string name;
  double cost_pct = 0;
  ProbeReading value, reference;
};
std::optional<WorstProbe> worst_probe(const RoundCanary& round, const RoundCanary& reference) {
  std::optional<WorstProbe> worst;
  for (const auto& [name, p] : round.probes) {
    const auto ref = reference.probes.find(name);
    if (ref == reference.probes.end() || ref->second.value <= 0 || p.value <= 0) continue;
    const double cost = cost_pct(p.value, ref->second.value, p.better);
    if (!worst || cost > worst->cost_pct) worst = WorstProbe{name, cost, p, ref->second};
  }
  return worst;
}

// "bf16_gemm -18.0% (81.2 vs 99.0 TFLOP/s), power 310 vs 650 W, SM clock 1980 vs 1980 MHz"
std::string canary_text(const WorstProbe& w, const RoundCanary& round, const RoundCanary& reference) {
  std::string out = fmt::format("{} {:+.1f}% ({:.4g} vs {:.4g} {})", w.name, 100 * (w.value.value / w.reference.value - 1),
                                w.value.value, w.reference.value, w.value.unit);
  if (round.power_w && reference.power_w) out += fmt::format(", power {:.0f} vs {:.0f} W", *round.power_w, *reference.power_w);
  if (round.sm_clock_mhz && reference.sm_clock_mhz)
    out += fmt::format(", SM clock {:.0f} vs {:.0f} MHz", *round.sm_clock_mhz, *reference.sm_clock_mhz);
  return out;
}

double primary_median(const record::CaseResult& r) {
  const auto* m = r.primary();
  return m && !m->samples.empty() ? stats::median(m->samples) : std::nan("");
}

// Per round of side s, the workload's extra cost in percent against the other side's median round
// (geometric mean over the comparable cases that ran in that round); nullopt where none did.
std::vector<std::optional<double>> workload_round_cost(const Comparison& c, Side s) {
  const auto& mine = records_of(c, s);
  const auto& theirs = records_of(c, other(s));
  std::vector<std::vector<double>> log_ratios(mine.size());
  for (const auto& cc : c.cases) {
    if (!comparable(cc)) continue;
    std::vector<double> reference;
    for (const auto& r : theirs)
      if (const auto* k = r.find_case(id_in(cc, other(s))); k && k->status == record::CaseStatus::Ok)
        if (const double m = primary_median(*k); std::isfinite(m) && m > 0) reference.push_back(m);
    if (reference.empty()) continue;
    const double ref = stats::median(reference);
    for (std::size_t i = 0; i < mine.size(); ++i) {
      const auto* k = mine[i].find_case(id_in(cc, s));
      if (!k || k->status != record::CaseStatus::Ok) continue;
      if (const double m = primary_median(*k); std::isfinite(m) && m > 0)
        log_ratios[i].push_back(std::log1p(cost_pct(m, ref, cc.primary.spec.better) / 100));
    }
  }
  std::vector<std::optional<double>> out;
  for (const auto& l : log_ratios) out.push_back(l.empty() ? std::nullopt : std::optional(100 * std::expm1(stats::mean(l))));
  return out;
}

std::string canary_action(Side s) {
  return fmt::format(
      "the canary is fixed work, so this is a hardware/power state, not the container{}: check the power state "
      "(nvidia-smi -q -d POWER,PERFORMANCE; a GB10 after a USB-PD fault stays capped until it is power-cycled), "
      "then re-run; `ab` alternates the sides, so a state that comes and goes shows as slow rounds",
      s == Side::Baseline ? " (and it flatters the candidate)" : "");
}

// The rounds of side s where the canary lost more than the threshold against the other side's
// median canary, when they coincide with the rounds where the workload did; else, the side's
// median canary against the other's, when it moved the way the workload did.
void add_canary_for_side(const Comparison& c, Side s, std::vector<EvidenceFinding>& out) {
  const auto mine = side_canaries(c, s), theirs = side_canaries(c, other(s));
  const RoundCanary reference = median_canary(theirs);
  if (reference.probes.empty()) return;
  const double threshold = c.options.min_effect_pct;
  const auto workload = workload_round_cost(c, s);

  std::vector<std::size_t> slow_canary, slow_workload, both;
  std::map<std::size_t, WorstProbe> worst_of;
  for (std::size_t i = 0; i < mine.size(); ++i) {
    if (mine[i]) {
      if (auto w = worst_probe(*mine[i], reference); w && w->cost_pct > threshold) {
        slow_canary.push_back(i);
        worst_of[i] = *w;
      }
    }
    if (workload[i] && *workload[i] > threshold) slow_workload.push_back(i);
  }
  std::set_intersection(slow_canary.begin(), slow_canary.end(), slow_workload.begin(), slow_workload.end(),
                        std::back_inserter(both));
  // Coincide: most slow-canary rounds are slow-workload rounds and most slow-workload rounds have a slow canary.
  if (!both.empty() && 2 * both.size() >= slow_canary.size() && 2 * both.size() >= slow_workload.size()) {
    std::vector<std::string> rounds;
    std::vector<double> in_slow, in_rest;
    for (std::size_t i : both) rounds.push_back(fmt::format("round {}: {}", i + 1, canary_text(worst_of[i], *mine[i], reference)));
    for (std::size_t i = 0; i < workload.size(); ++i) {
      if (!workload[i]) continue;
      (std::find(both.begin(), both.end(), i) != both.end() ? in_slow : in_rest).push_back(*workload[i]);
    }
    std::string workload_text = fmt::format("the workload in those rounds {} on average", signed_pct(stats::mean(in_slow)));
    if (!in_rest.empty()) workload_text += fmt::format(", in the other {} round(s) {}", in_rest.size(), signed_pct(stats::mean(in_rest)));
    out.push_back({97, EvidenceKind::MachineState,
                   {0, fmt::format("The machine was slower during {} rounds {}", name_of(s), rounds_text(both)),
                    fmt::format("canary against the {}'s median canary, {} of {} {} rounds slower by more than {:g}% "
                                "({}); {} against the {}'s median round",
                                name_of(other(s)), both.size(), mine.size(), name_of(s), threshold, join(rounds, "; "),
                                workload_text, name_of(other(s))),
                    canary_action(s)}});
    return;
  }
  const RoundCanary median = median_canary(mine);
  const auto w = worst_probe(median, reference);
  Cases worse;
  for (const auto& cc : c.cases)
    if (worse_on(cc, s)) worse.push_back(&cc);
  if (!w || w->cost_pct <= threshold || worse.empty()) return;
  out.push_back({92, EvidenceKind::MachineState,
                 {0, fmt::format("The machine was slower in the {}'s rounds (canary)", name_of(s)),
                  fmt::format("median canary of the {} against the {}'s, over {} vs {} rounds: {}; the workload moved "
                              "the same way: {}",
                              name_of(s), name_of(other(s)), mine.size(), theirs.size(), canary_text(*w, median, reference),
                              case_outcomes(worse)),
                  canary_action(s)}});
}

void add_canary(const Comparison& c, std::vector<EvidenceFinding>& out) {
  add_canary_for_side(c, Side::Candidate, out);
  add_canary_for_side(c, Side::Baseline, out);
}

// A GPU case slower at the same reported SM clock (within 3%, the boost jitter of one GPU) and not
// left idle (utilization not more than 5 points lower): the GPU did less work per clock.
void add_same_clock_slower(const Comparison& c, std::vector<EvidenceFinding>& out) {
  constexpr double kSameClockPct = 3, kUtilDropPoints = 5;
  std::vector<std::string> parts;
  std::size_t n = 0;
  for (const auto& cc : c.cases) {
    if (!slower(cc) || !gpu_case(cc) || !cc.telemetry_baseline || !cc.telemetry_candidate) continue;
    const auto &b = *cc.telemetry_baseline, &k = *cc.telemetry_candidate;
    if (!b.sm_clock_mhz || !k.sm_clock_mhz || b.sm_clock_mhz->mean <= 0) continue;
    const double clock_pct = 100 * (k.sm_clock_mhz->mean / b.sm_clock_mhz->mean - 1);
    if (std::abs(clock_pct) > kSameClockPct) continue;
    if (b.gpu_util_pct && k.gpu_util_pct && k.gpu_util_pct->mean < b.gpu_util_pct->mean - kUtilDropPoints) continue;
    if (++n > 3) continue;
    std::string part = fmt::format("{} {:+.1f}% with SM clock {:.0f} vs {:.0f} MHz ({:+.1f}%)", cc.name, cc.primary.overhead_pct,
                                   k.sm_clock_mhz->mean, b.sm_clock_mhz->mean, clock_pct);
    if (b.power_w && k.power_w) part += fmt::format(", power {:.0f} vs {:.0f} W", k.power_w->mean, b.power_w->mean);
    parts.push_back(part);
  }
  if (n == 0) return;
  if (n > 3) parts.push_back(fmt::format("and {} more", n - 3));
  out.push_back({80, EvidenceKind::MachineState,
                 {0, "GPU throughput fell while the reported SM clock stayed the same",
                  fmt::format("slower GPU case(s), candidate vs baseline telemetry: {}", join(parts, "; ")),
                  "a power state that the reported clocks do not show (GB10: steps flipping between 63 and 94 ms at "
                  "the same clocks, only the power differing): run `sparkbench ab`, whose canary measures the machine in "
                  "every round; if the canary is slow too, power-cycle the machine; if it is not, compare the driver "
                  "and library versions"}});
}

// ---- memory a GPU that shares host memory finds free -------------------------------------------

struct MemoryState {
  std::optional<double> cuda_free, host_free, cached;
  bool integrated = false;
};

MemoryState memory_state(const json& env) {
  MemoryState m;
  m.host_free = number_at(env, {"memory", "free_bytes"});
  m.cached = number_at(env, {"memory", "cached_bytes"});
  if (const json* devices = find(env, {"cuda", "devices"}); devices && devices->is_array()) {
    for (const auto& d : *devices) {
      m.integrated = m.integrated || d.value("integrated", false);
      if (!m.cuda_free) m.cuda_free = number_at(d, {"memory_free_bytes"});
    }
  }
  return m;
}

// kv_capacity_tokens of the cases that recorded it on both sides: "llm/x 50,000 vs 125,000 tokens (-60.0%)".
std::vector<std::string> kv_capacity_changes(const Comparison& c) {
  std::vector<std::string> out;
  for (const auto& cc : c.cases) {
    if (!cc.baseline || !cc.candidate) continue;
    const auto b = number_at(cc.baseline->info, {"kv_capacity_tokens"}), k = number_at(cc.candidate->info, {"kv_capacity_tokens"});
    if (!b || !k || *b <= 0 || *b == *k) continue;
    out.push_back(fmt::format("{} {} vs {} tokens ({:+.1f}%)", cc.name, grouped(std::llround(*k)), grouped(std::llround(*b)),
                              100 * (*k / *b - 1)));
  }
  return out;
}

// On a GPU that shares host memory, or where CUDA's free memory differs by 10% or more: the side that
// started with less free memory (CUDA's where both sides recorded it, else MemFree).
void add_free_memory(const Comparison& c, std::vector<EvidenceFinding>& out) {
  constexpr double kDifference = 0.10;
  const auto b = memory_state(environment_of(c, Side::Baseline)), k = memory_state(environment_of(c, Side::Candidate));
  const bool integrated = b.integrated || k.integrated;
  const bool use_cuda = b.cuda_free && k.cuda_free;
  if (!use_cuda && !(integrated && b.host_free && k.host_free)) return;
  const double fb = use_cuda ? *b.cuda_free : *b.host_free, fk = use_cuda ? *k.cuda_free : *k.host_free;
  const double larger = std::max(fb, fk);
  if (larger <= 0 || std::abs(fb - fk) / larger < kDifference) return;
  const Side less = fk < fb ? Side::Candidate : Side::Baseline;
  std::string evidence = fmt::format("the {} started with {} less free memory ({} {} vs {} in the {})", name_of(less),
                                     human_bytes(std::abs(fb - fk)), use_cuda ? "CUDA free (cudaMemGetInfo)" : "MemFree",
                                     human_bytes(less == Side::Candidate ? fk : fb), human_bytes(less == Side::Candidate ? fb : fk),
                                     name_of(other(less)));
  if (b.cached && k.cached)
    evidence += fmt::format("; page cache {} in the candidate vs {} in the baseline", human_bytes(*k.cached), human_bytes(*b.cached));
  if (integrated) evidence += "; the GPU is integrated: it allocates from host memory, and the page cache is not free to it";
  const auto kv = kv_capacity_changes(c);
  if (!kv.empty()) evidence += "; KV capacity (candidate vs baseline): " + join(kv, ", ");
  bool explains = false;
  for (const auto& cc : c.cases) explains = explains || worse_on(cc, less);
  out.push_back({explains ? 86.0 : 45.0, EvidenceKind::MachineState,
                 {0, fmt::format("Less free memory at the start of the {}", name_of(less)), evidence,
                  "drop the page cache before each side (`sync; echo 3 > /proc/sys/vm/drop_caches` as root, or `ab "
                  "--drop-caches`): engines size their KV cache from the memory CUDA reports free, and on a GPU that "
                  "shares host memory the page cache is not in it"}});
}

// ---- core classes -------------------------------------------------------------------------------

// "5 Cortex-X925 + 5 Cortex-A725": the classes this process may use, as the snapshot says it.
std::string allowed_mix(const json& cpu) {
  if (const json* text = find(cpu, {"affinity_classes"}); text && text->is_string()) return text->get<std::string>();
  std::vector<std::string> parts;
  for (const auto& k : cpu["core_classes"])
    if (k.value("allowed", 0) > 0) parts.push_back(fmt::format("{} {}", k.value("allowed", 0), k.value("core", std::string("unknown"))));
  return parts.empty() ? "none" : join(parts, " + ");
}

void add_core_classes(const Comparison& c, std::vector<EvidenceFinding>& out) {
  const json* b = find(environment_of(c, Side::Baseline), {"cpu"});
  const json* k = find(environment_of(c, Side::Candidate), {"cpu"});
  if (!b || !k) return;
  const json* bc = find(*b, {"core_classes"});
  const json* kc = find(*k, {"core_classes"});
  if (!bc || !kc || !bc->is_array() || !kc->is_array() || bc->empty() || kc->empty()) return;
  if (bc->size() < 2 && kc->size() < 2) return;  // one kind of core: a different count is a cpuset, not a class mix
  const auto mix = [](const json& classes) {
    std::map<std::string, int> m;
    for (const auto& x : classes) m[x.value("core", std::string("unknown"))] += x.value("allowed", 0);
    return m;
  };
  if (mix(*bc) == mix(*kc)) return;
  const auto& fast = (*bc)[0];
  const std::string fast_core = fast.value("core", std::string("unknown"));
  const int fast_b = mix(*bc)[fast_core], fast_k = mix(*kc)[fast_core];
  Cases cpu_cases;
  for (const auto& cc : c.cases)
    if (comparable(cc) && cc.layer.starts_with("cpu")) cpu_cases.push_back(&cc);
  const Side fewer = fast_k < fast_b ? Side::Candidate : Side::Baseline;
  const bool explains = fast_k != fast_b && std::any_of(cpu_cases.begin(), cpu_cases.end(), [&](auto* cc) { return worse_on(*cc, fewer); });
  std::string evidence = fmt::format("the candidate ran on {}, the baseline on {} (the fastest class, {}, has {} cores: {})",
                                     allowed_mix(*k), allowed_mix(*b), fast_core, fast.value("count", 0),
                                     fast.value("cpus", std::string("?")));
  evidence += cpu_cases.empty() ? "; no CPU-layer case was compared" : "; CPU-layer cases: " + case_outcomes(cpu_cases);
  const std::string title = fast_k == fast_b ? "A different mix of core classes in the two runs"
                                             : fmt::format("Fewer fast cores in the {} ({} of {})", name_of(fewer),
                                                           std::min(fast_b, fast_k), std::max(fast_b, fast_k));
  out.push_back({explains ? 93.0 : 30.0, EvidenceKind::Limits,
                 {0, title, evidence,
                  fmt::format("give both sides the same cores: pin them to the fast class (docker run --cpuset-cpus={0}; "
                              "taskset -c {0} natively); a thread on a slower core takes longer for the same work",
                              fast.value("cpus", std::string("<cpus>")))}});
}

// ---- JIT caches and the cold repetition --------------------------------------------------------

// Per case and side, the median over rounds of the first warm-up repetition's cost against that
// round's steady median (2.0 = the cold repetition took twice as long).
std::optional<double> cold_start_ratio(const Comparison& c, const CaseComparison& cc, Side s) {
  std::vector<double> ratios;
  for (const auto& r : records_of(c, s)) {
    const auto* k = r.find_case(id_in(cc, s));
    if (!k || k->status != record::CaseStatus::Ok || k->warmup_samples.empty()) continue;
    const double steady = primary_median(*k), cold = k->warmup_samples.front();
    if (!std::isfinite(steady) || steady <= 0 || cold <= 0) continue;
    ratios.push_back(1 + cost_pct(cold, steady, cc.primary.spec.better) / 100);
  }
  if (ratios.empty()) return std::nullopt;
  return stats::median(ratios);
}

// What makes a side start cold: "CUDA_CACHE_DISABLE=1", "cuda_compute_cache (/root/.nv/ComputeCache)
// not persistent: container layer (...)", "triton cache empty (...)".
std::set<std::string> cold_start_reasons(const json& env) {
  std::set<std::string> out;
  const json* jit = find(env, {"jit_caches"});
  if (!jit) return out;
  if (const json* d = find(*jit, {"cuda_cache_disable"}); d && d->is_string() && d->get<std::string>() == "1")
    out.insert("CUDA_CACHE_DISABLE=1");
  if (const json* caches = find(*jit, {"caches"}); caches && caches->is_object()) {
    for (const auto& [name, cache] : caches->items()) {
      const std::string where = fmt::format("{} ({})", name, cache.value("path", std::string("?")));
      if (!cache.value("exists", false)) out.insert(where + " absent");
      else if (cache.value("files", 1) == 0 || cache.value("bytes", 1) == 0) out.insert(where + " empty");
      if (const std::string p = cache.value("persists", std::string("persistent")); p != "persistent")
        out.insert(where + " not persistent: " + p);
    }
  }
  return out;
}

// A cold repetition 1.5x or more costlier on one side than on the other, where that side has a
// reason to start cold that the other side has not.
void add_cold_start(const Comparison& c, std::vector<EvidenceFinding>& out) {
  constexpr double kRatioOfRatios = 1.5;
  const auto reasons_b = cold_start_reasons(environment_of(c, Side::Baseline));
  const auto reasons_k = cold_start_reasons(environment_of(c, Side::Candidate));
  for (const Side s : {Side::Candidate, Side::Baseline}) {
    const auto& mine = s == Side::Candidate ? reasons_k : reasons_b;
    const auto& theirs = s == Side::Candidate ? reasons_b : reasons_k;
    std::vector<std::string> only;
    std::set_difference(mine.begin(), mine.end(), theirs.begin(), theirs.end(), std::back_inserter(only));
    if (only.empty()) continue;
    std::vector<std::string> cases;
    bool explains = false;
    for (const auto& cc : c.cases) {
      const auto hi = cold_start_ratio(c, cc, s), lo = cold_start_ratio(c, cc, other(s));
      if (!hi || !lo || *lo <= 0 || *hi / *lo < kRatioOfRatios) continue;
      cases.push_back(fmt::format("{} pays a {:.1f}x first repetition in the {} vs {:.1f}x in the {}", cc.name, *hi, name_of(s),
                                  *lo, name_of(other(s))));
      explains = explains || worse_on(cc, s);
    }
    if (cases.empty()) continue;
    out.push_back({explains ? 65.0 : 40.0, EvidenceKind::Stack,
                   {0, fmt::format("A cold start only the {} pays (JIT caches)", name_of(s)),
                    fmt::format("first warm-up repetition against the steady median, median over rounds: {}; only the {} "
                                "has: {}",
                                join(cases, "; "), name_of(s), join(only, "; ")),
                    "keep the JIT caches across runs: unset CUDA_CACHE_DISABLE and bind-mount the caches into the "
                    "container (-v $HOME/.nv/ComputeCache:/root/.nv/ComputeCache, -v $HOME/.triton:/root/.triton, "
                    "-v $HOME/.cache/vllm:/root/.cache/vllm); the warm-up keeps the compile out of the measured "
                    "repetitions, but every fresh --rm container pays it at its start"}});
  }
}

// ---- engine settings -----------------------------------------------------------------------------

void add_engine_settings(const Comparison& c, std::vector<EvidenceFinding>& out) {
  const auto diffs = engine_setting_differences(c);
  if (diffs.empty()) return;
  std::map<std::string, std::vector<std::string>> by_case;
  std::vector<std::string> order;
  for (const auto& d : diffs) {
    if (!by_case.count(d.case_name)) order.push_back(d.case_name);
    by_case[d.case_name].push_back(fmt::format("{} {} vs {}", d.setting, setting_text(d.candidate), setting_text(d.baseline)));
  }
  std::vector<std::string> parts;
  for (const auto& name : order) parts.push_back(fmt::format("{}: {}", name, join(by_case[name], "; ")));
  bool differs = false;
  for (const auto& cc : c.cases)
    differs = differs || (comparable(cc) && by_case.count(cc.name) && cc.primary.differs());
  out.push_back({differs ? 88.0 : 38.0, EvidenceKind::Stack,
                 {0, "The engine ran differently (engine settings)",
                  "candidate vs baseline, " + join(parts, " | "),
                  "run the engine with the same settings on both sides: pass them explicitly rather than leaving them "
                  "to its defaults, which follow the memory it finds and the image's versions; a difference that "
                  "follows a setting is explained by it, not by the container"}});
}

// ---- kernel coverage and versions ----------------------------------------------------------------

// A library as the two sides name it: its file name up to ".so" ("libcublas" for libcublas.so.13.1.0.3).
std::string library_name(const std::string& path) {
  const auto slash = path.rfind('/');
  std::string file = slash == std::string::npos ? path : path.substr(slash + 1);
  return file.substr(0, file.find(".so"));
}

struct LibraryEntry {
  std::string path, version, where;
  std::optional<bool> sass_for_device;
  std::string ptx_jit;  // "" when the driver has no PTX to compile
};

void collect_libraries(const json& list, const std::string& where, std::map<std::string, LibraryEntry>& out) {
  if (!list.is_array()) return;
  for (const auto& l : list) {
    if (!l.is_object() || !l.contains("path") || !l["path"].is_string()) continue;
    const std::string path = l["path"].get<std::string>();
    auto& e = out[library_name(path)];
    if (e.path.empty()) e = {path, "", where, std::nullopt, ""};
    if (e.version.empty() && l.contains("version") && l["version"].is_string()) e.version = l["version"].get<std::string>();
    if (l.contains("sass_for_device") && l["sass_for_device"].is_boolean() && !e.sass_for_device)
      e.sass_for_device = l["sass_for_device"].get<bool>();
    if (e.ptx_jit.empty() && l.contains("ptx_jit") && l["ptx_jit"].is_string()) e.ptx_jit = l["ptx_jit"].get<std::string>();
  }
}

// Every library a side recorded: sparkbench's own (env libraries.coverage) and each command case's
// (info.mapped_libraries), by name.
std::map<std::string, LibraryEntry> side_libraries(const Comparison& c, Side s) {
  std::map<std::string, LibraryEntry> out;
  if (const json* cov = find(environment_of(c, s), {"libraries", "coverage"})) collect_libraries(*cov, "sparkbench", out);
  for (const auto& cc : c.cases)
    if (const auto* r = result_of(cc, s))
      if (const json* mapped = find(r->info, {"mapped_libraries"})) collect_libraries(*mapped, cc.name, out);
  return out;
}

// "sm_121" from the snapshot's first CUDA device ("12.1"); "this GPU" without one.
std::string device_arch(const json& env) {
  if (const json* devices = find(env, {"cuda", "devices"}); devices && devices->is_array())
    for (const auto& d : *devices)
      if (d.contains("compute_capability") && d["compute_capability"].is_string()) {
        std::string cc = d["compute_capability"].get<std::string>();
        cc.erase(std::remove(cc.begin(), cc.end(), '.'), cc.end());
        return "sm_" + cc;
      }
  return "this GPU";
}

std::string no_sass_text(const std::string& name, const LibraryEntry& e, const std::string& arch) {
  return fmt::format("{} ({}, loaded by {}) has no SASS for {}: {}", name, e.path, e.where, arch,
                     e.ptx_jit.empty() ? "no PTX the driver could compile either, so its kernels for this GPU are absent"
                                       : "its kernels are JIT-compiled from " + e.ptx_jit + " PTX at load time");
}

void add_kernel_coverage(const Comparison& c, const std::map<std::string, LibraryEntry>& b,
                         const std::map<std::string, LibraryEntry>& k, std::vector<EvidenceFinding>& out) {
  const auto lacks = [](const std::map<std::string, LibraryEntry>& side, const std::string& name) {
    const auto it = side.find(name);
    return it != side.end() && it->second.sass_for_device == false;
  };
  std::set<std::string> names;
  for (const auto* side : {&b, &k})
    for (const auto& [name, e] : *side)
      if (e.sass_for_device == false) names.insert(name);
  if (names.empty()) return;
  std::vector<std::string> cand_only, base_only, both;
  for (const auto& name : names) {
    const bool in_b = lacks(b, name), in_k = lacks(k, name);
    if (in_b && in_k) both.push_back(no_sass_text(name, k.at(name), device_arch(environment_of(c, Side::Candidate))));
    else if (in_k) cand_only.push_back(no_sass_text(name, k.at(name), device_arch(environment_of(c, Side::Candidate))));
    else base_only.push_back(no_sass_text(name, b.at(name), device_arch(environment_of(c, Side::Baseline))));
  }
  std::vector<std::string> parts;
  if (!cand_only.empty()) parts.push_back("only in the candidate: " + join(cand_only, "; "));
  if (!base_only.empty()) parts.push_back("only in the baseline: " + join(base_only, "; "));
  if (!both.empty()) parts.push_back("both sides: " + join(both, "; "));
  bool gpu_slower = false;
  for (const auto& cc : c.cases) gpu_slower = gpu_slower || (slower(cc) && (gpu_case(cc) || cc.workload.starts_with("command:")));
  out.push_back({!cand_only.empty() && gpu_slower ? 84.0 : 42.0, EvidenceKind::Stack,
                 {0, "Libraries without kernels built for this GPU", join(parts, " | "),
                  "use builds with SASS for this GPU (a wheel or image built for its architecture, e.g. sm_121 with "
                  "CUDA 12.9 or later) on the side that lacks them; until then keep the CUDA JIT cache persistent and "
                  "large (CUDA_CACHE_MAXSIZE) so that the PTX is compiled once; `sparkbench doctor` lists what each "
                  "library has"}});
}

void add_versions(const Comparison& c, const std::map<std::string, LibraryEntry>& b,
                  const std::map<std::string, LibraryEntry>& k, std::vector<EvidenceFinding>& out) {
  std::vector<std::string> parts;
  std::set<std::string> seen;
  for (const auto& cc : c.cases) {
    if (!cc.baseline || !cc.candidate) continue;
    const json* pb = find(cc.baseline->info, {"python_packages"});
    const json* pk = find(cc.candidate->info, {"python_packages"});
    if (!pb || !pk || !pb->is_object() || !pk->is_object()) continue;
    for (const auto& [name, v] : pk->items()) {
      const json base = pb->value(name, json(nullptr));
      if (base == v || !seen.insert(name).second) continue;
      parts.push_back(fmt::format("{} {} vs {}", name, v.is_null() ? "absent" : setting_text(v),
                                  base.is_null() ? "absent" : setting_text(base)));
    }
  }
  for (const auto& [name, e] : k) {
    const auto it = b.find(name);
    if (it == b.end() || e.version.empty() || it->second.version.empty() || e.version == it->second.version) continue;
    if (seen.insert(name).second) parts.push_back(fmt::format("{} {} vs {}", name, e.version, it->second.version));
  }
  if (parts.empty()) return;
  Cases moved;
  for (const auto& cc : c.cases)
    if (comparable(cc) && cc.primary.differs()) moved.push_back(&cc);
  out.push_back({moved.empty() ? 37.0 : 79.0, EvidenceKind::Stack,
                 {0, "Different library and package versions (a stack change, not containerization)",
                  "candidate vs baseline: " + join(parts, "; ") +
                      (moved.empty() ? "" : "; cases that differ: " + case_outcomes(moved)),
                  "compare like with like: run the same versions on both sides (install the image's versions natively, "
                  "or use an image with the native ones); only the difference that remains is the container's"}});
}

}  // namespace

std::vector<EngineSettingDifference> engine_setting_differences(const Comparison& c) {
  std::vector<EngineSettingDifference> out;
  for (const auto& cc : c.cases) {
    if (!cc.baseline || !cc.candidate) continue;
    const json* b = find(cc.baseline->info, {"engine_settings"});
    const json* k = find(cc.candidate->info, {"engine_settings"});
    if (!b || !k || !b->is_object() || !k->is_object()) continue;
    std::set<std::string> names;
    for (const auto* side : {b, k})
      for (const auto& [name, v] : side->items()) names.insert(name);
    for (const auto& name : names) {
      const json vb = b->value(name, json(nullptr)), vk = k->value(name, json(nullptr));
      if (vb != vk) out.push_back({cc.name, name, vb, vk});
    }
  }
  return out;
}

std::vector<EvidenceFinding> evidence_findings(const Comparison& c) {
  std::vector<EvidenceFinding> out;
  if (c.baseline_records.empty() || c.candidate_records.empty()) return out;
  add_canary(c, out);
  add_same_clock_slower(c, out);
  add_free_memory(c, out);
  add_core_classes(c, out);
  add_cold_start(c, out);
  add_engine_settings(c, out);
  const auto libraries_b = side_libraries(c, Side::Baseline), libraries_k = side_libraries(c, Side::Candidate);
  add_kernel_coverage(c, libraries_b, libraries_k, out);
  add_versions(c, libraries_b, libraries_k, out);
  return out;
}

}  // namespace sb::diagnose
