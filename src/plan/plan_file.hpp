#pragma once
// The plan file: how a plan crosses into another process (a re-executed sparkbench, natively or in
// a container, `sparkbench run --plan-file`). Written by the launcher and read by the same binary
// on the other side, so a version other than this build's is refused rather than guessed at.
//
//   {"schema": "sparkbench.plan", "schema_version": 1, "plan": [cases], "settings": {...}, "source": {...}}
#include <filesystem>

#include "plan/plan.hpp"

namespace sb::plan {

inline constexpr const char* kPlanFileSchema = "sparkbench.plan";
inline constexpr int kPlanFileVersion = 1;

// Writes atomically (core/atomic_file).
void write_plan_file(const std::filesystem::path& file, const Plan& plan);

// Throws sb::Error (exit code 2) naming the file when it cannot be read, is not a plan file, or is
// of another version (then both versions and the fix: the same sparkbench on both sides); the cases
// and settings are validated as a config's are.
Plan read_plan_file(const std::filesystem::path& file);

}  // namespace sb::plan
