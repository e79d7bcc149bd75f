#pragma once
// The run record: one JSON file per run, versioned, written atomically (write). Everything a later
// comparison needs: configuration, environment snapshot, every repetition, telemetry.
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "record/case_outcome.hpp"
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
  CaseStatus status = CaseStatus::Ok;
  std::string message;  // why unavailable/failed
  std::vector<MetricSamples> metrics;  // metrics[0] is the primary metric
  int warmup = 0;
  // The primary metric of each warm-up repetition, in order (not measured: the first one's cost
  // against the steady median is the case's cold start). Empty in records from before the field.
  std::vector<double> warmup_samples;
  StopReason stop_reason = StopReason::None;
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
  // The canary before the first case and after the last (settings.canary): {"start": <canary::to_json>,
  // "end": ...}, or {"error": message} in place of one that failed. Null (not written): not run.
  nlohmann::json canary = nullptr;
  std::vector<CaseResult> cases;

  const CaseResult* find_case(const std::string& id) const;
  std::filesystem::path source;  // file it was loaded from (not serialized)
};

nlohmann::json to_json(const RunRecord& r);
// Throws sb::Error when j is not a sparkbench run record, is a damaged one, or has a newer schema version.
RunRecord from_json(const nlohmann::json& j, const std::string& source_name);

// Throws sb::Error when `file` is not a readable record file (a directory included).
RunRecord load(const std::filesystem::path& file);

// A .json file of a directory that load_all did not take, and why.
struct UnreadFile {
  std::filesystem::path file;
  std::string reason;    // "not valid JSON (...)", "not a run record (schema ...)", ...
  bool damaged = false;  // unreadable, not JSON, or a run record that cannot be read; false: JSON of another
                         // kind (e.g. a comparison's summary.json), which is expected next to records
};

struct LoadedRecords {
  std::vector<RunRecord> records;
  std::vector<UnreadFile> unread;  // every .json file of the directory not in `records`, sorted by name
};

// A record file, or a directory: every *.json run record in it (sorted by name), and every other
// .json file with the reason it was not read, so that no round vanishes unnoticed. A damaged file
// (see UnreadFile) is an sb::Error naming each one unless skip_damaged; a record of a newer schema
// always is. Throws sb::Error too when the path does not exist, is neither a file nor a directory,
// or holds no run record.
LoadedRecords load_all(const std::filesystem::path& file_or_dir, bool skip_damaged);

// The one way a record reaches a file: its JSON with every secret redacted wherever it is (the plan's
// command definitions, their argv, env and output tails, messages: core/redact; the run itself used
// the real values), written atomically (write_atomic: never half a record, the earlier file kept on
// failure). Throws sb::Error when it cannot be written.
void write(const std::filesystem::path& file, const RunRecord& r);
// A record as a JSON document, kept whole (`share` keeps every field of an older version's record):
// the same redaction, layout and atomic write.
void write(const std::filesystem::path& file, const nlohmann::json& record);

// "results/<label>/<UTC-timestamp>_<host>.json"
std::filesystem::path default_path(const std::filesystem::path& results_dir, const std::string& label,
                                   const std::string& utc_timestamp, const std::string& host);

// `wanted` if no file of that name exists, else the first free "<stem>-2<ext>", "<stem>-3<ext>", ...
// The name is claimed by creating the file exclusively (O_EXCL), so two runs that start in the same
// second never write one record over the other; the caller then writes the record (write).
// Throws sb::Error when the directory cannot be written.
std::filesystem::path claim_unused_path(const std::filesystem::path& wanted);

}  // namespace sb::record
