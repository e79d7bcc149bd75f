#include <gtest/gtest.h>

#include <sys/mman.h>

#include <cstring>
#include <stdexcept>

#include "core/process_memory.hpp"

namespace sb {
namespace {

constexpr std::int64_t kMiB = 1 << 20;

// 64 MiB of anonymous memory, touched while it lives and returned to the kernel after.
class TouchedMemory {
 public:
  TouchedMemory() : p_(::mmap(nullptr, kBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)) {
    if (p_ == MAP_FAILED) throw std::runtime_error("mmap failed");
    std::memset(p_, 1, kBytes);
  }
  ~TouchedMemory() { ::munmap(p_, kBytes); }
  static constexpr std::size_t kBytes = 64 * kMiB;

 private:
  void* p_;
};

TEST(ProcessMemory, CountsAnonymousMemoryAndItsPeak) {
  const ProcessMemory before = process_memory();
  ASSERT_TRUE(before.resident_anon && before.resident_file && before.peak_resident);
  std::int64_t peak_with = 0;
  {
    TouchedMemory touched;
    const ProcessMemory with = process_memory();
    EXPECT_GE(*with.resident_anon - *before.resident_anon, 60 * kMiB);
    EXPECT_GE(*with.peak_resident, *with.resident_anon + *with.resident_file);
    peak_with = *with.peak_resident;
  }
  // Once the memory is gone, a reset brings the peak down to what is resident now.
  if (!reset_peak_resident()) GTEST_SKIP() << "SKIPPED: this kernel refuses /proc/self/clear_refs";
  EXPECT_LE(*process_memory().peak_resident, peak_with - 48 * kMiB);
}

}  // namespace
}  // namespace sb
