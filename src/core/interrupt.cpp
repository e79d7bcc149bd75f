#include "core/interrupt.hpp"

#include <semaphore.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "core/error.hpp"

namespace sb::interrupt {
namespace {

using namespace std::chrono_literals;

// After an abort, how long the child that was passed the signal has to end, and the caller to
// collect what it wrote, before the child's group is killed and we exit.
constexpr auto kAbortGrace = 2s;

// The handler touches only these (lock-free atomics) and the semaphore (sem_post is async-signal-safe).
static_assert(std::atomic<int>::is_always_lock_free);
std::atomic<int> g_first{0}, g_last{0}, g_count{0};
sem_t g_wake;

std::atomic<pid_t> g_forwarding{0};
std::atomic<bool> g_await_on_abort{false};

std::mutex g_hooks_mutex;  // held while the hooks run and while one is added or removed
std::vector<const std::function<void()>*> g_hooks;

void note(int signal) {
  int none = 0;
  g_first.compare_exchange_strong(none, signal);
  g_last.store(signal);
  g_count.fetch_add(1);
}

void on_signal(int signal) {
  const int saved_errno = errno;
  note(signal);
  sem_post(&g_wake);
  errno = saved_errno;
}

const char* name(int signal) { return signal == SIGTERM ? "SIGTERM" : "SIGINT"; }

void run_hooks() {
  std::lock_guard lock(g_hooks_mutex);
  for (const auto* fn : g_hooks) {
    try {
      (*fn)();
    } catch (const std::exception& e) {
      fmt::print(stderr, "sparkbench: {}\n", e.what());
    }
  }
}

[[noreturn]] void abort_now() {
  const pid_t group = g_forwarding.load();
  if (group > 0 && !g_await_on_abort.load()) {
    ::kill(-group, SIGKILL);  // a program of the `command` workload: nothing of it is collected
  } else if (group > 0) {
    // A re-executed sparkbench: it was passed this signal too and aborts by itself, its record
    // marked interrupted since the first. Its caller collects that record (ab moves it into the
    // results) and exits, which ends this thread too.
    const auto until = std::chrono::steady_clock::now() + kAbortGrace;
    while (g_forwarding.load() == group && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(10ms);
    if (g_forwarding.load() == group) ::kill(-group, SIGKILL);
    std::this_thread::sleep_for(kAbortGrace);
  }
  ::_exit(exit_code());
}

void watch() {
  int handled = 0;
  while (true) {
    if (sem_wait(&g_wake) != 0) continue;  // EINTR
    for (const int n = g_count.load(); handled < n;) {
      if (++handled == 1) {
        const int s = g_first.load();
        fmt::print(stderr, "\nsparkbench: {}: stopping after the current repetition{}; finished cases are kept ({} again to abort now)\n",
                   name(s), g_forwarding.load() > 0 ? " (passed on to the child process running)" : "",
                   s == SIGINT ? "Ctrl-C" : "the signal");
        run_hooks();
      } else {
        fmt::print(stderr, "\nsparkbench: {} again: aborting; the record so far is kept, marked interrupted\n",
                   name(g_last.load()));
        abort_now();
      }
    }
  }
}

}  // namespace

void install() {
  static std::once_flag once;
  std::call_once(once, [] {
    sem_init(&g_wake, 0, 0);
    std::thread(watch).detach();
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;  // file writes elsewhere are not cut short; poll() still wakes with EINTR
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
  });
}

int first_signal() { return g_first.load(); }
int count() { return g_count.load(); }
int last_signal() { return g_last.load(); }
int exit_code() { return first_signal() == SIGTERM ? kExitTerminated : kExitInterrupted; }

void record_for_test(int signal) { note(signal); }
void reset_for_test() {
  g_first = 0;
  g_last = 0;
  g_count = 0;
}

Hook::Hook(std::function<void()> fn) : fn_(std::move(fn)) {
  std::lock_guard lock(g_hooks_mutex);
  g_hooks.push_back(&fn_);
}

Hook::~Hook() {
  std::lock_guard lock(g_hooks_mutex);
  std::erase(g_hooks, &fn_);
}

ForwardingTo::ForwardingTo(pid_t group, bool await_on_abort) {
  g_await_on_abort.store(await_on_abort);
  g_forwarding.store(group);
}
ForwardingTo::~ForwardingTo() { g_forwarding.store(0); }

}  // namespace sb::interrupt
