#include <gtest/gtest.h>

#include <string>

#include "config/config.hpp"
#include "core/error.hpp"
#include "test_workloads.hpp"

namespace sb::config {
namespace {

std::string message_of(const std::string& yaml) {
  try {
    parse(yaml, "test.yaml");
  } catch (const Error& e) {
    return std::string(e.what()) + " | " + e.fix();
  }
  return "";
}

TEST(Config, MalformedYamlNamesFileLineAndColumn) {
  const std::string msg = message_of("suites:\n  quick:\n    cases: [\n      - {workload: x\n");
  EXPECT_NE(msg.find("test.yaml:"), std::string::npos) << msg;
  EXPECT_NE(msg.find("malformed YAML"), std::string::npos) << msg;
}

TEST(Config, UnknownWorkloadListsTheValidOnes) {
  const std::string msg = message_of("suites:\n  s:\n    cases:\n      - workload: nope\n");
  EXPECT_NE(msg.find("test.yaml:4:"), std::string::npos) << msg;
  EXPECT_NE(msg.find("unknown workload 'nope'"), std::string::npos) << msg;
  EXPECT_NE(msg.find(test::kSequenceWorkload), std::string::npos) << msg;
}

TEST(Config, UnknownCommandSaysWhichConfigToPass) {
  const std::string msg = message_of("suites:\n  s:\n    cases:\n      - workload: \"command:mine\"\n");
  EXPECT_NE(msg.find("no command 'mine' is defined"), std::string::npos) << msg;
  EXPECT_NE(msg.find("define it under `commands:`"), std::string::npos) << msg;
}

TEST(Config, UnknownParameterListsTheValidOnes) {
  const std::string msg = message_of("suites:\n  s:\n    cases:\n      - workload: test_sequence\n        params: {bogus: 1}\n");
  EXPECT_NE(msg.find("no parameter 'bogus'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("spread_pct"), std::string::npos) << msg;
  EXPECT_NE(msg.find("test.yaml:5:"), std::string::npos) << msg;
}

TEST(Config, InvalidValueListsChoices) {
  const std::string msg = message_of("suites:\n  s:\n    cases:\n      - workload: test_sequence\n        params: {shape: round}\n");
  EXPECT_NE(msg.find("valid values: flat, noisy"), std::string::npos) << msg;
}

TEST(Config, OutOfRangeValueNamesThePositionAndTheRange) {
  const std::string msg =
      message_of("suites:\n  s:\n    cases:\n      - workload: matmul_cpu\n        params: {n: [64, -5]}\n");
  EXPECT_NE(msg.find("test.yaml:5:18: workload 'matmul_cpu': parameter 'n' must be at least 1, got -5"), std::string::npos)
      << msg;
  EXPECT_NE(msg.find("valid values of n: 1 to 2147483647"), std::string::npos) << msg;
}

// The same check where a plan comes back from a file (a container's run): nothing out of range runs.
TEST(Config, PlanFromJsonChecksRanges) {
  const nlohmann::json params = {{"n", "0"}, {"precision", "fp32"}, {"inner", "0"}};
  const nlohmann::json plan = nlohmann::json::array({{{"workload", "matmul_cpu"}, {"params", params}}});
  try {
    plan_from_json(plan);
    FAIL() << "expected sb::Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("parameter 'n' must be at least 1, got 0"), std::string::npos) << e.what();
  }
}

TEST(Config, UnknownKeysAndSettingsAreRejected) {
  EXPECT_NE(message_of("suites: {s: {cases: [{workload: test_sequence}], colour: red}}").find("unknown key 'colour'"),
            std::string::npos);
  EXPECT_NE(message_of("defaults: {reps: 3}\nsuites: {s: {cases: [{workload: test_sequence}]}}").find("unknown setting 'reps'"),
            std::string::npos);
  EXPECT_NE(message_of("defaults: {min_reps: 9, max_reps: 3}\nsuites: {s: {cases: [{workload: test_sequence}]}}")
                .find("inconsistent settings"),
            std::string::npos);
}

TEST(Config, SettingsAndSuiteOverrides) {
  const Config c = parse(
      "defaults: {warmup: 4, ci_target_pct: 2.5}\n"
      "suites:\n  s:\n    settings: {max_reps: 7}\n    cases: [{workload: test_sequence}]\n",
      "t.yaml");
  EXPECT_EQ(c.defaults.warmup, 4);
  EXPECT_DOUBLE_EQ(c.defaults.ci_target, 0.025);
  Settings s = c.defaults;
  apply_overrides(s, c.suite("s").settings, "suite");
  EXPECT_EQ(s.max_reps, 7);
  EXPECT_THROW(c.suite("missing"), Error);
}

TEST(Config, GridExpandsToTheCartesianProductWithDefaults) {
  const Workload& w = Registry::instance().get(test::kSequenceWorkload);
  const auto plan = expand(w, {{"spread_pct", {"0", "1", "2"}}, {"shape", {"flat", "noisy"}}});
  ASSERT_EQ(plan.size(), 6u);
  for (const auto& c : plan) EXPECT_EQ(c.params.str("center"), "100");  // the default axis
  EXPECT_EQ(plan.front().id(), "test_sequence/center=100,shape=flat,spread_pct=0");
  EXPECT_THROW(expand(w, {{"spread_pct", {"abc"}}}), Error);
}

TEST(Config, WhenConditionsFollowTheMachine) {
  const Config c = parse(
      "suites:\n  s:\n    cases:\n"
      "      - {workload: test_sequence, params: {center: 1}, when: gpu}\n"
      "      - {workload: test_sequence, params: {center: 2}, when: no-gpu}\n"
      "      - {workload: test_sequence, params: {center: 3}}\n",
      "t.yaml");
  EXPECT_EQ(plan_suite(c.suite("s"), true).size(), 2u);
  EXPECT_EQ(plan_suite(c.suite("s"), false).size(), 2u);
  EXPECT_EQ(plan_suite(c.suite("s"), true).front().params.str("center"), "1");
  EXPECT_EQ(plan_suite(c.suite("s"), false).front().params.str("center"), "2");
}

TEST(Config, PlanSurvivesJsonRoundTrip) {
  const auto plan = expand(Registry::instance().get(test::kSequenceWorkload), {{"spread_pct", {"0", "5"}}});
  const auto back = plan_from_json(plan_to_json(plan));
  ASSERT_EQ(back.size(), plan.size());
  for (std::size_t i = 0; i < plan.size(); ++i) EXPECT_EQ(back[i].id(), plan[i].id());
}

TEST(Config, ShippedConfigIsValid) {
  const Config c = load(std::string(SPARKBENCH_SOURCE_DIR) + "/benchmarks/config.yaml");
  for (const char* name : {"sanity", "quick"}) {
    const Suite& s = c.suite(name);
    EXPECT_FALSE(plan_suite(s, false).empty()) << name << " must have CPU cases for machines without a GPU";
  }
  EXPECT_EQ(plan_suite(c.suite("sanity"), true).size(), 4u);  // matmul n=10000 in fp32, tf32, fp16, bf16
}

}  // namespace
}  // namespace sb::config
