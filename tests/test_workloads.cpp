#include "test_workloads.hpp"

#include <signal.h>

#include <cmath>

#include "core/error.hpp"
#include "core/interrupt.hpp"
#include "workload/workload.hpp"

namespace sb::test {
namespace {

// value_i = center * (1 + spread/100 * pattern_i): "flat" alternates ±spread, "noisy" cycles through
// a fixed sequence, so the CI half-width after n repetitions is known in advance.
class SequenceRun : public ProgramCase {
 public:
  SequenceRun(double center, double spread_pct, bool noisy) : center_(center), spread_(spread_pct / 100), noisy_(noisy) {}
  Measurement run() override {
    static const double pattern[] = {0.9, -0.4, 0.1, -1.0, 0.6, -0.2, 0.8, -0.7, 0.3, -0.5};
    const double p = noisy_ ? pattern[i_ % 10] : (i_ % 2 == 0 ? 1.0 : -1.0);
    ++i_;
    const double v = center_ * (1 + spread_ * p);
    return {{"value", v}, {"rate", 1000.0 / v}};
  }
  nlohmann::json info() const override { return {{"calls", i_}}; }

 private:
  double center_, spread_;
  bool noisy_;
  int i_ = 0;
};

SB_REGISTER_WORKLOAD(test_sequence,
                     Workload{.name = kSequenceWorkload,
                              .help = "test-only deterministic sequence",
                              .device = Device::Cpu,
                              .layer = "test",
                              .params = {{.name = "center", .type = ParamSpec::Type::Float, .defaults = {"100"}, .help = "mean value"},
                                         {.name = "spread_pct", .type = ParamSpec::Type::Float, .defaults = {"1"}, .help = "spread"},
                                         {.name = "shape", .defaults = {"flat"}, .choices = {"flat", "noisy"}, .help = "pattern"}},
                              .metrics = {{.name = "value", .unit = "ms", .better = Better::Lower, .help = "the value"},
                                          {.name = "rate", .unit = "1/s", .better = Better::Higher, .help = "1000/value"}},
                              .make = [](const Params& p, const CaseContext&) -> std::unique_ptr<CaseRun> {
                                return std::make_unique<SequenceRun>(p.real("center"), p.real("spread_pct"),
                                                                     p.str("shape") == "noisy");
                              }});

SB_REGISTER_WORKLOAD(test_unavailable,
                     Workload{.name = kUnavailableWorkload,
                              .help = "test-only: never available",
                              .device = Device::Gpu,
                              .layer = "test",
                              .metrics = {{.name = "value", .unit = "ms"}},
                              .make = [](const Params&, const CaseContext&) -> std::unique_ptr<CaseRun> {
                                throw Unavailable("no such device in tests");
                              }});

SB_REGISTER_WORKLOAD(test_failing,
                     Workload{.name = kFailingWorkload,
                              .help = "test-only: fails on the third repetition",
                              .device = Device::Cpu,
                              .layer = "test",
                              .metrics = {{.name = "value", .unit = "ms"}},
                              .make = [](const Params&, const CaseContext&) -> std::unique_ptr<CaseRun> {
                                struct Failing : ProgramCase {
                                  int n = 0;
                                  Measurement run() override {
                                    if (++n == 3) throw std::runtime_error("planted failure");
                                    return {{"value", 1.0 + n}};
                                  }
                                };
                                return std::make_unique<Failing>();
                              }});

SB_REGISTER_WORKLOAD(test_optional_metric,
                     Workload{.name = kOptionalMetricWorkload,
                              .help = "test-only: an optional metric reported never, always, or only once",
                              .device = Device::Cpu,
                              .layer = "test",
                              .params = {{.name = "mode", .defaults = {"never"}, .choices = {"never", "always", "first"},
                                          .help = "when energy is reported"}},
                              .metrics = {{.name = "value", .unit = "ms"},
                                          {.name = "energy", .unit = "J", .optional = true}},
                              .make = [](const Params& p, const CaseContext&) -> std::unique_ptr<CaseRun> {
                                struct Optional : ProgramCase {
                                  std::string mode;
                                  int n = 0;
                                  Measurement run() override {
                                    ++n;
                                    Measurement m{{"value", 1.0 + 0.01 * (n % 2)}};
                                    // n == 2 is the first measured repetition (after one warm-up)
                                    if (mode == "always" || (mode == "first" && n <= 2)) m["energy"] = 5.0;
                                    return m;
                                  }
                                };
                                auto run = std::make_unique<Optional>();
                                run->mode = p.str("mode");
                                return run;
                              }});

SB_REGISTER_WORKLOAD(test_interrupting,
                     Workload{.name = kInterruptingWorkload,
                              .help = "test-only: a SIGINT arrives during one of its calls",
                              .device = Device::Cpu,
                              .layer = "test",
                              .params = {{.name = "at", .type = ParamSpec::Type::Int, .defaults = {"4"}, .help = "call number"},
                                         {.name = "throw", .defaults = {"no"}, .choices = {"no", "yes"}, .help = "throw then"}},
                              .metrics = {{.name = "value", .unit = "ms"}},
                              .make = [](const Params& p, const CaseContext&) -> std::unique_ptr<CaseRun> {
                                struct Interrupting : ProgramCase {
                                  int at = 0, n = 0;
                                  bool throws = false;
                                  Measurement run() override {
                                    if (++n == at) {
                                      interrupt::record_for_test(SIGINT);
                                      if (throws) throw std::runtime_error("cut short by the signal");
                                    }
                                    return {{"value", 1.0 + 0.1 * (n % 3)}};
                                  }
                                };
                                auto run = std::make_unique<Interrupting>();
                                run->at = static_cast<int>(p.integer("at"));
                                run->throws = p.str("throw") == "yes";
                                return run;
                              }});

}  // namespace
}  // namespace sb::test
