#include "core/child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <optional>

#include <fmt/format.h>

#include "core/error.hpp"
#include "core/interrupt.hpp"
#include "core/path_search.hpp"

extern char** environ;

namespace sb {
namespace {

using Clock = std::chrono::steady_clock;

// How often the loop looks at the timeout and our signals while the program runs (a pidfd
// wakes it at the exit; without one, and while draining, it looks every millisecond).
constexpr auto kTick = std::chrono::milliseconds(50);
// After the program exits, how long what it left behind (holding the pipes) may keep writing.
constexpr auto kDrainAfterExit = std::chrono::milliseconds(500);

// The pidfd: closed however the run ends.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

class Pipe {
 public:
  Pipe() {
    if (::pipe2(fds_, O_CLOEXEC) != 0)
      throw Error(fmt::format("cannot create a pipe: {}", std::strerror(errno)), "check the open-file limit (ulimit -n)",
                  kExitFailure);
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

void keep_tail(std::string& sink, const char* data, std::size_t n, std::size_t keep) {
  sink.append(data, n);
  if (sink.size() > 2 * keep) sink.erase(0, sink.size() - keep);  // trimmed now and then, not on every read
}

std::vector<std::string> child_environment(const std::map<std::string, std::string>& extra) {
  std::vector<std::string> out;
  for (char** e = environ; e && *e; ++e) {
    const std::string entry = *e;
    if (!extra.count(entry.substr(0, entry.find('=')))) out.push_back(entry);
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

// The spawn attributes every child gets: no blocked signals, SIGPIPE, SIGINT and SIGTERM at their
// defaults (whatever we ignore or catch is ours, not the child's), and its own group when asked.
void set_attributes(SpawnAttributes& attributes, bool own_process_group) {
  short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
  if (own_process_group) {
    flags |= POSIX_SPAWN_SETPGROUP;
    posix_spawnattr_setpgroup(attributes.get(), 0);
  }
  posix_spawnattr_setflags(attributes.get(), flags);
  sigset_t none, defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  sigaddset(&defaults, SIGINT);
  sigaddset(&defaults, SIGTERM);
  posix_spawnattr_setsigmask(attributes.get(), &none);
  posix_spawnattr_setsigdefault(attributes.get(), &defaults);
}

void decode_status(int status, ChildOutcome& outcome) {
  if (WIFEXITED(status)) {
    outcome.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    outcome.signal = WTERMSIG(status);
    outcome.exit_code = 128 + outcome.signal;
  }
}

}  // namespace

std::string search_path_of(const ChildSpec& spec) {
  const auto path = spec.env.find("PATH");
  return path != spec.env.end() ? path->second : our_path_list();
}

std::string program_of(const ChildSpec& spec) {
  return spec.argv.empty() ? "" : find_executable(spec.argv.front(), search_path_of(spec), spec.cwd);
}

ChildOutcome run_child_process(const ChildSpec& spec) {
  ChildOutcome outcome;
  const std::string found = program_of(spec);
  if (found.empty()) {
    outcome.start_error = spec.argv.empty() ? "no program given" : "not found or not executable";
    return outcome;
  }
  // Absolute: the child changes to cwd before the program is started.
  const std::string program = std::filesystem::absolute(found).string();

  Pipe out, err;
  SpawnActions actions;
  posix_spawn_file_actions_addopen(actions.get(), STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(actions.get(), out.write_end(), STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(actions.get(), err.write_end(), STDERR_FILENO);
  if (!spec.cwd.empty()) posix_spawn_file_actions_addchdir_np(actions.get(), spec.cwd.c_str());
  SpawnAttributes attributes;
  set_attributes(attributes, spec.own_process_group);
  std::vector<std::string> argv_storage = spec.argv;
  std::vector<std::string> env_storage = child_environment(spec.env);
  auto argv = c_strings(argv_storage);
  auto envp = c_strings(env_storage);

  pid_t pid = -1;
  const auto start = Clock::now();
  const int rc = posix_spawn(&pid, program.c_str(), actions.get(), attributes.get(), argv.data(), envp.data());
  out.close_write();
  err.close_write();
  if (rc != 0) {
    outcome.start_error = std::strerror(rc);
    return outcome;
  }
  outcome.started = true;

  // A kill reaches the whole group only when the child leads one of its own: ours is not its to end.
  const pid_t target = spec.own_process_group ? -pid : pid;
  const bool forward = spec.own_process_group && spec.forward_signals;
  std::optional<interrupt::ForwardingTo> forwarding;
  if (forward) forwarding.emplace(pid, spec.await_on_abort);
  int forwarded = 0;
  Clock::time_point forwarded_at;
  const bool has_deadline = spec.timeout_s > 0;
  const auto deadline =
      has_deadline ? start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(spec.timeout_s))
                   : Clock::time_point::max();
  // A pidfd wakes poll() the moment the program exits, so wall_ms is not rounded up to a tick.
  const FileDescriptor exit_fd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  pollfd fds[3] = {{out.read_end(), POLLIN, 0}, {err.read_end(), POLLIN, 0}, {exit_fd.get(), POLLIN, 0}};
  std::string* sinks[2] = {&outcome.out, &outcome.err};
  int open_pipes = 2;
  bool exited = false;
  Clock::time_point exited_at;
  while (true) {
    siginfo_t info{};
    // WNOWAIT: seen but not reaped, so the pid (and group id) stays its own until the stragglers are killed.
    if (!exited && ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid) {
      exited = true;
      exited_at = Clock::now();
      outcome.wall_ms = std::chrono::duration<double, std::milli>(exited_at - start).count();
      fds[2].fd = -1;
    }
    const auto now = Clock::now();
    if (exited && (open_pipes == 0 || now - exited_at > kDrainAfterExit)) break;
    if (!exited && now >= deadline) {
      outcome.timed_out = true;  // killed below, with every other way out of the loop
      break;
    }
    if (!exited && forward && forwarded < interrupt::count() && (forwarded == 0 || now - forwarded_at >= kTick)) {
      ::kill(-pid, ++forwarded == 1 ? interrupt::first_signal() : interrupt::last_signal());
      forwarded_at = now;
      outcome.interrupted = true;
    }
    if (!exited && spec.while_running) spec.while_running(pid, std::chrono::duration<double>(now - start).count());
    auto poll_wait = exit_fd.get() >= 0 && !exited ? kTick : std::chrono::milliseconds(1);
    if (!exited && has_deadline)
      poll_wait = std::min(poll_wait, std::chrono::ceil<std::chrono::milliseconds>(deadline - now));
    const int n = ::poll(fds, 3, static_cast<int>(poll_wait.count()));
    if (n < 0 && errno != EINTR) break;  // EINTR: one of our signals; the loop passes it on
    for (int i = 0; i < 2 && n > 0; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char buf[65536];
      const ssize_t got = ::read(fds[i].fd, buf, sizeof buf);
      if (got > 0) {
        if (spec.echo_to_stderr) {
          std::fwrite(buf, 1, static_cast<std::size_t>(got), stderr);
          std::fflush(stderr);
        }
        keep_tail(*sinks[i], buf, static_cast<std::size_t>(got), spec.keep_bytes);
      } else if (got == 0 || errno != EINTR) {
        fds[i].fd = -1;
        --open_pipes;
      }
    }
  }
  if (!exited) ::kill(target, SIGKILL);  // also when poll() failed: it must not outlive the run
  // Whatever it left running in its group must not overlap the next run.
  if (spec.own_process_group) ::kill(-pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!exited) outcome.wall_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  for (auto* sink : sinks)
    if (sink->size() > spec.keep_bytes) sink->erase(0, sink->size() - spec.keep_bytes);
  decode_status(status, outcome);
  return outcome;
}

std::string shell_join(const std::vector<std::string>& argv) {
  std::string line;
  for (const auto& a : argv) {
    if (!line.empty()) line += ' ';
    const bool plain = !a.empty() && a.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                         "0123456789-_./:=,@%+") == std::string::npos;
    if (plain) {
      line += a;
      continue;
    }
    line += '\'';
    for (char c : a) line += c == '\'' ? std::string("'\\''") : std::string(1, c);
    line += '\'';
  }
  return line;
}

}  // namespace sb
