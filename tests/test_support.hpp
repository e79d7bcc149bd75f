#pragma once
// Helpers shared by the unit tests: what an sb::Error said; a case's repetition as the runner
// measures it.
#include <functional>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "runner/timing.hpp"
#include "workload/workload.hpp"

namespace sb::test {

// "problem | fix" of the sb::Error that f throws, or "" when it throws none.
inline std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return std::string(e.what()) + " | " + e.fix();
  }
  return "";
}

// The sb::Error that f throws; a test failure when it throws none.
template <class F>
Error expect_error(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "expected sb::Error";
  return Error("", "");
}

// A case measured as the runner measures it (runner/timing: sized, timed, rates derived): the
// repetitions and the info its record would carry (the case's own and the harness's).
struct Measured {
  std::vector<Measurement> repetitions;
  nlohmann::json info;
};
inline Measured measure(const Workload& w, CaseRun& run, int repetitions = 1) {
  runner::CaseTimer timer(run, w.metrics);
  Measured out;
  for (int i = 0; i < repetitions; ++i) out.repetitions.push_back(timer.repetition());
  out.info = run.info();
  out.info.update(timer.info());
  return out;
}
inline Measurement measure_once(const Workload& w, CaseRun& run) { return measure(w, run).repetitions.front(); }
// One repetition of a case that times itself (ProgramCase: command, llm, cuda_init).
inline Measurement run_program(CaseRun& run) { return dynamic_cast<ProgramCase&>(run).run(); }

}  // namespace sb::test
