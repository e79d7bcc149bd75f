// Samples as data: JSON form, throttle-reason names, and the per-run summary.
#include <algorithm>
#include <array>
#include <limits>

#include <fmt/format.h>

#include "telemetry/fields.hpp"
#include "telemetry/telemetry.hpp"

namespace sb::telemetry {
namespace {

using detail::kFields;

struct Reason {
  std::uint64_t bit;
  const char* name;
  bool benign;  // says nothing about a slowdown of real work
};
// Bit values of nvml.h's nvmlClocksEventReason* / nvmlClocksThrottleReason* defines (NVML API 12,
// e.g. github.com/XuehaiPan/nvml-dev/nvml.h, group nvmlClocksEventReasons).
constexpr std::array<Reason, 9> kReasons{{
    {0x0000000000000001ULL, "gpu_idle", true},
    {0x0000000000000002ULL, "applications_clocks_setting", true},
    {0x0000000000000004ULL, "sw_power_cap", false},
    {0x0000000000000008ULL, "hw_slowdown", false},
    {0x0000000000000010ULL, "sync_boost", false},
    {0x0000000000000020ULL, "sw_thermal_slowdown", false},
    {0x0000000000000040ULL, "hw_thermal_slowdown", false},
    {0x0000000000000080ULL, "hw_power_brake_slowdown", false},
    {0x0000000000000100ULL, "display_clock_setting", false},
}};

std::uint64_t known_bits() {
  std::uint64_t all = 0;
  for (const Reason& r : kReasons) all |= r.bit;
  return all;
}

std::uint64_t benign_bits() {
  std::uint64_t benign = 0;
  for (const Reason& r : kReasons)
    if (r.benign) benign |= r.bit;
  return benign;
}

}  // namespace

std::vector<std::string> throttle_reason_names(std::uint64_t mask, bool include_benign) {
  std::vector<std::string> names;
  for (const Reason& r : kReasons)
    if ((mask & r.bit) && (include_benign || !r.benign)) names.emplace_back(r.name);
  // Bits a newer driver may define: kept visible rather than dropped.
  if (const std::uint64_t unknown = mask & ~known_bits())
    names.push_back(fmt::format("unknown_{:#x}", unknown));
  return names;
}

nlohmann::json to_json(const Sample& s) {
  nlohmann::json j = {{"t_s", s.t_s}};
  for (const auto& [name, field, _] : kFields)
    if (s.*field) j[name] = *(s.*field);
  if (s.throttle_reasons) j["throttle_reasons"] = *s.throttle_reasons;
  return j;
}

Sample sample_from_json(const nlohmann::json& j) {
  Sample s;
  s.t_s = j.value("t_s", 0.0);
  for (const auto& [name, field, _] : kFields)
    if (j.contains(name) && !j.at(name).is_null()) s.*field = j.at(name).get<double>();
  if (j.contains("throttle_reasons") && !j.at("throttle_reasons").is_null())
    s.throttle_reasons = j.at("throttle_reasons").get<std::uint64_t>();
  return s;
}

Summary summarize(const std::vector<Sample>& timeline) {
  Summary summary;
  summary.samples = timeline.size();
  if (!timeline.empty()) summary.duration_s = timeline.back().t_s - timeline.front().t_s;
  for (const auto& [name, field, summary_field] : kFields) {
    double sum = 0, lo = std::numeric_limits<double>::infinity(), hi = -lo;
    std::size_t n = 0;
    for (const Sample& s : timeline) {
      if (!(s.*field)) continue;
      const double v = *(s.*field);
      sum += v;
      lo = std::min(lo, v);
      hi = std::max(hi, v);
      ++n;
    }
    if (n > 0) summary.*summary_field = FieldSummary{sum / static_cast<double>(n), lo, hi, n};
  }
  std::uint64_t mask = 0;
  std::size_t n = 0, limited = 0;
  for (const Sample& s : timeline) {
    if (!s.throttle_reasons) continue;
    mask |= *s.throttle_reasons;
    ++n;
    if (*s.throttle_reasons & ~benign_bits()) ++limited;
  }
  if (n > 0)
    summary.throttle_reasons =
        ThrottleSummary{mask, throttle_reason_names(mask), throttle_reason_names(mask, true), n, limited};
  return summary;
}

}  // namespace sb::telemetry
