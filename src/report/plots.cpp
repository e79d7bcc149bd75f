// gnuplot figures: one .gp script plus its data files per figure in dir/plots/, each rendered
// to SVG and PNG. The scripts stay next to the images so that a user can tweak and re-run them.
#include <algorithm>
#include <cmath>
#include <fstream>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "report/format.hpp"
#include "report/gnuplot.hpp"
#include "report/report.hpp"
#include "report/telemetry_view.hpp"

namespace sb::report {
namespace {

namespace fs = std::filesystem;
using detail::axis_labels;
using detail::AxisLabels;
using detail::gnuplot_quote;

constexpr std::size_t kMaxPerCaseFigures = 12;
constexpr const char* kBaselineColor = "#1f77b4";
constexpr const char* kCandidateColor = "#ff7f0e";

struct Figure {
  std::string name;   // file stem in plots/
  std::string title;  // for the Markdown alt text
  int width = 900, height = 520;
  std::string body;  // gnuplot commands after the terminal is set; starts from `reset`
};

void write_text(const fs::path& file, const std::string& text) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) throw std::runtime_error(fmt::format("cannot write {}", file.string()));
}

std::string num(double x) { return std::isfinite(x) ? fmt::format("{}", x) : "?"; }

std::string slug(const std::string& text) {
  std::string out;
  for (char ch : text) {
    const bool keep = std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '.';
    if (keep) out += ch;
    else if (out.empty() || out.back() != '_') out += '_';
    if (out.size() >= 48) break;
  }
  return out;
}

std::string tics_list(const std::vector<std::string>& labels) {
  std::string out;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    out += fmt::format("{}{} {}", i == 0 ? "" : ", ", gnuplot_quote(labels[i]), i + 1);
  }
  return out;
}

std::string with_shared(std::string title, const AxisLabels& a) {
  return a.shared.empty() ? title : title + "\ncases: " + a.shared;
}

// Long case ids break into lines after a ',' so that a narrow figure does not cut its title.
std::string wrapped(const std::string& text, std::size_t width) {
  std::string out, line;
  for (std::size_t start = 0; start < text.size();) {
    const auto comma = text.find(',', start);
    const std::string piece = text.substr(start, comma == std::string::npos ? std::string::npos : comma + 1 - start);
    if (!line.empty() && line.size() + piece.size() > width) {
      out += line + "\n";
      line.clear();
    }
    line += piece;
    start += piece.size();
  }
  return out + line;
}

std::string better_text(Better b) { return b == Better::Lower ? "lower is better" : "higher is better"; }

const char* verdict_color(compare::Verdict v) {
  switch (v) {
    case compare::Verdict::Faster: return "#1a9850";
    case compare::Verdict::Minimal: return "#fdae61";
    case compare::Verdict::Moderate: return "#f46d43";
    case compare::Verdict::Significant: return "#d73027";
    case compare::Verdict::Critical: return "#7f0000";
    case compare::Verdict::Equivalent: return "#4575b4";
    default: return "#9e9e9e";  // inconclusive
  }
}

// A comparable case with the units its tests used on both sides (round medians, or repetitions where
// a side ran in one process): the plots show what the verdict stands on.
struct PlottedCase {
  const compare::CaseComparison* k;
  const std::vector<double>* baseline;
  const std::vector<double>* candidate;
};

std::vector<PlottedCase> plotted_cases(const compare::Comparison& c) {
  std::vector<PlottedCase> out;
  for (const auto& k : c.cases) {
    if (!k.not_comparable.empty()) continue;
    const auto& m = k.primary;
    if (!m.baseline.units.empty() && !m.candidate.units.empty()) out.push_back({&k, &m.baseline.units, &m.candidate.units});
  }
  return out;
}

std::string unit_word(const compare::MetricComparison& m) {
  return m.unit == compare::TestUnit::Round ? "round medians" : "repetitions";
}

std::string samples_block(const std::vector<double>& xs, double scale) {
  std::string out;
  for (double x : xs) out += num(x / scale) + "\n";
  return out + "\n\n";  // two blank lines end a gnuplot data set (addressed with `index`)
}

std::string common_style() {
  return "reset\nset border lc rgb '#444444'\nset style fill solid 0.75 border -1\n"
         "set style boxplot outliers pointtype 7\nset key below center horizontal height 1\n";
}

Figure box_overview(const compare::Comparison& c, const std::vector<PlottedCase>& cases, const fs::path& plots) {
  std::string b, t;
  std::vector<std::string> ids;
  for (const auto& p : cases) {
    const double scale = p.k->primary.baseline.center;
    if (!std::isfinite(scale) || scale == 0) continue;
    b += samples_block(*p.baseline, scale);
    t += samples_block(*p.candidate, scale);
    ids.push_back(p.k->name);
  }
  if (ids.empty()) return {};
  write_text(plots / "box_all_baseline.dat", b);
  write_text(plots / "box_all_candidate.dat", t);
  const auto axis = axis_labels(ids);
  std::size_t longest = 0;
  for (const auto& l : axis.labels) longest = std::max(longest, l.size());
  const bool vertical = longest > 14;  // long labels stand upright: slanted ones run off the left edge
  const std::size_t n = ids.size();
  Figure f{"box_all", "Primary metric of every case (the units its tests used) relative to the baseline's center",
           static_cast<int>(std::clamp<std::size_t>(260 + 90 * n, 700, 1600)),
           static_cast<int>(480 + (vertical ? 7 * longest : 0)), common_style()};
  f.body += fmt::format(
      "set title {}\nset ylabel 'primary metric / baseline center'\nset grid ytics lc rgb '#dddddd'\n"
      "set xtics ({}) {} nomirror\nset xrange [0.4:{}.6]\nset offsets 0, 0, graph 0.05, graph 0.05\n"
      "set arrow 1 from graph 0, first 1 to graph 1, first 1 nohead dt 2 lc rgb '#666666'\n"
      "plot for [i=0:{}] 'box_all_baseline.dat' index i using (i+1-0.19):1:(0.34) with boxplot lc rgb '{}' "
      "title (i == 0 ? {} : ''), \\\n"
      "     for [i=0:{}] 'box_all_candidate.dat' index i using (i+1+0.19):1:(0.34) with boxplot lc rgb '{}' "
      "title (i == 0 ? {} : '')\n",
      gnuplot_quote(with_shared(f.title, axis)), tics_list(axis.labels), vertical ? "rotate by 90 right" : "", n,
      n - 1, kBaselineColor, gnuplot_quote("baseline: " + c.baseline_label), n - 1, kCandidateColor,
      gnuplot_quote("candidate: " + c.candidate_label));
  return f;
}

Figure box_case(const compare::Comparison& c, const PlottedCase& p, std::size_t index, const fs::path& plots) {
  const auto& spec = p.k->primary.spec;
  Figure f{fmt::format("box_{:02}_{}", index + 1, slug(p.k->name)),
           fmt::format("{}: {} ({})", p.k->name, spec.name, unit_word(p.k->primary)), 560, 440,
           common_style()};
  write_text(plots / (f.name + ".dat"), samples_block(*p.baseline, 1) + samples_block(*p.candidate, 1));
  const std::string unit = spec.unit.empty() ? "" : spec.unit + ", ";
  f.body += fmt::format(
      "set title {}\nset ylabel {}\nset grid ytics lc rgb '#dddddd'\nset xtics ({} 1, {} 2) nomirror\n"
      "set xrange [0.4:2.6]\nset offsets 0, 0, graph 0.05, graph 0.05\nunset key\n"
      "plot '{}.dat' index 0 using (1):1:(0.5) with boxplot lc rgb '{}', \\\n"
      "     '' index 1 using (2):1:(0.5) with boxplot lc rgb '{}'\n",
      gnuplot_quote(wrapped(p.k->name, 60) + "\n" + unit_word(p.k->primary)),
      gnuplot_quote(fmt::format("{} ({}{})", spec.name, unit, better_text(spec.better))),
      gnuplot_quote(c.baseline_label), gnuplot_quote(c.candidate_label), f.name, kBaselineColor, kCandidateColor);
  return f;
}

Figure overhead_bars(const compare::Comparison& c, const std::vector<PlottedCase>& cases, const fs::path& plots) {
  std::string data;
  std::vector<std::string> ids;
  std::vector<compare::Verdict> seen;
  std::size_t n = 0;
  for (const auto& p : cases) {
    const auto& m = p.k->primary;
    if (!std::isfinite(m.overhead_pct)) continue;
    ++n;
    // y, overhead, CI low, CI high, bar from, bar to, colour as a 24-bit integer
    data += fmt::format("{} {} {} {} {} {} {}\n", n, num(m.overhead_pct), num(m.overhead_ci_pct.low),
                        num(m.overhead_ci_pct.high), std::min(0.0, m.overhead_pct), std::max(0.0, m.overhead_pct),
                        std::stoi(verdict_color(m.verdict) + 1, nullptr, 16));
    ids.push_back(p.k->name);
    if (std::find(seen.begin(), seen.end(), m.verdict) == seen.end()) seen.push_back(m.verdict);
  }
  if (n == 0) return {};
  write_text(plots / "overhead.dat", data);
  Figure f{"overhead",
           fmt::format("Overhead of {} vs {} per case with 95% CI", c.candidate_label, c.baseline_label), 1000,
           static_cast<int>(std::max<std::size_t>(340, 190 + 34 * n)), common_style()};
  const auto axis = axis_labels(ids);
  const double margin = c.options.min_effect_pct;
  std::string legend = fmt::format(", \\\n     keyentry with boxes fs solid 1.0 noborder lc rgb '#e4e4e4' title {}",
                                   gnuplot_quote(fmt::format("equivalence margin ±{:g}%", margin)));
  std::sort(seen.begin(), seen.end());
  for (auto v : seen) {
    legend += fmt::format(", \\\n     keyentry with boxes fs solid 0.9 border -1 lc rgb '{}' title {}", verdict_color(v),
                          gnuplot_quote(detail::verdict_label(v)));
  }
  f.body += fmt::format(
      "set title {}\nset xlabel 'overhead (%), positive = candidate worse'\n"
      "set ytics ({}) nomirror\nset yrange [{}.6:0.4]\nset grid xtics lc rgb '#dddddd'\n"
      "set offsets graph 0.08, graph 0.08, 0, 0\n"
      "set object 1 rect from {}, graph 0 to {}, graph 1 fc rgb '#e4e4e4' fs solid 1.0 noborder behind\n"
      "set arrow 1 from 0, graph 0 to 0, graph 1 nohead lc rgb '#444444'\n"
      "plot 'overhead.dat' using 2:1:5:6:($1-0.35):($1+0.35):7 with boxxyerror fs solid 0.9 border -1 lc rgb variable notitle, \\\n"
      "     '' using 2:1:3:4 with xerrorbars lc rgb '#222222' pt 7 ps 0.6 lw 1.5 notitle{}\n",
      gnuplot_quote(with_shared(f.title, axis)), tics_list(axis.labels), n, -margin, margin, legend);
  return f;
}

// Columns of a timeline data file: t_s, then the kTimelineFields in order; '?' where absent.
std::string timeline_data(const nlohmann::json& samples, std::vector<bool>& has_field) {
  std::string out;
  for (const auto& s : samples) {
    if (!s.is_object() || !s.contains("t_s") || !s["t_s"].is_number()) continue;
    out += num(s["t_s"].get<double>());
    std::size_t i = 0;
    for (const auto& field : detail::kTimelineFields) {
      auto it = s.find(field.key);
      const bool present = it != s.end() && it->is_number();
      if (present) has_field[i] = true;
      out += " " + (present ? num(it->get<double>()) : std::string("?"));
      ++i;
    }
    out += "\n";
  }
  return out;
}

Figure timeline_figure(const compare::Comparison& c, const compare::CaseComparison& k, std::size_t index,
                       const fs::path& plots) {
  constexpr std::size_t kFields = std::size(detail::kTimelineFields);
  std::vector<bool> in_baseline(kFields), in_candidate(kFields);
  const auto b = timeline_data(detail::timeline(k.baseline), in_baseline);
  const auto t = timeline_data(detail::timeline(k.candidate), in_candidate);
  std::vector<std::size_t> panels;
  for (std::size_t i = 0; i < kFields; ++i) {
    if (in_baseline[i] || in_candidate[i]) panels.push_back(i);
  }
  if (panels.empty()) return {};
  Figure f{fmt::format("timeline_{:02}_{}", index + 1, slug(k.name)), k.name + ": GPU telemetry over time", 1000,
           panels.size() > 2 ? 720 : 400, common_style()};
  write_text(plots / (f.name + "_baseline.dat"), b);
  write_text(plots / (f.name + "_candidate.dat"), t);
  f.body += fmt::format("set datafile missing '?'\nset grid xtics ytics lc rgb '#dddddd'\n"
                        "set xlabel 'time since sampler start (s)'\nset multiplot layout {},{} title {}\n",
                        panels.size() > 2 ? 2 : 1, panels.size() > 1 ? 2 : 1, gnuplot_quote(wrapped(f.title, 110)));
  for (auto i : panels) {
    const auto& field = detail::kTimelineFields[i];
    std::vector<std::string> lines;
    if (in_baseline[i]) {
      lines.push_back(fmt::format("'{}_baseline.dat' using 1:{} with lines lw 1.5 lc rgb '{}' title {}", f.name, i + 2,
                                  kBaselineColor, gnuplot_quote(c.baseline_label)));
    }
    if (in_candidate[i]) {
      lines.push_back(fmt::format("'{}_candidate.dat' using 1:{} with lines lw 1.5 lc rgb '{}' title {}", f.name, i + 2,
                                  kCandidateColor, gnuplot_quote(c.candidate_label)));
    }
    f.body += fmt::format("set title {}\nset ylabel '{}'\nplot {}\n",
                          gnuplot_quote(fmt::format("{} ({})", field.label, field.unit)), field.unit,
                          fmt::join(lines, ", "));
  }
  f.body += "unset multiplot\n";
  return f;
}

struct Renderer {
  fs::path plots;
  fs::path gnuplot;
  std::string png_terminal;  // "pngcairo", "png", or empty when neither works
  PlotResult result;

  void add_note(const std::string& text) { result.note += (result.note.empty() ? "" : "\n\n") + text; }

  void render(const Figure& f) {
    if (f.name.empty()) return;
    std::string script = fmt::format("set terminal svg size {},{} noenhanced font 'Sans,12' background '#ffffff'\n"
                                     "set output '{}.svg'\n{}unset output\n",
                                     f.width, f.height, f.name, f.body);
    const std::string png_font = png_terminal == "pngcairo" ? " font 'Sans,10'" : "";
    if (!png_terminal.empty()) {
      script += fmt::format("set terminal {} size {},{} noenhanced{} background '#ffffff'\nset output '{}.png'\n{}unset output\n",
                            png_terminal, f.width, f.height, png_font, f.name, f.body);
    }
    write_text(plots / (f.name + ".gp"), script);
    const auto run = detail::run_gnuplot(gnuplot, plots, {f.name + ".gp"});
    const bool svg_ok = fs::exists(plots / (f.name + ".svg")) && fs::file_size(plots / (f.name + ".svg")) > 0;
    const bool png_ok = png_terminal.empty() ||
                        (fs::exists(plots / (f.name + ".png")) && fs::file_size(plots / (f.name + ".png")) > 0);
    if (run.exit_code != 0 || !svg_ok || !png_ok) {
      auto err = run.stderr_text.size() > 600 ? "..." + run.stderr_text.substr(run.stderr_text.size() - 600)
                                              : run.stderr_text;
      add_note(fmt::format("gnuplot failed on plots/{}.gp (exit status {}): {}", f.name, run.exit_code, err));
      return;
    }
    result.plots.push_back({f.title, fs::path("plots") / (f.name + ".svg"),
                            png_terminal.empty() ? fs::path() : fs::path("plots") / (f.name + ".png")});
  }
};

std::string working_png_terminal(const fs::path& gnuplot, const fs::path& dir) {
  for (const char* terminal : {"pngcairo", "png"}) {
    if (detail::run_gnuplot(gnuplot, dir, {"-e", std::string("set terminal ") + terminal}).exit_code == 0) return terminal;
  }
  return "";
}

}  // namespace

PlotResult render_plots(const compare::Comparison& c, const fs::path& dir) {
  const auto found = detail::find_gnuplot();
  if (found.executable.empty()) return {{}, found.missing_reason};
  Renderer r{dir / "plots", found.executable, "", {}};
  try {
    fs::create_directories(r.plots);
    r.png_terminal = working_png_terminal(r.gnuplot, r.plots);
    if (r.png_terminal.empty()) {
      r.add_note(fmt::format("{} has neither the pngcairo nor the png terminal: the plots are SVG only.",
                             r.gnuplot.string()));
    }
    const auto cases = plotted_cases(c);
    r.render(overhead_bars(c, cases, r.plots));
    r.render(box_overview(c, cases, r.plots));
    if (cases.size() <= kMaxPerCaseFigures) {
      for (std::size_t i = 0; i < cases.size(); ++i) r.render(box_case(c, cases[i], i, r.plots));
    }
    std::size_t timelines = 0, with_timeline = 0;
    for (const auto& k : c.cases) {
      if (detail::timeline(k.baseline).empty() && detail::timeline(k.candidate).empty()) continue;
      if (++with_timeline <= kMaxPerCaseFigures) r.render(timeline_figure(c, k, timelines++, r.plots));
    }
    if (with_timeline > kMaxPerCaseFigures) {
      r.add_note(fmt::format("Telemetry timelines are plotted for the first {} of {} cases that recorded one.",
                             kMaxPerCaseFigures, with_timeline));
    }
  } catch (const std::exception& e) {
    r.add_note(fmt::format("The plots could not be written to {}: {}", r.plots.string(), e.what()));
  }
  return r.result;
}

}  // namespace sb::report
