#pragma once
// Reporters over one Comparison and its findings (diagnose::find_causes): Markdown (pastes into a
// GitHub issue), JSON and CSV summaries, and gnuplot plots (SVG + PNG). Each format is a separate
// reporter over the same data.
#include <filesystem>
#include <string>
#include <vector>

#include "compare/compare.hpp"
#include "diagnose/findings.hpp"

namespace sb::report {

struct Plot {
  std::string title;
  std::filesystem::path svg, png;  // relative to the report directory
};

struct PlotResult {
  std::vector<Plot> plots;
  std::string note;  // non-empty when plots could not be rendered (gnuplot missing, failed)
};

// Renders the plots into dir/plots/: box plots per case, overhead bars with CI whiskers,
// telemetry timelines. Never throws for a missing gnuplot: says so in note.
PlotResult render_plots(const compare::Comparison& c, const std::filesystem::path& dir);

std::string markdown(const compare::Comparison& c, const std::vector<diagnose::Finding>& findings,
                     const PlotResult& plots);
std::string json_summary(const compare::Comparison& c, const std::vector<diagnose::Finding>& findings);
std::string csv_summary(const compare::Comparison& c);

// Writes the formats asked for ("md", "json", "csv") into dir (created), atomically per file;
// returns the files written.
std::vector<std::filesystem::path> write_report(const compare::Comparison& c,
                                                const std::vector<diagnose::Finding>& findings,
                                                const std::filesystem::path& dir, const std::vector<std::string>& formats);

// Per-repetition export of one record: case, metric, unit, repetition, value.
std::string export_csv(const record::RunRecord& r);

}  // namespace sb::report
