#include "runner/runner.hpp"

#include <chrono>
#include <cmath>
#include <memory>

#include <fmt/format.h>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "core/interrupt.hpp"
#include "stats/stats.hpp"
#include "runner/timing.hpp"
#include "telemetry/telemetry.hpp"

namespace sb::runner {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

void check_measurement(const Workload& w, const Measurement& m) {
  for (const auto& spec : w.metrics) {
    auto it = m.find(spec.name);
    if (it == m.end() && spec.optional) continue;
    if (it == m.end())
      throw std::logic_error(fmt::format("workload '{}' returned no value for metric '{}'", w.name, spec.name));
    if (!std::isfinite(it->second))
      throw std::runtime_error(fmt::format("metric '{}' is not finite ({})", spec.name, it->second));
  }
}

// Telemetry runs for GPU cases only: sampling NVML costs CPU time that CPU cases would measure.
class CaseTelemetry {
 public:
  CaseTelemetry(const Workload& w, int interval_ms) : interval_ms_(interval_ms) {
    if (w.device != Device::Gpu) {
      reason_ = "not sampled for CPU workloads";
    } else if (interval_ms <= 0) {
      reason_ = "disabled (telemetry_interval_ms = 0)";
    } else {
      sampler_ = std::make_unique<telemetry::NvmlSampler>(0, std::chrono::milliseconds(interval_ms));
      if (!sampler_->available()) {
        reason_ = sampler_->unavailable_reason();
        sampler_.reset();
      }
    }
  }
  void start() {
    if (sampler_) sampler_->start();
  }
  json finish() {
    json out = {{"interval_ms", interval_ms_}, {"available", sampler_ != nullptr}};
    if (!sampler_) {
      out["reason"] = reason_;
      return out;
    }
    const auto timeline = sampler_->stop();
    json tl = json::array();
    for (const auto& s : timeline) tl.push_back(telemetry::to_json(s));
    out["summary"] = to_json(telemetry::summarize(timeline));
    out["timeline"] = std::move(tl);
    return out;
  }

 private:
  int interval_ms_;
  std::string reason_;
  std::unique_ptr<telemetry::NvmlSampler> sampler_;
};

}  // namespace

record::CaseResult run_case(const plan::PlannedCase& c, const plan::Settings& s,
                            const std::function<void(const ProgressStatus&)>& progress_line) {
  const Workload& w = *c.workload;
  record::CaseResult r;
  r.id = c.id();
  r.workload = w.name;
  r.layer = w.layer;
  r.device = w.device;
  r.params = c.params;
  r.started_utc = utc_iso8601();
  for (const auto& spec : w.metrics) r.metrics.push_back({spec, {}});
  const auto t0 = Clock::now();

  std::unique_ptr<CaseRun> run;
  try {
    run = w.make(c.params, CaseContext{s.seed});
  } catch (const Unavailable& e) {
    r.status = record::CaseStatus::Unavailable;
    r.message = e.what();
    return r;
  } catch (const Error& e) {
    r.status = record::CaseStatus::Failed;
    r.message = fmt::format("{} ({})", e.what(), e.fix());
    return r;
  } catch (const std::exception& e) {
    r.status = record::CaseStatus::Failed;
    r.message = e.what();
    return r;
  }

  CaseTelemetry telemetry(w, s.telemetry_interval_ms);
  const auto interrupted = [] { return interrupt::requested(); };
  std::unique_ptr<CaseTimer> timer;
  try {
    timer = std::make_unique<CaseTimer>(*run, w.metrics);  // sizes a timed case's repetition
    for (int i = 0; i < s.warmup && !interrupted(); ++i) {
      const Measurement m = timer->repetition();
      check_measurement(w, m);
      if (const auto it = m.find(w.metrics.front().name); it != m.end()) r.warmup_samples.push_back(it->second);
      ++r.warmup;
      progress_line({.counter = fmt::format("warm-up {}/{}", r.warmup, s.warmup)});
    }
    telemetry.start();
    const auto measure_start = Clock::now();
    auto& primary = r.metrics.front().samples;
    while (true) {
      if (interrupted()) {
        r.stop_reason = record::StopReason::Interrupted;
        r.partial = true;
        break;
      }
      const Measurement m = timer->repetition();
      check_measurement(w, m);
      if (primary.empty()) {  // optional metrics this machine cannot measure are not recorded at all
        std::erase_if(r.metrics, [&](const record::MetricSamples& ms) { return ms.spec.optional && !m.count(ms.spec.name); });
      }
      const std::size_t repetition = primary.size() + 1;
      for (auto& ms : r.metrics) {
        const auto it = m.find(ms.spec.name);
        if (it == m.end()) {
          throw std::runtime_error(fmt::format("metric '{}' was reported in the first repetition but not in repetition {}",
                                               ms.spec.name, repetition));
        }
        ms.samples.push_back(it->second);
      }
      const std::size_t n = primary.size();
      double rel = INFINITY;
      if (n >= 2) rel = stats::describe(primary).ci_half_width_rel;
      progress_line({.counter = fmt::format("rep {:>3}/{}", n, s.max_reps),
                     .ci = fmt::format("CI ±{}", std::isfinite(rel) ? fmt::format("{:.2f}%", 100 * rel) : "n/a"),
                     .value = fmt::format("{} {:.4g} {}", w.metrics.front().name, m.at(w.metrics.front().name),
                                          w.metrics.front().unit)});
      if (static_cast<int>(n) >= s.min_reps && rel <= s.ci_target) {
        r.stop_reason = record::StopReason::CiTarget;
        break;
      }
      if (static_cast<int>(n) >= s.max_reps) {
        r.stop_reason = record::StopReason::MaxReps;
        break;
      }
      if (n >= 2 && seconds_since(measure_start) >= s.max_time_s) {
        r.stop_reason = record::StopReason::MaxTime;
        break;
      }
    }
  } catch (const std::exception& e) {
    if (interrupted()) {
      // The repetition the signal cut short (a `command` program is passed the signal) is not
      // measured; the ones before it are kept, as when the signal comes between repetitions.
      r.stop_reason = record::StopReason::Interrupted;
      r.partial = true;
    } else {
      r.status = record::CaseStatus::Failed;
      const auto* err = dynamic_cast<const Error*>(&e);
      r.message = err ? fmt::format("{} ({})", e.what(), err->fix()) : e.what();
    }
  }
  r.telemetry = telemetry.finish();
  r.info = run->info();
  if (timer) r.info.update(timer->info());
  r.duration_s = seconds_since(t0);
  // An interrupted case keeps its repetitions only when there are enough to compare (>= 2).
  if (r.partial && r.metrics.front().samples.size() < 2) {
    r.status = record::CaseStatus::Failed;
    r.message = "interrupted before 2 repetitions were measured";
  }
  return r;
}

void run(const plan::Plan& plan, record::RunRecord& record, Observer& observer,
         const std::function<void(const record::RunRecord&)>& checkpoint) {
  const std::size_t total = plan.cases.size();
  for (std::size_t i = 0; i < total; ++i) {
    if (interrupt::requested()) break;
    const CaseInPlan c{plan.cases[i], i, total};
    observer.case_started(c);
    record::CaseResult r = run_case(c.planned, plan.settings, [&](const ProgressStatus& status) {
      observer.case_progress(c, status);
    });
    observer.case_finished(c, r);
    const bool was_interrupted = r.partial;
    record.cases.push_back(std::move(r));
    if (was_interrupted) break;
    checkpoint(record);
  }
  record.interrupted = interrupt::requested();
  record.complete = !record.interrupted && record.cases.size() == total;
  record.finished_utc = utc_iso8601();
  checkpoint(record);
}

}  // namespace sb::runner
