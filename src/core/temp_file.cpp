#include "core/temp_file.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

#include <fmt/format.h>

#include "core/error.hpp"

namespace sb {

TempFile::TempFile(const std::string& dir, const std::string& prefix) {
  std::string pattern = dir;
  if (pattern.empty() || pattern.back() != '/') pattern += '/';
  pattern += prefix + "XXXXXX";
  std::vector<char> name(pattern.begin(), pattern.end());
  name.push_back('\0');
  fd_ = mkstemp(name.data());
  if (fd_ < 0)
    throw Error(fmt::format("cannot create a temporary file in '{}': {}", dir, std::strerror(errno)),
                "give a directory that exists and is writable (parameter `dir`)");
  path_ = name.data();
}

TempFile::~TempFile() {
  if (fd_ >= 0) close(fd_);
  if (!path_.empty()) unlink(path_.c_str());
}

TempDir::TempDir(const std::string& prefix) {
  const char* tmp = std::getenv("TMPDIR");
  const std::string dir = tmp && *tmp ? tmp : "/tmp";
  std::string pattern = fmt::format("{}/{}XXXXXX", dir, prefix);
  if (!mkdtemp(pattern.data()))
    throw Error(fmt::format("cannot create a directory under {}: {}", dir, std::strerror(errno)),
                "set TMPDIR to a writable directory", kExitFailure);
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace sb
