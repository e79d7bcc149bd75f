// thread_spawn: what it costs to start and finish a thread (clone, stack mmap, scheduler wake-up,
// exit, join). Thread pools hide it in steady state, but start-up, tokenizers and data loaders pay
// it; seccomp filters, pids cgroup accounting and cpusets all sit on this path.
#include <atomic>
#include <chrono>
#include <thread>

#include <fmt/format.h>

#include "core/affinity.hpp"
#include "core/error.hpp"
#include "workload/workload.hpp"

namespace sb {
namespace {

constexpr auto kRepetitionTarget = std::chrono::milliseconds(20);

// One operation = one thread created and joined; the harness times batches of them on the host clock.
class ThreadSpawnCase : public HostOperation {
 public:
  void batch(std::uint64_t n) override { spawn_and_join(n); }
  Sizing sizing() const override { return {.target = kRepetitionTarget}; }

  nlohmann::json info() const override { return {{"affinity_cpus", affinity_cpu_count()}}; }

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
                     .help = "mean create+join time of one thread over an inner loop of about 20 ms",
                     .derived = Derived::Time}},
        .make = [](const Params&, const CaseContext&) -> std::unique_ptr<CaseRun> {
          return std::make_unique<ThreadSpawnCase>();
        }});

}  // namespace sb
