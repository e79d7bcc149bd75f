#include "record/record.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <variant>

#include <fcntl.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/redact.hpp"
#include "core/version.hpp"

namespace sb::record {

using nlohmann::json;

const MetricSamples* CaseResult::metric(const std::string& name) const {
  for (const auto& m : metrics)
    if (m.spec.name == name) return &m;
  return nullptr;
}

const CaseResult* RunRecord::find_case(const std::string& id) const {
  for (const auto& c : cases)
    if (c.id == id) return &c;
  return nullptr;
}

namespace {

json metric_to_json(const MetricSamples& m) {
  return {{"name", m.spec.name}, {"unit", m.spec.unit}, {"better", to_string(m.spec.better)},
          {"samples", m.samples}};
}

json case_to_json(const CaseResult& c) {
  json metrics = json::array();
  for (const auto& m : c.metrics) metrics.push_back(metric_to_json(m));
  json j = {{"id", c.id},
          {"workload", c.workload},
          {"layer", c.layer},
          {"device", to_string(c.device)},
          {"params", c.params.values()},
          {"status", to_string(c.status)},
          {"message", c.message},
          {"metrics", metrics},
          {"warmup", c.warmup},
          {"stop_reason", to_string(c.stop_reason)},
          {"partial", c.partial},
          {"started_utc", c.started_utc},
          {"duration_s", c.duration_s},
          {"info", c.info},
          {"telemetry", c.telemetry}};
  if (!c.warmup_samples.empty()) j["warmup_samples"] = c.warmup_samples;
  return j;
}

// A value outside one of the record's closed sets (status, stop_reason): the record cannot be read.
struct UnknownValue : std::runtime_error {
  using std::runtime_error::runtime_error;
};

template <typename Enum, std::size_t N>
Enum known_value(std::optional<Enum> parsed, const std::string& text, const CaseResult& c, const char* field,
                 const Enum (&known)[N]) {
  if (parsed) return *parsed;
  std::vector<std::string> names;
  for (const Enum v : known) names.push_back(fmt::format("\"{}\"", to_string(v)));
  throw UnknownValue(fmt::format("case {} has {} \"{}\", which this sparkbench does not know (it knows {})", c.id,
                                 field, text, fmt::join(names, ", ")));
}

CaseResult case_from_json(const json& j) {
  CaseResult c;
  c.id = j.at("id").get<std::string>();
  c.workload = j.at("workload").get<std::string>();
  c.layer = j.value("layer", "");
  c.device = j.value("device", "cpu") == "gpu" ? Device::Gpu : Device::Cpu;
  c.params = Params(j.at("params").get<std::map<std::string, std::string>>());
  const auto status = j.at("status").get<std::string>();
  c.status = known_value(case_status_from_string(status), status, c, "status", kCaseStatuses);
  c.message = j.value("message", "");
  for (const auto& m : j.at("metrics")) {
    MetricSamples ms;
    ms.spec.name = m.at("name").get<std::string>();
    ms.spec.unit = m.value("unit", "");
    ms.spec.better = better_from_string(m.value("better", "lower"));
    ms.samples = m.at("samples").get<std::vector<double>>();
    c.metrics.push_back(std::move(ms));
  }
  c.warmup = j.value("warmup", 0);
  c.warmup_samples = j.value("warmup_samples", std::vector<double>{});
  const auto stop_reason = j.value("stop_reason", "");
  c.stop_reason = known_value(stop_reason_from_string(stop_reason), stop_reason, c, "stop_reason", kStopReasons);
  c.partial = j.value("partial", c.stop_reason == StopReason::Interrupted);  // records from before the field
  c.started_utc = j.value("started_utc", "");
  c.duration_s = j.value("duration_s", 0.0);
  c.info = j.value("info", json::object());
  c.telemetry = j.value("telemetry", json::object());
  return c;
}

}  // namespace

json to_json(const RunRecord& r) {
  json cases = json::array();
  for (const auto& c : r.cases) cases.push_back(case_to_json(c));
  json j = {{"schema", kSchemaName},
          {"schema_version", kSchemaVersion},
          {"sparkbench_version", r.sparkbench_version},
          {"label", r.label},
          {"host", r.host},
          {"started_utc", r.started_utc},
          {"finished_utc", r.finished_utc},
          {"complete", r.complete},
          {"interrupted", r.interrupted},
          {"command_line", r.command_line},
          {"settings", r.settings},
          {"plan", r.plan},
          {"launch", r.launch},
          {"environment", r.environment},
          {"cases", cases}};
  if (!r.canary.is_null()) j["canary"] = r.canary;
  return j;
}

namespace {

bool is_run_record(const json& j) {
  return j.is_object() && j.contains("schema") && j["schema"].is_string() && j["schema"] == kSchemaName;
}

// Why valid JSON is not a run record, for the note that names it.
std::string foreign_kind(const json& j) {
  if (j.is_object() && j.contains("schema")) return fmt::format("not a run record (schema {})", j["schema"].dump());
  return fmt::format("not a run record (no \"schema\": \"{}\")", kSchemaName);
}

// j, an object with "schema": "sparkbench.run", as a record, or why it is damaged (without the
// file's name). A newer schema version throws: this sparkbench cannot know what such a file holds,
// so it is never taken for a damaged one.
std::variant<RunRecord, std::string> read_run_record(const json& j, const std::string& source_name) {
  const auto v = j.find("schema_version");
  const int version = v != j.end() && v->is_number_integer() ? v->get<int>() : 0;
  if (version > kSchemaVersion)
    throw Error(fmt::format("{} has record schema version {}, newer than this sparkbench ({}) understands "
                            "(version {}); it was written by sparkbench {}",
                            source_name, version, kVersion, kSchemaVersion, j.value("sparkbench_version", "?")),
                "compare it with the sparkbench version that wrote it, or upgrade this sparkbench");
  if (version < 1) return fmt::format("invalid record schema version ({})", v != j.end() ? v->dump() : "none");
  try {
    RunRecord r;
    r.sparkbench_version = j.value("sparkbench_version", "");
    r.label = j.value("label", "");
    r.host = j.value("host", "");
    r.started_utc = j.value("started_utc", "");
    r.finished_utc = j.value("finished_utc", "");
    r.complete = j.value("complete", false);
    r.interrupted = j.value("interrupted", false);
    r.command_line = j.value("command_line", std::vector<std::string>{});
    r.settings = j.value("settings", json::object());
    r.plan = j.value("plan", json::array());
    r.launch = j.value("launch", json::object());
    r.environment = j.value("environment", json::object());
    r.canary = j.value("canary", json());
    for (const auto& c : j.at("cases")) r.cases.push_back(case_from_json(c));
    r.source = source_name;
    return r;
  } catch (const json::exception& e) {
    return std::string(e.what());
  } catch (const UnknownValue& e) {
    return std::string(e.what());
  }
}

// One .json file of a directory, into out.records or out.unread.
void read_directory_entry(const std::filesystem::path& f, LoadedRecords& out) {
  std::ifstream in(f);
  if (!in) {
    out.unread.push_back({f, fmt::format("cannot open it: {}", std::strerror(errno)), true});
    return;
  }
  json j;
  try {
    j = json::parse(in);
  } catch (const json::exception& e) {
    out.unread.push_back({f, fmt::format("not valid JSON ({})", e.what()), true});
    return;
  }
  if (!is_run_record(j)) {
    out.unread.push_back({f, foreign_kind(j), false});
    return;
  }
  auto read = read_run_record(j, f.string());
  if (auto* problem = std::get_if<std::string>(&read)) out.unread.push_back({f, "damaged run record: " + *problem, true});
  else out.records.push_back(std::get<RunRecord>(std::move(read)));
}

}  // namespace

RunRecord from_json(const json& j, const std::string& source_name) {
  if (!is_run_record(j))
    throw Error(fmt::format("{} is not a sparkbench run record (no \"schema\": \"{}\")", source_name, kSchemaName),
                "pass a file written by `sparkbench run` (results/<label>/*.json) or a directory of them");
  auto read = read_run_record(j, source_name);
  if (auto* problem = std::get_if<std::string>(&read))
    throw Error(fmt::format("{} is a damaged sparkbench record: {}", source_name, *problem),
                "re-run the benchmark; records are written atomically, so a damaged file was edited "
                "or truncated after it was written");
  return std::get<RunRecord>(std::move(read));
}

RunRecord load(const std::filesystem::path& file) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::is_directory(file, ec))
    throw Error(fmt::format("{} is a directory, not a record file", file.string()),
                "give one record (results/<label>/<UTC>_<host>.json), or use a command that takes a directory");
  std::ifstream in(file);
  if (!in)
    throw Error(fmt::format("cannot open record {}: {}", file.string(), std::strerror(errno)),
                "check the path (records live under results/<label>/)");
  json j;
  try {
    j = json::parse(in);
  } catch (const json::exception& e) {
    throw Error(fmt::format("{} is not valid JSON ({})", file.string(), e.what()),
                "pass a record written by `sparkbench run`");
  }
  return record::from_json(j, file.string());
}

LoadedRecords load_all(const std::filesystem::path& file_or_dir, bool skip_damaged) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status st = fs::status(file_or_dir, ec);
  if (!fs::exists(st))
    throw Error(fmt::format("{} does not exist", file_or_dir.string()),
                "give a record file or a directory of records (e.g. results/native)");
  if (fs::is_regular_file(st)) return {{load(file_or_dir)}, {}};
  if (!fs::is_directory(st))
    throw Error(fmt::format("{} is neither a record file nor a directory", file_or_dir.string()),
                "give a record file or a directory of records (e.g. results/native)");
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(file_or_dir))
    if (e.is_regular_file() && e.path().extension() == ".json") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  LoadedRecords out;
  for (const auto& f : files) read_directory_entry(f, out);

  std::vector<std::string> damaged;
  for (const auto& u : out.unread)
    if (u.damaged) damaged.push_back(fmt::format("\n  {}: {}", u.file.string(), u.reason));
  if (!damaged.empty() && !skip_damaged)
    throw Error(fmt::format("{} holds {} .json file(s) that cannot be read as run records:{}", file_or_dir.string(),
                            damaged.size(), fmt::join(damaged, "")),
                fmt::format("remove or repair {0}, or pass --skip-bad-records to go on without {0} (each skipped "
                            "file is named)",
                            damaged.size() == 1 ? "it" : "them"));
  if (out.records.empty())
    throw Error(fmt::format("no sparkbench run records in directory {}", file_or_dir.string()),
                "run `sparkbench run --label <name>` first, or point at results/<label>");
  return out;
}

void write(const std::filesystem::path& file, const json& record) {
  write_atomic(file, redact::json(record).dump(1));
}

void write(const std::filesystem::path& file, const RunRecord& r) { write(file, to_json(r)); }

std::filesystem::path default_path(const std::filesystem::path& results_dir, const std::string& label,
                                   const std::string& utc_timestamp, const std::string& host) {
  return results_dir / label / fmt::format("{}_{}.json", utc_timestamp, host);
}

std::filesystem::path claim_unused_path(const std::filesystem::path& wanted) {
  for (int n = 1;; ++n) {
    const std::filesystem::path candidate =
        n == 1 ? wanted
               : wanted.parent_path() / fmt::format("{}-{}{}", wanted.stem().string(), n, wanted.extension().string());
    const int fd = ::open(candidate.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd >= 0) {
      ::close(fd);
      return candidate;
    }
    if (errno != EEXIST || n >= 10000) {
      throw Error(fmt::format("cannot create {}: {}", candidate.string(), std::strerror(errno)),
                  "check that the results directory exists and is writable (or pass --out DIR)", kExitFailure);
    }
  }
}

}  // namespace sb::record
