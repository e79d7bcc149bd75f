// file_read: sequential read throughput of one file, from the page cache (warm) or from the
// storage (cold). Loading model weights is this; in a container the file often sits on overlayfs,
// a bind mount, FUSE or 9p instead of the host's ext4/xfs, and that is what this workload shows.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>
#include <random>
#include <vector>

#include <fmt/format.h>

#include "core/error.hpp"
#include "core/temp_file.hpp"
#include "workload/workload.hpp"

namespace sb {
namespace {

constexpr std::size_t kMiB = 1024 * 1024;
constexpr std::size_t kBlockBytes = 1 * kMiB;  // one read() call
// Below this fraction still cached after the drop, a read counts as cold.
constexpr double kColdResidentMax = 0.02;

std::string filesystem_name(const std::string& path) {
  struct statfs s {};
  if (statfs(path.c_str(), &s) != 0) return "unknown";
  switch (static_cast<unsigned long>(s.f_type)) {
    case 0xEF53: return "ext2/3/4";
    case 0x58465342: return "xfs";
    case 0x9123683E: return "btrfs";
    case 0x01021994: return "tmpfs";
    case 0x794C7630: return "overlayfs";
    case 0x6969: return "nfs";
    case 0x65735546: return "fuse";  // virtiofs and FUSE mounts
    case 0x01021997: return "9p";
    case 0x2FC12FC1: return "zfs";
    case 0xFF534D42: return "cifs";
    default: return fmt::format("magic {:#x}", static_cast<unsigned long>(s.f_type));
  }
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// Writes `bytes` of random data (never all zeros) and flushes it, so that the pages are clean and
// POSIX_FADV_DONTNEED can drop them.
void fill_with_random_bytes(const TempFile& file, std::size_t bytes, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<std::uint64_t> block(kBlockBytes / sizeof(std::uint64_t));
  for (std::size_t written = 0; written < bytes;) {
    for (auto& word : block) word = rng();
    const std::size_t chunk = std::min(kBlockBytes, bytes - written);
    const ssize_t n = pwrite(file.fd(), block.data(), chunk, static_cast<off_t>(written));
    if (n <= 0)
      throw Error(fmt::format("file_read: writing {} failed: {}", file.path(), std::strerror(errno)),
                  "free space there, or choose another `dir`", kExitFailure);
    written += static_cast<std::size_t>(n);
  }
  if (fdatasync(file.fd()) != 0)
    throw Error(fmt::format("file_read: fdatasync of {} failed: {}", file.path(), std::strerror(errno)),
                "choose another `dir`", kExitFailure);
}

// One operation = one read of the whole file; one per repetition, so that with cache=cold every read
// follows a drop. prepare() drops the file from the page cache (cold) and checks how much of it is
// cached, finish() checks what the read returned: the harness's clock sees the read only.
class FileReadCase : public HostOperation {
 public:
  // A user's file: only ever opened read-only.
  FileReadCase(std::string path, bool cold) : path_(std::move(path)), cold_(cold) { open_and_prime(); }

  // A temporary file of `bytes` random bytes in `dir`, removed with this case.
  FileReadCase(const std::string& dir, std::size_t bytes, bool cold, std::uint64_t seed) : cold_(cold) {
    struct statvfs vfs {};
    if (statvfs(dir.c_str(), &vfs) != 0)
      throw Error(fmt::format("file_read: cannot use directory '{}': {}", dir, std::strerror(errno)),
                  "give an existing directory as `dir`");
    const auto free_bytes = static_cast<std::size_t>(vfs.f_bavail) * vfs.f_frsize;
    if (bytes > free_bytes)
      throw Error(fmt::format("file_read: {} MiB do not fit in '{}' ({} MiB free)", bytes / kMiB, dir, free_bytes / kMiB),
                  "lower size_mib or choose another `dir`");
    temp_.emplace(dir, "sparkbench-file_read-");
    fill_with_random_bytes(*temp_, bytes, seed);
    path_ = temp_->path();
    open_and_prime();
  }

  Sizing sizing() const override { return {.fixed = 1}; }
  OperationCost cost() const override { return {.bytes = static_cast<double>(size_)}; }

  void prepare(std::uint64_t) override {
    if (cold_) drop_from_page_cache();
    const double resident = resident_fraction();
    if (resident >= 0) {
      resident_min_ = std::min(resident_min_, resident);
      resident_max_ = std::max(resident_max_, resident);
    }
  }

  void batch(std::uint64_t n) override {
    for (std::uint64_t i = 0; i < n; ++i)
      if ((got_ = read_whole_file()) != size_) return;  // finish() says so
  }

  void finish(std::uint64_t) override {
    if (got_ != size_)
      throw Error(fmt::format("file_read: read {} bytes of {}, expected {}", got_, path_, size_),
                  "the file changed while it was being read; use a file that stays put", kExitFailure);
  }

  nlohmann::json info() const override {
    nlohmann::json j = {{"path", path_},
                        {"temporary", temp_.has_value()},
                        {"bytes", size_},
                        {"filesystem", filesystem_name(path_)},
                        {"read_block_bytes", kBlockBytes},
                        {"cache_requested", cold_ ? "cold" : "warm"}};
    if (resident_min_ > resident_max_) {
      j["cache_state"] = "page-cache residency could not be checked (mincore is answered only to the file's "
                         "owner or writers), so the cache state is unverified";
      return j;
    }
    j["resident_fraction_before_read"] = {{"min", resident_min_}, {"max", resident_max_}};
    if (cold_) {
      j["cold_effective"] = resident_max_ <= kColdResidentMax;
      if (resident_max_ > kColdResidentMax)
        j["cache_state"] = fmt::format("NOT cold: up to {:.0f}% of the file stayed in the page cache after "
                                       "POSIX_FADV_DONTNEED ({} keeps it in memory?); these were not cold reads",
                                       100 * resident_max_, filesystem_name(path_));
    } else if (resident_min_ < 0.98) {
      j["cache_state"] = fmt::format("NOT fully warm: only {:.0f}% of the file was cached before a read "
                                     "(larger than free memory?)", 100 * resident_min_);
    }
    return j;
  }

 private:
  void open_and_prime() {
    const int fd = open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
      throw Error(fmt::format("file_read: cannot open '{}': {}", path_, std::strerror(errno)),
                  "give the path of an existing, readable file, or leave `path` empty for a temporary file");
    fd_ = std::make_unique<Fd>(fd);
    struct stat st {};
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size == 0)
      throw Error(fmt::format("file_read: '{}' is not a non-empty regular file", path_),
                  "give the path of a regular file (a model's weights, say)");
    size_ = static_cast<std::size_t>(st.st_size);
    buffer_.resize(kBlockBytes);
    // The first read verifies that the whole file can be read, and warms the cache for `warm`.
    if (read_whole_file() != size_)
      throw Error(fmt::format("file_read: '{}' could not be read to its end", path_), "check the file", kExitFailure);
  }

  std::size_t read_whole_file() {
    std::size_t total = 0;
    for (;;) {
      const ssize_t n = pread(fd_->get(), buffer_.data(), buffer_.size(), static_cast<off_t>(total));
      if (n == 0) return total;
      if (n < 0) {
        if (errno == EINTR) continue;
        throw Error(fmt::format("file_read: reading '{}' failed: {}", path_, std::strerror(errno)),
                    "check the file and its storage", kExitFailure);
      }
      total += static_cast<std::size_t>(n);
    }
  }

  void drop_from_page_cache() {
    // A user's file may have dirty pages written by someone else; DONTNEED drops only clean ones.
    fdatasync(fd_->get());
    posix_fadvise(fd_->get(), 0, 0, POSIX_FADV_DONTNEED);
  }

  // Fraction of the file's pages in the page cache, or -1 when the kernel will not say. Since Linux
  // 5.0 mincore reports page-cache state only to the owner or to those who may write the file.
  double resident_fraction() const {
    const auto page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
    if (!temp_ && access(path_.c_str(), W_OK) != 0) {
      struct stat st {};
      if (stat(path_.c_str(), &st) != 0 || (st.st_uid != geteuid() && geteuid() != 0)) return -1;
    }
    void* map = mmap(nullptr, size_, PROT_READ, MAP_SHARED, fd_->get(), 0);
    if (map == MAP_FAILED) return -1;
    std::vector<unsigned char> in_core((size_ + page - 1) / page);
    const int rc = mincore(map, size_, in_core.data());
    munmap(map, size_);
    if (rc != 0) return -1;
    const auto resident = std::count_if(in_core.begin(), in_core.end(), [](unsigned char v) { return v & 1; });
    return static_cast<double>(resident) / static_cast<double>(in_core.size());
  }

  std::optional<TempFile> temp_;  // destroyed last: the file is closed before it is removed
  std::string path_;
  bool cold_;
  std::unique_ptr<Fd> fd_;
  std::size_t size_ = 0;
  std::size_t got_ = 0;  // bytes the last read of a batch returned
  std::vector<char> buffer_;
  double resident_min_ = 2, resident_max_ = -1;  // min > max until a residency was read
};

}  // namespace

SB_REGISTER_WORKLOAD(
    file_read,
    Workload{
        .name = "file_read",
        .help = "Sequential read() throughput of one file in 1 MiB blocks: a temporary file of size_mib "
                "random bytes in `dir` (removed afterwards), or an existing file given as `path` (never "
                "written). cache=warm reads it from the page cache; cache=cold drops it first with "
                "POSIX_FADV_DONTNEED and checks with mincore that the drop worked (info says when it did "
                "not, e.g. on tmpfs). Isolates the file I/O path that model loading takes: a cold-read "
                "regression in the container points at the storage stack (overlayfs, a FUSE/9p/virtiofs "
                "bind mount); a warm-read regression points at page-cache copies (memory cgroup reclaim).",
        .device = Device::Cpu,
        .layer = "io-file",
        .params = {{.name = "path",
                    .type = ParamSpec::Type::String,
                    .defaults = {""},
                    .choices = {},
                    .help = "file to read; empty = a temporary file of size_mib in dir"},
                   {.name = "size_mib",
                    .type = ParamSpec::Type::Int,
                    .defaults = {"256"},
                    .choices = {},
                    .help = "size of the temporary file in MiB (ignored with `path`)",
                    .min = 1,
                    .max = kMaxSizeMib},
                   {.name = "dir",
                    .type = ParamSpec::Type::String,
                    .defaults = {"/tmp"},
                    .choices = {},
                    .help = "where the temporary file is created"},
                   {.name = "cache",
                    .type = ParamSpec::Type::String,
                    .defaults = {"warm", "cold"},
                    .choices = {"warm", "cold"},
                    .help = "warm: from the page cache; cold: dropped from it before every read"}},
        .metrics = {{.name = "throughput_mbs",
                     .unit = "MB/s",
                     .better = Better::Higher,
                     .help = "bytes read per second, MB = 10^6 bytes",
                     .derived = Derived::Bytes}},
        .make = [](const Params& p, const CaseContext& ctx) -> std::unique_ptr<CaseRun> {
          const std::string& cache = p.str("cache");
          if (cache != "warm" && cache != "cold")
            throw Error(fmt::format("file_read: cache must be warm or cold, got '{}'", cache), "use cache=warm or cache=cold");
          const bool cold = cache == "cold";
          if (!p.str("path").empty()) return std::make_unique<FileReadCase>(p.str("path"), cold);
          const long long size_mib = p.integer("size_mib");
          return std::make_unique<FileReadCase>(p.str("dir"), static_cast<std::size_t>(size_mib) * kMiB, cold, ctx.seed);
        }});

}  // namespace sb
