#include "report/gnuplot.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sstream>

namespace sb::report::detail {
namespace {

bool is_executable(const std::filesystem::path& p) {
  std::error_code ec;
  return std::filesystem::is_regular_file(p, ec) && ::access(p.c_str(), X_OK) == 0;
}

}  // namespace

GnuplotLookup find_gnuplot() {
  if (const char* forced = std::getenv("SPARKBENCH_GNUPLOT"); forced != nullptr && *forced != '\0') {
    if (is_executable(forced)) return {forced, ""};
    return {{}, std::string("gnuplot not found at ") + forced +
                    " (set by SPARKBENCH_GNUPLOT): fix or unset that variable, or install gnuplot-nox, and re-run "
                    "`sparkbench compare`"};
  }
  if (const char* path = std::getenv("PATH"); path != nullptr) {
    std::istringstream dirs(path);
    for (std::string dir; std::getline(dirs, dir, ':');) {
      if (!dir.empty() && is_executable(std::filesystem::path(dir) / "gnuplot")) return {std::filesystem::path(dir) / "gnuplot", ""};
    }
  }
  if (is_executable(SPARKBENCH_GNUPLOT)) return {SPARKBENCH_GNUPLOT, ""};
  return {{}, "gnuplot not found: install gnuplot-nox and re-run `sparkbench compare`"};
}

ProcessResult run_gnuplot(const std::filesystem::path& executable, const std::filesystem::path& workdir,
                          const std::vector<std::string>& args) {
  // Everything the child needs is prepared before fork: after it, only async-signal-safe calls.
  std::vector<std::string> storage{executable.string()};
  storage.insert(storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& s : storage) argv.push_back(s.data());
  argv.push_back(nullptr);
  const std::string dir = workdir.string();

  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return {-1, std::string("pipe failed: ") + std::strerror(errno)};
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(pipe_fds[0]);
    ::close(pipe_fds[1]);
    return {-1, std::string("fork failed: ") + std::strerror(errno)};
  }
  if (pid == 0) {
    const int null_fd = ::open("/dev/null", O_RDWR);
    if (null_fd < 0 || ::dup2(null_fd, 0) < 0 || ::dup2(null_fd, 1) < 0 || ::dup2(pipe_fds[1], 2) < 0 ||
        ::chdir(dir.c_str()) != 0) {
      ::_exit(127);
    }
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(pipe_fds[1]);
  ProcessResult result;
  char buffer[4096];
  for (;;) {
    const ssize_t got = ::read(pipe_fds[0], buffer, sizeof buffer);
    if (got > 0) result.stderr_text.append(buffer, static_cast<std::size_t>(got));
    else if (got == 0 || errno != EINTR) break;
  }
  ::close(pipe_fds[0]);
  int status = 0;
  pid_t waited;
  while ((waited = ::waitpid(pid, &status, 0)) < 0 && errno == EINTR) {
  }
  if (waited < 0) return {-1, result.stderr_text + "waitpid failed: " + std::strerror(errno)};
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

std::string gnuplot_quote(const std::string& text) {
  std::string out = "\"";
  for (char ch : text) {
    if (ch == '\\' || ch == '"') out += '\\';
    if (ch == '\n') {
      out += "\\n";
      continue;
    }
    out += ch;
  }
  return out + "\"";
}

}  // namespace sb::report::detail
