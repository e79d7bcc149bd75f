#pragma once
// The run record: one JSON file per run, versioned, written atomically. Everything a later
// comparison needs: configuration, environment snapshot, every repetition, telemetry.
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "workload/workload.hpp"

namespace sb::record {

inline constexpr const char* kSchemaName = "sparkbench.run";
inline constexpr int kSchemaVersion = 1;

struct MetricSamples {
  MetricSpec spec;
  std::vector<double> samples;  // one per measured repetition, in order
};

struct CaseResult {
  std::string id;  // "<workload>/<params id>": the key that pairs cases across runs
  std::string workload;
  std::string layer;
  Device device = Device::Cpu;
  Params params;
  std::string status = "ok";  // "ok" | "unavailable" | "failed"
  std::string message;        // why unavailable/failed
  std::vector<MetricSamples> metrics;  // metrics[0] is the primary metric
  int warmup = 0;
  std::string stop_reason;  // "ci_target" | "max_reps" | "max_time" | "interrupted"
  // Cut short by SIGINT/SIGTERM: its repetitions are kept, but it did not reach its stopping rule.
  bool partial = false;
  std::string started_utc;
  double duration_s = 0;
  nlohmann::json info = nlohmann::json::object();       // workload-specific facts
  nlohmann::json telemetry = nlohmann::json::object();  // {interval_ms, available, reason, summary, timeline}

  const MetricSamples* metric(const std::string& name) const;
  const MetricSamples* primary() const { return metrics.empty() ? nullptr : &metrics.front(); }
};

struct RunRecord {
  std::string sparkbench_version;
  std::string label;  // "native", "docker", ...
  std::string host;
  std::string started_utc, finished_utc;
  bool complete = false;     // every planned case ran
  bool interrupted = false;  // stopped by SIGINT (Ctrl-C) or SIGTERM; the finished cases are kept
  std::vector<std::string> command_line;
  nlohmann::json settings = nlohmann::json::object();  // reps, min_reps, warmup, max_time_s, ci_target, seed, ...
  nlohmann::json plan = nlohmann::json::array();       // the resolved cases: [{workload, params}]
  nlohmann::json environment = nlohmann::json::object();
  nlohmann::json launch = nlohmann::json::object();  // how the process was started (native / container command)
  std::vector<CaseResult> cases;

  const CaseResult* find_case(const std::string& id) const;
  std::filesystem::path source;  // file it was loaded from (not serialized)
};

nlohmann::json to_json(const RunRecord& r);
// Throws sb::Error when j is not a sparkbench run record or has a newer schema version.
RunRecord from_json(const nlohmann::json& j, const std::string& source_name);

RunRecord load(const std::filesystem::path& file);
// A record file, or a directory: every *.json record in it (sorted by name). Throws sb::Error
// when nothing loadable is found.
std::vector<RunRecord> load_all(const std::filesystem::path& file_or_dir);

// Writes to a temporary name in the same directory, then renames over `file`: a reader never
// sees a half-written record.
void write_atomic(const std::filesystem::path& file, const std::string& content);

// "results/<label>/<UTC-timestamp>_<host>.json"
std::filesystem::path default_path(const std::filesystem::path& results_dir, const std::string& label,
                                   const std::string& utc_timestamp, const std::string& host);

// `wanted` if no file of that name exists, else the first free "<stem>-2<ext>", "<stem>-3<ext>", ...
// The name is claimed by creating the file exclusively (O_EXCL), so two runs that start in the same
// second never write one record over the other; the caller then writes the record (write_atomic).
// Throws sb::Error when the directory cannot be written.
std::filesystem::path claim_unused_path(const std::filesystem::path& wanted);

}  // namespace sb::record
