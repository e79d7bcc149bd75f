#pragma once
// Findings from the evidence a record carries beyond its samples: the canary (the machine's own
// speed in every round), the memory a GPU that shares host memory found free, the core classes a
// process may use, the JIT caches and the cold repetition, the engine's settings, the kernels and
// versions of the libraries. Each finding cites numbers from both sides and appears only where that
// evidence is in the records; docs/diagnosis.md ("Evidence-based findings") gives each rule.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "compare/compare.hpp"
#include "diagnose/findings.hpp"

namespace sb::diagnose {

// What kind of cause a finding names: the machine's state (not either environment), the software
// stack (versions, settings, caches: not containerization itself), or a limit the environment sets.
enum class EvidenceKind { MachineState, Stack, Limits };
std::string to_string(EvidenceKind k);  // "MachineState", "Stack", "Limits"

struct EvidenceFinding {
  double score = 0;  // on find_causes' scale (100 = the answer itself, 95 = a limit behind slower cases)
  EvidenceKind kind = EvidenceKind::Stack;
  Finding finding;
};

// Every evidence-based finding of c, unordered.
std::vector<EvidenceFinding> evidence_findings(const compare::Comparison& c);

// An engine setting (a command case's info.engine_settings) whose value differs between the sides.
struct EngineSettingDifference {
  std::string case_name, setting;
  nlohmann::json baseline, candidate;  // null: the engine left it unset on that side
};
// In case order, each case's settings by name.
std::vector<EngineSettingDifference> engine_setting_differences(const compare::Comparison& c);

}  // namespace sb::diagnose
