#pragma once
// A file with a unique name (mkstemp) that is closed and removed when the object goes away, on
// every path, exceptions included: benchmarks must not leave hundreds of MiB behind in /tmp or
// /dev/shm.
#include <string>

namespace sb {

class TempFile {
 public:
  // Creates <dir>/<prefix>XXXXXX, opened read-write. Throws sb::Error naming `dir` on failure.
  TempFile(const std::string& dir, const std::string& prefix);
  ~TempFile();
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  int fd() const { return fd_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int fd_ = -1;
};

}  // namespace sb
