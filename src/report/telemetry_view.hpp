#pragma once
// Reads the fields the report shows from a case's telemetry summary (telemetry::Summary): per
// field mean, min, max and n, plus the throttle reasons seen (benign ones such as gpu_idle left
// out of their names).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "compare/compare.hpp"

namespace sb::report::detail {

using Summary = std::optional<telemetry::Summary>;  // absent: the side recorded none

// The summary's field of that name (kTimelineFields' keys), or nullptr.
const telemetry::FieldSummary* telemetry_field(const Summary& summary, std::string_view field);
// nullopt when the summary does not say; empty when it says none were seen.
std::optional<std::vector<std::string>> throttle_reasons(const Summary& summary);
bool has_telemetry(const Summary& summary);

// Why telemetry is missing on one side ("NVML not found"), from the cases' telemetry objects;
// distinct reasons joined with "; ", empty when none is given.
std::string unavailable_reasons(const compare::Comparison& c, bool candidate_side);

// The recorded timeline of a case result (telemetry.timeline), or an empty array.
const nlohmann::json& timeline(const record::CaseResult* r);

// The timeline fields plotted and tabulated, with their labels.
struct TelemetryField {
  const char* key;
  const char* label;
  const char* unit;
};
inline constexpr TelemetryField kTimelineFields[] = {{"sm_clock_mhz", "SM clock", "MHz"},
                                                     {"power_w", "Power", "W"},
                                                     {"temperature_c", "Temperature", "°C"},
                                                     {"gpu_util_pct", "GPU utilization", "%"}};

}  // namespace sb::report::detail
