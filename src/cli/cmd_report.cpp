// `sparkbench report RECORD`: the Markdown report of one run (compare writes two-run reports).
#include <filesystem>
#include <memory>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/commands.hpp"
#include "record/record.hpp"
#include "report/run_report.hpp"

namespace sb::cli {

void add_report(CLI::App& app, int& exit_code) {
  struct Args {
    std::string record, output;
  };
  auto a = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("report", "Write the Markdown report of one run record (medians, CIs, telemetry)");
  cmd->footer("Default output: next to the record, with the extension .md. Two runs: `sparkbench compare`.");
  cmd->add_option("record", a->record, "Run record (results/<label>/*.json)")->required();
  cmd->add_option("--output,-o", a->output, "Markdown file to write");
  cmd->callback([a, &exit_code] {
    const record::RunRecord r = record::load(a->record);
    const std::string out = a->output.empty() ? std::filesystem::path(a->record).replace_extension(".md").string() : a->output;
    const std::string md = report::run_markdown(r);
    record::write_atomic(out, md);
    fmt::print("{}\n{}\n", md, out);
    exit_code = 0;
  });
}

}  // namespace sb::cli
