// `sparkbench report RECORD|DIR`: the Markdown report of one run, or of every run in a directory
// (compare writes two-run reports).
#include <filesystem>
#include <memory>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/commands.hpp"
#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "record/record.hpp"
#include "report/run_report.hpp"

namespace sb::cli {
namespace {

namespace fs = std::filesystem;

struct ReportArgs {
  std::string record, output;
  bool skip_bad_records = false;
};

// Next to the record with the extension .md; the file --output names; or <record name>.md in the
// directory --output names.
fs::path report_path(const record::RunRecord& r, const std::string& output, bool output_is_dir) {
  const fs::path md = fs::path(r.source).replace_extension(".md");
  if (output.empty()) return md;
  return output_is_dir ? fs::path(output) / md.filename() : fs::path(output);
}

int do_report(const ReportArgs& a) {
  std::error_code ec;
  const bool many = fs::is_directory(a.record, ec);
  const bool output_is_dir = !a.output.empty() && (many || fs::is_directory(a.output, ec));
  if (many && output_is_dir && fs::exists(a.output, ec) && !fs::is_directory(a.output, ec))
    throw Error(fmt::format("--output {} is a file, but {} is a directory of records (one report each)", a.output, a.record),
                "give --output a directory (created if missing), or leave it out to write each report next to its record");
  const std::vector<record::RunRecord> records = load_records(a.record, a.skip_bad_records);
  for (const auto& r : records) {
    const fs::path out = report_path(r, a.output, output_is_dir);
    const std::string md = report::run_markdown(r);
    write_atomic(out, md);
    if (!many) fmt::print("{}\n", md);
    fmt::print("{}\n", out.string());
  }
  return kExitOk;
}

}  // namespace

void add_report(CLI::App& app, int& exit_code) {
  auto a = std::make_shared<ReportArgs>();
  CLI::App* cmd = app.add_subcommand(
      "report", "Write the Markdown report of one run record, or of every record in a directory (medians, CIs, telemetry)");
  cmd->footer(
      "A record: its report goes next to it with the extension .md (or to --output: a file, or an existing\n"
      "directory to hold <record>.md) and is printed, then its path. A directory: one report per record, each next\n"
      "to its record (or in the directory --output, created if missing); the paths written are printed.\n"
      "Two runs: `sparkbench compare`.");
  cmd->add_option("record", a->record, "Run record (results/<label>/*.json), or a directory of records")->required();
  cmd->add_option("--output,-o", a->output, "Markdown file to write, or a directory for <record>.md");
  cmd->add_flag("--skip-bad-records", a->skip_bad_records, kSkipBadRecordsHelp);
  cmd->callback([a, &exit_code] { exit_code = do_report(*a); });
}

}  // namespace sb::cli
