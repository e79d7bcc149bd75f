#pragma once
// One run of the user's program: argv exactly as given (no shell), in its own process group so
// that a timeout or Ctrl-C reaches everything it started, with stdout and stderr captured apart.
#include <map>
#include <string>
#include <vector>

namespace sb::command {

struct ChildRequest {
  std::vector<std::string> argv;           // argv[0] is looked up on PATH (the env's PATH if it sets one)
  std::map<std::string, std::string> env;  // added to (or replacing in) our environment
  std::string cwd;                         // "" = ours
  double timeout_s = 600;
};

struct ChildResult {
  int exit_code = -1;      // the program's status; 128+N when killed by signal N
  int signal = 0;          // N when killed by a signal
  bool timed_out = false;  // killed (SIGKILL to its process group) after timeout_s
  bool interrupted = false;  // Ctrl-C reached sparkbench during the run; SIGINT was passed on
  double wall_ms = 0;      // from start to exit
  std::string out, err;    // at most the last 16 MiB of each
};

// Throws sb::Error when the program cannot be started (not found, not executable, bad cwd): the
// message names argv[0], PATH and the working directory. Returns the program's absolute path.
std::string check_startable(const ChildRequest& request);

// Runs it to the end (or the timeout); throws what check_startable throws.
ChildResult run_child(const ChildRequest& request);

}  // namespace sb::command
