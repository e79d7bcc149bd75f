// The one-line answer under the findings: which part of the gap each kind of cause explains.
#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "diagnose/findings.hpp"
#include "diagnose/scoring.hpp"

namespace sb::diagnose {
namespace {

// "Less CPU in the candidate: CPU parallelism ..." -> "Less CPU in the candidate": a title up to its
// first qualifier, short enough to name the cause in one line.
std::string headline(const std::string& title) { return title.substr(0, std::min(title.find(':'), title.find(" ("))); }

}  // namespace

std::string to_string(Category c) {
  switch (c) {
    case Category::MachineState: return "the machine's state";
    case Category::Stack: return "the stack";
    case Category::Limits: return "resource limits";
    case Category::Isolation: return "the container's isolation";
    case Category::Unexplained: return "unexplained";
  }
  return "unexplained";
}

std::string attribution(const compare::Comparison& c, const std::vector<Finding>& findings) {
  const auto worse = worse_cases(c);
  if (worse.empty()) return "";
  std::vector<const Finding*> ranked;
  for (const auto& f : findings)
    if (f.rank > 0 && !f.cites.empty()) ranked.push_back(&f);
  std::stable_sort(ranked.begin(), ranked.end(), [](auto* a, auto* b) { return a->rank < b->rank; });
  struct Share {
    std::size_t cases = 0;
    std::vector<std::string> causes;  // headlines, in rank order
  };
  std::map<Category, Share> shares;  // in the enum's order: machine state, stack, limits, isolation
  std::size_t unexplained = 0;
  for (const auto* k : worse) {
    const auto by = std::find_if(ranked.begin(), ranked.end(), [&](auto* f) {
      return std::find(f->cites.begin(), f->cites.end(), k->id) != f->cites.end();
    });
    if (by == ranked.end() || (*by)->category == Category::Unexplained) {
      ++unexplained;
      continue;
    }
    auto& share = shares[(*by)->category];
    ++share.cases;
    const std::string name = headline((*by)->title);
    if (std::find(share.causes.begin(), share.causes.end(), name) == share.causes.end()) share.causes.push_back(name);
  }
  const bool failed = std::any_of(worse.begin(), worse.end(), [](auto* k) { return failed_only_in_candidate(*k); });
  std::string out = fmt::format("of {} {}: ", worse.size(),
                                worse.size() == 1 ? (failed ? "slower or failed case" : "slower case")
                                                  : (failed ? "slower or failed cases" : "slower cases"));
  std::vector<std::string> parts;
  for (const auto& [category, share] : shares) {
    std::string causes;
    for (const auto& name : share.causes) causes += (causes.empty() ? "" : ", ") + name;
    parts.push_back(fmt::format("{} explained by {} ({})", share.cases, to_string(category), causes));
  }
  if (unexplained > 0) parts.push_back(fmt::format("{} unexplained", unexplained));
  for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? ", " : "") + parts[i];
  return out;
}

}  // namespace sb::diagnose
