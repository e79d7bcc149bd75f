#pragma once
// A file read at offsets, every read checked against the file's size first: the fatbinary reader
// opens whatever libraries a process mapped, so a truncated or hostile file must give an error and
// never a read past its end. pread, not mmap: a mapped file cut short under us would raise SIGBUS.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

#include "core/error.hpp"

namespace sb::fatbin {

class FileReader {
 public:
  // Throws sb::Error when the file cannot be opened or is not a regular file.
  explicit FileReader(std::string path);
  ~FileReader();
  FileReader(const FileReader&) = delete;
  FileReader& operator=(const FileReader&) = delete;

  const std::string& path() const { return path_; }
  std::uint64_t size() const { return size_; }

  // Whether [offset, offset + n) lies inside the file (no overflow for any offset and n).
  bool contains(std::uint64_t offset, std::uint64_t n) const { return offset <= size_ && n <= size_ - offset; }

  // n bytes at offset into out; throws damaged() naming `what` when they are not all in the file.
  void read(std::uint64_t offset, void* out, std::size_t n, std::string_view what) const;

  template <class T>
  T read_as(std::uint64_t offset, std::string_view what) const {
    static_assert(std::is_trivially_copyable_v<T>);
    T value;
    read(offset, &value, sizeof value, what);
    return value;
  }

  // The error for a file that is not what it should be: "<path>: <problem>", exit code 2.
  Error damaged(const std::string& problem) const;

 private:
  std::string path_;
  int fd_ = -1;
  std::uint64_t size_ = 0;
};

}  // namespace sb::fatbin
