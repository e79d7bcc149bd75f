#pragma once
// Text helpers shared by the reporters: numbers with sensible digits, p-values, overheads,
// Markdown/CSV escaping, and the few record facts every format shows.
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "compare/compare.hpp"

namespace sb::report::detail {

// `significant` digits in fixed notation; scientific outside [1e-4, 1e9); "n/a" when not finite.
std::string number(double x, int significant = 4);
// "12.35 ± 0.12 ms": a side's center with the half-width of its CI to two digits, the center to the
// same place, but never to fewer than four significant digits ("0.1495 ± 0.028 ms").
std::string center_with_ci(const compare::SideBasis& s, const std::string& unit);
std::string signed_pct(double pct);                        // "+23.4"
std::string overhead_with_ci(double pct, stats::Interval ci);  // "+23.4% [+21.0, +25.9]"
std::string p_value(double p);                             // "<0.001", "0.004", "0.23"
std::string verdict_label(compare::Verdict v);
// "baseline: 1 of 5 round(s) stopped at max_reps with the CI at up to ±18.2% (target ±1%); candidate:
// ...": the rounds of a case that stopped before their CI target; empty when none did.
std::string short_of_target_text(const compare::CaseComparison& k);

std::string md_cell(std::string_view s);    // '|' escaped, line breaks folded
std::string csv_field(std::string_view s);  // RFC 4180 quoting where needed
std::string json_value_text(const nlohmann::json& v, std::size_t max_chars = 120);
// A value of the environment snapshot at a flattened path ("memory.total_bytes",
// "ulimits.memlock_bytes.soft"): a number under a key ending in "_bytes" as `sparkbench env` shows
// it, "25276502016 (23.5 GiB)"; anything else as json_value_text.
std::string env_value_text(const std::string& path, const nlohmann::json& v);

// Case ids as plot axis labels: the part that every id shares ("llm/" ... ",model=x", cut at
// parameter boundaries) is said once, in `shared`; what remains is cut in the middle when longer
// than max_label.
struct AxisLabels {
  std::vector<std::string> labels;
  std::string shared;  // "llm/...,model=x", empty when nothing is shared
};
AxisLabels axis_labels(const std::vector<std::string>& ids, std::size_t max_label = 48);

// The first GPU name found in an environment snapshot's "gpu" section; empty when none.
std::string gpu_name(const nlohmann::json& environment);

}  // namespace sb::report::detail
