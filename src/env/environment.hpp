#pragma once
// The environment snapshot: everything that can explain a performance difference between two
// runs. A JSON object (schema in docs/architecture.md) so that any two snapshots can be diffed
// field by field. Every reading that fails is recorded as absent (null) with no exception.
#include <string>

#include <nlohmann/json.hpp>

namespace sb::env {

// Sections: host, os, cpu, memory, cgroup, shm, ulimits, numa, thp, container, gpu, cuda,
// libraries, env_vars, plus sparkbench_version and timestamp_utc. `gpu` comes from NVML (also in a
// CPU-only build); `cuda` is filled in CUDA builds. Without a driver or device, either section is
// {available: false, reason}.
nlohmann::json capture();

// Human-readable lines for `sparkbench env`.
std::string to_text(const nlohmann::json& snapshot);

}  // namespace sb::env
