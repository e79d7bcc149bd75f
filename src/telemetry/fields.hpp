#pragma once
// Internal to src/telemetry: the sampled fields, by their JSON name, in a Sample and in a Summary.
#include <array>
#include <optional>

#include "telemetry/telemetry.hpp"

namespace sb::telemetry::detail {

struct Field {
  const char* name;
  std::optional<double> Sample::*sample;
  std::optional<FieldSummary> Summary::*summary;
};

inline constexpr std::array<Field, 7> kFields{{
    {"gpu_util_pct", &Sample::gpu_util_pct, &Summary::gpu_util_pct},
    {"mem_util_pct", &Sample::mem_util_pct, &Summary::mem_util_pct},
    {"sm_clock_mhz", &Sample::sm_clock_mhz, &Summary::sm_clock_mhz},
    {"mem_clock_mhz", &Sample::mem_clock_mhz, &Summary::mem_clock_mhz},
    {"power_w", &Sample::power_w, &Summary::power_w},
    {"temperature_c", &Sample::temperature_c, &Summary::temperature_c},
    {"mem_used_mib", &Sample::mem_used_mib, &Summary::mem_used_mib},
}};

}  // namespace sb::telemetry::detail
