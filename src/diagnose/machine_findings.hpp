#pragma once
// `sparkbench doctor` without records: what in one environment snapshot is known to cost
// performance (small /dev/shm, a CPU quota, a CUDA runtime newer than the driver, ...).
#include <vector>

#include <nlohmann/json.hpp>

#include "diagnose/findings.hpp"

namespace sb::diagnose {

// Ranked findings, each with the snapshot values as evidence; empty when nothing stands out.
std::vector<Finding> machine_findings(const nlohmann::json& snapshot);

}  // namespace sb::diagnose
