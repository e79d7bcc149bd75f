#include "llm/mapped_file.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <stdexcept>

#include <fmt/format.h>

#include "core/error.hpp"

namespace sb::llm {

MappedFile::MappedFile(const std::filesystem::path& path) : path_(path.string()) {
  const int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    throw Error(fmt::format("cannot open {}: {}", path_, std::strerror(errno)), "check the path and its permissions");
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    throw Error(fmt::format("cannot stat {}: {}", path_, std::strerror(err)), "check the path and its permissions");
  }
  size_ = static_cast<std::size_t>(st.st_size);
  if (size_ > 0) {  // mmap of length 0 fails; an empty file is reported by the readers as truncated
    void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
      const int err = errno;
      ::close(fd);
      throw Error(fmt::format("cannot map {} ({} bytes): {}", path_, size_, std::strerror(err)),
                  "check that the file is a regular file and that enough address space is available");
    }
    data_ = static_cast<const std::byte*>(p);
    (void)::madvise(p, size_, MADV_SEQUENTIAL);  // advice only: see will_need
  }
  ::close(fd);  // the mapping keeps the file's pages reachable
}

MappedFile::MappedFile(MappedFile&& other) noexcept
    : path_(std::move(other.path_)), data_(other.data_), size_(other.size_) {
  other.data_ = nullptr;
  other.size_ = 0;
}

namespace {

std::uintptr_t page_size() {
  static const auto size = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
  return size;
}

void advise(std::uintptr_t begin, std::uintptr_t end, int advice) {
  if (begin < end) (void)::madvise(reinterpret_cast<void*>(begin), end - begin, advice);
}

}  // namespace

// MADV_DONTNEED on anonymous memory zeroes it: advice must never reach beyond the mapping.
void MappedFile::require_inside(std::span<const std::byte> range) const {
  if (range.data() < data_ || range.data() + range.size() > data_ + size_) {
    throw std::logic_error(fmt::format("MappedFile: advice for bytes outside the mapping of {}", path_));
  }
}

void MappedFile::will_need(std::span<const std::byte> range) const {
  if (range.empty()) return;
  require_inside(range);
  const auto begin = reinterpret_cast<std::uintptr_t>(range.data());
  const std::uintptr_t page = page_size();
  advise(begin / page * page, begin + range.size(), MADV_WILLNEED);  // every page the range touches
}

void MappedFile::done_with(std::span<const std::byte> range) const {
  if (range.empty()) return;
  require_inside(range);
  const auto begin = reinterpret_cast<std::uintptr_t>(range.data());
  const std::uintptr_t page = page_size();
  // Only whole pages: the pages at either end may hold the neighbouring tensors' first or last bytes.
  advise((begin + page - 1) / page * page, (begin + range.size()) / page * page, MADV_DONTNEED);
}

MappedFile::~MappedFile() {
  if (data_) ::munmap(const_cast<std::byte*>(data_), size_);
}

}  // namespace sb::llm
