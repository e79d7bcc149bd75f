#pragma once
// SIGINT and SIGTERM (a terminal's Ctrl-C, `kill`, `timeout`, CI cancellation, `docker stop`):
// the first asks the run to stop after the current repetition and keep what it measured, the
// second aborts at once. The child a run is running (a re-executed sparkbench, a container
// runtime, the `command` workload's program) is passed each signal by run_child_process.
//
// Design: the handler only does what a handler may (atomics, sem_post); a watcher thread, woken by
// the semaphore, does the rest (the message, the hooks that rewrite a record, the abort), so that
// the file I/O never runs inside a handler. The handler runs on whichever thread the kernel picks:
// blocking the signals everywhere and taking them with sigwait would not do, because threads that
// exist before main (OpenBLAS starts its pool when the library loads) would not block them and
// would die of their default action.
#include <functional>
#include <sys/types.h>

namespace sb::interrupt {

// Installs the handlers and starts the watcher thread; once, first thing in main.
void install();

// The first SIGINT or SIGTERM received, 0 while none has come.
int first_signal();
inline bool requested() { return first_signal() != 0; }
// How many have come, and the latest: run_child_process passes each new one on to its child.
int count();
int last_signal();
// 128 + the first signal (130 SIGINT, 143 SIGTERM): the code a shell shows for a process killed by it.
int exit_code();

// What the handler records, without the watcher's message and actions: for tests.
void record_for_test(int signal);
void reset_for_test();

// While one lives, `fn` runs on the watcher thread right after the first signal: the CLI rewrites
// its record marked interrupted there, so that the file says so even if the process is killed
// before the current repetition ends (a second signal, `docker stop`'s SIGKILL after its grace
// period). Its destructor waits for a call in progress.
class Hook {
 public:
  explicit Hook(std::function<void()> fn);
  ~Hook();
  Hook(const Hook&) = delete;
  Hook& operator=(const Hook&) = delete;

 private:
  std::function<void()> fn_;
};

// While one lives, our signals are being passed on to the process group `group`. An abort kills
// the group at once; or, with `await_on_abort` (a re-executed sparkbench, which was passed the
// second signal too and aborts by itself), lets it end and the caller collect what it wrote, for
// up to 2 s each, and kills it only then.
class ForwardingTo {
 public:
  ForwardingTo(pid_t group, bool await_on_abort);
  ~ForwardingTo();
  ForwardingTo(const ForwardingTo&) = delete;
  ForwardingTo& operator=(const ForwardingTo&) = delete;
};

}  // namespace sb::interrupt
