// The harness's clock (runner/timing): one calibrator for both clocks, rates derived in each
// metric's unit, and every kind of case measured through one CaseTimer. The calibrator is checked
// with a model clock (exact times), never with a real one: this machine is shared and noisy.
#include <chrono>
#include <cmath>
#include <stdexcept>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "runner/timing.hpp"

namespace sb::runner {
namespace {

using namespace std::chrono_literals;

TEST(Calibrate, SizesARepetitionToTheTarget) {
  // 1 us per operation, 20 ms target: 20000 operations, confirmed by one run at that count.
  std::vector<std::uint64_t> asked;
  const auto clock = [&](std::uint64_t n) {
    asked.push_back(n);
    return static_cast<double>(n) * 1e-6;
  };
  EXPECT_EQ(calibrate(clock, Sizing{.target = 20ms}), 20000u);
  EXPECT_EQ(asked.front(), 1u);   // the first call absorbs one-off costs
  EXPECT_EQ(asked.back(), 20000u);  // the scaled count runs once to confirm
}

TEST(Calibrate, ASlowFirstProbeIsCorrectedByTheConfirmingRun) {
  // The probe that reaches a tenth of the target is disturbed (10x slow): the count it suggests is
  // a tenth too small, and the confirming run (far below half the target) rescales it.
  int calls = 0;
  const auto clock = [&](std::uint64_t n) {
    ++calls;
    const double s = static_cast<double>(n) * 1e-6;
    return n == 256 ? 10 * s : s;
  };
  EXPECT_EQ(calibrate(clock, Sizing{.target = 20ms}), 20000u);
}

TEST(Calibrate, OperationsLongerThanTheTargetRunOncePerRepetition) {
  EXPECT_EQ(calibrate([](std::uint64_t n) { return static_cast<double>(n) * 0.041; }, Sizing{.target = 25ms}), 1u);
}

TEST(Calibrate, RespectsTheCapAndAFixedCount) {
  const auto fast = [](std::uint64_t n) { return static_cast<double>(n) * 1e-9; };
  EXPECT_EQ(calibrate(fast, Sizing{.target = 20ms, .max_operations = 1000}), 1000u);
  int calls = 0;
  EXPECT_EQ(calibrate([&](std::uint64_t) { return ++calls, 1.0; }, Sizing{.fixed = 7}), 7u);
  EXPECT_EQ(calls, 0);  // a fixed count times nothing
  // A clock that reads 0: the operations are below its resolution; the cap is the best guess.
  EXPECT_EQ(calibrate([](std::uint64_t) { return 0.0; }, Sizing{.max_operations = 64}), 64u);
}

TEST(DerivedValue, ConvertsToEachUnit) {
  const OperationCost cost{.bytes = 2e9, .flops = 4e12, .items = 8};
  const double s = 0.5;  // one operation takes half a second
  EXPECT_DOUBLE_EQ(derived_value({.name = "t", .unit = "ms", .derived = Derived::Time}, s, cost), 500);
  EXPECT_DOUBLE_EQ(derived_value({.name = "t", .unit = "us", .derived = Derived::Time}, s, cost), 5e5);
  EXPECT_DOUBLE_EQ(derived_value({.name = "t", .unit = "ns", .derived = Derived::Time}, s, cost), 5e8);
  EXPECT_DOUBLE_EQ(derived_value({.name = "b", .unit = "GB/s", .derived = Derived::Bytes}, s, cost), 4);
  EXPECT_DOUBLE_EQ(derived_value({.name = "b", .unit = "MB/s", .derived = Derived::Bytes}, s, cost), 4000);
  EXPECT_DOUBLE_EQ(derived_value({.name = "f", .unit = "TFLOP/s", .derived = Derived::Flops}, s, cost), 8);
  EXPECT_DOUBLE_EQ(derived_value({.name = "f", .unit = "GFLOP/s", .derived = Derived::Flops}, s, cost), 8000);
  EXPECT_DOUBLE_EQ(derived_value({.name = "o", .unit = "1/s", .derived = Derived::Operations}, s, cost), 16);
  EXPECT_THROW(derived_value({.name = "b", .unit = "furlongs", .derived = Derived::Bytes}, s, cost), std::logic_error);
  EXPECT_THROW(derived_value({.name = "m", .unit = "ms", .derived = Derived::Measured}, s, cost), std::logic_error);
}

// A host operation whose "time" is a busy loop the test does not measure: only which metrics
// come back, and what the harness says it did, are checked.
class Spin final : public HostOperation {
 public:
  void batch(std::uint64_t n) override {
    for (std::uint64_t i = 0; i < n; ++i) sink_ = sink_ + static_cast<double>(i);
    batches_.push_back(n);
  }
  OperationCost cost() const override { return {.bytes = 64}; }
  Sizing sizing() const override { return {.target = 1ms}; }
  void prepare(std::uint64_t n) override { prepared_.push_back(n); }
  void add_measured(double seconds, Measurement& m) const override { m["twice_ns"] = 2e9 * seconds; }
  std::vector<std::uint64_t> batches_, prepared_;

 private:
  volatile double sink_ = 0;
};

TEST(CaseTimer, TimesAHostOperationAndDerivesItsMetrics) {
  const std::vector<MetricSpec> metrics = {{.name = "time_ns", .unit = "ns", .derived = Derived::Time},
                                           {.name = "bandwidth_gbs", .unit = "GB/s", .derived = Derived::Bytes},
                                           {.name = "twice_ns", .unit = "ns"}};
  Spin spin;
  CaseTimer timer(spin, metrics);
  const std::size_t calibration_calls = spin.batches_.size();
  EXPECT_GE(calibration_calls, 3u);
  const Measurement m = timer.repetition();
  ASSERT_EQ(spin.batches_.size(), calibration_calls + 1);
  EXPECT_EQ(spin.batches_.back(), timer.operations_per_repetition());
  EXPECT_EQ(spin.prepared_, spin.batches_);  // prepare(n) before every timed batch, calibration too
  ASSERT_EQ(m.size(), 3u);
  // Every derived value is the one time per operation in another unit.
  EXPECT_NEAR(m.at("bandwidth_gbs"), 64.0 / m.at("time_ns"), 1e-9 * m.at("bandwidth_gbs"));
  EXPECT_NEAR(m.at("twice_ns"), 2 * m.at("time_ns"), 1e-9 * m.at("twice_ns"));
  const auto info = timer.info();
  EXPECT_EQ(info.at("operations_per_repetition").get<std::uint64_t>(), timer.operations_per_repetition());
  EXPECT_NE(info.at("timer").get<std::string>().find("steady clock"), std::string::npos);
}

// Logs each call in order; finish() counts what the batch "did" (4 items per operation), as
// page_faults counts the faults its touch loop took.
class Counted final : public HostOperation {
 public:
  void prepare(std::uint64_t n) override { calls_.push_back({'p', n}); }
  void batch(std::uint64_t n) override {
    for (std::uint64_t i = 0; i < n; ++i) sink_ = sink_ + static_cast<double>(i);
    calls_.push_back({'b', n});
  }
  void finish(std::uint64_t n) override {
    calls_.push_back({'f', n});
    items_ = 4;
  }
  OperationCost cost() const override { return {.items = items_}; }
  Sizing sizing() const override { return {.target = 1ms}; }
  std::vector<std::pair<char, std::uint64_t>> calls_;

 private:
  double items_ = 0;
  volatile double sink_ = 0;
};

TEST(CaseTimer, FinishFollowsEveryTimedBatchBeforeTheMetricsAreDerived) {
  const std::vector<MetricSpec> metrics = {{.name = "time_s", .unit = "s", .derived = Derived::Time},
                                           {.name = "items_per_s", .unit = "1/s", .derived = Derived::Operations}};
  Counted counted;
  CaseTimer timer(counted, metrics);
  const Measurement m = timer.repetition();
  // prepare(n), batch(n), finish(n) for every timed batch, calibration probes included.
  ASSERT_EQ(counted.calls_.size() % 3, 0u);
  ASSERT_GE(counted.calls_.size(), 9u);
  for (std::size_t i = 0; i < counted.calls_.size(); i += 3) {
    EXPECT_EQ(counted.calls_[i].first, 'p');
    EXPECT_EQ(counted.calls_[i + 1].first, 'b');
    EXPECT_EQ(counted.calls_[i + 2].first, 'f');
    EXPECT_EQ(counted.calls_[i + 1].second, counted.calls_[i].second);
    EXPECT_EQ(counted.calls_[i + 2].second, counted.calls_[i].second);
  }
  EXPECT_EQ(counted.calls_.back().second, timer.operations_per_repetition());
  // The cost is read after finish(): 4 items per operation, not the 0 before it.
  EXPECT_NEAR(m.at("items_per_s") * m.at("time_s"), 4.0, 1e-9);
}

TEST(CaseTimer, AProgramCaseTimesItself) {
  struct Fixed final : ProgramCase {
    Measurement run() override { return {{"wall_ms", 3.0}}; }
  } program;
  const std::vector<MetricSpec> metrics = {{.name = "wall_ms", .unit = "ms"}};
  CaseTimer timer(program, metrics);
  EXPECT_EQ(timer.repetition().at("wall_ms"), 3.0);
  EXPECT_TRUE(timer.info().empty());
}

TEST(CaseTimer, ABadUnitFailsBeforeAnyTiming) {
  Spin spin;
  const std::vector<MetricSpec> metrics = {{.name = "b", .unit = "bytes", .derived = Derived::Bytes}};
  EXPECT_THROW(CaseTimer(spin, metrics), std::logic_error);
  EXPECT_TRUE(spin.batches_.empty());
}

}  // namespace
}  // namespace sb::runner
