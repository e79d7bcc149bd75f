// Reporters over a Comparison built by hand: the numbers below are inputs, and the tests check
// how each format renders them (layout, digits, escaping), not how they were computed.
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/version.hpp"
#include "report/format.hpp"
#include "report/gnuplot.hpp"
#include "report/report.hpp"
#include "report/run_report.hpp"

namespace sb::report {
namespace {

namespace fs = std::filesystem;
using compare::Verdict;
using nlohmann::json;

const MetricSpec kTime{"time_ms", "ms", Better::Lower, ""};
const MetricSpec kThroughput{"gflops", "GFLOP/s", Better::Higher, ""};

// n units around `center` (spread +-half_width) with that centre and CI.
compare::SideBasis basis_of(std::size_t n, double center, double half_width) {
  compare::SideBasis s;
  for (std::size_t i = 0; i < n; ++i) s.units.push_back(center + (i % 2 ? half_width : -half_width) / 2);
  s.center = center;
  s.center_ci = {center - half_width, center + half_width};
  return s;
}

compare::MetricComparison metric(const MetricSpec& spec, compare::SideBasis b, compare::SideBasis c, double overhead,
                                 stats::Interval ci, double welch_p, double holm_p, double mw_p, double g,
                                 Verdict verdict) {
  compare::MetricComparison m;
  m.spec = spec;
  m.unit = compare::TestUnit::Round;
  m.rounds_baseline = b.units.size();
  m.rounds_candidate = c.units.size();
  m.baseline = b;
  m.candidate = c;
  m.overhead_pct = overhead;
  m.overhead_ci_pct = ci;
  m.overhead_ci90_pct = {ci.low + (ci.high - ci.low) * 0.08, ci.high - (ci.high - ci.low) * 0.08};
  m.welch.p_value = welch_p;
  m.p_adjusted = holm_p;
  m.mann_whitney.p_value = mw_p;
  m.hedges_g = g;
  m.verdict = verdict;
  return m;
}

json timeline(double sm_clock, bool with_power) {
  json t = json::array();
  for (int i = 0; i < 20; ++i) {
    json s = {{"t_s", 0.1 * i}, {"sm_clock_mhz", sm_clock - 5 * (i % 4)}, {"temperature_c", 50 + 0.5 * i},
              {"gpu_util_pct", i < 2 ? 10 : 98}};
    if (with_power) s["power_w"] = 300 + 7 * (i % 5);
    t.push_back(s);
  }
  return t;
}

record::CaseResult case_result(const std::string& id, const std::string& workload, std::vector<double> times,
                               std::vector<double> rates) {
  record::CaseResult r;
  r.id = id;
  r.workload = workload;
  r.device = Device::Gpu;
  r.metrics.push_back({kTime, std::move(times)});
  if (!rates.empty()) r.metrics.push_back({kThroughput, std::move(rates)});
  return r;
}

record::RunRecord run_record(const std::string& label, const std::string& file) {
  record::RunRecord r;
  r.label = label;
  r.host = "spark-01";
  r.source = fs::path("results") / label / file;
  r.started_utc = "2025-03-01T10:00:00Z";
  r.complete = true;
  r.environment = {{"gpu", {{"driver_version", "580.95"}, {"devices", json::array({{{"index", 0}, {"name", "NVIDIA GB10"}}})}}}};
  return r;
}

// Three cases: matmul compared (significant overhead, with secondary metric and telemetry),
// a case whose id contains '|' (no difference), one unavailable in the candidate; plus one case
// only the candidate ran.
void build(compare::Comparison& c) {
  c.baseline_label = "native";
  c.candidate_label = "docker";
  c.baseline_records.push_back(run_record("native", "20250301T100000Z_spark-01.json"));
  c.candidate_records.push_back(run_record("docker", "20250301T110000Z_spark-01.json"));
  auto& b = c.baseline_records[0];
  auto& t = c.candidate_records[0];
  b.cases.push_back(case_result("matmul/n=1024,precision=fp32", "matmul", {10.1, 10.3, 9.9, 10.2, 10.0},
                                {212, 208, 216, 210, 214}));
  t.cases.push_back(case_result("matmul/n=1024,precision=fp32", "matmul", {12.5, 12.4, 12.7, 12.2, 12.6},
                                {172, 173, 169, 176, 170}));
  b.cases.push_back(case_result("copy/mode=a|b", "copy", {1.01, 0.99, 1.0, 1.02}, {}));
  t.cases.push_back(case_result("copy/mode=a|b", "copy", {1.0, 1.01, 1.0, 0.99}, {}));
  b.cases.push_back(case_result("gpu_only/x=1", "gpu_only", {5, 5.1, 4.9}, {}));
  b.cases[0].telemetry = {{"available", true}, {"timeline", timeline(1980, true)}};
  t.cases[0].telemetry = {{"available", true}, {"timeline", timeline(1710, false)}};

  compare::CaseComparison matmul;
  matmul.id = "matmul/n=1024,precision=fp32";
  matmul.workload = "matmul";
  matmul.layer = "gpu-compute";
  matmul.primary = metric(kTime, basis_of(5, 10.1, 0.19634), basis_of(5, 12.48, 0.23558), 23.762,
                          {21.012, 25.943}, 1.2e-5, 0.00024, 0.0079, 8.734, Verdict::Significant);
  matmul.secondary.push_back(metric(kThroughput, basis_of(5, 212, 3.93), basis_of(5, 172, 3.29), 23.26,
                                    {20.5, 26.1}, 3.0e-6, 3.0e-6, 0.0079, -9.1, Verdict::Significant));
  matmul.telemetry_baseline = telemetry::summary_from_json(
      {{"sm_clock_mhz", {{"mean", 1972.4}, {"min", 1965}, {"max", 1980}, {"n", 40}}},
       {"gpu_util_pct", {{"mean", 89.2}, {"min", 10}, {"max", 98}}},
       {"power_w", {{"mean", 314.2}, {"min", 300}, {"max", 328}}},
       {"temperature_c", {{"mean", 54.75}, {"min", 50}, {"max", 59.5}}},
       {"throttle_reasons", {{"mask", 0}, {"names", json::array()}}}});
  matmul.telemetry_candidate = telemetry::summary_from_json(
      {{"sm_clock_mhz", {{"mean", 1702.6}, {"min", 1695}, {"max", 1710}, {"n", 3}}},
       {"gpu_util_pct", {{"mean", 89.2}, {"min", 10}, {"max", 98}}},
       {"temperature_c", {{"mean", 54.75}, {"min", 50}, {"max", 59.5}}},
       {"throttle_reasons", {{"mask", 68}, {"names", {"sw_power_cap", "hw_thermal_slowdown"}}}}});
  matmul.baseline = &b.cases[0];
  matmul.candidate = &t.cases[0];

  compare::CaseComparison copy;
  copy.id = "copy/mode=a|b";
  copy.workload = "copy";
  copy.layer = "gpu-memory";
  copy.primary = metric(kTime, basis_of(4, 1.005, 0.0205), basis_of(4, 1.0, 0.013), -0.5,
                        {-2.1, 1.4}, 0.62, 0.62, 0.4, -0.31, Verdict::Equivalent);
  compare::MetricComparison bandwidth;
  bandwidth.spec = {"bandwidth", "GB/s", Better::Higher, ""};
  bandwidth.baseline = basis_of(1, 20.5, 0);
  bandwidth.verdict = Verdict::NotComparable;
  bandwidth.not_comparable = "too few samples of 'bandwidth': baseline 1, candidate 0 (need 2 per side)";
  copy.secondary.push_back(bandwidth);
  copy.baseline = &b.cases[1];
  copy.candidate = &t.cases[1];

  compare::CaseComparison gpu_only;
  gpu_only.id = "gpu_only/x=1";
  gpu_only.workload = "gpu_only";
  gpu_only.layer = "gpu-compute";
  gpu_only.not_comparable = "unavailable in candidate: no CUDA device";
  gpu_only.baseline = &b.cases[2];

  c.cases = {matmul, copy, gpu_only};
  for (auto& k : c.cases) k.candidate_id = k.name = k.candidate_name = k.id;
  c.only_in_candidate = {"llm/decode,batch=1"};
  c.env_differences = {{"cgroup.cpu.quota", nullptr, 0.5, 90},
                       {"libraries.cublas.path", "/usr/lib/libcublas.so.13", "/opt|cuda/libcublas.so.12", 70},
                       {"container.runtime", nullptr, "docker", 10}};
  c.overall = Verdict::Significant;
  c.summary = "candidate 'docker' is 24% slower than baseline 'native' on 1 of 2 cases.";
}

// The findings reported with build()'s comparison, out of rank order.
std::vector<diagnose::Finding> sample_findings() {
  return {{2, "Different cuBLAS", "native loads cuBLAS 13, docker cuBLAS 12", "align the CUDA versions"},
          {1, "CPU quota in the candidate", "cgroup cpu quota 0.5 CPUs",
           "run the container with --cpus equal to the host's CPU count"}};
}

// Sets an environment variable for the scope of a test, then restores it.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    ::setenv(name, value, 1);
  }
  ~ScopedEnv() {
    if (old_) ::setenv(name_, old_->c_str(), 1);
    else ::unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "sparkbench_report_XXXXXX").string();
    path = ::mkdtemp(tmpl.data());
  }
  ~TempDir() { fs::remove_all(path); }
};

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST(ReportFormat, NumbersPValuesAndEscaping) {
  EXPECT_EQ(detail::number(1972.4, 3), "1972");  // never drops integer digits
  EXPECT_EQ(detail::number(0.012345, 3), "0.0123");
  EXPECT_EQ(detail::number(3.2e-7, 2), "3.2e-07");
  // Half-width 0.196 -> two digits "0.20", the mean to the same place.
  EXPECT_EQ(detail::center_with_ci(basis_of(5, 10.1, 0.19634), "ms"), "10.10 ± 0.20 ms");
  EXPECT_EQ(detail::center_with_ci(basis_of(1, 10.1, 0), "ms"), "10.10 ms");
  // Four significant digits of the centre at least, so that the overhead can be recomputed from the table.
  EXPECT_EQ(detail::center_with_ci(basis_of(2, 0.1495, 0.028), "ms"), "0.1495 ± 0.0280 ms");
  EXPECT_EQ(detail::overhead_with_ci(23.44, {21.0, 25.94}), "+23.4% [+21.0, +25.9]");
  EXPECT_EQ(detail::signed_pct(-0.04), "+0.0");
  EXPECT_EQ(detail::p_value(0.00024), "<0.001");
  EXPECT_EQ(detail::p_value(0.0079), "0.008");
  EXPECT_EQ(detail::p_value(0.62), "0.62");
  EXPECT_EQ(detail::md_cell("a|b\nc"), "a\\|b c");
  EXPECT_EQ(detail::csv_field("plain"), "plain");
  EXPECT_EQ(detail::csv_field("n=1,m=2"), "\"n=1,m=2\"");
  EXPECT_EQ(detail::csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(detail::gnuplot_quote("it's \"a_b\" C:\\x\ny"), R"("it's \"a_b\" C:\\x\ny")");
}

TEST(ReportFormat, AxisLabelsSayTheSharedPartOnce) {
  const auto grid = detail::axis_labels({"llm/batch=1,seq=128,model=8b", "llm/batch=16,seq=128,model=8b"});
  EXPECT_EQ(grid.shared, "llm/...,seq=128,model=8b");
  EXPECT_EQ(grid.labels, (std::vector<std::string>{"batch=1", "batch=16"}));
  // "matmul" vs "matmul_tc": a shared stem that is no parameter boundary stays in the labels.
  const auto mixed = detail::axis_labels({"matmul/n=1", "matmul_tc/n=1"});
  EXPECT_EQ(mixed.shared, "");
  EXPECT_EQ(mixed.labels, (std::vector<std::string>{"matmul/n=1", "matmul_tc/n=1"}));
  const auto one = detail::axis_labels({"copy/size=1234567890,mode=pinned"}, 20);
  EXPECT_EQ(one.shared, "");
  EXPECT_EQ(one.labels, (std::vector<std::string>{"copy/siz...de=pinned"}));
}

TEST(ReportMarkdown, OrderTablesAndEscaping) {
  compare::Comparison c;
  build(c);
  ScopedEnv no_gnuplot("SPARKBENCH_GNUPLOT", "/nonexistent");
  const PlotResult plots = render_plots(c, fs::temp_directory_path());
  EXPECT_TRUE(plots.plots.empty());
  EXPECT_TRUE(contains(plots.note, "gnuplot not found at /nonexistent")) << plots.note;
  EXPECT_TRUE(contains(plots.note, "gnuplot-nox"));

  const std::string md = markdown(c, sample_findings(), plots);
  EXPECT_EQ(md.rfind("# sparkbench: docker vs native\n\n**Verdict: slower (significant).** candidate 'docker'", 0), 0u)
      << md.substr(0, 200);
  EXPECT_TRUE(contains(md, "- Baseline `native`: host `spark-01`, file `20250301T100000Z_spark-01.json`, started "
                           "2025-03-01T10:00:00Z, GPU NVIDIA GB10\n"));
  EXPECT_TRUE(contains(md, "- Candidate `docker`:"));

  const auto results = md.find("## Results");
  ASSERT_NE(results, std::string::npos);
  EXPECT_LT(md.find("**Verdict"), results);
  EXPECT_TRUE(contains(md, "By layer (each workload isolates one layer of the system):\n\n"
                           "- **gpu-compute**: 1 of 1 case slower (+23.8% median); 1 not compared\n"
                           "- **gpu-memory**: equivalent (1 case)\n"));
  EXPECT_TRUE(contains(md, "| Case | Metric | Baseline (native) | Candidate (docker) | Overhead [95% CI] | Welch p "
                           "(Holm) | Mann–Whitney p | Hedges' g | n (b/c) | Verdict |"));
  // A table per layer, under a heading that names it.
  const auto compute = md.find("### gpu-compute\n\n| Case |"), memory = md.find("### gpu-memory\n\n| Case |");
  ASSERT_NE(compute, std::string::npos);
  ASSERT_NE(memory, std::string::npos);
  EXPECT_LT(compute, md.find("| `matmul/n=1024,precision=fp32` | time_ms |"));
  EXPECT_LT(md.find("| `matmul/n=1024,precision=fp32` | time_ms |"), memory);
  EXPECT_LT(memory, md.find("| `copy/mode=a\\|b` | time_ms |"));
  EXPECT_TRUE(contains(md, "| `matmul/n=1024,precision=fp32` | time_ms | 10.10 ± 0.20 ms | 12.48 ± 0.24 ms | "
                           "+23.8% [+21.0, +25.9] | <0.001 | 0.008 | +8.73 | 5/5 rounds | slower (significant) |"));
  EXPECT_TRUE(contains(md, "| `copy/mode=a\\|b` | time_ms |"));
  EXPECT_TRUE(contains(md, "-0.5% [-2.1, +1.4] | 0.62 | 0.40 | -0.31 | 4/4 rounds | equivalent |"));
  // Secondary metrics folded away, with the unadjusted Welch p.
  const auto details = md.find("<details><summary>Secondary metrics: 2 rows (Holm across the secondary metrics)</summary>");
  ASSERT_NE(details, std::string::npos);
  EXPECT_LT(md.find("| `matmul/n=1024,precision=fp32` | gflops | 212.0 ± 3.9 GFLOP/s"), md.find("</details>"));
  EXPECT_GT(md.find("| `matmul/n=1024,precision=fp32` | gflops |"), details);
  EXPECT_TRUE(contains(md, "| `copy/mode=a\\|b` | bandwidth | 20.50 GB/s | n/a | n/a | n/a | n/a | n/a | 1/0 | not "
                           "comparable: too few samples of 'bandwidth': baseline 1, candidate 0 (need 2 per side) |"));

  EXPECT_TRUE(contains(md, "- `gpu_only/x=1`: unavailable in candidate: no CUDA device\n"));
  EXPECT_TRUE(contains(md, "- `llm/decode,batch=1`: only in the candidate (docker)\n"));

  EXPECT_TRUE(contains(md, "| Case | GPU util B | GPU util C | SM clock B | SM clock C |"));
  EXPECT_TRUE(contains(md, "| `matmul/n=1024,precision=fp32` | 89.2 % | 89.2 % | 1972 MHz | 1703 MHz | 314 / 328 W "
                           "| n/a | 59.5 °C | 59.5 °C | none | sw_power_cap, hw_thermal_slowdown | 40 / 3 |\n"));
  EXPECT_TRUE(contains(md, "| Throttle B | Throttle C | Samples B / C |\n"));
  EXPECT_FALSE(contains(md, "| `copy/mode=a\\|b` | n/a"));  // no telemetry on either side: no row

  EXPECT_TRUE(contains(md, "| `cgroup.cpu.quota` | (absent) | 0.5 |"));
  EXPECT_TRUE(contains(md, "| `libraries.cublas.path` | /usr/lib/libcublas.so.13 | /opt\\|cuda/libcublas.so.12 |"));
  EXPECT_LT(md.find("cgroup.cpu.quota"), md.find("container.runtime"));

  EXPECT_TRUE(contains(md, "## What to check next\n\n1. **CPU quota in the candidate** — cgroup cpu quota 0.5 CPUs — "
                           "run the container with --cpus equal to the host's CPU count\n2. **Different cuBLAS**"));
  EXPECT_TRUE(contains(md, "## Plots\n\ngnuplot not found at /nonexistent"));
  EXPECT_TRUE(contains(md, "family-wise alpha = 0.05"));
  EXPECT_TRUE(contains(md, "Holm-adjusted across the 2 primary comparisons"));
  EXPECT_TRUE(contains(md, "equivalent: 90% CI inside ±2%"));
  EXPECT_TRUE(contains(md, "Unit of every test: the round"));
  EXPECT_TRUE(contains(md, std::string("Generated by sparkbench ") + sb::kVersion));
}

// Cases listed out of layer order, as a suite lists them: three slower cpu-scaling cases, a faster
// and a too-thin cpu-memory case, an unchanged cpu-syscall case and one workload without a layer.
compare::Comparison layered() {
  compare::Comparison c;
  build(c);
  c.cases.clear();
  const auto add = [&](const std::string& id, const std::string& layer, double overhead, Verdict v) {
    compare::CaseComparison k;
    k.id = k.candidate_id = k.name = k.candidate_name = id;
    k.workload = id.substr(0, id.find('/'));
    k.layer = layer;
    k.primary = metric(kTime, basis_of(5, 10, 0.1), basis_of(5, 10, 0.1), overhead, {overhead - 1, overhead + 1},
                       0.001, 0.001, 0.008, 1, v);
    c.cases.push_back(k);
  };
  add("syscall/call=getppid", "cpu-syscall", 0.8, Verdict::Equivalent);
  add("cpu_scaling/threads=all", "cpu-scaling", 98, Verdict::Critical);
  add("legacy/x=1", "", -0.3, Verdict::Equivalent);
  add("cpu_scaling/threads=2", "cpu-scaling", 130, Verdict::Critical);
  add("memory_bandwidth/threads=1", "cpu-memory", -5, Verdict::Faster);
  add("cpu_scaling/threads=3", "cpu-scaling", 110, Verdict::Critical);
  add("memory_bandwidth/threads=0", "cpu-memory", 0, Verdict::NotComparable);
  c.cases.back().primary.not_comparable = "too few samples";
  return c;
}

TEST(ReportMarkdown, GroupsCasesByLayerInNameOrder) {
  const compare::Comparison c = layered();
  const std::string md = markdown(c, sample_findings(), {});
  EXPECT_TRUE(contains(md, "- **cpu-memory**: 1 faster (-5.0% median); 1 not compared\n"
                           "- **cpu-scaling**: 3 of 3 cases slower (+110.0% median)\n"
                           "- **cpu-syscall**: equivalent (1 case)\n"
                           "- **(no layer)**: equivalent (1 case)\n"))
      << md;
  std::vector<std::size_t> headings;
  for (const char* layer : {"cpu-memory", "cpu-scaling", "cpu-syscall", "(no layer)"}) {
    headings.push_back(md.find(fmt::format("### {}\n\n| Case |", layer)));
    ASSERT_NE(headings.back(), std::string::npos) << layer;
  }
  EXPECT_TRUE(std::is_sorted(headings.begin(), headings.end()));
  // Each case's row sits under its own layer's heading, in the comparison's order within the layer.
  const auto row = [&](const std::string& id) { return md.find("| `" + id + "` | time_ms |"); };
  EXPECT_LT(headings[0], row("memory_bandwidth/threads=1"));
  EXPECT_LT(row("memory_bandwidth/threads=0"), headings[1]);
  EXPECT_LT(headings[1], row("cpu_scaling/threads=all"));
  EXPECT_LT(row("cpu_scaling/threads=all"), row("cpu_scaling/threads=2"));
  EXPECT_LT(row("cpu_scaling/threads=2"), row("cpu_scaling/threads=3"));
  EXPECT_LT(row("cpu_scaling/threads=3"), headings[2]);
  EXPECT_LT(headings[2], row("syscall/call=getppid"));
  EXPECT_LT(headings[3], row("legacy/x=1"));
}

TEST(ReportMarkdown, InconclusiveRepetitionLevelAndShortCasesSayWhy) {
  compare::Comparison c = layered();
  auto& wide = c.cases[0];  // syscall/call=getppid
  wide.primary.verdict = Verdict::Inconclusive;
  wide.primary.rounds_to_resolve = 7;
  wide.primary.inconclusive_reason = "95% CI [-8.0%, +83.0%] after 2/2 rounds shows neither";
  wide.baseline_short = compare::ShortOfTarget{.rounds = 1, .of = 5, .reasons = "max_reps", .widest_pct = 18.2, .target_pct = 1};
  auto& single = c.cases[2].primary;  // legacy/x=1
  single.unit = compare::TestUnit::Repetition;
  single.verdict = Verdict::Inconclusive;
  c.overall = Verdict::Inconclusive;
  const std::string md = markdown(c, sample_findings(), {});
  EXPECT_TRUE(contains(md, "**Verdict: inconclusive.**")) << md.substr(0, 300);
  EXPECT_TRUE(contains(md, "| `syscall/call=getppid` † | time_ms |")) << md;
  EXPECT_TRUE(contains(md, "| 5/5 rounds | inconclusive: ~7 rounds per side would resolve it |")) << md;
  EXPECT_TRUE(contains(md, "| 5/5 reps | inconclusive: one process per side |")) << md;
  EXPECT_TRUE(contains(md, "- † `syscall/call=getppid`: baseline: 1 of 5 round(s) stopped at max_reps with the CI at up "
                           "to ±18.2% (target ±1%)."))
      << md;
  EXPECT_TRUE(contains(md, "- `syscall/call=getppid`: 95% CI [-8.0%, +83.0%] after 2/2 rounds shows neither.")) << md;
  const json j = json::parse(json_summary(c, sample_findings()));
  EXPECT_EQ(j["cases"][0]["primary"]["outcome"], "inconclusive");
  EXPECT_EQ(j["cases"][0]["primary"]["rounds_to_resolve"], 7);
  EXPECT_EQ(j["cases"][0]["stopped_short_of_ci_target"]["baseline"]["reasons"], "max_reps");
  EXPECT_TRUE(j["cases"][0]["stopped_short_of_ci_target"]["candidate"].is_null());
  EXPECT_EQ(j["overall_outcome"], "inconclusive");
}

TEST(ReportMarkdown, IgnoredParametersAndTheRoundsRuleAreShown) {
  compare::Comparison c = layered();
  c.options.ignore_params = {"threads"};
  c.cases[1].candidate_id = c.cases[1].candidate_name = "cpu_scaling/threads=4";
  c.stopping = "--precision reached after 4 rounds per side";
  const std::string md = markdown(c, sample_findings(), {});
  EXPECT_TRUE(contains(md, "| `cpu_scaling/threads=all` ↔ `cpu_scaling/threads=4` | time_ms |")) << md;
  EXPECT_TRUE(contains(md, "paired ignoring parameter(s) `threads`")) << md;
  EXPECT_TRUE(contains(md, "Rounds: --precision reached after 4 rounds per side.")) << md;
  const json j = json::parse(json_summary(c, sample_findings()));
  EXPECT_EQ(j["method"]["ignore_params"], json({"threads"}));
  EXPECT_EQ(j["cases"][1]["candidate_id"], "cpu_scaling/threads=4");
  EXPECT_EQ(j["stopping"], "--precision reached after 4 rounds per side");
}

TEST(ReportJson, LayersObjectCountsAndMedians) {
  const json layers = json::parse(json_summary(layered(), sample_findings()))["layers"];
  ASSERT_EQ(layers.size(), 4u);
  const json& scaling = layers["cpu-scaling"];
  EXPECT_EQ(scaling["cases"], json({"cpu_scaling/threads=all", "cpu_scaling/threads=2", "cpu_scaling/threads=3"}));
  EXPECT_EQ(scaling["compared"], 3);
  EXPECT_EQ(scaling["slower"], 3);
  EXPECT_EQ(scaling["equivalent"], 0);
  EXPECT_EQ(scaling["inconclusive"], 0);
  EXPECT_DOUBLE_EQ(scaling["median_slower_pct"].get<double>(), 110);
  EXPECT_DOUBLE_EQ(scaling["median_overhead_pct"].get<double>(), 110);
  EXPECT_TRUE(scaling["median_faster_pct"].is_null());
  EXPECT_EQ(scaling["summary"], "3 of 3 cases slower (+110.0% median)");
  const json& memory = layers["cpu-memory"];
  EXPECT_EQ(memory["compared"], 1);
  EXPECT_EQ(memory["faster"], 1);
  EXPECT_EQ(memory["not_compared"], 1);
  EXPECT_DOUBLE_EQ(memory["median_faster_pct"].get<double>(), -5);
  EXPECT_EQ(layers["cpu-syscall"]["equivalent"], 1);
  EXPECT_EQ(layers["cpu-syscall"]["slower"], 0);
  EXPECT_TRUE(layers["cpu-syscall"]["median_slower_pct"].is_null());
  EXPECT_EQ(layers["(no layer)"]["cases"], json({"legacy/x=1"}));
}

TEST(ReportMarkdown, SaysWhyTelemetryIsMissingAndCapsEnvironmentRows) {
  compare::Comparison c;
  build(c);
  for (auto& k : c.cases) k.telemetry_baseline = k.telemetry_candidate = std::nullopt;
  for (auto* records : {&c.baseline_records, &c.candidate_records}) {
    for (auto& r : (*records)[0].cases) r.telemetry = {{"available", false}, {"reason", "NVML not found"}};
  }
  c.env_differences.clear();
  for (int i = 0; i < 45; ++i) c.env_differences.push_back({"env_vars.V" + std::to_string(i), "a", "b", 0});
  const std::string md = markdown(c, sample_findings(), {});
  EXPECT_TRUE(contains(md, "No GPU telemetry was recorded in either run. Baseline: NVML not found. Candidate: NVML "
                           "not found."));
  EXPECT_FALSE(contains(md, "| Case | GPU util B"));
  EXPECT_TRUE(contains(md, "| `env_vars.V39` |"));
  EXPECT_FALSE(contains(md, "| `env_vars.V40` |"));
  EXPECT_TRUE(contains(md, "| ... 5 more in summary.json |"));
}

TEST(ReportJson, VersionedAndComplete) {
  compare::Comparison c;
  build(c);
  const json j = json::parse(json_summary(c, sample_findings()));
  EXPECT_EQ(j["schema"], "sparkbench.comparison");
  EXPECT_EQ(j["version"], 2);
  EXPECT_EQ(j["baseline"]["label"], "native");
  EXPECT_EQ(j["candidate"]["records"][0]["file"], "results/docker/20250301T110000Z_spark-01.json");
  EXPECT_EQ(j["candidate"]["records"][0]["gpu"], "NVIDIA GB10");
  EXPECT_EQ(j["method"]["correction"], "holm");
  EXPECT_EQ(j["method"]["min_effect_pct"], 2.0);
  EXPECT_EQ(j["overall_verdict"], "slower (significant)");
  EXPECT_EQ(j["overall_outcome"], "slower");
  ASSERT_EQ(j["cases"].size(), 3u);
  const auto& matmul = j["cases"][0];
  EXPECT_EQ(matmul["primary"]["metric"], "time_ms");
  EXPECT_EQ(matmul["primary"]["better"], "lower");
  EXPECT_DOUBLE_EQ(matmul["primary"]["overhead_pct"].get<double>(), 23.762);
  EXPECT_DOUBLE_EQ(matmul["primary"]["overhead_ci_pct"]["low"].get<double>(), 21.012);
  EXPECT_DOUBLE_EQ(matmul["primary"]["welch_p_holm"].get<double>(), 0.00024);
  EXPECT_DOUBLE_EQ(matmul["primary"]["baseline"]["center_ci"]["high"].get<double>(), 10.1 + 0.19634);
  EXPECT_EQ(matmul["primary"]["candidate"]["units"].size(), 5u);
  EXPECT_EQ(matmul["primary"]["test_unit"], "round");
  EXPECT_EQ(matmul["primary"]["verdict"], "slower (significant)");
  EXPECT_EQ(matmul["primary"]["outcome"], "slower");
  EXPECT_EQ(matmul["primary"]["band"], "significant");
  EXPECT_DOUBLE_EQ(matmul["secondary"][0]["welch_p_holm"].get<double>(), 3.0e-6);  // the secondary family's Holm p
  EXPECT_EQ(matmul["telemetry"]["candidate"]["throttle_reasons"]["names"][0], "sw_power_cap");
  EXPECT_EQ(j["cases"][2]["comparable"], false);
  EXPECT_EQ(j["cases"][2]["not_comparable"], "unavailable in candidate: no CUDA device");
  EXPECT_FALSE(j["cases"][2].contains("primary"));  // failed/unavailable: no statistics at all
  EXPECT_EQ(j["cases"][1]["secondary"][0]["verdict"], "not comparable");
  EXPECT_TRUE(contains(j["cases"][1]["secondary"][0]["not_comparable"].get<std::string>(), "too few samples"));
  EXPECT_EQ(j["only_in_candidate"][0], "llm/decode,batch=1");
  EXPECT_EQ(j["env_differences"][0]["path"], "cgroup.cpu.quota");
  EXPECT_TRUE(j["env_differences"][0]["baseline"].is_null());
  EXPECT_EQ(j["findings"].size(), 2u);
  EXPECT_EQ(j["layers"]["gpu-compute"]["cases"], json({"matmul/n=1024,precision=fp32", "gpu_only/x=1"}));
  EXPECT_EQ(j["layers"]["gpu-compute"]["summary"], "1 of 1 case slower (+23.8% median); 1 not compared");
  EXPECT_EQ(j["layers"]["gpu-memory"]["summary"], "equivalent (1 case)");
}

TEST(ReportCsv, OneRowPerComparedCaseAndMetric) {
  compare::Comparison c;
  build(c);
  const auto rows = lines(csv_summary(c));
  ASSERT_EQ(rows.size(), 5u);  // header + matmul primary and secondary + copy primary and secondary
  EXPECT_EQ(rows[0],
            "case,candidate_case,workload,metric,unit,better,test_unit,baseline_n,baseline_center,baseline_ci_low,"
            "baseline_ci_high,candidate_n,candidate_center,candidate_ci_low,candidate_ci_high,overhead_pct,"
            "overhead_ci_low,overhead_ci_high,overhead_ci90_low,overhead_ci90_high,welch_t,welch_df,welch_p,"
            "welch_p_holm,mann_whitney_p,hedges_g,outcome,band,rounds_to_resolve,stopped_short,note");
  EXPECT_EQ(rows[1].rfind("\"matmul/n=1024,precision=fp32\",\"matmul/n=1024,precision=fp32\",matmul,time_ms,ms,lower,"
                          "round,5,10.1,",
                          0),
            0u)
      << rows[1];
  EXPECT_TRUE(contains(rows[1], ",1.2e-05,0.00024,0.0079,8.734,slower,significant,,,")) << rows[1];
  EXPECT_TRUE(contains(rows[2], ",3e-06,3e-06,0.0079,")) << rows[2];  // secondary: its own family's Holm p
  EXPECT_EQ(rows[3].rfind("copy/mode=a|b,copy/mode=a|b,copy,time_ms,", 0), 0u);
  EXPECT_TRUE(contains(rows[3], ",equivalent,,")) << rows[3];
  for (const auto& row : rows) {  // every row has the header's 31 columns (no field here holds a quoted comma pair)
    std::size_t commas = 0;
    bool quoted = false;
    for (char ch : row) {
      if (ch == '"') quoted = !quoted;
      if (ch == ',' && !quoted) ++commas;
    }
    EXPECT_EQ(commas, 30u) << row;
  }
  EXPECT_TRUE(contains(rows[4], "not comparable")) << rows[4];
}

TEST(ReportCsv, ExportHasOneRowPerRepetition) {
  compare::Comparison c;
  build(c);
  const auto& r = c.baseline_records[0];
  std::size_t repetitions = 0;
  for (const auto& k : r.cases) {
    for (const auto& m : k.metrics) repetitions += m.samples.size();
  }
  const auto rows = lines(export_csv(r));
  ASSERT_EQ(rows.size(), repetitions + 1);
  EXPECT_EQ(rows[0], "case,metric,unit,repetition,value");
  EXPECT_EQ(rows[1], "\"matmul/n=1024,precision=fp32\",time_ms,ms,1,10.1");
  EXPECT_EQ(rows[6], "\"matmul/n=1024,precision=fp32\",gflops,GFLOP/s,1,212");
}

TEST(ReportWrite, WritesAskedFormatsAtomically) {
  compare::Comparison c;
  build(c);
  TempDir tmp;
  ScopedEnv no_gnuplot("SPARKBENCH_GNUPLOT", "/nonexistent");
  const fs::path out = tmp.path / "nested" / "report";
  const auto written = write_report(c, sample_findings(), out, {"md", "json", "csv"});
  EXPECT_EQ(written, (std::vector<fs::path>{out / "report.md", out / "summary.json", out / "summary.csv"}));
  for (const auto& p : written) EXPECT_GT(fs::file_size(p), 0u) << p;
  for (const auto& e : fs::directory_iterator(out)) {
    EXPECT_EQ(e.path().filename().string().find(".tmp"), std::string::npos) << "temporary file left: " << e.path();
  }
  EXPECT_EQ(read(out / "summary.csv"), csv_summary(c));
  EXPECT_TRUE(contains(read(out / "report.md"), "gnuplot not found at /nonexistent"));

  EXPECT_EQ(write_report(c, sample_findings(), tmp.path / "json_only", {"json"}), std::vector<fs::path>{tmp.path / "json_only" / "summary.json"});
  EXPECT_THROW(write_report(c, sample_findings(), out, {"html"}), Error);

  std::ofstream(tmp.path / "a_file") << "x";
  try {
    write_report(c, sample_findings(), tmp.path / "a_file" / "report", {"json"});
    FAIL() << "expected sb::Error";
  } catch (const Error& e) {
    EXPECT_TRUE(contains(e.what(), (tmp.path / "a_file" / "report").string())) << e.what();
    EXPECT_FALSE(e.fix().empty());
  }
}

TEST(ReportPlots, RendersSvgAndPngWithGnuplot) {
  if (detail::find_gnuplot().executable.empty()) {
    GTEST_SKIP() << "gnuplot is not installed (apt-get install gnuplot-nox); plot rendering not tested";
  }
  compare::Comparison c;
  build(c);
  TempDir tmp;
  const PlotResult plots = render_plots(c, tmp.path);
  EXPECT_TRUE(plots.note.empty()) << plots.note;
  std::vector<std::string> names;
  for (const auto& p : plots.plots) names.push_back(p.svg.stem().string());
  // Overhead bars, the all-case box plot, one box plot per compared case, one timeline.
  EXPECT_EQ(names, (std::vector<std::string>{"overhead", "box_all", "box_01_matmul_n_1024_precision_fp32",
                                             "box_02_copy_mode_a_b", "timeline_01_matmul_n_1024_precision_fp32"}));
  for (const auto& p : plots.plots) {
    EXPECT_EQ(p.svg.parent_path(), "plots");
    const std::string svg = read(tmp.path / p.svg);
    EXPECT_TRUE(contains(svg.substr(0, 300), "<svg")) << p.svg;
    ASSERT_FALSE(p.png.empty());
    const std::string png = read(tmp.path / p.png);
    ASSERT_GT(png.size(), 8u);
    EXPECT_EQ(png.substr(0, 4), "\x89PNG") << p.png;
  }
  // Titles keep their underscores (noenhanced) and the markdown links the files.
  EXPECT_TRUE(contains(read(tmp.path / "plots" / "timeline_01_matmul_n_1024_precision_fp32.svg"), "SM clock"));
  const std::string md = markdown(c, sample_findings(), plots);
  EXPECT_TRUE(contains(md, "](plots/overhead.svg) ([PNG](plots/overhead.png))"));
}

TEST(RunReport, ACaseCutByAnInterruptIsShownPartialWithItsRepetitions) {
  record::RunRecord r;
  r.label = "native";
  r.interrupted = true;
  for (const bool cut : {false, true}) {
    record::CaseResult c;
    c.id = cut ? "matmul/n=2" : "matmul/n=1";
    c.metrics = {{kTime, cut ? std::vector<double>{1.0, 1.1, 1.2} : std::vector<double>{1.0, 1.1, 1.2, 1.0, 1.1}}};
    c.stop_reason = cut ? record::StopReason::Interrupted : record::StopReason::CiTarget;
    c.partial = cut;
    r.cases.push_back(c);
  }
  const std::string md = run_markdown(r);
  EXPECT_TRUE(contains(md, "the one it cut, marked partial")) << md;
  std::istringstream lines(md);
  std::string line, finished, cut;
  while (std::getline(lines, line)) {
    if (contains(line, "`matmul/n=1`")) finished = line;
    if (contains(line, "`matmul/n=2`")) cut = line;
  }
  EXPECT_TRUE(finished.ends_with("| ok |")) << finished;
  EXPECT_TRUE(cut.ends_with("| interrupted | partial (interrupted after 3 repetitions) |")) << cut;
}

TEST(RunReport, ColdStartRatioIsTheFirstWarmUpOverTheMedianWhereWarmUpValuesExist) {
  record::RunRecord r;
  r.label = "native";
  for (const bool old : {false, true}) {
    record::CaseResult c;
    c.id = old ? "matmul/n=old" : "matmul/n=1";
    c.metrics = {{kTime, {1.0, 1.1, 1.2, 1.0, 1.1}}};  // median 1.1
    c.warmup = 2;
    if (!old) c.warmup_samples = {3.3, 1.2};  // a record from before the field has none
    c.stop_reason = record::StopReason::CiTarget;
    r.cases.push_back(c);
  }
  ASSERT_TRUE(cold_start_ratio(r.cases[0]));
  EXPECT_DOUBLE_EQ(*cold_start_ratio(r.cases[0]), 3.3 / 1.1);
  EXPECT_FALSE(cold_start_ratio(r.cases[1]));
  const std::string md = run_markdown(r);
  EXPECT_TRUE(contains(md, "| `matmul/n=1` | 3.3 | 1.1 | 3× | 2 |")) << md;
  EXPECT_FALSE(contains(md, "| `matmul/n=old` | 3.3")) << md;
  r.cases.erase(r.cases.begin());
  EXPECT_FALSE(contains(run_markdown(r), "Cold start")) << "no section without warm-up values";
}

}  // namespace
}  // namespace sb::report
