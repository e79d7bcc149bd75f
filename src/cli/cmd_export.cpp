// `sparkbench export`: the repetitions of one record, or of every record in a directory, as CSV,
// for spreadsheets and other tools.
#include <filesystem>
#include <memory>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/commands.hpp"
#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "record/record.hpp"
#include "report/format.hpp"
#include "report/report.hpp"

namespace sb::cli {
namespace {

struct ExportArgs {
  std::string record, format = "csv", output;
  bool skip_bad_records = false;
};

// The rows of a CSV text, each with its line break; a line break inside a quoted field stays in its row.
std::vector<std::string> csv_rows(const std::string& csv) {
  std::vector<std::string> rows(1);
  bool quoted = false;
  for (char c : csv) {
    rows.back() += c;
    if (c == '"') quoted = !quoted;
    else if (c == '\n' && !quoted) rows.emplace_back();
  }
  if (rows.back().empty()) rows.pop_back();
  return rows;
}

// Several records in one CSV: the single-record columns after a first column `record`, the name
// of the record file each row comes from (unique within a directory).
std::string export_many(const std::vector<record::RunRecord>& records) {
  std::string out;
  for (const auto& r : records) {
    const std::vector<std::string> rows = csv_rows(report::export_csv(r));
    if (out.empty() && !rows.empty()) out = "record," + rows.front();
    const std::string name = report::detail::csv_field(std::filesystem::path(r.source).filename().string());
    for (std::size_t i = 1; i < rows.size(); ++i) out += name + "," + rows[i];
  }
  return out;
}

int do_export(const ExportArgs& a) {
  std::error_code ec;
  const bool many = std::filesystem::is_directory(a.record, ec);
  const std::vector<record::RunRecord> records = load_records(a.record, a.skip_bad_records);
  const std::string csv = many ? export_many(records) : report::export_csv(records.front());
  if (a.output.empty()) fmt::print("{}", csv);
  else write_atomic(a.output, csv);
  return kExitOk;
}

}  // namespace

void add_export(CLI::App& app, int& exit_code) {
  auto a = std::make_shared<ExportArgs>();
  CLI::App* cmd = app.add_subcommand(
      "export", "Export a run record, one row per repetition (case, metric, unit, repetition, value)");
  cmd->footer(
      "A directory: every record in it, in one CSV with a first column `record` naming the file each row comes from.");
  cmd->add_option("record", a->record, "Run record (results/<label>/*.json), or a directory of records")->required();
  cmd->add_option("--format", a->format, "Output format (csv)")->check(CLI::IsMember({"csv"}));
  cmd->add_option("--output,-o", a->output, "Write to this file instead of standard output");
  cmd->add_flag("--skip-bad-records", a->skip_bad_records, kSkipBadRecordsHelp);
  cmd->callback([a, &exit_code] { exit_code = do_export(*a); });
}

}  // namespace sb::cli
