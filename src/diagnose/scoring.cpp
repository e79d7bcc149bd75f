#include "diagnose/scoring.hpp"

#include <algorithm>
#include <cmath>

namespace sb::diagnose {
namespace {

bool measured(const record::CaseResult* r) { return r != nullptr && r->status == record::CaseStatus::Ok; }

// A failed case weighs as a 2x slowdown: it is at least as strong as a large one.
double weight(const compare::CaseComparison& c) {
  if (failed_only_in_candidate(c)) return std::log(2.0);
  return slower(c) ? std::log1p(std::max(0.0, c.primary.overhead_pct) / 100) : 0;
}

}  // namespace

bool comparable(const compare::CaseComparison& c) { return c.not_comparable.empty(); }
bool slower(const compare::CaseComparison& c) { return comparable(c) && compare::is_slower(c.primary.verdict); }
bool failed_only_in_candidate(const compare::CaseComparison& c) { return measured(c.baseline) && c.candidate && !measured(c.candidate); }
bool failed_only_in_baseline(const compare::CaseComparison& c) { return measured(c.candidate) && c.baseline && !measured(c.baseline); }
bool worse(const compare::CaseComparison& c) { return slower(c) || failed_only_in_candidate(c); }

Cases worse_cases(const compare::Comparison& c) {
  Cases out;
  for (const auto& cc : c.cases)
    if (worse(cc)) out.push_back(&cc);
  return out;
}

double slowdown_share(const compare::Comparison& c, const Cases& cited) {
  double total = 0, part = 0;
  for (const auto* w : worse_cases(c)) {
    total += weight(*w);
    if (std::find(cited.begin(), cited.end(), w) != cited.end()) part += weight(*w);
  }
  return total > 0 ? part / total : 0;
}

double cause_score(const compare::Comparison& c, const Cases& cited, double prior) {
  if (std::none_of(cited.begin(), cited.end(), [](auto* k) { return worse(*k); })) return kNote;
  return kCause + kShare * slowdown_share(c, cited) + prior;
}

std::vector<std::string> cited_ids(const Cases& cases) {
  std::vector<std::string> out;
  for (const auto* k : cases)
    if (worse(*k)) out.push_back(k->id);
  return out;
}

}  // namespace sb::diagnose
