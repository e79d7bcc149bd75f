#pragma once
// One run of the user's program through sb::run_child_process, with the command workload's
// messages for a program that cannot be started.
#include <string>

#include "core/child_process.hpp"

namespace sb::command {

// Throws sb::Error when the program cannot be started (not found, not executable, bad cwd): the
// message names argv[0], PATH and the working directory. Returns the program's path.
std::string check_startable(const ChildSpec& spec);

// Runs it to the end (or the timeout); throws what check_startable throws, and sb::Error when
// starting it fails all the same.
ChildOutcome run_child(const ChildSpec& spec);

}  // namespace sb::command
