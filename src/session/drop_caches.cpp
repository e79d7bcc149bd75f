#include "session/drop_caches.hpp"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

#include "core/error.hpp"

namespace sb::session {
namespace {

int open_control(const std::filesystem::path& control) { return ::open(control.c_str(), O_WRONLY | O_CLOEXEC); }

}  // namespace

void check_can_drop_caches(const std::filesystem::path& control) {
  const int fd = open_control(control);
  if (fd < 0)
    throw Error(fmt::format("--drop-caches cannot write {}: {}; dropping the page cache needs root (and a writable "
                            "/proc/sys: not inside a container)",
                            control.string(), std::strerror(errno)),
                "run ab as root on the host (sudo sparkbench ab ... --drop-caches), or leave out --drop-caches");
  ::close(fd);
}

void drop_caches(const std::filesystem::path& control) {
  ::sync();  // dirty pages are not dropped: written back first, they are
  const int fd = open_control(control);
  const bool written = fd >= 0 && ::write(fd, "3\n", 2) == 2;
  const int error = errno;
  if (fd >= 0) ::close(fd);
  if (!written)
    throw Error(fmt::format("--drop-caches: writing 3 to {} failed: {}", control.string(), std::strerror(error)),
                "check that this process may still write it (root, /proc/sys writable), or leave out --drop-caches",
                kExitFailure);
}

}  // namespace sb::session
