#pragma once
// Internal to src/compare: one side's records reduced to one case per case id, with the rounds
// (processes) it stands on.
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "record/record.hpp"
#include "telemetry/telemetry.hpp"

namespace sb::compare::detail {

// One process's run of a case.
struct Round {
  const record::RunRecord* record;
  const record::CaseResult* result;
};

struct PooledCase {
  // The case as compared: the round itself when one round is compared, else a pooled CaseResult
  // (Comparison::pooled_cases says what pooling keeps); the first round when none ran (it says why).
  const record::CaseResult* result = nullptr;
  std::vector<Round> rounds;          // the ok rounds compared, in record order
  std::size_t partial_left_out = 0;   // ok rounds cut by an interrupt, left out
  // The compared rounds' telemetry summaries merged (the round's own when one is compared, the
  // first round's when none is); absent when none of them has one.
  std::optional<telemetry::Summary> telemetry;
};

struct PooledSide {
  std::string label;  // the records' labels, distinct ones joined with "+"
  std::vector<PooledCase> cases;  // one per case id, in first-seen order
};

// A case cut by an interrupt: it kept its repetitions but did not finish measuring.
bool is_partial(const record::CaseResult& c);

// Cases that are compared in one round point into `records`; cases compared in several are pooled
// into `storage`. Partial rounds are left out unless include_partial.
PooledSide pool_side(const std::vector<record::RunRecord>& records, std::deque<record::CaseResult>& storage,
                     bool include_partial);

}  // namespace sb::compare::detail
