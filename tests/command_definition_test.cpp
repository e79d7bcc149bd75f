// Command definitions: what a config may say, what it may not (each error names the command, the
// field and the fix), and how a definition travels in a plan (normalized, unchanged).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "config/config.hpp"
#include "plan/plan.hpp"
#include "core/error.hpp"
#include "test_support.hpp"
#include "workloads/command/definition.hpp"
#include "workloads/command/presets.hpp"

namespace sb::command {
namespace {

using nlohmann::json;

std::string error_of(const json& j) {
  return test::message_of([&] { parse(j); });
}

json minimal(const std::string& name) { return {{"name", name}, {"argv", {"echo", "{n}"}}, {"params", {{"n", {"1", "2"}}}}}; }

TEST(CommandDefinition, SubstitutesParametersAndBraces) {
  const std::map<std::string, std::string> values = {{"n", "4096"}, {"precision", "bf16"}};
  EXPECT_EQ(substitute("--n={n} --p {precision}", values, "argv"), "--n=4096 --p bf16");
  EXPECT_EQ(substitute("{{literal}} {n}}}", values, "argv"), "{literal} 4096}");
  EXPECT_EQ(placeholders("a{x}b{{y}}{z}", "argv"), (std::vector<std::string>{"x", "z"}));
  EXPECT_NE(test::message_of([&] { substitute("{n", values, "argv[2]"); }).find("argv[2]: '{' without '}'"), std::string::npos);
  EXPECT_NE(test::message_of([&] { substitute("{m}", values, "argv[1]"); }).find("no value for '{m}'"), std::string::npos);
}

TEST(CommandDefinition, ParamsAreTypedWithDefaultAxes) {
  const Definition d = parse({{"name", "p"},
                              {"argv", {"run", "{n}", "{mode}", "{tag}"}},
                              {"params",
                               {{"n", {{"type", "int"}, {"default", {"08", "16"}}, {"help", "size"}}},
                                {"mode", {{"default", "fast"}, {"choices", {"fast", "slow"}}}},
                                {"tag", "x"}}}});
  ASSERT_EQ(d.params.size(), 3u);
  const auto& n = *std::find_if(d.params.begin(), d.params.end(), [](const auto& p) { return p.name == "n"; });
  EXPECT_EQ(n.type, ParamSpec::Type::Int);
  EXPECT_EQ(n.defaults, (std::vector<std::string>{"8", "16"}));  // canonical
  EXPECT_NE(error_of({{"name", "p"}, {"argv", {"x"}}, {"params", {{"n", {{"type", "int"}, {"default", "big"}}}}}})
                .find("parameter 'n' must be an integer, got 'big'"),
            std::string::npos);
  EXPECT_NE(error_of({{"name", "p"}, {"argv", {"x"}}, {"params", {{"seed", "1"}}}}).find("'seed' cannot be a parameter name"),
            std::string::npos);
}

TEST(CommandDefinition, NumericParamsMayDeclareBounds) {
  const auto with_n = [](json spec) { return json{{"name", "b"}, {"argv", {"run", "{n}"}}, {"params", {{"n", spec}}}}; };
  const Definition d = parse(with_n({{"type", "int"}, {"default", {"1", "64"}}, {"min", "1"}, {"max", 4096}}));
  ASSERT_EQ(d.params.size(), 1u);
  EXPECT_EQ(d.params[0].min, 1.0);
  EXPECT_EQ(d.params[0].max, 4096.0);
  const Workload w{.name = "command:b", .metrics = {{.name = "m"}}};
  EXPECT_NE(test::message_of([&] { validate_param(w, d.params[0], "0"); }).find("must be at least 1, got 0"),
            std::string::npos);
  const json normalized = to_json(d);
  EXPECT_EQ(normalized["params"]["n"]["min"], 1.0);
  EXPECT_EQ(to_json(parse(normalized)), normalized);  // the bounds travel in the plan

  EXPECT_NE(error_of(with_n({{"type", "int"}, {"default", "0"}, {"min", 1}})).find("must be at least 1, got 0"),
            std::string::npos);
  EXPECT_NE(error_of(with_n({{"type", "float"}, {"default", "0.5"}, {"choices", {"0.5", "3"}}, {"max", 2}}))
                .find("must be at most 2, got 3"),
            std::string::npos);
  EXPECT_NE(error_of(with_n({{"default", "a"}, {"min", 1}})).find("parameter 'n' is a string but has `min:`"),
            std::string::npos);
  EXPECT_NE(error_of(with_n({{"type", "int"}, {"default", "2"}, {"max", "2.5"}})).find("is an int but its max is 2.5"),
            std::string::npos);
  EXPECT_NE(error_of(with_n({{"type", "int"}, {"default", "2"}, {"min", 3}, {"max", 1}})).find("min 3 above max 1"),
            std::string::npos);
  EXPECT_NE(error_of(with_n({{"type", "int"}, {"default", "2"}, {"min", "low"}})).find("min must be a number"),
            std::string::npos);
}

TEST(CommandDefinition, BadDefinitionsNameTheCommandAndTheFix) {
  EXPECT_NE(error_of({{"name", "a"}}).find("command 'a': no `argv:` list"), std::string::npos);
  EXPECT_NE(error_of({{"name", "a"}, {"argv", "echo hi"}}).find("sh, -c"), std::string::npos);  // the fix names the shell form
  EXPECT_NE(error_of({{"name", "a"}, {"argv", {"x"}}, {"argz", 1}}).find("unknown key 'argz'"), std::string::npos);
  EXPECT_NE(error_of({{"name", "a"}, {"argv", {"x", "{nn}"}}}).find("argv[1] uses '{nn}', which is not a parameter"),
            std::string::npos);
  EXPECT_NE(error_of({{"name", "a"}, {"preset", "vllm"}, {"argv", {"x"}}}).find("unknown preset 'vllm'"), std::string::npos);
  EXPECT_NE(error_of({{"name", "a"}, {"argv", {"x"}}, {"device", "tpu"}}).find("device 'tpu'"), std::string::npos);
  EXPECT_NE(error_of({{"name", "a"}, {"argv", {"x"}}, {"timeout_s", "-1"}}).find("timeout_s must be positive"),
            std::string::npos);
  EXPECT_NE(error_of({{"name", "a b"}, {"argv", {"x"}}}).find("letters, digits"), std::string::npos);
  // A parameter's value is in the case id, everywhere: a secret must come through env or argv.
  EXPECT_NE(error_of({{"name", "a"}, {"argv", {"x", "{hf_token}"}}, {"params", {{"hf_token", "x"}}}}).find("named like a secret"),
            std::string::npos);
}

TEST(CommandDefinition, BadMetricsAreRejected) {
  const auto with_metric = [](json m) { return json{{"name", "m"}, {"argv", {"x"}}, {"metrics", {m}}}; };
  EXPECT_NE(error_of(with_metric({{"name", "t"}, {"better", "higher"}})).find("exactly one of regex, json_pointer, csv (has 0)"),
            std::string::npos);
  EXPECT_NE(error_of(with_metric({{"name", "t"}, {"regex", "x"}})).find("which direction is better"), std::string::npos);
  EXPECT_NE(error_of(with_metric({{"name", "t"}, {"better", "higher"}, {"regex", "TFLOPS [0-9]+"}})).find("no capture group"),
            std::string::npos);
  EXPECT_NE(error_of(with_metric({{"name", "t"}, {"better", "higher"}, {"regex", "(["}})).find("is not valid"),
            std::string::npos);
  EXPECT_NE(error_of(with_metric({{"name", "t"}, {"better", "up"}, {"regex", "(x)"}})).find("'up' is not a metric direction"),
            std::string::npos);
  EXPECT_NE(error_of(with_metric({{"name", "t"}, {"better", "lower"}, {"json_pointer", "ms"}})).find("not a JSON pointer"),
            std::string::npos);
  EXPECT_NE(error_of(with_metric({{"name", "wall_ms"}, {"better", "lower"}, {"regex", "(x)"}})).find("recorded for every command"),
            std::string::npos);
  EXPECT_NE(error_of(with_metric({{"name", "t"}, {"better", "lower"}, {"from", "file"}, {"json_pointer", "/t"}}))
                .find("reads {output_file}, but neither argv nor env passes it"),
            std::string::npos);
}

TEST(CommandDefinition, NormalizedFormRoundTrips) {
  json j = minimal("roundtrip");
  j["preset"] = "llama-bench";
  j["cwd"] = "work";
  j["config_dir"] = "/etc/bench";
  j["env"] = {{"OMP_NUM_THREADS", "{n}"}};
  j["timeout_s"] = "90";
  const json once = to_json(parse(j));
  EXPECT_EQ(to_json(parse(once)), once);
  EXPECT_EQ(once["cwd"], "{config_dir}/work");  // relative to the config's directory
  EXPECT_EQ(once["cwd_explicit"], true);
  EXPECT_EQ(once["timeout_s"], 90.0);
  EXPECT_EQ(once["device"], "gpu");  // from the preset
  EXPECT_EQ(once["metrics"].size(), 2u);
  const json defaulted = to_json(parse(minimal("cwd-default")));
  EXPECT_EQ(defaulted["cwd"], "{config_dir}");
  EXPECT_EQ(defaulted["cwd_explicit"], false);
}

TEST(CommandConfig, CommandsBecomeWorkloadsSuitesCanUse) {
  const std::string yaml = R"yaml(
commands:
  cfg-echo:
    help: prints its parameter
    argv: [sh, -c, "echo value={n}"]
    params:
      n: {type: int, default: [1, 2]}
    metrics:
      - {name: value, unit: "1", better: higher, regex: "value=([0-9]+)"}
suites:
  s:
    cases:
      - {workload: "command:cfg-echo", params: {n: [3, 4, 5]}}
)yaml";
  const config::Config c = config::parse(yaml, "/tmp/cmd-test/config.yaml");
  ASSERT_EQ(c.commands.size(), 1u);
  const Workload& w = *c.commands.front();
  EXPECT_EQ(w.name, "command:cfg-echo");
  ASSERT_EQ(w.metrics.size(), 2u);
  EXPECT_EQ(w.metrics[0].name, "value");  // primary: the user's first metric
  EXPECT_EQ(w.metrics[1].name, "wall_ms");
  EXPECT_EQ(w.definition["config_dir"], "/tmp/cmd-test");
  const auto plan = plan::suite_cases(c.suite("s"), false);
  ASSERT_EQ(plan.size(), 3u);
  EXPECT_EQ(plan[0].id(), "command:cfg-echo/n=3");
  // The same file again defines nothing new; a plan carries the definition with it.
  EXPECT_EQ(config::parse(yaml, "/tmp/cmd-test/config.yaml").commands.front(), &w);
  const json j = plan::cases_to_json(plan);
  EXPECT_EQ(j[0]["definition"], w.definition);
  const auto back = plan::cases_from_json(j);
  ASSERT_EQ(back.size(), 3u);
  EXPECT_EQ(back[2].workload, &w);
  EXPECT_EQ(back[2].params.str("n"), "5");
}

TEST(CommandConfig, ErrorsCarryTheFileLineAndTheCommand) {
  const std::string msg = test::message_of([] {
    config::parse("commands:\n  bad:\n    argv: [x]\n    metrics: [{name: t, better: higher}]\n", "c.yaml");
  });
  EXPECT_NE(msg.find("c.yaml:2:3: command 'bad'"), std::string::npos) << msg;
  // Defined differently under a name already taken: refused, not silently replaced.
  config::parse("commands:\n  taken:\n    argv: [true]\n", "c.yaml");
  const std::string twice = test::message_of([] { config::parse("commands:\n  taken:\n    argv: [false]\n", "c.yaml"); });
  EXPECT_NE(twice.find("'command:taken' is defined twice, differently"), std::string::npos) << twice;
}

TEST(CommandConfig, APlanFromAnotherProcessDefinesTheCommand) {
  // What a container's sparkbench sees: only the plan file, never the config.
  Definition d = parse(minimal("from-plan"));
  d.config_dir = "/nonexistent";
  const json plan = json::array({{{"workload", "command:from-plan"}, {"params", {{"n", "7"}}}, {"definition", to_json(d)}}});
  const auto cases = plan::cases_from_json(plan);
  ASSERT_EQ(cases.size(), 1u);
  EXPECT_EQ(cases[0].workload->name, "command:from-plan");
  EXPECT_EQ(cases[0].params.str("n"), "7");
}

TEST(CommandConfig, ExampleConfigsLoadAndPlan) {
  // benchmarks/commands/: one example per preset; each must load and expand on any machine.
  std::vector<std::string> presets;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(SPARKBENCH_SOURCE_DIR) + "/benchmarks/commands")) {
    if (entry.path().extension() != ".yaml") continue;
    const config::Config c = config::load(entry.path());
    EXPECT_FALSE(c.commands.empty()) << entry.path();
    for (const auto* w : c.commands) presets.push_back(w->definition.value("preset", ""));
    for (const auto& s : c.suites) EXPECT_FALSE(plan::suite_cases(s, true).empty()) << entry.path() << " " << s.name;
  }
  for (const auto& p : preset_names())
    EXPECT_NE(std::find(presets.begin(), presets.end(), p), presets.end()) << "no example config uses preset " << p;
}

}  // namespace
}  // namespace sb::command

namespace sb::command {
namespace {

TEST(CommandDefinition, EngineSettingsAreRegexesAddedToThePresets) {
  json j = minimal("settings");
  j["preset"] = "vllm-bench-throughput";
  j["settings"] = {{"mine", "x=(\\d+)"}, {"quantization", {{"regex", "q=(\\S+)"}, {"from", "stdout"}, {"match", "first"}}}};
  const Definition d = parse(j);
  const auto find = [&](const std::string& name) {
    return *std::find_if(d.settings.begin(), d.settings.end(), [&](const auto& s) { return s.name == name; });
  };
  EXPECT_EQ(find("mine").regex, "x=(\\d+)");
  EXPECT_EQ(find("quantization").regex, "q=(\\S+)");  // the user's replaces the preset's of that name
  EXPECT_EQ(find("quantization").from, Extraction::Source::Stdout);
  EXPECT_FALSE(find("quantization").last);
  EXPECT_EQ(find("enforce_eager").from, Extraction::Source::Output);  // the preset's others are kept
  const json once = to_json(d);
  EXPECT_EQ(to_json(parse(once)), once);

  const auto with_setting = [](json s) { return json{{"name", "m"}, {"argv", {"x"}}, {"settings", {{"s", s}}}}; };
  EXPECT_NE(error_of(with_setting("no group")).find("has no capture group"), std::string::npos);
  EXPECT_NE(error_of(with_setting("([")).find("is not valid"), std::string::npos);
  EXPECT_NE(error_of(with_setting({{"regex", "(x)"}, {"from", "file"}})).find("settings are read from stdout"),
            std::string::npos);
  EXPECT_NE(error_of(with_setting({{"regex", "(x)"}, {"where", "x"}})).find("where"), std::string::npos);
  EXPECT_NE(error_of(json{{"name", "m"}, {"argv", {"x"}}, {"settings", {"a", "b"}}}).find("must be a mapping"),
            std::string::npos);
}

}  // namespace
}  // namespace sb::command
