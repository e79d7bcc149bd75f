#include "workloads/command/child.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

#include "core/error.hpp"
#include "core/path_search.hpp"
#include "runner/runner.hpp"

extern char** environ;

namespace sb::command {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kKeepBytes = 16u << 20;
constexpr auto kTick = std::chrono::milliseconds(50);
// After the program exits, how long what it left behind (holding the pipes) may keep writing.
constexpr auto kDrainAfterExit = std::chrono::milliseconds(500);

class Pipe {
 public:
  Pipe() {
    if (::pipe2(fds_, O_CLOEXEC) != 0)
      throw Error(fmt::format("cannot create a pipe: {}", std::strerror(errno)), "check the open-file limit (ulimit -n)");
  }
  ~Pipe() {
    close_read();
    close_write();
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;
  int read_end() const { return fds_[0]; }
  int write_end() const { return fds_[1]; }
  void close_read() { close(0); }
  void close_write() { close(1); }

 private:
  void close(int i) {
    if (fds_[i] >= 0) ::close(fds_[i]);
    fds_[i] = -1;
  }
  int fds_[2] = {-1, -1};
};

class SpawnActions {
 public:
  SpawnActions() { posix_spawn_file_actions_init(&fa_); }
  ~SpawnActions() { posix_spawn_file_actions_destroy(&fa_); }
  SpawnActions(const SpawnActions&) = delete;
  SpawnActions& operator=(const SpawnActions&) = delete;
  posix_spawn_file_actions_t* get() { return &fa_; }

 private:
  posix_spawn_file_actions_t fa_;
};

class SpawnAttributes {
 public:
  SpawnAttributes() { posix_spawnattr_init(&attr_); }
  ~SpawnAttributes() { posix_spawnattr_destroy(&attr_); }
  SpawnAttributes(const SpawnAttributes&) = delete;
  SpawnAttributes& operator=(const SpawnAttributes&) = delete;
  posix_spawnattr_t* get() { return &attr_; }

 private:
  posix_spawnattr_t attr_;
};

void keep_tail(std::string& sink, const char* data, std::size_t n) {
  sink.append(data, n);
  if (sink.size() > 2 * kKeepBytes) sink.erase(0, sink.size() - kKeepBytes);
}

std::vector<std::string> child_environment(const std::map<std::string, std::string>& extra) {
  std::vector<std::string> out;
  for (char** e = environ; e && *e; ++e) {
    const std::string entry = *e;
    const std::string name = entry.substr(0, entry.find('='));
    if (!extra.count(name)) out.push_back(entry);
  }
  for (const auto& [k, v] : extra) out.push_back(k + "=" + v);
  return out;
}

std::vector<char*> c_strings(std::vector<std::string>& v) {
  std::vector<char*> out;
  for (auto& s : v) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

}  // namespace

std::string check_startable(const ChildRequest& request) {
  const auto env_path = request.env.find("PATH");
  const char* our_path = std::getenv("PATH");
  const std::string path = env_path != request.env.end() ? env_path->second : our_path ? our_path : "/usr/bin:/bin";
  struct stat st {};
  if (!request.cwd.empty() && (::stat(request.cwd.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)))
    throw Error(fmt::format("the working directory '{}' does not exist here", request.cwd),
                "give `cwd:` a directory that exists where the command runs (in a container: one the image or the "
                "host-mirror mounts provide)");
  const std::string program = find_executable(request.argv.at(0), path, request.cwd);
  if (program.empty())
    throw Error(fmt::format("'{}' was not found{} (PATH={}, working directory {})", request.argv[0],
                            request.argv[0].find('/') != std::string::npos ? " or is not executable" : " on PATH", path,
                            request.cwd.empty() ? "unchanged" : request.cwd),
                "install it, or give its absolute path in argv; in a container image (--env docker:IMAGE) the tool "
                "must exist in the image; host-mirror containers see the host's /usr, /bin, /lib*, the sparkbench "
                "and config directories and the install prefixes of PATH entries, anything else needs --mount");
  return program;
}

ChildResult run_child(const ChildRequest& request) {
  const std::string program = check_startable(request);
  Pipe out, err;
  SpawnActions actions;
  posix_spawn_file_actions_addopen(actions.get(), STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(actions.get(), out.write_end(), STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(actions.get(), err.write_end(), STDERR_FILENO);
  if (!request.cwd.empty()) posix_spawn_file_actions_addchdir_np(actions.get(), request.cwd.c_str());
  // Its own process group: a timeout kills everything it started, and our terminal's Ctrl-C is
  // passed on deliberately (it reaches sparkbench, which stops between repetitions).
  SpawnAttributes attributes;
  posix_spawnattr_setflags(attributes.get(), POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  posix_spawnattr_setpgroup(attributes.get(), 0);
  sigset_t none, defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  sigaddset(&defaults, SIGINT);
  posix_spawnattr_setsigmask(attributes.get(), &none);
  posix_spawnattr_setsigdefault(attributes.get(), &defaults);

  std::vector<std::string> argv_storage = request.argv;
  std::vector<std::string> env_storage = child_environment(request.env);
  auto argv = c_strings(argv_storage);
  auto envp = c_strings(env_storage);
  pid_t pid = -1;
  const auto start = Clock::now();
  const int rc = posix_spawn(&pid, program.c_str(), actions.get(), attributes.get(), argv.data(), envp.data());
  out.close_write();
  err.close_write();
  if (rc != 0)
    throw Error(fmt::format("cannot start '{}' ({}): {}", request.argv[0], program, std::strerror(rc)),
                "check that it is an executable for this machine (a script needs a #! line)");

  ChildResult result;
  const auto deadline = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(request.timeout_s));
  // A pidfd wakes poll() the moment the program exits, so wall_ms is not rounded up to a tick.
  const int exit_fd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  pollfd fds[3] = {{out.read_end(), POLLIN, 0}, {err.read_end(), POLLIN, 0}, {exit_fd, POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  int open_pipes = 2, status = 0;  // status: set by the final waitpid
  bool exited = false;
  Clock::time_point exited_at;
  auto& interrupt = runner::interrupt_flag();
  while (true) {
    siginfo_t info{};
    // WNOWAIT: seen but not reaped, so the group id stays ours until the stragglers are killed.
    if (!exited && ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid) {
      exited = true;
      exited_at = Clock::now();
      result.wall_ms = std::chrono::duration<double, std::milli>(exited_at - start).count();
      fds[2].fd = -1;
    }
    const auto now = Clock::now();
    if (exited && (open_pipes == 0 || now - exited_at > kDrainAfterExit)) break;
    if (!exited && now >= deadline) {
      ::kill(-pid, SIGKILL);
      result.timed_out = true;
      break;
    }
    if (!exited && interrupt && !result.interrupted) {
      ::kill(-pid, SIGINT);
      result.interrupted = true;
    }
    const int n = ::poll(fds, 3, exit_fd >= 0 && !exited ? static_cast<int>(kTick.count()) : 1);
    if (n < 0 && errno != EINTR) break;
    for (int i = 0; i < 2 && n > 0; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char buf[65536];
      const ssize_t got = ::read(fds[i].fd, buf, sizeof buf);
      if (got > 0) {
        keep_tail(*sinks[i], buf, static_cast<std::size_t>(got));
      } else if (got == 0 || errno != EINTR) {
        fds[i].fd = -1;
        --open_pipes;
      }
    }
  }
  if (exit_fd >= 0) ::close(exit_fd);
  // Whatever it left running in its group must not overlap the next repetition.
  ::kill(-pid, SIGKILL);
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!exited) result.wall_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  for (auto* sink : sinks)
    if (sink->size() > kKeepBytes) sink->erase(0, sink->size() - kKeepBytes);
  if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.signal = WTERMSIG(status);
    result.exit_code = 128 + result.signal;
  }
  return result;
}

}  // namespace sb::command
