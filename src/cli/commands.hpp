#pragma once
// The `sparkbench` command line: one file per subcommand, each registering itself on the app.
#include <optional>
#include <string>
#include <vector>

#include "compare/compare.hpp"
#include "launcher/host_facts.hpp"
#include "record/record.hpp"

namespace CLI {
class App;
}

namespace sb::cli {

int main(int argc, char** argv);

// Each add_* registers a subcommand whose callback stores its exit code in `exit_code`.
void add_list(CLI::App& app, int& exit_code);
void add_env(CLI::App& app, int& exit_code);
void add_run(CLI::App& app, int& exit_code);
void add_compare(CLI::App& app, int& exit_code);
void add_export(CLI::App& app, int& exit_code);
void add_report(CLI::App& app, int& exit_code);
void add_doctor(CLI::App& app, int& exit_code);
void add_ab(CLI::App& app, int& exit_code);
void add_runtimes(CLI::App& app, int& exit_code);
void add_bundle(CLI::App& app, int& exit_code);
void add_share(CLI::App& app, int& exit_code);

struct CompareArgs {
  std::string baseline, candidate, out, formats = "md,json,csv";
  std::optional<double> fail_above;
  bool fail_inconclusive = false;
  double alpha = 0.05, min_effect = 2.0;
  std::vector<std::string> ignore_params;
  bool include_partial = false;
  bool skip_bad_records = false;
};
// The comparison options of these arguments.
compare::Options compare_options(const CompareArgs& a);
// The verdict options `compare`, `ab` and `doctor` share: --min-effect, --alpha, --include-partial; with
// exit_gates also --fail-above and --fail-inconclusive.
void add_verdict_options(CLI::App* cmd, CompareArgs& a, bool exit_gates);
// What `compare` does after loading the records (also the end of `ab`): statistics, the report
// files, the summary on stdout; returns the exit code (kExitThreshold for --fail-above,
// kExitInconclusive for --fail-inconclusive). `stopping` says how `ab` chose its rounds.
int compare_and_report(std::vector<record::RunRecord> baseline, std::vector<record::RunRecord> candidate,
                       const CompareArgs& a, const std::string& stopping = "");

// Shared helpers.
// record::load_all, naming on stderr every .json file of a directory that it did not read.
std::vector<record::RunRecord> load_records(const std::string& file_or_dir, bool skip_bad_records);
inline constexpr const char* kSkipBadRecordsHelp =
    "In a directory, skip damaged .json files (not valid JSON, a broken record), naming each, instead of stopping";
nlohmann::json runtimes_report(const launcher::HostFacts& facts);  // one entry per container runtime
std::string at_container(const nlohmann::json& snapshot);           // " (native)" or " (inside a container: ...)"
void keep_command_line(int argc, char** argv);  // main, first thing: what command_line() returns
std::vector<std::string> command_line();  // argv of this process, as given
void ensure_writable_dir(const std::string& dir, const std::string& what);  // throws sb::Error before any work
bool stderr_is_terminal();

}  // namespace sb::cli
