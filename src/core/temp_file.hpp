#pragma once
// A file with a unique name (mkstemp) that is closed and removed when the object goes away, on
// every path, exceptions included: benchmarks must not leave hundreds of MiB behind in /tmp or
// /dev/shm.
#include <filesystem>
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

// A directory with a unique name (mkdtemp) under $TMPDIR (default /tmp), removed with everything
// in it when the object goes away. Throws sb::Error (exit code 1) when it cannot be created.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace sb
