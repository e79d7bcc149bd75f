// syscall: the price of entering the kernel, and of reading the clock without entering it. These
// are what a container's seccomp filter (every syscall runs through its BPF programs) or a
// virtualised clock source (clock_gettime falls back from the vDSO to a real syscall) change while
// the CPU's arithmetic speed does not.
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include <fmt/format.h>

#include "core/error.hpp"
#include "workload/workload.hpp"

namespace sb {
namespace {

// The compiler must not drop the loops below; the calls are opaque, but the results are kept too.
volatile long g_sink;

// syscall() always enters the kernel, whatever the C library does with getppid().
void getppid_calls(std::uint64_t n) {
  long sum = 0;
  for (std::uint64_t i = 0; i < n; ++i) sum += syscall(SYS_getppid);
  g_sink = sum;
}

void clock_gettime_calls(std::uint64_t n) {
  timespec ts{};
  long sum = 0;
  for (std::uint64_t i = 0; i < n; ++i) {
    clock_gettime(CLOCK_MONOTONIC, &ts);
    sum += ts.tv_nsec;
  }
  g_sink = sum;
}

// Value of a "Key:\tvalue" line of /proc/self/status, or null when absent.
nlohmann::json proc_status_field(const std::string& key) {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind(key + ":", 0) == 0) {
      const auto start = line.find_first_not_of(" \t", key.size() + 1);
      return start == std::string::npos ? "" : line.substr(start);
    }
  return nullptr;
}

nlohmann::json first_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  if (in && std::getline(in, line)) return line;
  return nullptr;
}

// A real syscall must reach the kernel and come back with the right answer; the vDSO clock must
// succeed and never run backwards.
void verify(const std::string& call) {
  if (call == "getppid") {
    if (syscall(SYS_getppid) != getppid())
      throw Error("syscall(SYS_getppid) disagrees with getppid()", "report this with `sparkbench env`",
                  kExitFailure);
    return;
  }
  timespec previous{}, now{};
  if (clock_gettime(CLOCK_MONOTONIC, &previous) != 0)
    throw Unavailable("clock_gettime(CLOCK_MONOTONIC) fails on this system");
  for (int i = 0; i < 1000; ++i) {
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (now.tv_sec < previous.tv_sec || (now.tv_sec == previous.tv_sec && now.tv_nsec < previous.tv_nsec))
      throw Error("CLOCK_MONOTONIC ran backwards", "report this with `sparkbench env`", kExitFailure);
    previous = now;
  }
}

// One operation = one call; the harness times batches of them on the host clock.
class SyscallCase : public HostOperation {
 public:
  explicit SyscallCase(std::string call) : call_(std::move(call)) {
    if (call_ == "getppid")
      calls_ = getppid_calls;
    else if (call_ == "clock_gettime")
      calls_ = clock_gettime_calls;
    else
      throw Error(fmt::format("syscall: unknown call '{}'", call_), "use call=getppid or call=clock_gettime");
    verify(call_);
  }

  void batch(std::uint64_t n) override { calls_(n); }

  nlohmann::json info() const override {
    return {{"call", call_},
            {"seccomp_mode", proc_status_field("Seccomp")},  // 0 none, 1 strict, 2 filter
            {"seccomp_filters", proc_status_field("Seccomp_filters")},
            {"clocksource", first_line("/sys/devices/system/clocksource/clocksource0/current_clocksource")}};
  }

 private:
  std::string call_;
  void (*calls_)(std::uint64_t) = nullptr;
};

}  // namespace

SB_REGISTER_WORKLOAD(
    syscall,
    Workload{
        .name = "syscall",
        .help = "Latency of one cheap system call (syscall(SYS_getppid), which no C library caches) "
                "and of clock_gettime(CLOCK_MONOTONIC), which the vDSO answers without entering the "
                "kernel. Isolates the user/kernel boundary: a seccomp filter (Docker's default "
                "profile, Kubernetes RuntimeDefault) adds its BPF programs to every getppid; a clock "
                "source without vDSO support (some VMs) turns clock_gettime into a real syscall. If "
                "these regress in the container but cpu_scaling does not, suspect seccomp or the "
                "clock source (see info: seccomp_mode, seccomp_filters, clocksource), not the CPU.",
        .device = Device::Cpu,
        .layer = "cpu-syscall",
        .params = {{.name = "call",
                    .type = ParamSpec::Type::String,
                    .defaults = {"getppid", "clock_gettime"},
                    .choices = {"getppid", "clock_gettime"},
                    .help = "getppid: a real syscall; clock_gettime: CLOCK_MONOTONIC through the vDSO"}},
        .metrics = {{.name = "latency_ns",
                     .unit = "ns",
                     .better = Better::Lower,
                     .help = "mean time of one call over an inner loop of about 20 ms",
                     .derived = Derived::Time}},
        .make = [](const Params& p, const CaseContext&) -> std::unique_ptr<CaseRun> {
          return std::make_unique<SyscallCase>(p.str("call"));
        }});

}  // namespace sb
