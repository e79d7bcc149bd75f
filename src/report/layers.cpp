#include "report/layers.hpp"

#include <cmath>
#include <limits>
#include <map>

#include <fmt/format.h>

#include "report/format.hpp"

namespace sb::report::detail {
namespace {

double median_or_nan(const std::vector<double>& xs) {
  return xs.empty() ? std::numeric_limits<double>::quiet_NaN() : stats::median(xs);
}

std::string cases_word(std::size_t n) { return n == 1 ? "case" : "cases"; }

std::string summary_line(const LayerOutcome& l) {
  const std::size_t not_compared = l.cases.size() - l.compared;
  if (l.compared == 0) return fmt::format("not compared ({} {})", not_compared, cases_word(not_compared));
  std::vector<std::string> parts;
  if (l.slower > 0)
    parts.push_back(fmt::format("{} of {} {} slower ({}% median)", l.slower, l.compared, cases_word(l.compared),
                                signed_pct(l.median_slower_pct)));
  if (l.faster > 0)
    parts.push_back(fmt::format("{} faster ({}% median)", l.faster, signed_pct(l.median_faster_pct)));
  if (l.equivalent == l.compared) {
    parts.push_back(fmt::format("equivalent ({} {})", l.compared, cases_word(l.compared)));
  } else {
    if (l.equivalent > 0) parts.push_back(fmt::format("{} equivalent", l.equivalent));
    if (l.inconclusive > 0) parts.push_back(fmt::format("{} inconclusive", l.inconclusive));
  }
  std::string line;
  for (const auto& p : parts) line += (line.empty() ? "" : ", ") + p;
  if (not_compared > 0) line += fmt::format("; {} not compared", not_compared);
  return line;
}

}  // namespace

std::vector<LayerOutcome> layer_outcomes(const compare::Comparison& c) {
  std::map<std::string, LayerOutcome> by_name;
  LayerOutcome untagged;
  untagged.layer = kNoLayer;
  for (const auto& k : c.cases) {
    LayerOutcome& l = k.layer.empty() ? untagged : by_name[k.layer];
    if (!k.layer.empty()) l.layer = k.layer;
    l.cases.push_back(&k);
  }
  std::vector<LayerOutcome> out;
  for (auto& [name, l] : by_name) out.push_back(std::move(l));
  if (!untagged.cases.empty()) out.push_back(std::move(untagged));

  for (auto& l : out) {
    std::vector<double> all, slower, faster;
    for (const auto* k : l.cases) {
      if (!k->not_comparable.empty() || k->primary.verdict == compare::Verdict::NotComparable) continue;
      const auto& m = k->primary;
      all.push_back(m.overhead_pct);
      if (compare::is_slower(m.verdict)) slower.push_back(m.overhead_pct);
      if (m.verdict == compare::Verdict::Faster) faster.push_back(m.overhead_pct);
      if (m.verdict == compare::Verdict::Equivalent) ++l.equivalent;
      if (m.verdict == compare::Verdict::Inconclusive) ++l.inconclusive;
    }
    l.compared = all.size();
    l.slower = slower.size();
    l.faster = faster.size();
    l.median_overhead_pct = median_or_nan(all);
    l.median_slower_pct = median_or_nan(slower);
    l.median_faster_pct = median_or_nan(faster);
    l.summary = summary_line(l);
  }
  return out;
}

}  // namespace sb::report::detail
