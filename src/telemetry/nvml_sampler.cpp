// The background sampler of one GPU, and the measurement of its own cost.
#include <time.h>

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "core/error.hpp"
#include "telemetry/nvml_library.hpp"
#include "telemetry/telemetry.hpp"

namespace sb::telemetry {
namespace {

using Clock = std::chrono::steady_clock;
using nvml::Library;

double seconds_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

}  // namespace

struct NvmlSampler::Impl {
  explicit Impl(std::chrono::milliseconds sampling_interval) : interval(sampling_interval) {}

  const Library& lib = Library::instance();
  nvml::Device device = nullptr;
  std::string reason;  // empty when available
  std::chrono::milliseconds interval;
  Clock::time_point t0 = Clock::now();

  std::thread thread;
  std::mutex mutex;  // guards stopping, timeline, errors
  std::condition_variable wake;
  bool stopping = false;
  std::vector<Sample> timeline;
  nlohmann::json errors = nlohmann::json::object();
  double thread_cpu_s = 0;  // written by the thread, read after join

  void note_error(const char* field, const std::string& error) {
    std::lock_guard lock(mutex);
    if (!errors.contains(field)) errors[field] = error;
  }

  // An unsigned NVML reading of this device, scaled; absent when unsupported or failed.
  template <class Fn, class... Args>
  std::optional<double> read(const char* field, double scale, Fn fn, Args... args) {
    std::string error;
    const auto v = nvml::query<unsigned int>(fn, &error, device, args...);
    if (!error.empty()) note_error(field, error);
    if (!v) return std::nullopt;
    return static_cast<double>(*v) * scale;
  }

  void run() {
    const double cpu0 = thread_cpu_seconds();
    auto next = Clock::now();
    std::unique_lock lock(mutex);
    while (!stopping) {
      lock.unlock();
      Sample s = sample();
      lock.lock();
      timeline.push_back(s);
      // A slow reading skips ticks instead of bursting to catch up: samples stay evenly spaced.
      const auto now = Clock::now();
      while (next <= now) next += interval;
      wake.wait_until(lock, next, [this] { return stopping; });
    }
    thread_cpu_s = thread_cpu_seconds() - cpu0;
  }

  Sample sample() {
    Sample s;
    s.t_s = seconds_between(t0, Clock::now());
    if (!reason.empty()) return s;
    std::string error;
    if (auto v = nvml::query<nvml::Utilization>(lib.device_get_utilization_rates, &error, device)) {
      s.gpu_util_pct = v->gpu;
      s.mem_util_pct = v->memory;
    }
    if (!error.empty()) note_error("utilization", error);
    s.sm_clock_mhz = read("sm_clock_mhz", 1.0, lib.device_get_clock_info, nvml::kClockSm);
    s.mem_clock_mhz = read("mem_clock_mhz", 1.0, lib.device_get_clock_info, nvml::kClockMem);
    s.power_w = read("power_w", 1e-3, lib.device_get_power_usage);
    s.temperature_c =
        read("temperature_c", 1.0, lib.device_get_temperature, nvml::kTemperatureGpu);
    error.clear();
    if (auto v = nvml::query<nvml::Memory>(lib.device_get_memory_info, &error, device))
      s.mem_used_mib = static_cast<double>(v->used) / (1024.0 * 1024.0);
    if (!error.empty()) note_error("mem_used_mib", error);
    error.clear();
    s.throttle_reasons =
        nvml::query<unsigned long long>(lib.device_get_clocks_event_reasons, &error, device);
    if (!error.empty()) note_error("throttle_reasons", error);
    return s;
  }
};

NvmlSampler::NvmlSampler(int device_index, std::chrono::milliseconds interval)
    : impl_(new Impl(interval)) {
  const Library& lib = impl_->lib;
  if (!lib.available()) {
    impl_->reason = lib.unavailable_reason();
    return;
  }
  unsigned int count = 0;
  if (const nvml::Return rc = lib.device_get_count(&count); rc != nvml::kSuccess) {
    impl_->reason = fmt::format("nvmlDeviceGetCount failed: {}", lib.error_string(rc));
    return;
  }
  if (device_index < 0 || static_cast<unsigned>(device_index) >= count) {
    impl_->reason = fmt::format("GPU {} does not exist: NVML sees {} device(s)", device_index, count);
    return;
  }
  const nvml::Return rc =
      lib.device_get_handle_by_index(static_cast<unsigned>(device_index), &impl_->device);
  if (rc != nvml::kSuccess)
    impl_->reason = fmt::format("no NVML handle for GPU {}: {}", device_index, lib.error_string(rc));
}

NvmlSampler::~NvmlSampler() {
  stop();
  delete impl_;
}

bool NvmlSampler::available() const { return impl_->reason.empty(); }
std::string NvmlSampler::unavailable_reason() const { return impl_->reason; }

void NvmlSampler::start() {
  if (!available() || impl_->thread.joinable()) return;
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stopping = false;
    impl_->timeline.clear();
    impl_->t0 = Clock::now();
  }
  impl_->thread = std::thread([this] { impl_->run(); });
}

std::vector<Sample> NvmlSampler::stop() {
  if (!impl_->thread.joinable()) return {};
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stopping = true;
  }
  impl_->wake.notify_one();
  impl_->thread.join();
  return std::move(impl_->timeline);
}

Sample NvmlSampler::sample_now() { return impl_->sample(); }

nlohmann::json NvmlSampler::field_errors() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->errors;
}

double NvmlSampler::sampling_thread_cpu_s() const { return impl_->thread_cpu_s; }

nlohmann::json measure_sampler_cost(int samples, std::chrono::milliseconds run_for,
                                    std::chrono::milliseconds interval, int device_index) {
  if (samples < 1 || interval.count() < 1)
    throw Error(fmt::format("cannot measure the sampler with {} samples at {} ms", samples,
                            interval.count()),
                "ask for at least one sample and an interval of at least 1 ms");
  NvmlSampler sampler(device_index, interval);
  if (!sampler.available())
    return {{"available", false}, {"reason", sampler.unavailable_reason()}};

  std::vector<double> us;
  us.reserve(static_cast<std::size_t>(samples));
  for (int i = 0; i < samples; ++i) {
    const auto t = Clock::now();
    sampler.sample_now();
    us.push_back(seconds_between(t, Clock::now()) * 1e6);
  }
  std::sort(us.begin(), us.end());
  const std::size_t n = us.size();
  const double median = n % 2 ? us[n / 2] : (us[n / 2 - 1] + us[n / 2]) / 2;
  // p90 by the nearest-rank definition: the smallest value with at least 90% of samples <= it.
  const double p90 = us[static_cast<std::size_t>(std::ceil(0.9 * static_cast<double>(n))) - 1];

  const auto t = Clock::now();
  sampler.start();
  std::this_thread::sleep_for(run_for);
  const std::vector<Sample> timeline = sampler.stop();
  const double wall_s = seconds_between(t, Clock::now());
  const double cpu_s = sampler.sampling_thread_cpu_s();
  const double interval_s = std::chrono::duration<double>(interval).count();

  return {
      {"available", true},
      {"device_index", device_index},
      {"sample_now_us", {{"n", n}, {"median", median}, {"p90", p90}, {"min", us.front()},
                         {"max", us.back()}}},
      {"background",
       {{"interval_ms", interval.count()},
        {"wall_s", wall_s},
        {"samples", timeline.size()},
        {"expected_samples", static_cast<long>(std::floor(wall_s / interval_s)) + 1},
        {"thread_cpu_s", cpu_s},
        {"thread_cpu_ms_per_s", wall_s > 0 ? cpu_s / wall_s * 1e3 : 0.0}}},
      {"field_errors", sampler.field_errors()},
  };
}

}  // namespace sb::telemetry
