#include "workloads/command/child.hpp"

#include <sys/stat.h>

#include <fmt/format.h>

#include "core/error.hpp"

namespace sb::command {

std::string check_startable(const ChildSpec& spec) {
  struct stat st {};
  if (!spec.cwd.empty() && (::stat(spec.cwd.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)))
    throw Error(fmt::format("the working directory '{}' does not exist here", spec.cwd),
                "give `cwd:` a directory that exists where the command runs (in a container: one the image or the "
                "host-mirror mounts provide)");
  const std::string program = program_of(spec);
  if (program.empty())
    throw Error(fmt::format("'{}' was not found{} (PATH={}, working directory {})", spec.argv.at(0),
                            spec.argv[0].find('/') != std::string::npos ? " or is not executable" : " on PATH",
                            search_path_of(spec), spec.cwd.empty() ? "unchanged" : spec.cwd),
                "install it, or give its absolute path in argv; in a container image (--env docker:IMAGE) the tool "
                "must exist in the image; host-mirror containers see the host's /usr, /bin, /lib*, the sparkbench "
                "and config directories and the install prefixes of PATH entries, anything else needs --mount");
  return program;
}

ChildOutcome run_child(const ChildSpec& spec) {
  const std::string program = check_startable(spec);
  ChildOutcome outcome = run_child_process(spec);
  if (!outcome.started)
    throw Error(fmt::format("cannot start '{}' ({}): {}", spec.argv[0], program, outcome.start_error),
                "check that it is an executable for this machine (a script needs a #! line)");
  return outcome;
}

}  // namespace sb::command
