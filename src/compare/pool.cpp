#include "compare/pool.hpp"

#include <algorithm>
#include <cstdint>
#include <map>

namespace sb::compare::detail {
namespace {

using nlohmann::json;

std::string join_labels(const std::vector<record::RunRecord>& records) {
  std::vector<std::string> labels;
  for (const auto& r : records) {
    if (std::find(labels.begin(), labels.end(), r.label) == labels.end()) labels.push_back(r.label);
  }
  std::string joined;
  for (const auto& l : labels) joined += (joined.empty() ? "" : "+") + l;
  return joined;
}

void merge_field(json& into, const json& field) {
  const double n = field.value("n", 1.0);
  const double mean = field.value("mean", 0.0);
  if (!into.is_object() || into.empty()) {
    into = {{"mean", mean}, {"min", field.value("min", mean)}, {"max", field.value("max", mean)}, {"n", n}};
    return;
  }
  const double total = into["n"].get<double>() + n;
  into["mean"] = (into["mean"].get<double>() * into["n"].get<double>() + mean * n) / total;
  into["min"] = std::min(into["min"].get<double>(), field.value("min", mean));
  into["max"] = std::max(into["max"].get<double>(), field.value("max", mean));
  into["n"] = total;
}

void merge_throttle(json& into, const json& reasons) {
  if (!into.is_object()) into = {{"names", json::array()}, {"mask", 0}};
  for (const auto& name : reasons.value("names", json::array())) {
    auto& names = into["names"];
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  }
  into["mask"] = into["mask"].get<std::uint64_t>() | reasons.value("mask", std::uint64_t{0});
}

// The compared rounds of one case as one CaseResult; the first round supplies everything but the
// samples and the telemetry summary.
record::CaseResult pool_rounds(const std::vector<Round>& rounds) {
  record::CaseResult pooled = *rounds.front().result;
  std::vector<json> summaries;
  for (const auto& round : rounds) {
    if (round.result->telemetry.contains("summary")) summaries.push_back(round.result->telemetry["summary"]);
    if (&round == &rounds.front()) continue;
    pooled.duration_s += round.result->duration_s;
    for (auto& metric : pooled.metrics) {
      if (const auto* other = round.result->metric(metric.spec.name))
        metric.samples.insert(metric.samples.end(), other->samples.begin(), other->samples.end());
    }
  }
  if (!summaries.empty()) pooled.telemetry["summary"] = merge_telemetry_summaries(summaries);
  return pooled;
}

}  // namespace

json merge_telemetry_summaries(const std::vector<json>& summaries) {
  json merged = json::object();
  for (const auto& summary : summaries) {
    if (!summary.is_object()) continue;
    for (const auto& [key, value] : summary.items()) {
      if (key == "throttle_reasons" && value.is_object()) {
        merge_throttle(merged[key], value);
      } else if (value.is_object() && value.contains("mean")) {
        merge_field(merged[key], value);
      }
    }
  }
  return merged;
}

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
    } else if (pooled.rounds.size() == 1) {
      pooled.result = pooled.rounds.front().result;
    } else {
      storage.push_back(pool_rounds(pooled.rounds));
      pooled.result = &storage.back();
    }
    side.cases.push_back(std::move(pooled));
  }
  return side;
}

}  // namespace sb::compare::detail
