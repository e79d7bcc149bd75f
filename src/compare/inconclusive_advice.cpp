#include "compare/inconclusive_advice.hpp"

#include <algorithm>
#include <optional>

#include <fmt/format.h>

namespace sb::compare {

std::string inconclusive_advice(const std::vector<const CaseComparison*>& inconclusive) {
  bool single_process = false;
  std::optional<int> rounds;
  bool beyond_estimate = false;
  for (const auto* cc : inconclusive) {
    const auto& m = cc->primary;
    if (m.unit == TestUnit::Repetition) single_process = true;
    else if (m.rounds_to_resolve) rounds = std::max(rounds.value_or(0), *m.rounds_to_resolve);
    else beyond_estimate = true;
  }
  std::vector<std::string> advice;
  if (single_process)
    advice.push_back("one process per side cannot tell the environment from process-to-process variation: run "
                     "`sparkbench ab` (it adds rounds until the CI is narrow), or `run` each side 4 times and "
                     "compare the directories");
  if (rounds) advice.push_back(fmt::format("run `sparkbench ab --rounds {}` for an answer at the spread seen", *rounds));
  if (beyond_estimate)
    advice.push_back(fmt::format("{} so near the threshold that more than 100 rounds per side would be needed; raise "
                                 "--min-effect if a difference that small does not matter",
                                 rounds ? "the other estimates lie" : "the estimates lie"));
  std::string out;
  for (const auto& a : advice) out += (out.empty() ? "" : "; ") + a;
  return out;
}

}  // namespace sb::compare
