#include "record/case_outcome.hpp"

namespace sb::record {
namespace {

template <typename Enum, std::size_t N>
std::optional<Enum> from_name(std::string_view s, const Enum (&values)[N]) {
  for (const Enum v : values)
    if (to_string(v) == s) return v;
  return std::nullopt;
}

}  // namespace

std::string to_string(CaseStatus s) {
  switch (s) {
    case CaseStatus::Ok: return "ok";
    case CaseStatus::Unavailable: return "unavailable";
    case CaseStatus::Failed: return "failed";
  }
  return "failed";
}

std::optional<CaseStatus> case_status_from_string(std::string_view s) { return from_name(s, kCaseStatuses); }

std::string to_string(StopReason r) {
  switch (r) {
    case StopReason::None: return "";
    case StopReason::CiTarget: return "ci_target";
    case StopReason::MaxReps: return "max_reps";
    case StopReason::MaxTime: return "max_time";
    case StopReason::Interrupted: return "interrupted";
  }
  return "";
}

std::optional<StopReason> stop_reason_from_string(std::string_view s) { return from_name(s, kStopReasons); }

}  // namespace sb::record
