#pragma once
// Finding and running gnuplot. The environment variable SPARKBENCH_GNUPLOT, when set, names the
// executable and overrides the PATH lookup (tests set it to a missing path to check the report's
// note); otherwise PATH is searched, then the path found at configure time.
#include <filesystem>
#include <string>
#include <vector>

namespace sb::report::detail {

struct GnuplotLookup {
  std::filesystem::path executable;  // empty when not found
  std::string missing_reason;        // why not, for the report's note
};
GnuplotLookup find_gnuplot();

struct ProcessResult {
  int exit_code = -1;  // 127 when it could not be executed; 128 + signal when killed
  std::string stderr_text;
};
// Runs gnuplot with `args` in `workdir`, stdin and stdout on /dev/null, stderr captured.
ProcessResult run_gnuplot(const std::filesystem::path& executable, const std::filesystem::path& workdir,
                          const std::vector<std::string>& args);

// A gnuplot double-quoted string literal: backslash and quote escaped, line breaks as \\n.
std::string gnuplot_quote(const std::string& text);

}  // namespace sb::report::detail
