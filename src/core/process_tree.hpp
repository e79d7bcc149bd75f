#pragma once
// A process and everything it started: a `command` workload's program often runs its engine in
// child processes (vLLM's engine core, torch's compile workers), whose mapped libraries are the
// ones that ran.
#include <string_view>
#include <vector>

namespace sb {

// The parent pid from the text of /proc/PID/stat ("pid (comm) state ppid ..."; comm may hold
// spaces and parentheses, so the last ')' ends it). -1 when malformed.
int parent_pid_from_stat(std::string_view stat);

// `root` and its descendants alive now, root first; [root] alone when /proc cannot be read.
std::vector<int> process_tree(int root);

}  // namespace sb
