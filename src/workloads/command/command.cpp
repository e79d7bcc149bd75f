// The `command` workload kind: each definition in a config's `commands:` becomes a workload named
// "command:<name>" whose repetition runs the user's program once and reads its metrics from what
// it printed, plus the wall time of the process (wall_ms). See docs/commands.md.
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "core/error.hpp"
#include "core/gpu_presence.hpp"
#include "core/redact.hpp"
#include "fatbin/library_report.hpp"
#include "fatbin/process_tree_libraries.hpp"
#include "workload/workload.hpp"
#include "workloads/command/child.hpp"
#include "workloads/command/definition.hpp"
#include "workloads/command/extract.hpp"

namespace sb::command {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// A directory for the case's {output_file}, removed with the case.
class ScratchDir {
 public:
  ScratchDir() {
    const char* tmp = std::getenv("TMPDIR");
    std::string templ = fmt::format("{}/sparkbench-command-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!::mkdtemp(templ.data()))
      throw Error(fmt::format("cannot create a directory under {}: {}", tmp && *tmp ? tmp : "/tmp", std::strerror(errno)),
                  "set TMPDIR to a writable directory");
    path_ = templ;
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string describe_end(const ChildOutcome& r) {
  if (r.signal) return fmt::format("was killed by signal {} ({})", r.signal, ::strsignal(r.signal));
  return fmt::format("exited with code {}", r.exit_code);
}

class CommandRun final : public ProgramCase {
 public:
  CommandRun(std::shared_ptr<const Definition> definition, const Params& params, const CaseContext& ctx)
      : definition_(std::move(definition)), d_(*definition_) {
    std::map<std::string, std::string> values = params.values();
    values["output_file"] = (scratch_.path() / "output").string();
    values["seed"] = std::to_string(ctx.seed);
    values["config_dir"] = d_.config_dir;
    const auto sub = [&](const std::string& t, const std::string& what) {
      try {
        return substitute(t, values, what);
      } catch (const Error& e) {
        throw Error(fmt::format("command '{}': {}", d_.name, e.what()), e.fix());
      }
    };
    for (std::size_t i = 0; i < d_.argv.size(); ++i) request_.argv.push_back(sub(d_.argv[i], fmt::format("argv[{}]", i)));
    for (const auto& [k, v] : d_.env) request_.env[k] = sub(v, "env " + k);
    request_.cwd = sub(d_.cwd, "cwd");
    // A config directory that does not exist here (an image without the host's files) is no reason
    // to fail a command that never asked for it: run where sparkbench runs.
    if (!d_.cwd_explicit && !fs::is_directory(request_.cwd)) request_.cwd.clear();
    request_.timeout_s = d_.timeout_s;
    // Its own process group: a timeout kills everything it started, and our SIGINT/SIGTERM is
    // passed on deliberately (it reaches sparkbench, which stops between repetitions).
    request_.own_process_group = true;
    request_.forward_signals = true;
    for (const auto& m : d_.metrics)
      files_.push_back(m.extraction.from == Extraction::Source::File ? sub(m.extraction.file, "metric " + m.spec.name) : "");
    // What the record and our messages show: the same run with its secrets redacted (core/redact.hpp).
    recorded_argv_ = redactor_.argv(request_.argv);
    recorded_env_ = redactor_.env(request_.env);
    recorded_line_ = shell_join(recorded_argv_);
    try {
      check_startable(request_);  // not found, not executable, no such directory: say so before any repetition
    } catch (const Error& e) {
      throw Error(redactor_.text(fmt::format("command '{}': {}", d_.name, e.what())), e.fix(), e.exit_code());
    }
  }

  Measurement run() override {
    try {
      return measure();
    } catch (const Error& e) {  // the output tail in a message may show a secret the program printed
      throw Error(redactor_.text(e.what()), e.fix(), e.exit_code());
    }
  }

  json info() const override {
    return {{"argv", recorded_argv_},
            {"command_line", recorded_line_},
            {"env", recorded_env_},
            {"cwd", request_.cwd.empty() ? fs::current_path().string() : request_.cwd},
            {"timeout_s", d_.timeout_s},
            {"runs", runs_},
            {"last_exit_code", last_exit_code_},
            {"last_output_tail", last_output_tail_},
            {"engine_settings", engine_settings_},
            // What really ran: the libraries the program's process tree mapped (their kernels for
            // this GPU) and the Python distributions they came from.
            {"mapped_libraries", fatbin::library_report(mapped_.libraries(), gpu_presence().compute_capability)},
            {"mapped_libraries_unchecked", mapped_.unchecked_package_files()},
            {"python_packages", mapped_.python_packages()}};
  }

 private:
  Measurement measure() {
    for (const auto& f : files_) {
      std::error_code ec;
      if (!f.empty()) fs::remove(f, ec);  // a value left by the previous repetition must not be read again
    }
    ChildSpec spec = request_;
    fatbin::SampleSchedule schedule;
    spec.while_running = [&](int pid, double seconds) {
      if (schedule.due(seconds)) mapped_.sample(pid);
    };
    ChildOutcome r;
    try {
      r = run_child(spec);
    } catch (const Error& e) {
      throw Error(fmt::format("command '{}': {}", d_.name, e.what()), e.fix());
    }
    mapped_.read_coverage();  // only the files first seen in this run are read
    ++runs_;
    last_exit_code_ = r.exit_code;
    last_output_tail_ = redacted_tail(r.out + r.err, 20, 2000);
    const std::string& line = recorded_line_;
    if (r.interrupted)
      throw Error(fmt::format("command '{}' was interrupted (SIGINT/SIGTERM passed on) while running: {}", d_.name, line),
                  "the cases before it are kept; run again to measure it");
    if (r.timed_out)
      throw Error(fmt::format("command '{}' ran longer than its timeout of {} s and was killed (with its process group): "
                              "{}\n--- output tail ---\n{}",
                              d_.name, d_.timeout_s, line, output_tail(r)),
                  "raise `timeout_s:` in its definition, or make the run shorter");
    if (r.exit_code != 0)
      throw Error(fmt::format("command '{}' {}: {}\n--- output tail ---\n{}", d_.name, describe_end(r), line, output_tail(r)),
                  fmt::format("run it by hand to see why{}", request_.cwd.empty() ? "" : ", in " + request_.cwd));

    Measurement m;
    for (std::size_t i = 0; i < d_.metrics.size(); ++i) {
      const MetricDefinition& metric = d_.metrics[i];
      const Extraction& x = metric.extraction;
      std::string text;
      switch (x.from) {
        case Extraction::Source::Stdout: text = r.out; break;
        case Extraction::Source::Stderr: text = r.err; break;
        case Extraction::Source::Output: text = r.out + r.err; break;
        case Extraction::Source::File:
          if (!fs::exists(files_[i]))
            throw Error(fmt::format("command '{}': metric '{}' is read from {}, which the command did not write\n"
                                    "--- output tail ---\n{}",
                                    d_.name, metric.spec.name, files_[i], output_tail(r)),
                        "check that argv passes {output_file} to the option that writes the results");
          text = read_file(files_[i]);
          break;
      }
      try {
        m[metric.spec.name] = extract(x, text);
      } catch (const Error& e) {
        throw Error(fmt::format("command '{}': metric '{}' not found in its {}: {}\n--- {} tail ---\n{}", d_.name,
                                metric.spec.name, x.from == Extraction::Source::File ? files_[i] : source_name(x.from),
                                e.what(), x.from == Extraction::Source::File ? "file" : "output",
                                x.from == Extraction::Source::File ? redacted_tail(text, 20, 2000) : output_tail(r)),
                    e.fix());
      }
    }
    m[kWallMetric] = r.wall_ms;
    read_settings(r);
    return m;
  }

  // The engine's settings as the last run printed them (null: no line matched), redacted.
  void read_settings(const ChildOutcome& r) {
    if (d_.settings.empty()) return;
    engine_settings_ = json::object();
    for (const auto& st : d_.settings) {
      const std::string& text = st.from == Extraction::Source::Stdout   ? r.out
                                : st.from == Extraction::Source::Stderr ? r.err
                                                                        : r.out + "\n" + r.err;
      const auto value = find_regex(text, st.regex, st.last);
      engine_settings_[st.name] = value ? json(redactor_.text(*value)) : json(nullptr);
    }
  }

  static std::string source_name(Extraction::Source s) {
    return s == Extraction::Source::Stdout ? "stdout" : s == Extraction::Source::Stderr ? "stderr" : "output";
  }
  // The tail of a text with its secrets masked. Redacted before the final cut, so that the cut
  // cannot leave the end of a secret that no longer matches what was redacted.
  std::string redacted_tail(const std::string& text, std::size_t lines, std::size_t chars) {
    return tail(redactor_.text(tail(text, 2 * lines, 2 * chars)), lines, chars);
  }
  std::string output_tail(const ChildOutcome& r) {
    if (r.out.empty() && r.err.empty()) return "(no output)\n";
    std::string out = redacted_tail(r.out, 15, 1500);
    if (!r.err.empty()) out += "--- stderr ---\n" + redacted_tail(r.err, 15, 1500);
    return out;
  }

  std::shared_ptr<const Definition> definition_;
  const Definition& d_;
  ScratchDir scratch_;
  ChildSpec request_;
  redact::Redactor redactor_;  // knows the secrets of request_, masks them in what is recorded
  std::vector<std::string> recorded_argv_;
  std::map<std::string, std::string> recorded_env_;
  std::string recorded_line_;
  std::vector<std::string> files_;  // per metric: the file it reads ("" for stdout/stderr)
  int runs_ = 0;
  int last_exit_code_ = -1;
  std::string last_output_tail_;  // redacted
  json engine_settings_ = nullptr;
  fatbin::ProcessTreeLibraries mapped_;  // the union over every run's samples
};

Workload make_workload(const json& j) {
  auto d = std::make_shared<const Definition>(parse(j));
  Workload w;
  w.name = kWorkloadPrefix + d->name;
  w.help = d->help.empty() ? fmt::format("runs {}", shell_join(redact::argv(d->argv))) : d->help;
  w.device = d->device;
  w.layer = d->layer;
  w.params = d->params;
  for (const auto& m : d->metrics) w.metrics.push_back(m.spec);
  w.metrics.push_back({kWallMetric, "ms", Better::Lower, "wall time of the process, start to exit"});
  w.definition = to_json(*d);
  w.make = [d](const Params& p, const CaseContext& ctx) -> std::unique_ptr<CaseRun> {
    if (d->device == Device::Gpu && !gpu_presence().present)
      throw Unavailable(fmt::format("command '{}' is declared `device: gpu`, and no GPU can be used here: {}", d->name,
                                    gpu_presence().reason));
    return std::make_unique<CommandRun>(d, p, ctx);
  };
  return w;
}

}  // namespace
}  // namespace sb::command

SB_REGISTER_WORKLOAD_FACTORY(command, "command", sb::command::make_workload);
