// thread_spawn: what it costs to start and finish a thread (clone, stack mmap, scheduler wake-up,
// exit, join). Thread pools hide it in steady state, but start-up, tokenizers and data loaders pay
// it; seccomp filters, pids cgroup accounting and cpusets all sit on this path.
#include <atomic>
#include <chrono>
#include <thread>

#include <fmt/format.h>

#include "core/affinity.hpp"
#include "core/calibrate.hpp"
#include "core/error.hpp"
#include "workload/workload.hpp"

namespace sb {
namespace {

constexpr auto kRepetitionTarget = std::chrono::milliseconds(20);

class ThreadSpawnCase : public ProgramCase {
 public:
  ThreadSpawnCase() {
    iterations_ = calibrate_iterations([this](std::uint64_t n) { spawn_and_join(n); }, kRepetitionTarget);
  }

  Measurement run() override {
    const auto t0 = std::chrono::steady_clock::now();
    spawn_and_join(iterations_);
    const auto t1 = std::chrono::steady_clock::now();
    const double us = std::chrono::duration<double, std::micro>(t1 - t0).count();
    return {{"latency_us", us / static_cast<double>(iterations_)}};
  }

  nlohmann::json info() const override {
    return {{"threads_per_repetition", iterations_}, {"affinity_cpus", affinity_cpu_count()}};
  }

 private:
  // Each thread does one atomic increment, so the count proves that every thread really ran.
  void spawn_and_join(std::uint64_t n) {
    std::atomic<std::uint64_t> ran{0};
    for (std::uint64_t i = 0; i < n; ++i) {
      std::thread t([&ran] { ran.fetch_add(1, std::memory_order_relaxed); });
      t.join();
    }
    if (ran.load() != n)
      throw Error(fmt::format("thread_spawn: {} of {} threads ran", ran.load(), n),
                  "report this with `sparkbench env`", kExitFailure);
  }

  std::uint64_t iterations_ = 0;
};

}  // namespace

SB_REGISTER_WORKLOAD(
    thread_spawn,
    Workload{
        .name = "thread_spawn",
        .help = "Latency of creating a std::thread and joining it (the thread does one atomic "
                "increment). Isolates the kernel's thread lifecycle: clone, stack allocation, "
                "scheduler wake-up, exit. A regression with an unchanged `syscall` latency points at "
                "the scheduler or cgroup accounting (pids/cpu controllers, a narrow cpuset); one that "
                "moves together with `syscall` points at a seccomp filter.",
        .device = Device::Cpu,
        .layer = "cpu-threads",
        .params = {},
        .metrics = {{.name = "latency_us",
                     .unit = "us",
                     .better = Better::Lower,
                     .help = "mean create+join time of one thread over an inner loop of about 20 ms"}},
        .make = [](const Params&, const CaseContext&) -> std::unique_ptr<CaseRun> {
          return std::make_unique<ThreadSpawnCase>();
        }});

}  // namespace sb
