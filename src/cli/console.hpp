#pragma once
// The session's events as `run` and `ab` print them on stderr: a line per case, or on a terminal a
// progress line rewritten in place ("\r\033[K"); a run's start, its canary and its counts; an ab's
// rounds.
#include <string>

#include "session/observer.hpp"

namespace sb::cli {

class ConsoleObserver : public session::Observer {
 public:
  // progress_line: rewrite a live line (stderr is a terminal) instead of a line per case start;
  // launched: a launcher re-executed us, and names the record itself (its path here is temporary).
  ConsoleObserver(bool progress_line, bool launched) : progress_line_(progress_line), launched_(launched) {}

  void case_started(const runner::CaseInPlan& c) override;
  void case_progress(const runner::CaseInPlan& c, const runner::ProgressStatus& status) override;
  void case_finished(const runner::CaseInPlan& c, const record::CaseResult& r) override;
  void run_started(const session::RunStarted& e) override;
  void run_finished(const session::RunFinished& e) override;
  void canary_measured(const session::CanaryMeasured& e) override;
  void ab_started(const session::AbStarted& e) override;
  void round_started(const session::RoundStarted& e) override;
  void round_finished(const session::RoundFinished& e) override;
  void records_kept(const std::vector<std::filesystem::path>& a, const std::vector<std::filesystem::path>& b) override;
  void ab_interrupted(int round) override;
  void ab_finished(const session::AbFinished& e) override;

 private:
  bool progress_line_, launched_;
  std::string title_;  // "[3/8] <case's display id>" of the case running
};

}  // namespace sb::cli
