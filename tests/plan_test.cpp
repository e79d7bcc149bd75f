#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "config/config.hpp"
#include "core/error.hpp"
#include "core/temp_file.hpp"
#include "plan/plan.hpp"
#include "plan/plan_file.hpp"
#include "plan/resolve.hpp"
#include "test_support.hpp"
#include "test_workloads.hpp"

namespace sb::plan {
namespace {

using nlohmann::json;

// The same check where a plan comes back from a file (a container's run): nothing out of range runs.
TEST(Plan, CasesFromJsonCheckRanges) {
  const json params = {{"n", "0"}, {"precision", "fp32"}, {"inner", "0"}};
  const json cases = json::array({{{"workload", "matmul_cpu"}, {"params", params}}});
  try {
    cases_from_json(cases);
    FAIL() << "expected sb::Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("parameter 'n' must be at least 1, got 0"), std::string::npos) << e.what();
  }
}

TEST(Plan, GridExpandsToTheCartesianProductWithDefaults) {
  const Workload& w = Registry::instance().get(test::kSequenceWorkload);
  const auto plan = expand(w, {{"spread_pct", {"0", "1", "2"}}, {"shape", {"flat", "noisy"}}});
  ASSERT_EQ(plan.size(), 6u);
  for (const auto& c : plan) EXPECT_EQ(c.params.str("center"), "100");  // the default axis
  EXPECT_EQ(plan.front().id(), "test_sequence/center=100,shape=flat,spread_pct=0");
  EXPECT_THROW(expand(w, {{"spread_pct", {"abc"}}}), Error);
}

TEST(Plan, WhenConditionsFollowTheMachine) {
  const config::Config c = config::parse(
      "suites:\n  s:\n    cases:\n"
      "      - {workload: test_sequence, params: {center: 1}, when: gpu}\n"
      "      - {workload: test_sequence, params: {center: 2}, when: no-gpu}\n"
      "      - {workload: test_sequence, params: {center: 3}}\n",
      "t.yaml");
  EXPECT_EQ(suite_cases(c.suite("s"), true).size(), 2u);
  EXPECT_EQ(suite_cases(c.suite("s"), false).size(), 2u);
  EXPECT_EQ(suite_cases(c.suite("s"), true).front().params.str("center"), "1");
  EXPECT_EQ(suite_cases(c.suite("s"), false).front().params.str("center"), "2");
}

TEST(Plan, CasesSurviveJsonRoundTrip) {
  const auto plan = expand(Registry::instance().get(test::kSequenceWorkload), {{"spread_pct", {"0", "5"}}});
  const auto back = cases_from_json(cases_to_json(plan));
  ASSERT_EQ(back.size(), plan.size());
  for (std::size_t i = 0; i < plan.size(); ++i) EXPECT_EQ(back[i].id(), plan[i].id());
}

TEST(Plan, ShippedConfigIsValid) {
  const config::Config c = config::load(std::string(SPARKBENCH_SOURCE_DIR) + "/benchmarks/config.yaml");
  for (const char* name : {"sanity", "quick"}) {
    const config::Suite& s = c.suite(name);
    EXPECT_FALSE(suite_cases(s, false).empty()) << name << " must have CPU cases for machines without a GPU";
  }
  EXPECT_EQ(suite_cases(c.suite("sanity"), true).size(), 4u);  // matmul n=10000 in fp32, tf32, fp16, bf16
}

// --- settings: defaults < config < suite < command line ---

class Resolve : public ::testing::Test {
 protected:
  std::string write_config(const std::string& yaml) {
    const std::string path = (dir_.path() / "config.yaml").string();
    std::ofstream(path) << yaml;
    return path;
  }
  Plan resolve_quietly(const Request& r) {
    return resolve(r, [this](const std::string& n) { notices_.push_back(n); });
  }
  TempDir dir_{"sparkbench-plan-test-"};
  std::vector<std::string> notices_;
};

TEST_F(Resolve, EachLayerOverridesTheOneBelow) {
  const std::string config = write_config(
      "defaults: {warmup: 4, min_reps: 3, max_reps: 20, seed: 7}\n"
      "suites:\n  s:\n    settings: {max_reps: 9, warmup: 3}\n    cases: [{workload: test_sequence}]\n");
  Request r{.suite = "s", .config = config};
  r.command_line.warmup = 1;
  const Plan p = resolve_quietly(r);
  EXPECT_EQ(p.settings.warmup, 1);        // command line over suite over config
  EXPECT_EQ(p.settings.max_reps, 9);      // suite over config
  EXPECT_EQ(p.settings.min_reps, 3);      // config over built-in
  EXPECT_EQ(p.settings.seed, 7u);         // config over built-in
  EXPECT_EQ(p.settings.max_time_s, 60);   // built-in
  EXPECT_EQ(p.source, json({{"suite", "s"}, {"config", config}}));
  ASSERT_EQ(p.cases.size(), 1u);
  EXPECT_EQ(p.cases[0].id(), "test_sequence/center=100,shape=flat,spread_pct=1");
}

TEST_F(Resolve, RepsBelowTheMinimumLowerTheMinimumUnlessItWasGiven) {
  const std::string config = write_config("suites: {s: {cases: [{workload: test_sequence}]}}\n");
  Request r{.workload = test::kSequenceWorkload, .params = {"spread_pct=0,5"}, .config = config};
  r.command_line.max_reps = 3;
  const Plan p = resolve_quietly(r);
  EXPECT_EQ(p.settings.max_reps, 3);
  EXPECT_EQ(p.settings.min_reps, 3);
  EXPECT_EQ(p.cases.size(), 2u);
  EXPECT_EQ(p.source, json({{"workload", test::kSequenceWorkload}, {"params", {"spread_pct=0,5"}}}));
  r.command_line.min_reps = 4;
  EXPECT_NE(test::message_of([&] { resolve_quietly(r); }).find("command line: inconsistent settings"), std::string::npos);
}

// The config's own settings are checked where they are applied, naming the file.
TEST_F(Resolve, InconsistentConfigSettingsNameTheFile) {
  const std::string config =
      write_config("defaults: {min_reps: 9, max_reps: 3}\nsuites: {s: {cases: [{workload: test_sequence}]}}\n");
  const std::string msg = test::message_of([&] { resolve_quietly({.suite = "s", .config = config}); });
  EXPECT_NE(msg.find(config + ": inconsistent settings"), std::string::npos) << msg;
}

// --- the plan file ---

Plan sample_plan() {
  Plan p;
  p.cases = expand(Registry::instance().get(test::kSequenceWorkload), {{"spread_pct", {"0", "5"}}});
  p.settings.warmup = 3;
  p.settings.max_reps = 12;
  p.settings.ci_target = 0.025;
  p.settings.seed = 1234;
  p.source = {{"suite", "s"}, {"config", "/somewhere/config.yaml"}};
  return p;
}

TEST(PlanFile, RoundTripKeepsCasesSettingsAndSource) {
  TempDir dir("sparkbench-plan-test-");
  const auto file = dir.path() / "plan.json";
  const Plan p = sample_plan();
  write_plan_file(file, p);
  const Plan back = read_plan_file(file);
  ASSERT_EQ(back.cases.size(), p.cases.size());
  for (std::size_t i = 0; i < p.cases.size(); ++i) EXPECT_EQ(back.cases[i].id(), p.cases[i].id());
  EXPECT_EQ(to_json(back.settings), to_json(p.settings));
  EXPECT_EQ(back.source, p.source);
  // The format the launchers pass into containers (and older binaries of this version read).
  std::ifstream in(file);
  const json j = json::parse(in);
  EXPECT_EQ(j["schema"], "sparkbench.plan");
  EXPECT_EQ(j["schema_version"], 1);
  EXPECT_EQ(j["plan"], cases_to_json(p.cases));
  EXPECT_EQ(j["settings"], to_json(p.settings));
  EXPECT_EQ(j["source"], p.source);
  EXPECT_EQ(j.size(), 5u);
}

TEST(PlanFile, TheCanarySwitchCrossesAsABoolean) {
  TempDir dir("sparkbench-plan-test-");
  const auto file = dir.path() / "plan.json";
  Plan p = sample_plan();
  EXPECT_FALSE(p.settings.canary);  // off unless asked for (`ab` asks, `run --canary`)
  p.settings.canary = true;
  write_plan_file(file, p);
  std::ifstream in(file);
  EXPECT_EQ(json::parse(in)["settings"]["canary"], true);
  EXPECT_TRUE(read_plan_file(file).settings.canary);
  p.settings.canary = false;
  write_plan_file(file, p);
  EXPECT_FALSE(read_plan_file(file).settings.canary);
}

TEST(PlanFile, AnotherVersionIsRefusedNamingTheFileBothVersionsAndTheFix) {
  TempDir dir("sparkbench-plan-test-");
  const auto file = dir.path() / "plan.json";
  write_plan_file(file, sample_plan());
  std::ifstream in(file);
  json j = json::parse(in);
  j["schema_version"] = 2;
  std::ofstream(file) << j.dump(1);
  const Error e = test::expect_error([&] { read_plan_file(file); });
  EXPECT_EQ(e.exit_code(), kExitUsage);
  const std::string what = e.what();
  EXPECT_NE(what.find(file.string()), std::string::npos) << what;
  EXPECT_NE(what.find("is of version 2"), std::string::npos) << what;
  EXPECT_NE(what.find("reads version 1"), std::string::npos) << what;
  EXPECT_NE(e.fix().find("same sparkbench binary"), std::string::npos) << e.fix();

  j.erase("schema_version");
  std::ofstream(file) << j.dump(1);
  EXPECT_NE(test::message_of([&] { read_plan_file(file); }).find("is of version none"), std::string::npos);
}

TEST(PlanFile, AnythingElseIsNotAPlanFile) {
  TempDir dir("sparkbench-plan-test-");
  const auto file = dir.path() / "record.json";
  for (const std::string text : {std::string(R"({"schema": "sparkbench.run", "schema_version": 1})"),
                                 std::string("not json"), std::string("[1, 2]")}) {
    std::ofstream(file) << text;
    const Error e = test::expect_error([&] { read_plan_file(file); });
    EXPECT_EQ(e.exit_code(), kExitUsage);
    EXPECT_NE(std::string(e.what()).find(file.string() + " is not a sparkbench plan file"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("version 1"), std::string::npos) << e.what();
  }
  const Error missing = test::expect_error([&] { read_plan_file(dir.path() / "absent.json"); });
  EXPECT_EQ(missing.exit_code(), kExitUsage);
  EXPECT_NE(std::string(missing.what()).find("cannot read the plan file"), std::string::npos);
}

}  // namespace
}  // namespace sb::plan
