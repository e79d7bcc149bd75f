// `sparkbench export`: one record's repetitions as CSV, for spreadsheets and other tools.
#include <memory>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/commands.hpp"
#include "core/error.hpp"
#include "record/record.hpp"
#include "report/report.hpp"

namespace sb::cli {

void add_export(CLI::App& app, int& exit_code) {
  struct Args {
    std::string record, format = "csv", output;
  };
  auto a = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("export", "Export a run record, one row per repetition (case, metric, unit, repetition, value)");
  cmd->add_option("record", a->record, "Run record (results/<label>/*.json)")->required();
  cmd->add_option("--format", a->format, "Output format (csv)")->check(CLI::IsMember({"csv"}));
  cmd->add_option("--output,-o", a->output, "Write to this file instead of standard output");
  cmd->callback([a, &exit_code] {
    const std::string csv = report::export_csv(record::load(a->record));
    if (a->output.empty()) fmt::print("{}", csv);
    else record::write_atomic(a->output, csv);
    exit_code = 0;
  });
}

}  // namespace sb::cli
