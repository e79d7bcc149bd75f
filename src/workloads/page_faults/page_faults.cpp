// page_faults: the first-touch cost of fresh anonymous memory (fault, page allocation, zeroing,
// page-table update, memory-cgroup charge). Model loaders and allocators pay it for every new
// page; a memory cgroup, a different THP policy or a VM's nested paging change it.
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "core/error.hpp"
#include "workload/workload.hpp"

namespace sb {
namespace {

constexpr std::size_t kMiB = 1024 * 1024;

// munmap on every path.
class AnonymousMapping {
 public:
  explicit AnonymousMapping(std::size_t bytes) : bytes_(bytes) {
    void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
      throw Error(fmt::format("page_faults: mmap of {} MiB failed: {}", bytes / kMiB, std::strerror(errno)),
                  "lower size_mib, or raise the memory limit", kExitFailure);
    base_ = static_cast<unsigned char*>(p);
  }
  ~AnonymousMapping() { munmap(base_, bytes_); }
  AnonymousMapping(const AnonymousMapping&) = delete;
  AnonymousMapping& operator=(const AnonymousMapping&) = delete;
  unsigned char* base() const { return base_; }

 private:
  unsigned char* base_ = nullptr;
  std::size_t bytes_;
};

long minor_faults_of_this_thread() {
  rusage usage{};
  getrusage(RUSAGE_THREAD, &usage);  // not RUSAGE_SELF: the telemetry thread faults too
  return usage.ru_minflt;
}

// Never zero, so a page that was not really written cannot pass as written.
unsigned char stamp(std::size_t page) { return static_cast<unsigned char>(page % 251 + 1); }

std::string first_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

// One operation = touching size_mib of fresh anonymous memory, one page at a time; one operation per
// repetition (size_mib says how much). prepare() maps the pages, finish() counts the faults, checks
// and unmaps the pages: the harness's clock sees the touch loop only.
class PageFaultCase : public HostOperation {
 public:
  explicit PageFaultCase(std::size_t bytes)
      : page_(static_cast<std::size_t>(sysconf(_SC_PAGESIZE))), pages_(bytes / page_), bytes_(pages_ * page_) {}

  Sizing sizing() const override { return {.fixed = 1}; }

  void prepare(std::uint64_t n) override {
    mapping_.emplace(n * bytes_);
    // Base pages, whatever the system's THP policy, so that one touch is one fault everywhere.
    nohugepage_ok_ = madvise(mapping_->base(), n * bytes_, MADV_NOHUGEPAGE) == 0;
    faults_before_ = minor_faults_of_this_thread();
  }

  void batch(std::uint64_t n) override {
    unsigned char* base = mapping_->base();
    for (std::size_t page = 0; page < n * pages_; ++page) base[page * page_] = stamp(page);
  }

  void finish(std::uint64_t n) override {
    faults_last_ = minor_faults_of_this_thread() - faults_before_;
    operations_last_ = n;
    const unsigned char* base = mapping_->base();
    for (std::size_t page = 0; page < n * pages_; ++page)
      if (base[page * page_] != stamp(page))
        throw Error(fmt::format("page_faults: page {} does not hold what was written", page),
                    "the memory is faulty, or this is a bug: report it with `sparkbench env`", kExitFailure);
    mapping_.reset();
    if (faults_last_ <= 0)
      throw Unavailable(fmt::format(
          "page_faults: getrusage counted no minor faults while {} new pages were touched; this kernel or "
          "sandbox (gVisor?) does not report them, so faults cannot be measured here", n * pages_));
  }

  // faults_per_s counts the faults of one operation, as finish() counted them.
  OperationCost cost() const override { return {.items = faults_per_operation()}; }

  void add_measured(double seconds_per_operation, Measurement& m) const override {
    m["ns_per_fault"] = seconds_per_operation * 1e9 / faults_per_operation();
  }

  nlohmann::json info() const override {
    return {{"page_bytes", page_},
            {"pages_touched", pages_},
            {"minor_faults_last_repetition", faults_last_},
            {"faults_per_page", pages_ > 0 ? static_cast<double>(faults_last_) / static_cast<double>(pages_) : 0.0},
            {"madvise_nohugepage", nohugepage_ok_},
            {"thp_enabled", first_line("/sys/kernel/mm/transparent_hugepage/enabled")},
            {"timed", "the touch loop only (mmap and munmap are outside the clock); "
                      "faults counted by getrusage(RUSAGE_THREAD)"}};
  }

 private:
  double faults_per_operation() const {
    return static_cast<double>(faults_last_) / static_cast<double>(operations_last_);
  }

  std::size_t page_, pages_, bytes_;
  std::optional<AnonymousMapping> mapping_;  // from prepare() to finish()
  long faults_before_ = 0, faults_last_ = 0;
  std::uint64_t operations_last_ = 1;
  bool nohugepage_ok_ = false;
};

}  // namespace

SB_REGISTER_WORKLOAD(
    page_faults,
    Workload{
        .name = "page_faults",
        .help = "mmap size_mib of anonymous memory (MADV_NOHUGEPAGE), write one byte per page, munmap. "
                "Times the touch loop and divides by the minor faults getrusage counted for this "
                "thread. Isolates the kernel's page-fault path: allocation, zeroing, page tables, "
                "memory-cgroup charging. A regression here and in memory_bandwidth points at the memory "
                "cgroup or NUMA placement; here alone, at fault handling (cgroup accounting, nested "
                "paging in a VM).",
        .device = Device::Cpu,
        .layer = "cpu-pagefault",
        .params = {{.name = "size_mib",
                    .type = ParamSpec::Type::Int,
                    .defaults = {"64"},
                    .choices = {},
                    .help = "anonymous memory mapped and touched per repetition, in MiB",
                    .min = 1,
                    .max = kMaxSizeMib}},
        .metrics = {{.name = "faults_per_s",
                     .unit = "1/s",
                     .better = Better::Higher,
                     .help = "minor faults per second of touch loop",
                     .derived = Derived::Operations},
                    {.name = "ns_per_fault",
                     .unit = "ns",
                     .better = Better::Lower,
                     .help = "touch-loop time divided by the minor faults counted"}},
        .make = [](const Params& p, const CaseContext&) -> std::unique_ptr<CaseRun> {
          const long long size_mib = p.integer("size_mib");
          return std::make_unique<PageFaultCase>(static_cast<std::size_t>(size_mib) * kMiB);
        }});

}  // namespace sb
