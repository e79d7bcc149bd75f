#include "compare/compare.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <optional>

#include <fmt/format.h>

#include "compare/inconclusive_advice.hpp"
#include "compare/metric.hpp"
#include "compare/pool.hpp"
#include "core/error.hpp"
#include "workload/display_id.hpp"

namespace sb::compare {
namespace {

// Higher = worse; the overall verdict is the worst among the comparable cases' primary metrics. An
// inconclusive case outranks equivalent and faster ones: the report must not read "no difference"
// while a case could still hide one.
int severity(Verdict v) {
  switch (v) {
    case Verdict::NotComparable: return -1;
    case Verdict::Equivalent: return 0;
    case Verdict::Faster: return 1;
    case Verdict::Inconclusive: return 2;
    case Verdict::Minimal: return 3;
    case Verdict::Moderate: return 4;
    case Verdict::Significant: return 5;
    case Verdict::Critical: return 6;
  }
  return -1;
}

std::string status_reason(const record::CaseResult& r, const char* side) {
  if (r.status == record::CaseStatus::Ok) return "";
  return fmt::format("{} in {}{}{}", to_string(r.status), side, r.message.empty() ? "" : ": ", r.message);
}

// The samples of metric `name` per compared round (rounds without it are left out).
detail::Rounds metric_rounds(const detail::PooledCase& side, const std::string& name) {
  detail::Rounds out;
  for (const auto& round : side.rounds)
    if (const auto* m = round.result->metric(name)) out.push_back(m->samples);
  return out;
}

std::optional<ShortOfTarget> short_of_target(const detail::PooledCase& side) {
  ShortOfTarget s;
  s.of = side.rounds.size();
  std::vector<std::string> reasons;
  for (const auto& round : side.rounds) {
    const auto& r = *round.result;
    if (r.stop_reason == record::StopReason::CiTarget || r.stop_reason == record::StopReason::None || r.metrics.empty())
      continue;
    ++s.rounds;
    const std::string reason = to_string(r.stop_reason);
    if (std::find(reasons.begin(), reasons.end(), reason) == reasons.end()) reasons.push_back(reason);
    const auto& samples = r.metrics.front().samples;
    if (samples.size() >= 2) s.widest_pct = std::max(s.widest_pct, 100 * stats::describe(samples).ci_half_width_rel);
    const auto target = round.record->settings.value("ci_target_pct", nlohmann::json());
    if (target.is_number()) s.target_pct = target.get<double>();
  }
  if (s.rounds == 0) return std::nullopt;
  for (const auto& r : reasons) s.reasons += (s.reasons.empty() ? "" : ", ") + r;
  return s;
}

// A case's name for people; a workload this process does not know keeps its full id.
std::string shown_name(const record::CaseResult& r) {
  return Registry::instance().find(r.workload) ? display_id(r.workload, r.params) : r.id;
}

CaseComparison compare_case(const detail::PooledCase& b, const detail::PooledCase& c, const Options& options) {
  CaseComparison cc;
  cc.id = b.result->id;
  cc.candidate_id = c.result->id;
  cc.name = shown_name(*b.result);
  cc.candidate_name = shown_name(*c.result);
  cc.workload = b.result->workload;
  cc.layer = b.result->layer;
  cc.params = b.result->params;
  cc.device = b.result->device;
  cc.telemetry_baseline = b.telemetry;
  cc.telemetry_candidate = c.telemetry;
  cc.baseline = b.result;
  cc.candidate = c.result;
  cc.partial_left_out = b.partial_left_out + c.partial_left_out;
  const auto reason = [&](const detail::PooledCase& side, const char* name) -> std::string {
    if (side.rounds.empty() && side.partial_left_out > 0)
      return fmt::format("only partial rounds in {} (cut by an interrupt; --include-partial compares them)", name);
    return status_reason(*side.result, name);
  };
  for (const auto& why : {reason(b, "baseline"), reason(c, "candidate")}) {
    if (!why.empty()) cc.not_comparable += (cc.not_comparable.empty() ? "" : "; ") + why;
  }
  const auto& base = *b.result;
  if (!base.metrics.empty()) cc.primary.spec = base.metrics.front().spec;
  if (cc.not_comparable.empty() && base.metrics.empty()) cc.not_comparable = "the baseline recorded no metric";
  if (cc.not_comparable.empty() && c.result->metric(cc.primary.spec.name) == nullptr)
    cc.not_comparable = fmt::format("primary metric '{}' missing in candidate", cc.primary.spec.name);
  if (!cc.not_comparable.empty()) {
    cc.primary.verdict = Verdict::NotComparable;
    cc.primary.not_comparable = cc.not_comparable;
    return cc;
  }
  cc.baseline_short = short_of_target(b);
  cc.candidate_short = short_of_target(c);
  const auto metric = [&](const MetricSpec& spec) {
    return detail::compare_metric(spec, metric_rounds(b, spec.name), metric_rounds(c, spec.name), options);
  };
  cc.primary = metric(base.metrics.front().spec);
  cc.not_comparable = cc.primary.not_comparable;
  for (std::size_t i = 1; i < base.metrics.size(); ++i) {
    if (c.result->metric(base.metrics[i].spec.name)) cc.secondary.push_back(metric(base.metrics[i].spec));
  }
  return cc;
}

bool comparable(const CaseComparison& c) { return c.not_comparable.empty(); }

// Holm over one family of metrics, then each verdict from its adjusted p.
void adjust_and_decide(const std::vector<MetricComparison*>& family, const Options& options) {
  std::vector<double> p;
  for (const auto* m : family) p.push_back(m->welch.p_value);
  const auto adjusted = stats::holm_adjust(p);
  for (std::size_t i = 0; i < family.size(); ++i) {
    family[i]->p_adjusted = adjusted[i];
    detail::decide(*family[i], options);
  }
}

// Two Holm families over the comparable cases of the report: their primary metrics (the report
// makes one claim per case, so the family is all of them), and their secondary metrics, which make
// claims of their own (a throughput that is a case's time inverted must not be "faster" where the
// time is inconclusive).
void adjust_p_values(std::vector<CaseComparison>& cases, const Options& options) {
  std::vector<MetricComparison*> primary, secondary;
  for (auto& c : cases) {
    if (!comparable(c)) continue;
    primary.push_back(&c.primary);
    for (auto& m : c.secondary)
      if (m.verdict != Verdict::NotComparable) secondary.push_back(&m);
  }
  adjust_and_decide(primary, options);
  adjust_and_decide(secondary, options);
}

std::string few_ids(const std::vector<detail::PooledCase>& cases) {
  std::string out;
  for (std::size_t i = 0; i < std::min<std::size_t>(cases.size(), 3); ++i) out += (i ? ", " : "") + cases[i].result->id;
  if (cases.size() > 3) out += fmt::format(", ... ({} in all)", cases.size());
  return out.empty() ? "none" : out;
}

// "3.1-4.4%" or "4.4%": the smallest and largest |overhead| of a list of cases.
std::string span(const std::vector<const CaseComparison*>& list) {
  auto [lo, hi] = std::minmax_element(list.begin(), list.end(), [](auto* a, auto* b) {
    return std::abs(a->primary.overhead_pct) < std::abs(b->primary.overhead_pct);
  });
  const std::string low = fmt::format("{:.1f}", std::abs((*lo)->primary.overhead_pct));
  const std::string high = fmt::format("{:.1f}", std::abs((*hi)->primary.overhead_pct));
  return low == high ? high + "%" : low + "-" + high + "%";
}

std::string summarize(const Comparison& c) {
  std::vector<const CaseComparison*> slower, faster, inconclusive;
  std::size_t n = 0, equivalent = 0;
  for (const auto& cc : c.cases) {
    if (!comparable(cc)) continue;
    ++n;
    const Verdict v = cc.primary.verdict;
    if (v == Verdict::Equivalent) ++equivalent;
    else if (v == Verdict::Inconclusive) inconclusive.push_back(&cc);
    else if (v == Verdict::Faster) faster.push_back(&cc);
    else slower.push_back(&cc);
  }
  const std::size_t skipped = c.cases.size() - n;
  const std::string not_compared = skipped ? fmt::format("; {} case(s) could not be compared", skipped) : "";
  if (n == 0) {
    return fmt::format("no case could be compared between candidate '{}' and baseline '{}' ({} in common, "
                       "none with results on both sides).",
                       c.candidate_label, c.baseline_label, c.cases.size());
  }
  const double margin = c.options.min_effect_pct;
  if (equivalent == n) {
    return fmt::format("candidate '{}' is equivalent to baseline '{}' on all {} case(s): every difference is within "
                       "±{:g}% (90% CI){}.",
                       c.candidate_label, c.baseline_label, n, margin, not_compared);
  }
  std::vector<std::string> parts;
  if (!slower.empty()) {
    std::string s = fmt::format("candidate '{}' is {} slower than baseline '{}' on {} of {} cases ({} band)",
                                c.candidate_label, span(slower), c.baseline_label, slower.size(), n, band_name(c.overall));
    if (!faster.empty()) s += fmt::format(" and {} faster on {}", span(faster), faster.size());
    parts.push_back(s);
  } else if (!faster.empty()) {
    parts.push_back(fmt::format("candidate '{}' is {} faster than baseline '{}' on {} of {} cases", c.candidate_label,
                                span(faster), c.baseline_label, faster.size(), n));
  }
  if (!inconclusive.empty()) {
    const std::string who = parts.empty() ? fmt::format("candidate '{}' vs baseline '{}': ", c.candidate_label, c.baseline_label) : "";
    parts.push_back(fmt::format("{}inconclusive on {} of {} cases — {}", who, inconclusive.size(), n,
                                inconclusive_advice(inconclusive)));
  }
  if (equivalent > 0) parts.push_back(fmt::format("equivalent (within ±{:g}%) on {}", margin, equivalent));
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "; ") + p;
  return out + not_compared + ".";
}

// The same run on both sides would compare a record with itself: a file given twice, or a copy
// of one (same host, start time, label and command line).
void refuse_same_run(const std::vector<record::RunRecord>& baseline, const std::vector<record::RunRecord>& candidate) {
  namespace fs = std::filesystem;
  const auto same = [](const record::RunRecord& a, const record::RunRecord& b) {
    std::error_code ec;
    if (!a.source.empty() && !b.source.empty() && fs::equivalent(a.source, b.source, ec)) return true;
    return !a.started_utc.empty() && a.started_utc == b.started_utc && a.host == b.host && a.label == b.label &&
           a.command_line == b.command_line;
  };
  for (const auto& b : baseline)
    for (const auto& c : candidate)
      if (same(b, c))
        throw Error(fmt::format("the same run is on both sides: {}{}", b.source.string(),
                                b.source == c.source ? "" : fmt::format(" and {}", c.source.string())),
                    "compare two different runs, e.g. `sparkbench compare results/native results/docker` (an A/A "
                    "check needs two runs of the same environment: `sparkbench ab --env native --env native`)");
}

}  // namespace

std::string pairing_key(const record::CaseResult& c, const Options& options) {
  if (options.ignore_params.empty()) return c.id;
  Params kept;
  for (const auto& [name, value] : c.params.values())
    if (std::find(options.ignore_params.begin(), options.ignore_params.end(), name) == options.ignore_params.end())
      kept.set(name, value);
  return c.workload + "/" + kept.id();
}

Comparison compare(std::vector<record::RunRecord> baseline, std::vector<record::RunRecord> candidate,
                   const Options& options) {
  if (baseline.empty() || candidate.empty()) {
    throw Error(fmt::format("nothing to compare: {} baseline record(s), {} candidate record(s)", baseline.size(),
                            candidate.size()),
                "give at least one run record (or a directory of them) for each side");
  }
  if (!(options.alpha > 0 && options.alpha < 1) || !(options.min_effect_pct > 0 && options.min_effect_pct < 100)) {
    throw Error(fmt::format("invalid comparison options: alpha {}, min effect {}%", options.alpha, options.min_effect_pct),
                "use 0 < --alpha < 1 and 0 < --min-effect < 100 (percent)");
  }
  refuse_same_run(baseline, candidate);
  Comparison c;
  c.options = options;
  c.baseline_records = std::move(baseline);
  c.candidate_records = std::move(candidate);
  const auto base = detail::pool_side(c.baseline_records, c.pooled_cases, options.include_partial);
  const auto cand = detail::pool_side(c.candidate_records, c.pooled_cases, options.include_partial);
  c.baseline_label = base.label;
  c.candidate_label = cand.label;

  std::map<std::string, const detail::PooledCase*> candidate_by_key;
  for (const auto& k : cand.cases) candidate_by_key[pairing_key(*k.result, options)] = &k;
  for (const auto& b : base.cases) {
    const auto it = candidate_by_key.find(pairing_key(*b.result, options));
    if (it == candidate_by_key.end()) {
      c.only_in_baseline.push_back(b.result->id);
    } else {
      c.cases.push_back(compare_case(b, *it->second, options));
      candidate_by_key.erase(it);
    }
  }
  for (const auto& k : cand.cases) {
    if (candidate_by_key.count(pairing_key(*k.result, options))) c.only_in_candidate.push_back(k.result->id);
  }
  if (c.cases.empty()) {
    throw Error(fmt::format("baseline '{}' and candidate '{}' have no case in common (baseline: {}; candidate: {})",
                            c.baseline_label, c.candidate_label, few_ids(base.cases), few_ids(cand.cases)),
                "compare runs of the same suite (--suite), or of the same --workload and --param values; to pair cases "
                "that differ in one parameter, pass --ignore-param NAME");
  }
  adjust_p_values(c.cases, options);

  for (const auto& cc : c.cases) {
    if (comparable(cc) && severity(cc.primary.verdict) > severity(c.overall)) c.overall = cc.primary.verdict;
  }
  c.env_differences = diff_environments(c.baseline_records.front().environment, c.candidate_records.front().environment);
  c.summary = summarize(c);
  return c;
}

}  // namespace sb::compare
