#pragma once
// Comparisons built from synthetic run records, for the tests of compare and diagnose. Samples come
// from a seeded Box–Muller normal generator on std::mt19937_64 (whose output the standard fixes),
// so every run sees the same data.
#include <cmath>
#include <map>
#include <numbers>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "compare/compare.hpp"
#include "diagnose/findings.hpp"

namespace sb::compare::test {

using nlohmann::json;

inline std::vector<double> normal_samples(std::size_t n, double mean, double sd, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  const auto uniform = [&] { return (static_cast<double>(rng() >> 11) + 0.5) / 9007199254740992.0; };  // (0, 1)
  std::vector<double> xs;
  while (xs.size() < n) {
    const double r = std::sqrt(-2 * std::log(uniform())), theta = 2 * std::numbers::pi * uniform();
    xs.push_back(mean + sd * r * std::cos(theta));
    if (xs.size() < n) xs.push_back(mean + sd * r * std::sin(theta));
  }
  return xs;
}

inline std::vector<double> scaled(std::vector<double> xs, double factor) {
  for (auto& x : xs) x *= factor;
  return xs;
}

inline record::CaseResult make_case(const std::string& id, const std::string& layer, std::vector<double> samples,
                             Better better = Better::Lower) {
  record::CaseResult c;
  c.id = id;
  c.workload = id.substr(0, id.find('/'));
  // "w/a=1,b=2": the parameters the id names, as a runner records them.
  std::map<std::string, std::string> params;
  std::stringstream list(id.find('/') == std::string::npos ? "" : id.substr(id.find('/') + 1));
  for (std::string kv; std::getline(list, kv, ',');)
    if (const auto eq = kv.find('='); eq != std::string::npos) params[kv.substr(0, eq)] = kv.substr(eq + 1);
  c.params = Params(params);
  c.layer = layer;
  c.device = layer.rfind("gpu", 0) == 0 ? Device::Gpu : Device::Cpu;
  const bool lower = better == Better::Lower;
  c.metrics.push_back({MetricSpec{.name = lower ? "time_ms" : "tokens_per_s", .unit = lower ? "ms" : "tok/s",
                                  .better = better, .help = ""},
                       std::move(samples)});
  return c;
}

inline record::RunRecord make_record(const std::string& label, std::vector<record::CaseResult> cases,
                              json environment = json::object()) {
  record::RunRecord r;
  r.label = label;
  r.cases = std::move(cases);
  r.environment = std::move(environment);
  return r;
}

// One record per side: one process each.
inline Comparison compare_single(std::vector<record::CaseResult> baseline, std::vector<record::CaseResult> candidate,
                          const Options& options = {}, json env_b = json::object(), json env_c = json::object()) {
  std::vector<record::RunRecord> b, c;
  b.push_back(make_record("native", std::move(baseline), std::move(env_b)));
  c.push_back(make_record("docker", std::move(candidate), std::move(env_c)));
  return compare(std::move(b), std::move(c), options);
}

// Each case's samples cut into `rounds` consecutive rounds, one record per round and side, as `ab`
// writes them.
inline std::vector<record::RunRecord> split_into_rounds(const std::string& label, const std::vector<record::CaseResult>& cases,
                                                 std::size_t rounds, const json& env) {
  std::vector<record::RunRecord> out;
  for (std::size_t r = 0; r < rounds; ++r) {
    std::vector<record::CaseResult> round;
    for (auto c : cases) {
      auto& samples = c.metrics.front().samples;
      const std::size_t per = samples.size() / rounds;
      samples = std::vector<double>(samples.begin() + static_cast<std::ptrdiff_t>(r * per),
                                    samples.begin() + static_cast<std::ptrdiff_t>((r + 1) * per));
      round.push_back(std::move(c));
    }
    out.push_back(make_record(label, std::move(round), env));
    out.back().started_utc = fmt::format("round {}", r);
  }
  return out;
}

inline Comparison compare_rounds(const std::vector<record::CaseResult>& baseline, const std::vector<record::CaseResult>& candidate,
                          std::size_t rounds = 4, const Options& options = {}, const json& env_b = json::object(),
                          const json& env_c = json::object()) {
  return compare(split_into_rounds("native", baseline, rounds, env_b), split_into_rounds("docker", candidate, rounds, env_c),
                 options);
}

inline const diagnose::Finding* find_finding(const std::vector<diagnose::Finding>& findings, const std::string& title_fragment) {
  for (const auto& f : findings) {
    if (f.title.find(title_fragment) != std::string::npos) return &f;
  }
  return nullptr;
}

inline bool contains(const std::string& s, const std::string& fragment) { return s.find(fragment) != std::string::npos; }

inline json environment(const std::string& cpu_max, const std::string& cpuset, const std::string& omp, double sm_mhz,
                 const std::string& captured, const std::string& runtime, int shm_mib, const std::string& driver,
                 const std::string& thp, const std::string& container) {
  return {{"captured_utc", captured},
          {"host", {{"hostname", container == "none" ? "spark" : "3f2a"}, {"boot_id", captured}, {"uptime_s", sm_mhz}}},
          {"cpu", {{"flags", container == "none" ? json{"avx2", "avx512f"} : json{"avx2"}}, {"governor", "performance"}}},
          {"memory", {{"total_kib", 131072000}, {"available_kib", sm_mhz * 1000}}},
          {"cgroup", {{"cpu_max", cpu_max}, {"cpuset", cpuset}}},
          {"shm", {{"size_bytes", shm_mib * 1048576.0}}},
          {"thp", {{"enabled", thp}}},
          {"container", {{"runtime", container}}},
          {"gpu", {{{"name", "H200"}, {"driver_version", driver},
                    {"sm_clock_mhz", sm_mhz}, {"max_sm_clock_mhz", 1980}, {"app_sm_clock_mhz", 1755},
                    {"temperature_c", sm_mhz / 30}}}},
          {"cuda", {{"runtime_version", runtime}}},
          {"env_vars", {{"OMP_NUM_THREADS", omp}, {"PATH", "/usr/bin"}}}};
}

inline json telemetry_summary(double sm_clock_mhz, std::vector<std::string> throttle) {
  return {{"summary",
           {{"sm_clock_mhz", {{"mean", sm_clock_mhz}, {"min", sm_clock_mhz - 50}, {"max", sm_clock_mhz + 20}, {"n", 40}}},
            {"gpu_util_pct", {{"mean", 98.0}, {"min", 90.0}, {"max", 100.0}, {"n", 40}}},
            {"throttle_reasons", {{"names", throttle}, {"mask", throttle.empty() ? 0 : 4}}}}}};
}

}  // namespace sb::compare::test
