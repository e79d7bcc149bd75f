#pragma once
// Workloads that exist only in the test binary: deterministic sequences with a known spread, so
// that runner and statistics behaviour can be asserted exactly.
namespace sb::test {
inline constexpr const char* kSequenceWorkload = "test_sequence";
inline constexpr const char* kUnavailableWorkload = "test_unavailable";
inline constexpr const char* kFailingWorkload = "test_failing";
// Reports its optional metric "energy" never (mode=never), always, or only in the first repetition.
inline constexpr const char* kOptionalMetricWorkload = "test_optional_metric";
// Receives a SIGINT (as the interrupt module records one) in its call number `at` (warm-up
// included), then returns its value, or throws with throw=yes (as a `command` cut by the signal).
inline constexpr const char* kInterruptingWorkload = "test_interrupting";
}  // namespace sb::test
