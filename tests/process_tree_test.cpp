// core/process_tree: the parent pid read from /proc/PID/stat text (proc(5)), and a real tree: a
// shell that started a sleep is found with its child; while_running sees the child running.
#include <unistd.h>

#include <algorithm>

#include <gtest/gtest.h>

#include "core/child_process.hpp"
#include "core/process_tree.hpp"

namespace sb {
namespace {

TEST(ProcessTree, ReadsTheParentPastAnyCommandName) {
  EXPECT_EQ(parent_pid_from_stat("4242 (bash) S 17 4242 4242 0 -1"), 17);
  EXPECT_EQ(parent_pid_from_stat("4243 (a (weird) name) R 4242 1 1 0"), 4242);  // the last ')' ends comm
  EXPECT_EQ(parent_pid_from_stat("garbage"), -1);
  EXPECT_EQ(parent_pid_from_stat("1 (x) S"), -1);
}

TEST(ProcessTree, FindsTheDescendantsOfARunningChild) {
  std::vector<int> seen;
  ChildSpec spec{.argv = {"sh", "-c", "sleep 0.6 & wait"}};
  spec.while_running = [&](int pid, double seconds) {
    if (seconds > 0.3 && seen.empty()) seen = process_tree(pid);
  };
  const ChildOutcome r = run_child_process(spec);
  ASSERT_TRUE(r.started);
  EXPECT_EQ(r.exit_code, 0);
  ASSERT_GE(seen.size(), 2u);  // the shell and its sleep
  EXPECT_EQ(process_tree(::getpid()).front(), ::getpid());
}

}  // namespace
}  // namespace sb
