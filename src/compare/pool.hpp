#pragma once
// Internal to src/compare: one side's records reduced to one CaseResult per case id.
#include <deque>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "record/record.hpp"

namespace sb::compare::detail {

struct PooledSide {
  std::string label;  // the records' labels, distinct ones joined with "+"
  std::vector<const record::CaseResult*> cases;  // one per case id, in first-seen order
  // For pooled cases: the number of repetitions each ok round contributed, in order.
  std::map<const record::CaseResult*, std::vector<std::size_t>> round_sizes;
};

// Cases that appear once point into `records`; cases that appear in several records are pooled
// into `storage` (see Comparison::pooled_cases for what pooling keeps).
PooledSide pool_side(const std::vector<record::RunRecord>& records, std::deque<record::CaseResult>& storage);

// Telemetry summaries ({field: {mean, min, max, n}, throttle_reasons: {names, mask}}) of several
// rounds as one summary.
nlohmann::json merge_telemetry_summaries(const std::vector<nlohmann::json>& summaries);

}  // namespace sb::compare::detail
