#pragma once
// Child processes for the launchers: probing a runtime (`docker info`) and running a container
// while its output streams to our stderr. argv is passed as is (no shell), so image names and
// paths need no quoting.
#include <string>
#include <vector>

namespace sb::launcher {

struct CommandOutput {
  bool ran = false;    // false: the program could not be started (not found, not executable)
  int exit_code = -1;  // 128+N when killed by signal N (the shell's convention)
  std::string out, err;
};

// The absolute path of `name` on $PATH ("" when not found). A name with a '/' is checked as given.
std::string find_on_path(const std::string& name);

// Runs argv with stdin from /dev/null and captures stdout and stderr. A child still running after
// timeout_s is killed (exit_code 128+9).
CommandOutput capture(const std::vector<std::string>& argv, double timeout_s = 30);

struct StreamedRun {
  bool ran = false;
  int exit_code = -1;       // 128+N when killed by signal N
  std::string output_tail;  // the last few KiB of stdout+stderr, for diagnosing a failure
};

// Runs argv with its stdout and stderr copied to our stderr as they arrive (our stdout stays free
// for the record paths scripts read) and kept as a tail. Extra environment variables are added to
// ours for the child.
StreamedRun run_streamed(const std::vector<std::string>& argv,
                         const std::vector<std::pair<std::string, std::string>>& extra_env = {});

// argv as one shell-quoted line, for records and messages.
std::string shell_join(const std::vector<std::string>& argv);

}  // namespace sb::launcher
