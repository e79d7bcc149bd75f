// shm_bandwidth: write and read back a file in /dev/shm, the tmpfs that NCCL, PyTorch data loaders
// and multi-process inference servers share memory through. Docker gives containers a 64 MiB
// /dev/shm unless told otherwise; its pages are charged to the container's memory cgroup.
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>
#include <random>
#include <vector>

#include <fmt/format.h>

#include "core/error.hpp"
#include "core/temp_file.hpp"
#include "workload/workload.hpp"

namespace sb {
namespace {

constexpr const char* kShmDir = "/dev/shm";
constexpr std::size_t kMiB = 1024 * 1024;
constexpr std::size_t kBlockBytes = 1 * kMiB;  // one write() or read() call
constexpr unsigned long kTmpfsMagic = 0x01021994;

struct ShmSpace {
  std::size_t size_bytes = 0, free_bytes = 0;
  bool tmpfs = false;
};

ShmSpace shm_space() {
  struct statvfs vfs {};
  if (statvfs(kShmDir, &vfs) != 0)
    throw Unavailable(fmt::format("shm_bandwidth: {} is not usable here: {}", kShmDir, std::strerror(errno)));
  struct statfs fs {};
  statfs(kShmDir, &fs);
  return {.size_bytes = static_cast<std::size_t>(vfs.f_blocks) * vfs.f_frsize,
          .free_bytes = static_cast<std::size_t>(vfs.f_bavail) * vfs.f_frsize,
          .tmpfs = static_cast<unsigned long>(fs.f_type) == kTmpfsMagic};
}

class ShmBandwidthCase : public ProgramCase {
 public:
  ShmBandwidthCase(std::size_t bytes, std::uint64_t seed) : bytes_(bytes), space_(shm_space()) {
    if (bytes_ > space_.free_bytes)
      throw Error(fmt::format("shm_bandwidth: {} MiB do not fit in {} (size {} MiB, {} MiB free)", bytes_ / kMiB,
                              kShmDir, space_.size_bytes / kMiB, space_.free_bytes / kMiB),
                  "give the container a larger /dev/shm (docker run --shm-size=1g, or --ipc=host to share the "
                  "host's), or lower size_mib");
    file_.emplace(kShmDir, "sparkbench-shm_bandwidth-");
    // Random blocks, each stamped with its index so that a block read back from the wrong place fails.
    std::mt19937_64 rng(seed);
    source_.resize(kBlockBytes / sizeof(std::uint64_t));
    for (auto& word : source_) word = rng();
    readback_.resize(source_.size());
    write_file();
    read_file(true);
    truncate_file();
  }

  Measurement run() override {
    const auto t0 = std::chrono::steady_clock::now();
    write_file();
    const auto t1 = std::chrono::steady_clock::now();
    read_file(false);
    const auto t2 = std::chrono::steady_clock::now();
    truncate_file();  // hands the pages back, so that the next write allocates afresh
    const auto gbs = [this](auto d) { return static_cast<double>(bytes_) / 1e9 / std::chrono::duration<double>(d).count(); };
    return {{"write_gbs", gbs(t1 - t0)}, {"read_gbs", gbs(t2 - t1)}};
  }

  nlohmann::json info() const override {
    return {{"shm_size_bytes", space_.size_bytes},
            {"shm_free_bytes", space_.free_bytes},
            {"shm_is_tmpfs", space_.tmpfs},
            {"path", file_ ? file_->path() : std::string()},
            {"bytes", bytes_},
            {"block_bytes", kBlockBytes},
            {"timed", "write(): page allocation + copy into a truncated file; read(): copy out of it"}};
  }

 private:
  void write_file() {
    for (std::size_t offset = 0, block = 0; offset < bytes_; ++block) {
      source_[0] = block;
      const std::size_t chunk = std::min(kBlockBytes, bytes_ - offset);
      const ssize_t n = pwrite(file_->fd(), source_.data(), chunk, static_cast<off_t>(offset));
      if (n <= 0)
        throw Error(fmt::format("shm_bandwidth: writing {} failed at {} MiB: {}", file_->path(), offset / kMiB,
                                n < 0 ? std::strerror(errno) : "no progress"),
                    "someone else filled /dev/shm, or the memory limit was hit: free space or lower size_mib",
                    kExitFailure);
      offset += static_cast<std::size_t>(n);
    }
  }

  void read_file(bool verify) {
    for (std::size_t offset = 0, block = 0; offset < bytes_; ++block) {
      const std::size_t chunk = std::min(kBlockBytes, bytes_ - offset);
      const ssize_t n = pread(file_->fd(), readback_.data(), chunk, static_cast<off_t>(offset));
      if (n != static_cast<ssize_t>(chunk))
        throw Error(fmt::format("shm_bandwidth: short read of {} at {} MiB", file_->path(), offset / kMiB),
                    "someone else changed the file", kExitFailure);
      if (verify) {
        source_[0] = block;
        if (std::memcmp(readback_.data(), source_.data(), chunk) != 0)
          throw Error(fmt::format("shm_bandwidth: block {} read back differs from what was written", block),
                      "report this with `sparkbench env`", kExitFailure);
      }
      offset += chunk;
    }
  }

  void truncate_file() {
    if (ftruncate(file_->fd(), 0) != 0)
      throw Error(fmt::format("shm_bandwidth: cannot truncate {}: {}", file_->path(), std::strerror(errno)),
                  "check /dev/shm", kExitFailure);
  }

  std::size_t bytes_;
  ShmSpace space_;
  std::optional<TempFile> file_;  // removed on every path, exceptions included
  std::vector<std::uint64_t> source_, readback_;
};

}  // namespace

SB_REGISTER_WORKLOAD(
    shm_bandwidth,
    Workload{
        .name = "shm_bandwidth",
        .help = "Writes size_mib into a file in /dev/shm (1 MiB write() calls into a truncated file, so "
                "tmpfs allocates its pages), then reads it back. Isolates shared-memory throughput, "
                "the path of NCCL's and PyTorch's inter-process buffers. A regression here and not in "
                "memory_bandwidth points at the container's /dev/shm or its memory cgroup. A size that "
                "does not fit is an error, never shrunk: Docker's default /dev/shm is only 64 MiB "
                "(fix: --shm-size or --ipc=host); info always records /dev/shm size and free space.",
        .device = Device::Cpu,
        .layer = "io-shm",
        .params = {{.name = "size_mib",
                    .type = ParamSpec::Type::Int,
                    .defaults = {"64"},
                    .choices = {},
                    .help = "bytes written and read back per repetition, in MiB",
                    .min = 1,
                    .max = kMaxSizeMib}},
        .metrics = {{.name = "write_gbs",
                     .unit = "GB/s",
                     .better = Better::Higher,
                     .help = "write throughput into /dev/shm, 10^9 bytes/s"},
                    {.name = "read_gbs",
                     .unit = "GB/s",
                     .better = Better::Higher,
                     .help = "read throughput out of /dev/shm, 10^9 bytes/s"}},
        .make = [](const Params& p, const CaseContext& ctx) -> std::unique_ptr<CaseRun> {
          const long long size_mib = p.integer("size_mib");
          return std::make_unique<ShmBandwidthCase>(static_cast<std::size_t>(size_mib) * kMiB, ctx.seed);
        }});

}  // namespace sb
