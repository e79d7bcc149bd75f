#include <gtest/gtest.h>

#include <string>

#include <fmt/format.h>

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

TEST(Config, UnknownKeysAndSettingsAreRejected) {
  EXPECT_NE(message_of("suites: {s: {cases: [{workload: test_sequence}], colour: red}}").find("unknown key 'colour'"),
            std::string::npos);
  EXPECT_NE(message_of("defaults: {reps: 3}\nsuites: {s: {cases: [{workload: test_sequence}]}}").find("unknown setting 'reps'"),
            std::string::npos);
}

TEST(Config, SettingsAndSuiteOverrides) {
  const Config c = parse(
      "defaults: {warmup: 4, ci_target_pct: 2.5}\n"
      "suites:\n  s:\n    settings: {max_reps: 7}\n    cases: [{workload: test_sequence}]\n",
      "t.yaml");
  EXPECT_EQ(c.defaults.warmup, 4);
  EXPECT_EQ(c.defaults.ci_target_pct, 2.5);
  EXPECT_FALSE(c.defaults.max_reps);  // only what the file gives
  EXPECT_EQ(c.suite("s").settings.max_reps, 7);
  EXPECT_THROW(c.suite("missing"), Error);
}

TEST(Config, TheCanaryIsASwitch) {
  const auto canary = [](const char* value) {
    return parse(fmt::format("defaults: {{canary: {}}}\nsuites: {{s: {{cases: [{{workload: test_sequence}}]}}}}\n", value),
                 "t.yaml")
        .defaults.canary;
  };
  EXPECT_EQ(canary("true"), true);
  EXPECT_EQ(canary("false"), false);
  EXPECT_EQ(canary("1"), true);
  EXPECT_NE(message_of("defaults: {canary: yes please}\nsuites: {s: {cases: [{workload: test_sequence}]}}")
                .find("setting 'canary' must be a number"),
            std::string::npos);
}

}  // namespace
}  // namespace sb::config
