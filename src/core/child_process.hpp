#pragma once
// Running another program to its end: argv exactly as given (no shell, so image names and paths
// need no quoting), stdin from /dev/null, stdout and stderr read apart and kept as tails. The
// launchers probe runtimes and run containers with it, the session runs the re-executed sparkbench,
// and the `command` workload runs the user's program: the last three in their own process group,
// with our SIGINT/SIGTERM passed on, so that a signal sent to sparkbench alone reaches the child.
#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace sb {

struct ChildSpec {
  // argv[0] is looked up on PATH (the env's PATH when it sets one); a name with a '/' is taken
  // relative to cwd.
  std::vector<std::string> argv{};
  std::map<std::string, std::string> env{};  // added to, or replacing in, our environment
  std::string cwd{};                        // "" = ours
  double timeout_s = 0;                     // 0 = no limit; past it, SIGKILL (to the group with own_process_group)
  // Its own process group: a timeout kills everything it started, and whatever it left running is
  // killed once it has exited (and its output drained for up to 500 ms), so that nothing overlaps
  // the next run. Without it, the child shares our group and sees our terminal's Ctrl-C itself.
  bool own_process_group = false;
  // With own_process_group: each SIGINT or SIGTERM we receive (core/interrupt.hpp), also one that
  // came before it started, is passed on to the group, the same signal, one per 50 ms tick (two
  // sent at once would merge into one). The group is outside our terminal's foreground group, so
  // a Ctrl-C reaches it this way only: once, like a signal sent to our pid alone.
  bool forward_signals = false;
  // With forward_signals, on an abort (our second signal): false, the group is killed at once;
  // true, it is given a moment to end by itself and its caller to collect what it wrote (a
  // re-executed sparkbench, which aborts too and leaves its record marked interrupted).
  bool await_on_abort = false;
  bool echo_to_stderr = false;              // copy its stdout and stderr to our stderr as they arrive
  // Called while it runs, at least once per 50 ms tick (more often when it writes), with its pid
  // and the seconds since it started: to read what only exists while it runs (its /proc files,
  // the libraries its process tree has mapped). Keep it cheap: it runs on the loop that drains
  // the child's output.
  std::function<void(int pid, double seconds)> while_running{};
  std::size_t keep_bytes = 16u << 20;       // the tail of each stream that is kept
};

struct ChildOutcome {
  bool started = false;       // false: not found, not executable, no such cwd (start_error says why)
  int exit_code = -1;         // its status; 128+N when killed by signal N (the shell's convention)
  std::string out{}, err{};   // the last keep_bytes of each
  int signal = 0;             // N when killed by signal N
  bool timed_out = false;     // killed after timeout_s
  bool interrupted = false;   // a SIGINT or SIGTERM of ours was passed on to it
  double wall_ms = 0;         // from start to exit
  std::string start_error{};  // why it did not start
};

// Runs it to the end, or to the timeout. Throws sb::Error only when no pipe can be created.
ChildOutcome run_child_process(const ChildSpec& spec);

// The directories argv[0] is looked up in: the env's PATH when it sets one, else ours.
std::string search_path_of(const ChildSpec& spec);

// The file argv[0] runs as, "" when it is not found or not executable.
std::string program_of(const ChildSpec& spec);

// argv as one shell-quoted line, for records and messages.
std::string shell_join(const std::vector<std::string>& argv);

}  // namespace sb
