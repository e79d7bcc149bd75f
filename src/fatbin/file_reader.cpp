#include "fatbin/file_reader.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace sb::fatbin {

FileReader::FileReader(std::string path) : path_(std::move(path)) {
  fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0)
    throw Error(fmt::format("cannot open {}: {}", path_, std::strerror(errno)),
                "check that the file exists and is readable by this user");
  struct stat st {};
  if (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd_);
    throw Error(fmt::format("{} is not a regular file", path_), "give the path of a binary or a shared library");
  }
  size_ = static_cast<std::uint64_t>(st.st_size);
}

FileReader::~FileReader() { ::close(fd_); }

void FileReader::read(std::uint64_t offset, void* out, std::size_t n, std::string_view what) const {
  if (!contains(offset, n))
    throw damaged(fmt::format("{} ({} bytes at offset {}) lies past the end of the file ({} bytes): it is truncated "
                              "or damaged",
                              what, n, offset, size_));
  auto* dest = static_cast<char*>(out);
  while (n > 0) {
    const ssize_t got = ::pread(fd_, dest, n, static_cast<off_t>(offset));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0)  // the file shrank since we looked at its size, or an I/O error
      throw damaged(fmt::format("cannot read {} at offset {}: {}", what, offset,
                                got < 0 ? std::strerror(errno) : "the file ended early"));
    dest += got;
    offset += static_cast<std::uint64_t>(got);
    n -= static_cast<std::size_t>(got);
  }
}

Error FileReader::damaged(const std::string& problem) const {
  return Error(fmt::format("{}: {}", path_, problem),
               "reinstall the package that ships this file, or compare with `cuobjdump --list-elf --list-ptx` on it");
}

}  // namespace sb::fatbin
