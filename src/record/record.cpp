#include "record/record.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <system_error>

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include "core/error.hpp"
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
  return {{"id", c.id},
          {"workload", c.workload},
          {"layer", c.layer},
          {"device", to_string(c.device)},
          {"params", c.params.values()},
          {"status", c.status},
          {"message", c.message},
          {"metrics", metrics},
          {"warmup", c.warmup},
          {"stop_reason", c.stop_reason},
          {"partial", c.partial},
          {"started_utc", c.started_utc},
          {"duration_s", c.duration_s},
          {"info", c.info},
          {"telemetry", c.telemetry}};
}

CaseResult case_from_json(const json& j) {
  CaseResult c;
  c.id = j.at("id").get<std::string>();
  c.workload = j.at("workload").get<std::string>();
  c.layer = j.value("layer", "");
  c.device = j.value("device", "cpu") == "gpu" ? Device::Gpu : Device::Cpu;
  c.params = Params(j.at("params").get<std::map<std::string, std::string>>());
  c.status = j.at("status").get<std::string>();
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
  c.stop_reason = j.value("stop_reason", "");
  c.partial = j.value("partial", c.stop_reason == "interrupted");  // records from before the field
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
  return {{"schema", kSchemaName},
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
}

RunRecord from_json(const json& j, const std::string& source_name) {
  if (!j.is_object() || j.value("schema", "") != kSchemaName)
    throw Error(fmt::format("{} is not a sparkbench run record (no \"schema\": \"{}\")", source_name, kSchemaName),
                "pass a file written by `sparkbench run` (results/<label>/*.json) or a directory of them");
  const int version = j.value("schema_version", 0);
  if (version > kSchemaVersion)
    throw Error(fmt::format("{} has record schema version {}, newer than this sparkbench ({}) understands "
                            "(version {}); it was written by sparkbench {}",
                            source_name, version, kVersion, kSchemaVersion, j.value("sparkbench_version", "?")),
                "compare it with the sparkbench version that wrote it, or upgrade this sparkbench");
  if (version < 1)
    throw Error(fmt::format("{} has an invalid record schema version ({})", source_name, version),
                "re-run the benchmark with this sparkbench to produce a valid record");
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
    for (const auto& c : j.at("cases")) r.cases.push_back(case_from_json(c));
    r.source = source_name;
    return r;
  } catch (const json::exception& e) {
    throw Error(fmt::format("{} is a damaged sparkbench record: {}", source_name, e.what()),
                "re-run the benchmark; records are written atomically, so a damaged file was edited "
                "or truncated after it was written");
  }
}

RunRecord load(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in)
    throw Error(fmt::format("cannot open record {}: {}", file.string(), std::strerror(errno)),
                "check the path (records live under results/<label>/)");
  json j;
  try {
    j = json::parse(in);
  } catch (const json::parse_error& e) {
    throw Error(fmt::format("{} is not valid JSON ({})", file.string(), e.what()),
                "pass a record written by `sparkbench run`");
  }
  return record::from_json(j, file.string());
}

std::vector<RunRecord> load_all(const std::filesystem::path& file_or_dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(file_or_dir, ec))
    throw Error(fmt::format("{} does not exist", file_or_dir.string()),
                "give a record file or a directory of records (e.g. results/native)");
  if (!fs::is_directory(file_or_dir, ec)) return {load(file_or_dir)};
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(file_or_dir))
    if (e.is_regular_file() && e.path().extension() == ".json") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  std::vector<RunRecord> out;
  for (const auto& f : files) {
    // A directory may hold other JSON (e.g. a report's summary.json): take only run records.
    std::ifstream in(f);
    json j = json::parse(in, nullptr, /*allow_exceptions=*/false);
    if (j.is_object() && j.value("schema", "") == kSchemaName) out.push_back(record::from_json(j, f.string()));
  }
  if (out.empty())
    throw Error(fmt::format("no sparkbench run records in directory {}", file_or_dir.string()),
                "run `sparkbench run --label <name>` first, or point at results/<label>");
  return out;
}

void write_atomic(const std::filesystem::path& file, const std::string& content) {
  namespace fs = std::filesystem;
  const fs::path dir = file.has_parent_path() ? file.parent_path() : fs::path(".");
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec)
    throw Error(fmt::format("cannot create directory {}: {}", dir.string(), ec.message()),
                "choose a writable output directory with --out", kExitFailure);
  const fs::path tmp = dir / fmt::format(".{}.tmp.{}", file.filename().string(), ::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << content;
    out.flush();
    if (!out)
      throw Error(fmt::format("cannot write {}: {}", tmp.string(), std::strerror(errno)),
                  "check free space and permissions of the output directory", kExitFailure);
  }
  fs::rename(tmp, file, ec);
  if (ec) {
    fs::remove(tmp, ec);
    throw Error(fmt::format("cannot rename {} to {}: {}", tmp.string(), file.string(), ec.message()),
                "check permissions of the output directory", kExitFailure);
  }
}

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
