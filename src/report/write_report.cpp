#include <algorithm>

#include <fmt/format.h>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "report/report.hpp"

namespace sb::report {
namespace fs = std::filesystem;

std::vector<fs::path> write_report(const compare::Comparison& c, const std::vector<diagnose::Finding>& findings,
                                   const fs::path& dir, const std::vector<std::string>& formats) {
  const std::vector<std::string> known{"md", "json", "csv"};
  for (const auto& f : formats) {
    if (std::find(known.begin(), known.end(), f) == known.end()) {
      throw Error(fmt::format("unknown report format '{}'", f), "use md, json or csv (several may be given)");
    }
  }
  auto asked = [&](const char* f) { return std::find(formats.begin(), formats.end(), f) != formats.end(); };

  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir)) {
    throw Error(fmt::format("cannot create the report directory {}: {}", dir.string(),
                            ec ? ec.message() : "a file of that name is in the way"),
                "choose another output directory, or fix the permissions of its parent", kExitFailure);
  }

  std::vector<fs::path> written;
  if (asked("md")) {
    const auto plots = render_plots(c, dir);
    for (const auto& p : plots.plots) {
      written.push_back(dir / p.svg);
      if (!p.png.empty()) written.push_back(dir / p.png);
    }
    write_atomic(dir / "report.md", markdown(c, findings, plots));
    written.push_back(dir / "report.md");
  }
  if (asked("json")) {
    write_atomic(dir / "summary.json", json_summary(c, findings));
    written.push_back(dir / "summary.json");
  }
  if (asked("csv")) {
    write_atomic(dir / "summary.csv", csv_summary(c));
    written.push_back(dir / "summary.csv");
  }
  return written;
}

}  // namespace sb::report
