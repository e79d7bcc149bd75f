// sb::run_child_process with real programs (/bin/sh): the two streams apart, exit codes and
// signals, a timeout that kills a whole process group, env and cwd, the kept tail, a program that
// is missing, and the echo of its output to our stderr.
#include "core/child_process.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/interrupt.hpp"

namespace sb {
namespace {

namespace fs = std::filesystem;

// Gone, or a zombie waiting for init to reap it: no longer running either way.
bool process_gone(pid_t pid) {
  if (::kill(pid, 0) != 0) return errno == ESRCH;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string id, comm, state;
  return !(stat >> id >> comm >> state) || state == "Z";
}

bool gone_within(pid_t pid, std::chrono::milliseconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (!process_gone(pid)) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

TEST(ChildProcess, CapturesStdoutAndStderrApart) {
  const ChildOutcome r = run_child_process({.argv = {"sh", "-c", "echo to-out; echo to-err >&2; echo more-out"}});
  EXPECT_TRUE(r.started);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "to-out\nmore-out\n");
  EXPECT_EQ(r.err, "to-err\n");
  EXPECT_FALSE(r.timed_out);
  EXPECT_GT(r.wall_ms, 0);
}

TEST(ChildProcess, ExitCodeAndSignalAs128PlusN) {
  const ChildOutcome exited = run_child_process({.argv = {"sh", "-c", "exit 7"}});
  EXPECT_EQ(exited.exit_code, 7);
  EXPECT_EQ(exited.signal, 0);
  const ChildOutcome killed = run_child_process({.argv = {"sh", "-c", "kill -TERM $$"}});
  EXPECT_EQ(killed.signal, SIGTERM);
  EXPECT_EQ(killed.exit_code, 128 + SIGTERM);
}

TEST(ChildProcess, TimeoutKillsTheWholeProcessGroup) {
  // The background sleep prints its pid, then the script waits on a second sleep: both must die.
  const auto t0 = std::chrono::steady_clock::now();
  const ChildOutcome r = run_child_process(
      {.argv = {"sh", "-c", "sleep 30 & echo $!; sleep 30"}, .timeout_s = 0.3, .own_process_group = true});
  const auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.signal, SIGKILL);
  EXPECT_EQ(r.exit_code, 128 + SIGKILL);
  EXPECT_LT(took, std::chrono::seconds(1));
  EXPECT_GE(r.wall_ms, 300);
  const pid_t background = std::stoi(r.out);
  EXPECT_TRUE(gone_within(background, std::chrono::milliseconds(1000)))
      << "background sleep " << background << " survived the timeout";
}

TEST(ChildProcess, OurSigintIsPassedOnToTheGroup) {
  interrupt::reset_for_test();
  std::thread press([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    interrupt::record_for_test(SIGINT);
  });
  const ChildOutcome r = run_child_process({.argv = {"sh", "-c", "sleep 30"},
                                            .timeout_s = 10,
                                            .own_process_group = true,
                                            .forward_signals = true});
  press.join();
  interrupt::reset_for_test();
  EXPECT_TRUE(r.interrupted);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.signal, SIGINT);
  EXPECT_LT(r.wall_ms, 5000);
}

TEST(ChildProcess, EachSignalIsPassedOnAsItCameAndOneFromBeforeTheStartToo) {
  // A SIGTERM that came before the program started ends it too: a run started late must stop.
  interrupt::reset_for_test();
  interrupt::record_for_test(SIGTERM);
  const ChildOutcome early = run_child_process(
      {.argv = {"sh", "-c", "sleep 30"}, .timeout_s = 10, .own_process_group = true, .forward_signals = true});
  EXPECT_EQ(early.signal, SIGTERM);
  EXPECT_FALSE(early.timed_out);

  // Two signals, each passed on by itself and as itself (sent together, two would merge into one).
  interrupt::reset_for_test();
  std::thread press([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    interrupt::record_for_test(SIGINT);
    interrupt::record_for_test(SIGTERM);
  });
  const ChildOutcome both = run_child_process(
      {.argv = {"sh", "-c", "trap 'echo got-int' INT; trap 'echo got-term; exit 0' TERM; echo ready; "
                            "while :; do sleep 0.05; done"},
       .timeout_s = 10,
       .own_process_group = true,
       .forward_signals = true});
  press.join();
  interrupt::reset_for_test();
  EXPECT_FALSE(both.timed_out);
  EXPECT_EQ(both.exit_code, 0) << both.err;
  EXPECT_EQ(both.out, "ready\ngot-int\ngot-term\n");
}

TEST(ChildProcess, WithoutForwardingOurSignalsAreNotPassedOn) {
  interrupt::reset_for_test();
  interrupt::record_for_test(SIGINT);
  const ChildOutcome r = run_child_process({.argv = {"sh", "-c", "sleep 0.3; echo done"}, .own_process_group = true});
  interrupt::reset_for_test();
  EXPECT_FALSE(r.interrupted);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "done\n");
}

TEST(ChildProcess, EnvAdditionsAndCwd) {
  const fs::path dir = fs::canonical(fs::temp_directory_path());
  const ChildOutcome r = run_child_process(
      {.argv = {"sh", "-c", "echo \"$SB_CHILD_TEST_VAR\"; echo \"$HOME\"; pwd"},
       .env = {{"SB_CHILD_TEST_VAR", "added"}, {"HOME", "/replaced-home"}},
       .cwd = dir.string()});
  EXPECT_EQ(r.out, "added\n/replaced-home\n" + dir.string() + "\n");
}

TEST(ChildProcess, EnvPathFindsTheProgramAndRelativeNamesFollowCwd) {
  char templ[] = "/tmp/sb-child-XXXXXX";
  ASSERT_NE(::mkdtemp(templ), nullptr);
  const fs::path dir = templ;
  fs::create_directories(dir / "bin");
  std::ofstream(dir / "bin" / "sb-only-here") << "#!/bin/sh\necho found\n";
  fs::permissions(dir / "bin" / "sb-only-here", fs::perms::owner_all);
  EXPECT_FALSE(run_child_process({.argv = {"sb-only-here"}}).started);
  EXPECT_EQ(run_child_process({.argv = {"sb-only-here"}, .env = {{"PATH", (dir / "bin").string()}}}).out, "found\n");
  EXPECT_EQ(run_child_process({.argv = {"./bin/sb-only-here"}, .cwd = dir.string()}).out, "found\n");
  fs::remove_all(dir);
}

TEST(ChildProcess, KeepsOnlyTheTailOfEachStream) {
  // 20000 lines of "line N" on stdout, a short stderr: the kept stdout is its last 100 bytes.
  const ChildOutcome r = run_child_process(
      {.argv = {"sh", "-c", "i=0; while [ $i -lt 20000 ]; do echo \"line $i\"; i=$((i+1)); done; echo bye >&2"},
       .keep_bytes = 100});
  ASSERT_EQ(r.out.size(), 100u);
  EXPECT_EQ(r.out.substr(r.out.size() - 11), "line 19999\n");
  EXPECT_EQ(r.err, "bye\n");
}

TEST(ChildProcess, MissingProgramDoesNotStart) {
  const ChildOutcome missing = run_child_process({.argv = {"sparkbench-no-such-program"}});
  EXPECT_FALSE(missing.started);
  EXPECT_FALSE(missing.start_error.empty());
  EXPECT_FALSE(run_child_process({.argv = {"/nonexistent/tool"}}).started);
  EXPECT_FALSE(run_child_process({}).started);
  const ChildOutcome bad_cwd = run_child_process({.argv = {"true"}, .cwd = "/nonexistent-sparkbench-dir"});
  EXPECT_FALSE(bad_cwd.started);
  EXPECT_FALSE(bad_cwd.start_error.empty());
}

TEST(ChildProcess, EchoCopiesOutputToOurStderr) {
  char templ[] = "/tmp/sb-child-stderr-XXXXXX";
  const int file = ::mkstemp(templ);
  ASSERT_GE(file, 0);
  std::fflush(stderr);
  const int saved = ::dup(STDERR_FILENO);
  ::dup2(file, STDERR_FILENO);
  const ChildOutcome r =
      run_child_process({.argv = {"sh", "-c", "echo to-out; echo to-err >&2"}, .echo_to_stderr = true});
  std::fflush(stderr);
  ::dup2(saved, STDERR_FILENO);
  ::close(saved);
  ::close(file);
  std::ifstream in(templ);
  std::stringstream echoed;
  echoed << in.rdbuf();
  ::unlink(templ);
  EXPECT_EQ(r.out, "to-out\n");  // still kept
  EXPECT_EQ(r.err, "to-err\n");
  EXPECT_NE(echoed.str().find("to-out\n"), std::string::npos) << echoed.str();
  EXPECT_NE(echoed.str().find("to-err\n"), std::string::npos) << echoed.str();
}

TEST(ChildProcess, ShellJoinQuotesWhatNeedsIt) {
  EXPECT_EQ(shell_join({"docker", "run", "-e", "A=b c", "it's", ""}), "docker run -e 'A=b c' 'it'\\''s' ''");
}

}  // namespace
}  // namespace sb
