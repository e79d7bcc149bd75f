#include "core/atomic_file.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <system_error>

#include <fmt/format.h>
#include <unistd.h>

#include "core/error.hpp"

namespace sb {
namespace {

// Removes the temporary file of write_atomic unless the rename took it: no failure (open, write,
// close, rename, an exception) leaves a `.<name>.tmp.<pid>` behind on a full disk.
class RemoveUnlessRenamed {
 public:
  explicit RemoveUnlessRenamed(std::filesystem::path path) : path_(std::move(path)) {}
  ~RemoveUnlessRenamed() {
    std::error_code ec;
    if (!renamed_) std::filesystem::remove(path_, ec);
  }
  RemoveUnlessRenamed(const RemoveUnlessRenamed&) = delete;
  RemoveUnlessRenamed& operator=(const RemoveUnlessRenamed&) = delete;
  void renamed() { renamed_ = true; }

 private:
  std::filesystem::path path_;
  bool renamed_ = false;
};

}  // namespace

void write_atomic(const std::filesystem::path& file, const std::string& content) {
  namespace fs = std::filesystem;
  const fs::path dir = file.has_parent_path() ? file.parent_path() : fs::path(".");
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec)
    throw Error(fmt::format("cannot create directory {}: {}", dir.string(), ec.message()),
                "choose a writable output directory with --out", kExitFailure);
  const fs::path tmp = dir / fmt::format(".{}.tmp.{}", file.filename().string(), ::getpid());
  RemoveUnlessRenamed cleanup(tmp);  // declared before the stream: the file is closed before it is removed
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << content;
    out.close();
    if (!out)
      throw Error(fmt::format("cannot write {}: {}", tmp.string(), std::strerror(errno)),
                  "check free space and permissions of the output directory (the earlier file, if any, is untouched)",
                  kExitFailure);
  }
  fs::rename(tmp, file, ec);
  if (ec)
    throw Error(fmt::format("cannot rename {} to {}: {}", tmp.string(), file.string(), ec.message()),
                "check permissions of the output directory", kExitFailure);
  cleanup.renamed();
}

}  // namespace sb
