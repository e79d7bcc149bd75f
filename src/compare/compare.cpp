#include "compare/compare.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>

#include <fmt/format.h>

#include "compare/findings.hpp"
#include "compare/pool.hpp"
#include "core/error.hpp"

namespace sb::compare {
namespace {

// Higher = worse; the overall verdict is the worst among the comparable cases' primary metrics.
int severity(Verdict v) {
  switch (v) {
    case Verdict::NotComparable: return -1;
    case Verdict::NoDifference: return 0;
    case Verdict::Faster: return 1;
    case Verdict::Minimal: return 2;
    case Verdict::Moderate: return 3;
    case Verdict::Significant: return 4;
    case Verdict::Critical: return 5;
  }
  return -1;
}

// Significance needs both: a small Holm-adjusted p (the difference is real) and an overhead of
// at least min_effect_pct (the difference matters). Two runs of the same binary on the same
// machine drift by a few tenths of a percent (clock boost, cache and page placement); with many
// repetitions such drift gets a tiny p, and calling it "slower" would be noise dressed up as a
// finding.
void apply_verdict(MetricComparison& m, const Options& options) {
  if (m.verdict == Verdict::NotComparable) return;
  m.significant = m.p_adjusted < options.alpha && std::abs(m.overhead_pct) >= options.min_effect_pct;
  m.verdict = m.significant ? band_for_overhead(m.overhead_pct) : Verdict::NoDifference;
}

MetricComparison not_comparable(MetricComparison m, std::string why) {
  m.verdict = Verdict::NotComparable;
  m.not_comparable = std::move(why);
  return m;
}

// `samples` cut into its rounds (sizes from pool_side); one group when there is no round structure
// or it does not fit (a metric some rounds did not report).
std::vector<std::vector<double>> split_rounds(const std::vector<double>& samples, const std::vector<std::size_t>& sizes) {
  std::size_t total = 0;
  for (std::size_t n : sizes) total += n;
  if (sizes.size() < 2 || total != samples.size()) return {samples};
  std::vector<std::vector<double>> rounds;
  auto first = samples.begin();
  for (std::size_t n : sizes) {
    rounds.emplace_back(first, first + static_cast<std::ptrdiff_t>(n));
    first += static_cast<std::ptrdiff_t>(n);
  }
  return rounds;
}

std::vector<double> round_medians(const std::vector<std::vector<double>>& rounds) {
  std::vector<double> medians;
  for (const auto& r : rounds) medians.push_back(stats::median(r));
  return medians;
}

// The smallest p of "this side's rounds differ" (one-way ANOVA over its rounds); 1 with one round.
double rounds_differ_p(const std::vector<std::vector<double>>& b, const std::vector<std::vector<double>>& c) {
  double p = 1;
  for (const auto* side : {&b, &c}) {
    std::size_t n = 0;
    for (const auto& r : *side) n += r.size();
    if (side->size() >= 2 && n > side->size()) p = std::min(p, stats::one_way_anova(*side).p_value);
  }
  return p;
}

// The statistics of one metric; throws std::invalid_argument (from src/stats) for samples that
// cannot give an answer (non-finite values, values of both signs for the ratio, ...).
// Repetitions of one round share that process's state; when rounds differ among themselves
// (rounds_differ_p < kRoundsDifferAlpha), testing every repetition would find that state "significant"
// (an interleaved A/A run on a shared CI machine once came out 41% "slower"), so the round's median
// becomes the unit: fewer values, wider intervals, and an honest p.
MetricComparison describe_and_test(MetricComparison m, const std::vector<double>& b_all, const std::vector<double>& c_all,
                                   const Options& options, const std::vector<std::size_t>& b_sizes,
                                   const std::vector<std::size_t>& c_sizes) {
  const auto b_rounds = split_rounds(b_all, b_sizes);
  const auto c_rounds = split_rounds(c_all, c_sizes);
  m.rounds_baseline = b_rounds.size();
  m.rounds_candidate = c_rounds.size();
  if (b_all.size() >= 2 && c_all.size() >= 2) m.rounds_differ_p = rounds_differ_p(b_rounds, c_rounds);
  m.round_level = m.rounds_differ_p < kRoundsDifferAlpha;
  const std::vector<double> b_units = m.round_level ? round_medians(b_rounds) : std::vector<double>{};
  const std::vector<double> c_units = m.round_level ? round_medians(c_rounds) : std::vector<double>{};
  const std::vector<double>& b = m.round_level ? b_units : b_all;
  const std::vector<double>& c = m.round_level ? c_units : c_all;
  // 95% intervals whatever alpha is: alpha is the family-wise level of the Holm-corrected decision,
  // not a per-case coverage (docs/methodology.md).
  constexpr double confidence = 0.95;
  if (!b_all.empty()) m.baseline = stats::describe(b_all, confidence);
  if (!c_all.empty()) m.candidate = stats::describe(c_all, confidence);
  if (b_all.size() < 2 || c_all.size() < 2) {
    return not_comparable(std::move(m), fmt::format("too few samples of '{}': baseline {}, candidate {} (need 2 per side)",
                                                    m.spec.name, b_all.size(), c_all.size()));
  }
  if (!(stats::median(b) > 0 && stats::median(c) > 0)) {
    return not_comparable(std::move(m), fmt::format("median of '{}' is not positive (baseline {}, candidate {}): "
                                                    "a relative overhead is undefined",
                                                    m.spec.name, m.baseline.median, m.candidate.median));
  }
  if (b.size() < 2 || c.size() < 2) {
    // Rounds differ, and one side has a single round: nothing to tell the environments apart by.
    m.welch = {};
    m.mann_whitney = {};
    m.p_adjusted = 1;
    const double ratio = stats::median(c) / stats::median(b);
    m.overhead_pct = m.spec.better == Better::Lower ? 100 * (ratio - 1) : 100 * (1 / ratio - 1);
    m.overhead_ci_pct = {-INFINITY, INFINITY};
    apply_verdict(m, options);
    return m;
  }
  const bool lower_is_better = m.spec.better == Better::Lower;
  // ratio = candidate / baseline. For higher-is-better the cost is the inverse ratio, which also
  // swaps the interval's ends.
  const double ratio = stats::median(c) / stats::median(b);
  m.overhead_pct = lower_is_better ? 100 * (ratio - 1) : 100 * (1 / ratio - 1);
  const auto ci = stats::bootstrap_ratio_of_medians(b, c, confidence, options.bootstrap_resamples, options.seed);
  m.overhead_ci_pct = lower_is_better ? stats::Interval{100 * (ci.low - 1), 100 * (ci.high - 1)}
                                      : stats::Interval{100 * (1 / ci.high - 1), 100 * (1 / ci.low - 1)};
  m.welch = stats::welch_t_test(b, c);
  m.mann_whitney = stats::mann_whitney_u(b, c);
  m.hedges_g = stats::hedges_g(b, c);
  m.p_adjusted = m.welch.p_value;
  apply_verdict(m, options);
  return m;
}

MetricComparison compare_metric(const MetricSpec& spec, const std::vector<double>& b, const std::vector<double>& c,
                                const Options& options, const std::vector<std::size_t>& b_rounds,
                                const std::vector<std::size_t>& c_rounds) {
  MetricComparison m;
  m.spec = spec;
  try {
    return describe_and_test(m, b, c, options, b_rounds, c_rounds);
  } catch (const std::invalid_argument& e) {
    return not_comparable(std::move(m), fmt::format("'{}': {}", spec.name, e.what()));
  }
}

std::string status_reason(const record::CaseResult& r, const char* side) {
  if (r.status == "ok") return "";
  return fmt::format("{} in {}{}{}", r.status, side, r.message.empty() ? "" : ": ", r.message);
}

const record::MetricSamples* find_metric(const record::CaseResult& r, const std::string& name) {
  for (const auto& m : r.metrics) {
    if (m.spec.name == name) return &m;
  }
  return nullptr;
}

nlohmann::json telemetry_summary(const record::CaseResult& r) {
  return r.telemetry.is_object() && r.telemetry.contains("summary") ? r.telemetry["summary"]
                                                                     : nlohmann::json::object();
}

CaseComparison compare_case(const record::CaseResult& b, const record::CaseResult& c, const Options& options,
                            const std::vector<std::size_t>& b_rounds, const std::vector<std::size_t>& c_rounds) {
  CaseComparison cc;
  cc.id = b.id;
  cc.workload = b.workload;
  cc.layer = b.layer;
  cc.params = b.params;
  cc.device = b.device;
  cc.telemetry_baseline = telemetry_summary(b);
  cc.telemetry_candidate = telemetry_summary(c);
  cc.baseline = &b;
  cc.candidate = &c;
  const std::string reasons[] = {status_reason(b, "baseline"), status_reason(c, "candidate")};
  for (const auto& reason : reasons) {
    if (reason.empty()) continue;
    cc.not_comparable += (cc.not_comparable.empty() ? "" : "; ") + reason;
  }
  if (!b.metrics.empty()) cc.primary.spec = b.metrics.front().spec;
  const auto* candidate_primary = b.metrics.empty() ? nullptr : find_metric(c, cc.primary.spec.name);
  if (cc.not_comparable.empty() && b.metrics.empty()) cc.not_comparable = "the baseline recorded no metric";
  if (cc.not_comparable.empty() && candidate_primary == nullptr) {
    cc.not_comparable = fmt::format("primary metric '{}' missing in candidate", cc.primary.spec.name);
  }
  if (!cc.not_comparable.empty()) {
    cc.primary = not_comparable(std::move(cc.primary), cc.not_comparable);
    return cc;
  }
  const auto& primary = b.metrics.front();
  cc.primary = compare_metric(primary.spec, primary.samples, candidate_primary->samples, options, b_rounds, c_rounds);
  cc.not_comparable = cc.primary.not_comparable;
  for (std::size_t i = 1; i < b.metrics.size(); ++i) {
    if (const auto* other = find_metric(c, b.metrics[i].spec.name)) {
      cc.secondary.push_back(
          compare_metric(b.metrics[i].spec, b.metrics[i].samples, other->samples, options, b_rounds, c_rounds));
    }
  }
  return cc;
}

bool comparable(const CaseComparison& c) { return c.not_comparable.empty(); }

// Holm over the primary metrics of every comparable case of the report: the report makes one claim
// per case, so the family is all of them.
void adjust_primary_p_values(std::vector<CaseComparison>& cases, const Options& options) {
  std::vector<CaseComparison*> family;
  std::vector<double> p;
  for (auto& c : cases) {
    if (!comparable(c)) continue;
    family.push_back(&c);
    p.push_back(c.primary.welch.p_value);
  }
  const auto adjusted = stats::holm_adjust(p);
  for (std::size_t i = 0; i < family.size(); ++i) {
    family[i]->primary.p_adjusted = adjusted[i];
    apply_verdict(family[i]->primary, options);
  }
}

std::string few_ids(const std::vector<const record::CaseResult*>& cases) {
  std::string out;
  for (std::size_t i = 0; i < std::min<std::size_t>(cases.size(), 3); ++i) {
    out += (i ? ", " : "") + cases[i]->id;
  }
  if (cases.size() > 3) out += fmt::format(", ... ({} in all)", cases.size());
  return out.empty() ? "none" : out;
}

std::string summarize(const Comparison& c) {
  std::vector<const CaseComparison*> slower, faster;
  std::size_t n = 0, same = 0;
  for (const auto& cc : c.cases) {
    if (!comparable(cc)) continue;
    ++n;
    if (cc.primary.verdict == Verdict::NoDifference) ++same;
    else if (cc.primary.verdict == Verdict::Faster) faster.push_back(&cc);
    else slower.push_back(&cc);
  }
  const std::size_t skipped = c.cases.size() - n;
  const std::string not_compared = skipped ? fmt::format("; {} case(s) could not be compared", skipped) : "";
  if (n == 0) {
    return fmt::format("no case could be compared between candidate '{}' and baseline '{}' ({} in common, "
                       "none with results on both sides).",
                       c.candidate_label, c.baseline_label, c.cases.size());
  }
  auto span = [](const std::vector<const CaseComparison*>& list) {
    auto [lo, hi] = std::minmax_element(list.begin(), list.end(), [](auto* a, auto* b) {
      return std::abs(a->primary.overhead_pct) < std::abs(b->primary.overhead_pct);
    });
    const std::string low = fmt::format("{:.1f}", std::abs((*lo)->primary.overhead_pct));
    const std::string high = fmt::format("{:.1f}", std::abs((*hi)->primary.overhead_pct));
    return low == high ? high + "%" : low + "-" + high + "%";
  };
  if (slower.empty() && faster.empty()) {
    return fmt::format("no significant difference between candidate '{}' and baseline '{}' on {} case(s) "
                       "(Holm-adjusted p < {} and |overhead| >= {}%){}.",
                       c.candidate_label, c.baseline_label, n, c.options.alpha, c.options.min_effect_pct,
                       not_compared);
  }
  std::string s;
  if (!slower.empty()) {
    s = fmt::format("candidate '{}' is {} slower than baseline '{}' on {} of {} cases ({} band)", c.candidate_label,
                    span(slower), c.baseline_label, slower.size(), n, to_string(c.overall));
    if (!faster.empty()) s += fmt::format(" and {} faster on {}", span(faster), faster.size());
  } else {
    s = fmt::format("candidate '{}' is {} faster than baseline '{}' on {} of {} cases", c.candidate_label,
                    span(faster), c.baseline_label, faster.size(), n);
  }
  if (same) s += fmt::format("; no significant difference on the other {}", same);
  return s + not_compared + ".";
}

}  // namespace

std::string to_string(Verdict v) {
  switch (v) {
    case Verdict::NoDifference: return "no significant difference";
    case Verdict::Faster: return "faster";
    case Verdict::Minimal: return "minimal";
    case Verdict::Moderate: return "moderate";
    case Verdict::Significant: return "significant";
    case Verdict::Critical: return "critical";
    case Verdict::NotComparable: return "not comparable";
  }
  return "unknown";
}

Verdict band_for_overhead(double overhead_pct) {
  if (overhead_pct < 0) return Verdict::Faster;
  if (overhead_pct < 10) return Verdict::Minimal;
  if (overhead_pct < 20) return Verdict::Moderate;
  if (overhead_pct <= 40) return Verdict::Significant;
  return Verdict::Critical;
}

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
  if (!(options.alpha > 0 && options.alpha < 1) || !(options.min_effect_pct >= 0) || options.bootstrap_resamples < 100) {
    throw Error(fmt::format("invalid comparison options: alpha {}, min effect {}%, {} bootstrap resamples",
                            options.alpha, options.min_effect_pct, options.bootstrap_resamples),
                "use 0 < alpha < 1, a minimum effect >= 0 and at least 100 bootstrap resamples");
  }
  Comparison c;
  c.options = options;
  c.baseline_records = std::move(baseline);
  c.candidate_records = std::move(candidate);
  const auto base = detail::pool_side(c.baseline_records, c.pooled_cases);
  const auto cand = detail::pool_side(c.candidate_records, c.pooled_cases);
  c.baseline_label = base.label;
  c.candidate_label = cand.label;

  std::map<std::string, const record::CaseResult*> candidate_by_id;
  for (const auto* r : cand.cases) candidate_by_id[pairing_key(*r, options)] = r;
  for (const auto* b : base.cases) {
    const auto it = candidate_by_id.find(pairing_key(*b, options));
    if (it == candidate_by_id.end()) {
      c.only_in_baseline.push_back(b->id);
    } else {
      const auto rounds = [](const detail::PooledSide& side, const record::CaseResult* r) {
        const auto found = side.round_sizes.find(r);
        return found == side.round_sizes.end() ? std::vector<std::size_t>{} : found->second;
      };
      c.cases.push_back(compare_case(*b, *it->second, options, rounds(base, b), rounds(cand, it->second)));
      candidate_by_id.erase(it);
    }
  }
  for (const auto* r : cand.cases) {
    if (candidate_by_id.count(pairing_key(*r, options))) c.only_in_candidate.push_back(r->id);
  }
  if (c.cases.empty()) {
    throw Error(fmt::format("baseline '{}' and candidate '{}' have no case in common (baseline: {}; candidate: {})",
                            c.baseline_label, c.candidate_label, few_ids(base.cases), few_ids(cand.cases)),
                "compare runs of the same suite (--suite), or of the same --workload and --param values; to pair cases "
                "that differ in one parameter, pass --ignore-param NAME");
  }
  adjust_primary_p_values(c.cases, options);

  c.overall = Verdict::NotComparable;
  for (const auto& cc : c.cases) {
    if (comparable(cc) && severity(cc.primary.verdict) > severity(c.overall)) c.overall = cc.primary.verdict;
  }
  c.env_differences = diff_environments(c.baseline_records.front().environment, c.candidate_records.front().environment);
  c.findings = detail::find_causes(c);
  c.summary = summarize(c);
  return c;
}

}  // namespace sb::compare
