// `sparkbench doctor`: ranked likely causes of a difference (with two runs), or what on this
// machine is known to cost performance (without).
#include <memory>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/commands.hpp"
#include "core/error.hpp"
#include "diagnose/findings.hpp"
#include "diagnose/machine_findings.hpp"
#include "env/environment.hpp"
#include "launcher/launcher.hpp"
#include "record/record.hpp"

namespace sb::cli {
namespace {

// Ranked findings numbered; notes (rank 0, "also differs") with a dash.
void print_findings(const std::vector<diagnose::Finding>& findings) {
  for (const auto& f : findings)
    fmt::print("{} {}\n   evidence: {}\n   next:     {}\n", f.rank > 0 ? fmt::format("{}.", f.rank) : "- ", f.title,
               f.evidence, f.action);
}

int doctor_records(const CompareArgs& a) {
  const auto c = compare::compare(load_records(a.baseline, a.skip_bad_records), load_records(a.candidate, a.skip_bad_records),
                                  compare_options(a));
  fmt::print("{}: {}\n\n", compare::to_string(c.overall), c.summary);
  const auto findings = diagnose::find_causes(c);
  if (findings.empty()) {
    fmt::print("No cause to rank: no case is slower, and every compared case was resolved (see the verdicts).\n");
    return 0;
  }
  fmt::print("Findings, most likely first:\n");
  print_findings(findings);
  if (const auto line = diagnose::attribution(c, findings); !line.empty()) fmt::print("\nAttribution: {}\n", line);
  return 0;
}

int doctor_machine() {
  const auto snapshot = env::capture();
  const auto findings = diagnose::machine_findings(snapshot);
  fmt::print("This machine{}:\n", at_container(snapshot));
  if (findings.empty()) fmt::print("  nothing known to cost performance was found in the environment snapshot\n");
  print_findings(findings);
  fmt::print("\nContainer runtimes (sparkbench runtimes):\n");
  for (const auto& r : runtimes_report(launcher::probe_host())) {
    const bool usable = r["usable"];
    fmt::print("  {:<10} {:<11} gpu: {}\n", r["runtime"].get<std::string>(), usable ? "usable" : "NOT USABLE",
               r["gpu_host_mirror"]["mode"].get<std::string>());
  }
  return 0;
}

}  // namespace

std::string at_container(const nlohmann::json& snapshot) {
  const auto& c = snapshot.value("container", nlohmann::json::object());
  if (!c.value("detected", false)) return " (native)";
  return fmt::format(" (inside a container: {})", c.value("runtime", nlohmann::json("unknown runtime")).dump());
}

void add_doctor(CLI::App& app, int& exit_code) {
  auto a = std::make_shared<CompareArgs>();
  CLI::App* cmd = app.add_subcommand("doctor", "Rank the likely causes of a difference between two runs, or check this machine");
  cmd->footer(
      "With two runs (records or directories): the findings of `compare`, each with its evidence, e.g.\n"
      "  sparkbench doctor results/native results/docker\n"
      "Without: the environment snapshot's known performance traps (small /dev/shm, CPU quota, CUDA runtime\n"
      "newer than the driver, persistence mode, clocks, throttling) and the usable container runtimes.");
  cmd->add_option("baseline", a->baseline, "Baseline record or directory");
  cmd->add_option("candidate", a->candidate, "Candidate record or directory");
  cmd->add_flag("--skip-bad-records", a->skip_bad_records, kSkipBadRecordsHelp);
  add_verdict_options(cmd, *a, /*exit_gates=*/false);
  cmd->callback([a, &exit_code] {
    if (a->baseline.empty()) exit_code = doctor_machine();
    else if (a->candidate.empty())
      throw Error("doctor needs two runs or none", "give BASELINE and CANDIDATE (e.g. results/native results/docker), or no argument to check this machine");
    else exit_code = doctor_records(*a);
  });
}

}  // namespace sb::cli
