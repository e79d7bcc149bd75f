#pragma once
// The one error type that reaches the user: what went wrong, and what to do about it.
#include <stdexcept>
#include <string>

namespace sb {

// Exit codes are part of the CLI's contract (documented in `sparkbench --help`).
enum ExitCode : int {
  kExitOk = 0,
  kExitFailure = 1,       // a benchmark or comparison could not be completed
  kExitUsage = 2,         // bad command line, config or input file
  kExitThreshold = 3,     // compare --fail-above: a slower case's overhead exceeded the threshold
  kExitInconclusive = 4,  // compare --fail-inconclusive: a case is neither shown different nor equivalent
  kExitInterrupted = 130,  // SIGINT (Ctrl-C); finished cases are kept
  kExitTerminated = 143    // SIGTERM (kill, timeout, CI cancellation, docker stop); finished cases are kept
};

class Error : public std::runtime_error {
 public:
  Error(std::string problem, std::string fix, int exit_code = kExitUsage)
      : std::runtime_error(problem), fix_(std::move(fix)), exit_code_(exit_code) {}
  const std::string& fix() const { return fix_; }
  int exit_code() const { return exit_code_; }

 private:
  std::string fix_;
  int exit_code_;
};

// Thrown by a workload when the case cannot run on this machine (no GPU, library missing).
// The runner records the case as unavailable and carries on with the others.
class Unavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace sb
