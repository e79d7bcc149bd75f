#pragma once
// How a case of a run ended: its status, and for a measured case why its repetitions stopped. Closed
// sets: a record holds exactly these strings (to_string), and a value this sparkbench does not know
// makes the record unreadable rather than silently something else.
#include <optional>
#include <string>
#include <string_view>

namespace sb::record {

enum class CaseStatus { Ok, Unavailable, Failed };
inline constexpr CaseStatus kCaseStatuses[] = {CaseStatus::Ok, CaseStatus::Unavailable, CaseStatus::Failed};
std::string to_string(CaseStatus s);  // "ok" | "unavailable" | "failed"
std::optional<CaseStatus> case_status_from_string(std::string_view s);

// None: the case measured nothing (unavailable, or failed before its first repetition ended).
enum class StopReason { None, CiTarget, MaxReps, MaxTime, Interrupted };
inline constexpr StopReason kStopReasons[] = {StopReason::None, StopReason::CiTarget, StopReason::MaxReps,
                                              StopReason::MaxTime, StopReason::Interrupted};
std::string to_string(StopReason r);  // "" | "ci_target" | "max_reps" | "max_time" | "interrupted"
std::optional<StopReason> stop_reason_from_string(std::string_view s);

}  // namespace sb::record
