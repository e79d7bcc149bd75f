#include "compare/pool.hpp"

#include <algorithm>
#include <map>

namespace sb::compare::detail {
namespace {

std::string join_labels(const std::vector<record::RunRecord>& records) {
  std::vector<std::string> labels;
  for (const auto& r : records) {
    if (std::find(labels.begin(), labels.end(), r.label) == labels.end()) labels.push_back(r.label);
  }
  std::string joined;
  for (const auto& l : labels) joined += (joined.empty() ? "" : "+") + l;
  return joined;
}

// A round's telemetry summary, when it has one.
std::optional<telemetry::Summary> summary_of(const record::CaseResult& r) {
  if (!r.telemetry.is_object() || !r.telemetry.contains("summary")) return std::nullopt;
  return telemetry::summary_from_json(r.telemetry["summary"]);
}

// The summaries of the rounds that have one, merged.
std::optional<telemetry::Summary> merged_summary(const std::vector<Round>& rounds) {
  std::optional<telemetry::Summary> merged;
  for (const auto& round : rounds) {
    if (const auto s = summary_of(*round.result)) {
      if (!merged) merged.emplace();
      merged->merge(*s);
    }
  }
  return merged;
}

// The compared rounds of one case as one CaseResult; the first round supplies everything but the
// samples and the telemetry summary.
record::CaseResult pool_rounds(const std::vector<Round>& rounds, const std::optional<telemetry::Summary>& summary) {
  record::CaseResult pooled = *rounds.front().result;
  for (const auto& round : rounds) {
    if (&round == &rounds.front()) continue;
    pooled.duration_s += round.result->duration_s;
    for (auto& metric : pooled.metrics) {
      if (const auto* other = round.result->metric(metric.spec.name))
        metric.samples.insert(metric.samples.end(), other->samples.begin(), other->samples.end());
    }
  }
  if (summary) pooled.telemetry["summary"] = to_json(*summary);
  return pooled;
}

}  // namespace

bool is_partial(const record::CaseResult& c) { return c.partial; }

PooledSide pool_side(const std::vector<record::RunRecord>& records, std::deque<record::CaseResult>& storage,
                     bool include_partial) {
  PooledSide side{.label = join_labels(records), .cases = {}};
  std::vector<std::string> order;
  std::map<std::string, std::vector<Round>> all_rounds;
  for (const auto& r : records) {
    for (const auto& c : r.cases) {
      auto& list = all_rounds[c.id];
      if (list.empty()) order.push_back(c.id);
      list.push_back({&r, &c});
    }
  }
  for (const auto& id : order) {
    const auto& list = all_rounds[id];
    PooledCase pooled;
    for (const auto& round : list) {
      if (round.result->status != record::CaseStatus::Ok) continue;
      if (is_partial(*round.result) && !include_partial) ++pooled.partial_left_out;
      else pooled.rounds.push_back(round);
    }
    if (pooled.rounds.empty()) {
      pooled.result = list.front().result;  // nothing to pool: the first round says why
      pooled.telemetry = summary_of(*pooled.result);
    } else if (pooled.rounds.size() == 1) {
      pooled.result = pooled.rounds.front().result;
      pooled.telemetry = summary_of(*pooled.result);
    } else {
      pooled.telemetry = merged_summary(pooled.rounds);
      storage.push_back(pool_rounds(pooled.rounds, pooled.telemetry));
      pooled.result = &storage.back();
    }
    side.cases.push_back(std::move(pooled));
  }
  return side;
}

}  // namespace sb::compare::detail
