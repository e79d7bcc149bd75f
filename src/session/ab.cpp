#include "session/ab.hpp"

#include <chrono>

#include <fmt/format.h>

#include "core/error.hpp"
#include "core/interrupt.hpp"
#include "launcher/session.hpp"
#include "session/drop_caches.hpp"

namespace sb::session {

AbOutcome run_ab(const AbRequest& r, Observer& observer) {
  const compare::StoppingRule& rule = r.rule;
  if (r.drop_caches) check_can_drop_caches(*r.drop_caches);
  launcher::Session session_a(r.env_a, r.options);
  launcher::Session session_b(r.env_b, r.options);
  observer.ab_started({.cases = r.plan.cases.size(),
                       .rule = rule,
                       .label_a = r.label_a,
                       .environment_a = session_a.describe(),
                       .label_b = r.label_b,
                       .environment_b = session_b.describe()});
  AbOutcome out;
  const auto started = std::chrono::steady_clock::now();
  for (int round = 1;; ++round) {
    for (const Side side : {Side::A, Side::B}) {
      launcher::Session& s = side == Side::A ? session_a : session_b;
      const std::string& label = side == Side::A ? r.label_a : r.label_b;
      // 130 or 143: after our own SIGINT/SIGTERM, or the run's when it was sent one of its own.
      const auto interrupted = [&](int run_exit_code) {
        observer.records_kept(out.records_a, out.records_b);
        observer.ab_interrupted(round);
        out.interrupted = interrupt::requested() ? interrupt::exit_code() : run_exit_code;
        return out;
      };
      if (interrupt::requested()) return interrupted(0);  // came between two runs: no further one starts
      observer.round_started({.round = round, .rule = rule, .side = side, .label = label, .environment = s.describe()});
      launcher::RunOutcome o;
      try {
        // Before each run, not only each round: B would otherwise start with the cache A warmed.
        if (r.drop_caches) drop_caches(*r.drop_caches);
        o = s.run({.label = label, .plan = r.plan, .results_dir = r.out, .caches_dropped = r.drop_caches.has_value()});
      } catch (const Error&) {
        observer.records_kept(out.records_a, out.records_b);
        throw;
      }
      if (!o.record.empty()) {
        (side == Side::A ? out.records_a : out.records_b).push_back(o.record);
        (side == Side::A ? out.baseline : out.candidate).push_back(record::load(o.record));
      }
      out.failed_case |= o.exit_code == kExitFailure;
      if (o.exit_code == kExitInterrupted || o.exit_code == kExitTerminated || interrupt::requested())
        return interrupted(o.exit_code);
    }
    const compare::StoppingCheck check =
        compare::check_stopping(rule, round, compare::compare(out.baseline, out.candidate, r.compare));
    observer.round_finished({.round = round, .rule = rule, .check = check});
    if (check.stop) {
      out.stopping = check.reason;
      break;
    }
    // Stop before a round that would end past the time limit, at the pace of the rounds so far.
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (r.max_total_time_s && elapsed * (round + 1) / round > *r.max_total_time_s) {
      out.stopping = fmt::format("stopped after {} rounds per side ({:.0f} s): another would end past --max-total-time {:g} s; {}",
                                 round, elapsed, *r.max_total_time_s,
                                 rule.fixed ? "fewer rounds than --rounds asked for"
                                            : fmt::format("not every case reached ±{:g}%", rule.precision_pct));
      break;
    }
  }
  observer.ab_finished({.stopping = out.stopping, .label_a = r.label_a, .label_b = r.label_b, .out = r.out});
  return out;
}

}  // namespace sb::session
