// A telemetry summary as data: its JSON form (the record's telemetry.summary) and the merge of
// several rounds' summaries.
#include <algorithm>

#include "telemetry/fields.hpp"
#include "telemetry/telemetry.hpp"

namespace sb::telemetry {
namespace {

using detail::kFields;
using nlohmann::json;

// The names of `from` not yet in `into`, appended in their order.
void add_new(std::vector<std::string>& into, const std::vector<std::string>& from) {
  for (const auto& name : from)
    if (std::find(into.begin(), into.end(), name) == into.end()) into.push_back(name);
}

void merge_field(std::optional<FieldSummary>& into, const FieldSummary& other) {
  if (!into) {
    into = other;
    return;
  }
  const double n = static_cast<double>(into->n), other_n = static_cast<double>(other.n);
  into->mean = (into->mean * n + other.mean * other_n) / (n + other_n);
  into->min = std::min(into->min, other.min);
  into->max = std::max(into->max, other.max);
  into->n += other.n;
}

json field_json(const FieldSummary& f, bool merged) {
  return {{"mean", f.mean}, {"min", f.min}, {"max", f.max}, {"n", merged ? json(static_cast<double>(f.n)) : json(f.n)}};
}

}  // namespace

const FieldSummary* Summary::field(std::string_view name) const {
  for (const auto& f : kFields)
    if (name == f.name) return (this->*f.summary) ? &*(this->*f.summary) : nullptr;
  return nullptr;
}

void Summary::merge(const Summary& other) {
  merged = true;
  samples += other.samples;
  if (other.duration_s) duration_s = duration_s.value_or(0) + *other.duration_s;
  for (const auto& f : kFields)
    if (other.*f.summary) merge_field(this->*f.summary, *(other.*f.summary));
  if (other.throttle_reasons) {
    if (!throttle_reasons) throttle_reasons = ThrottleSummary{};
    ThrottleSummary& t = *throttle_reasons;
    t.mask |= other.throttle_reasons->mask;
    add_new(t.names, other.throttle_reasons->names);
    add_new(t.all_names, other.throttle_reasons->all_names);
    t.n += other.throttle_reasons->n;
    t.samples_limited += other.throttle_reasons->samples_limited;
  }
}

json to_json(const Summary& s) {
  json j = json::object();
  if (!s.merged) {
    j["samples"] = s.samples;
    if (s.duration_s) j["duration_s"] = *s.duration_s;
  }
  for (const auto& f : kFields)
    if (s.*f.summary) j[f.name] = field_json(*(s.*f.summary), s.merged);
  if (const auto& t = s.throttle_reasons) {
    j["throttle_reasons"] = {{"mask", t->mask}, {"names", t->names}};
    if (!s.merged) {
      j["throttle_reasons"]["all_names"] = t->all_names;
      j["throttle_reasons"]["n"] = t->n;
      j["throttle_reasons"]["samples_limited"] = t->samples_limited;
    }
  }
  return j;
}

Summary summary_from_json(const json& j) {
  Summary s;
  if (!j.is_object()) return s;
  s.samples = j.value("samples", std::size_t{0});
  if (const auto d = j.find("duration_s"); d != j.end() && d->is_number()) s.duration_s = d->get<double>();
  for (const auto& f : kFields) {
    const auto it = j.find(f.name);
    if (it == j.end() || !it->is_object() || !it->contains("mean") || !(*it)["mean"].is_number()) continue;
    const double mean = (*it)["mean"].get<double>();
    s.*f.summary = FieldSummary{mean, it->value("min", mean), it->value("max", mean), it->value("n", std::size_t{1})};
  }
  if (const auto t = j.find("throttle_reasons"); t != j.end() && t->is_object()) {
    ThrottleSummary reasons;
    reasons.mask = t->value("mask", std::uint64_t{0});
    const auto names = [&](const char* key) {
      std::vector<std::string> out;
      for (const auto& name : t->value(key, json::array()))
        if (name.is_string()) out.push_back(name.get<std::string>());
      return out;
    };
    reasons.names = names("names");
    reasons.all_names = names("all_names");
    reasons.n = t->value("n", std::size_t{0});
    reasons.samples_limited = t->value("samples_limited", std::size_t{0});
    s.throttle_reasons = std::move(reasons);
  }
  return s;
}

}  // namespace sb::telemetry
