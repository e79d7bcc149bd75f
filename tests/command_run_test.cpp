// `command` workloads running real programs (/bin/sh scripts): metrics from stdout, stderr and a
// file, the parameter grid, the wall time, and each failure: not found, non-zero exit, metric not
// found, timeout (the whole process group is killed) — with the other cases of a run kept.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "config/config.hpp"
#include "plan/plan.hpp"
#include "core/error.hpp"
#include "core/gpu_presence.hpp"
#include "runner/runner.hpp"
#include "test_support.hpp"
#include "workloads/command/child.hpp"

namespace sb::command {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class CommandRun : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("sparkbench-command-test-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Defines "command:<name>" through a config file in dir_ (so cwd defaults to dir_).
  const Workload& define(const std::string& name, const std::string& body) {
    const std::string yaml = "commands:\n  " + name + ":\n" + body;
    return *config::parse(yaml, (dir_ / "config.yaml").string()).commands.front();
  }
  std::unique_ptr<CaseRun> make(const Workload& w, std::map<std::string, std::string> params = {}) {
    Params p;
    for (const auto& spec : w.params) p.set(spec.name, spec.defaults.front());
    for (const auto& [k, v] : params) p.set(k, v);
    return w.make(p, CaseContext{.seed = 7});
  }
  void write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
    fs::permissions(dir_ / name, fs::perms::owner_all);
  }
  fs::path dir_;
};

TEST_F(CommandRun, ReadsMetricsFromStdoutStderrAndAFile) {
  write("bench.sh",
        "#!/bin/sh\n"
        "echo \"rate: $(( $1 * 2 )).5 items/s\"\n"
        "echo '{\"latency_s\": 0.25}' >&2\n"
        "printf 'name,ms\\nx,%s\\n' \"$1\" > \"$2\"\n");
  const Workload& w = define("run-metrics", R"yaml(
    argv: [./bench.sh, "{n}", "{output_file}"]
    params: {n: {type: int, default: [3]}}
    metrics:
      - {name: rate, unit: items/s, better: higher, regex: "rate: ([0-9.]+)"}
      - {name: latency_ms, unit: ms, better: lower, from: stderr, json_pointer: /latency_s, scale: 1000}
      - {name: file_ms, unit: ms, better: lower, from: file, csv: {column: ms}}
)yaml");
  auto run = make(w, {{"n", "21"}});
  const Measurement m = test::run_program(*run);
  EXPECT_DOUBLE_EQ(m.at("rate"), 42.5);
  EXPECT_DOUBLE_EQ(m.at("latency_ms"), 250);
  EXPECT_DOUBLE_EQ(m.at("file_ms"), 21);
  EXPECT_GT(m.at("wall_ms"), 0);
  const json info = run->info();
  EXPECT_EQ(info["argv"][1], "21");
  EXPECT_EQ(info["cwd"], dir_.string());  // the config's directory
  EXPECT_EQ(info["runs"], 1);
}

TEST_F(CommandRun, WallTimeIsThePrograms) {
  const Workload& w = define("run-sleep", "    argv: [sleep, \"0.2\"]\n");
  auto run = make(w);
  const double ms = test::run_program(*run).at("wall_ms");
  EXPECT_GE(ms, 200);
  EXPECT_LT(ms, 1000);  // not rounded up to a polling tick, nor stuck behind a timeout
}

TEST_F(CommandRun, EnvAndSeedReachTheProgram) {
  const Workload& w = define("run-env", R"yaml(
    argv: [sh, -c, "echo v=$(( VALUE + {seed} ))"]
    env: {VALUE: "{n}"}
    params: {n: "5"}
    metrics: [{name: v, better: higher, regex: "v=([0-9]+)"}]
)yaml");
  EXPECT_DOUBLE_EQ(test::run_program(*make(w)).at("v"), 12);  // 5 + seed 7
}

TEST_F(CommandRun, ProgramNotFoundNamesItAndPath) {
  const Workload& w = define("run-missing", "    argv: [sparkbench-no-such-tool, --x]\n");
  const std::string msg = test::message_of([&] { make(w); });
  EXPECT_NE(msg.find("command 'run-missing': 'sparkbench-no-such-tool' was not found on PATH (PATH="), std::string::npos) << msg;
  EXPECT_NE(msg.find("must exist in the image"), std::string::npos) << msg;
}

TEST_F(CommandRun, NonZeroExitShowsTheOutputTail) {
  const Workload& w = define("run-fails", "    argv: [sh, -c, \"echo loading model; echo 'CUDA out of memory' >&2; exit 3\"]\n");
  auto run = make(w);
  const std::string msg = test::message_of([&] { test::run_program(*run); });
  EXPECT_NE(msg.find("command 'run-fails' exited with code 3"), std::string::npos) << msg;
  EXPECT_NE(msg.find("loading model"), std::string::npos) << msg;
  EXPECT_NE(msg.find("CUDA out of memory"), std::string::npos) << msg;
  EXPECT_NE(run->info()["last_output_tail"].get<std::string>().find("CUDA out of memory"), std::string::npos);
}

// The program gets its secrets; what is recorded or shown of the run (info, messages, the help
// that `list` prints) has the names and <redacted> for the values (core/redact.hpp).
TEST_F(CommandRun, SecretsReachTheProgramButNotItsRecord) {
  const Workload& w = define("run-secrets", R"yaml(
    argv: [sh, -c, 'echo "$1 $HF_TOKEN" > got.txt; echo "using $1"; echo "token $HF_TOKEN" >&2; exit 2', --api-key, sk-live-PLANTED123]
    env: {HF_TOKEN: hf_PLANTEDabc}
)yaml");
  auto run = make(w);
  const std::string msg = test::message_of([&] { test::run_program(*run); });
  std::ifstream got(dir_ / "got.txt");
  std::string line;
  std::getline(got, line);
  EXPECT_EQ(line, "sk-live-PLANTED123 hf_PLANTEDabc");
  const std::string info = run->info().dump();
  for (const std::string& shown : {msg, info, w.help}) {
    EXPECT_EQ(shown.find("PLANTED"), std::string::npos) << shown;
    EXPECT_NE(shown.find("--api-key"), std::string::npos) << shown;
  }
  EXPECT_NE(msg.find("using <redacted>"), std::string::npos) << msg;
  EXPECT_NE(msg.find("token <redacted>"), std::string::npos) << msg;
  EXPECT_NE(info.find(R"("HF_TOKEN":"<redacted>")"), std::string::npos) << info;
}

TEST_F(CommandRun, MissingMetricNamesMetricPatternAndOutput) {
  const Workload& w = define("run-nometric", R"yaml(
    argv: [echo, "throughput 12 tok/s"]
    metrics: [{name: tflops, unit: TFLOP/s, better: higher, regex: "TFLOPS: ([0-9.]+)"}]
)yaml");
  const std::string msg = test::message_of([&] { test::run_program(*make(w)); });
  EXPECT_NE(msg.find("metric 'tflops' not found in its stdout: no line matches the regex 'TFLOPS: ([0-9.]+)'"),
            std::string::npos) << msg;
  EXPECT_NE(msg.find("throughput 12 tok/s"), std::string::npos) << msg;
}

TEST_F(CommandRun, MissingOutputFileIsNamed) {
  const Workload& w = define("run-nofile", R"yaml(
    argv: [echo, "--out", "{output_file}"]
    metrics: [{name: x, better: higher, from: file, json_pointer: /x}]
)yaml");
  const std::string msg = test::message_of([&] { test::run_program(*make(w)); });
  EXPECT_NE(msg.find("which the command did not write"), std::string::npos) << msg;
}

TEST_F(CommandRun, TimeoutKillsTheWholeProcessGroup) {
  // The script starts a background sleep that writes its pid, then waits: both must die.
  write("hang.sh", "#!/bin/sh\nsleep 30 &\necho $! > bg.pid\nwait\n");
  const Workload& w = define("run-hang", "    argv: [./hang.sh]\n    timeout_s: 0.5\n");
  auto run = make(w);
  const auto t0 = std::chrono::steady_clock::now();
  const std::string msg = test::message_of([&] { test::run_program(*run); });
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
  EXPECT_NE(msg.find("ran longer than its timeout of 0.5 s and was killed"), std::string::npos) << msg;
  std::ifstream pid_file(dir_ / "bg.pid");
  pid_t bg = 0;
  ASSERT_TRUE(pid_file >> bg);
  // Killed (and reaped by init, or a zombie until then): no longer running. Poll briefly.
  bool gone = false;
  for (int i = 0; i < 50 && !gone; ++i) {
    std::ifstream stat("/proc/" + std::to_string(bg) + "/stat");
    std::string pid, comm, state;
    gone = !(stat >> pid >> comm >> state) || state == "Z";
    if (!gone) ::usleep(20000);
  }
  EXPECT_TRUE(gone) << "background process " << bg << " survived the timeout";
}

TEST_F(CommandRun, ExplicitCwdMustExistAndDefaultCwdFallsBack) {
  const Workload& explicit_cwd = define("run-cwd", "    argv: [pwd]\n    cwd: /nonexistent-sparkbench-dir\n");
  const std::string msg = test::message_of([&] { make(explicit_cwd); });
  EXPECT_NE(msg.find("the working directory '/nonexistent-sparkbench-dir' does not exist here"), std::string::npos) << msg;
  // A plan from a machine whose config directory is not here (an image): the current directory.
  nlohmann::json definition = define("run-cwd-default", "    argv: [pwd]\n").definition;
  definition["name"] = "run-cwd-moved";
  definition["config_dir"] = "/nonexistent-sparkbench-dir";
  const Workload& moved = Registry::instance().define(definition);
  EXPECT_EQ(make(moved)->info()["cwd"], fs::current_path().string());
}

TEST_F(CommandRun, GpuCommandsAreUnavailableWithoutAGpu) {
  const Workload& w = define("run-gpu", "    device: gpu\n    argv: [true]\n");
  EXPECT_EQ(w.device, Device::Gpu);
  if (gpu_presence().present) GTEST_SKIP() << "a GPU is present: the command would run";
  EXPECT_THROW(make(w), Unavailable);
}

TEST_F(CommandRun, FailedCasesAreRecordedAndTheOthersKept) {
  const std::string yaml = R"yaml(
commands:
  run-grid:
    argv: [sh, -c, "test {n} -ne 2 || exit 9; echo value={n}"]
    params: {n: {type: int, default: [1, 2, 3]}}
    metrics: [{name: value, better: higher, regex: "value=([0-9]+)"}]
  run-absent:
    argv: [sparkbench-no-such-tool]
suites:
  s:
    cases:
      - {workload: "command:run-grid"}
      - {workload: "command:run-absent"}
)yaml";
  const auto c = config::parse(yaml, (dir_ / "grid.yaml").string());
  plan::Plan plan{plan::suite_cases(c.suite("s"), false)};
  ASSERT_EQ(plan.cases.size(), 4u);
  plan.settings.warmup = 0;
  plan.settings.min_reps = 2;
  plan.settings.max_reps = 2;
  record::RunRecord rec;
  runner::Observer nobody;
  runner::run(plan, rec, nobody, [](const record::RunRecord&) {});
  ASSERT_EQ(rec.cases.size(), 4u);
  EXPECT_EQ(rec.cases[0].status, record::CaseStatus::Ok);
  EXPECT_EQ(rec.cases[0].metrics[0].samples, (std::vector<double>{1, 1}));
  EXPECT_EQ(rec.cases[1].status, record::CaseStatus::Failed);
  EXPECT_NE(rec.cases[1].message.find("exited with code 9"), std::string::npos) << rec.cases[1].message;
  EXPECT_EQ(rec.cases[2].status, record::CaseStatus::Ok);
  EXPECT_EQ(rec.cases[2].metrics[0].samples, (std::vector<double>{3, 3}));
  EXPECT_EQ(rec.cases[3].status, record::CaseStatus::Failed);
  EXPECT_NE(rec.cases[3].message.find("was not found on PATH"), std::string::npos) << rec.cases[3].message;
}

}  // namespace
}  // namespace sb::command

namespace sb::command {
namespace {

// A fake vLLM that logs its start-up as vLLM does (lines in the format of vllm/v1/engine/core.py
// and kv_cache_utils.py), eager or not: the preset's settings read what the engine chose, and a
// token the log prints is masked like every other secret.
TEST_F(CommandRun, RecordsTheEngineSettingsItsLogShows) {
  write("fake_vllm.sh",
        "#!/bin/sh\n"
        "echo \"INFO Initializing a V1 LLM engine (v0.11.0) with config: model='m', quantization=fp8, "
        "enforce_eager=$1, kv_cache_dtype=auto, seed=0\" >&2\n"
        "echo 'INFO [cuda.py:123] Using FLASH_ATTN backend.' >&2\n"
        "echo 'INFO [kv_cache_utils.py:1] GPU KV cache size: 123,456 tokens' >&2\n"
        "echo 'INFO Maximum concurrency for 4,096 tokens per request: 30.14x' >&2\n"
        "echo 'token used: hf_abcdefghijklmnopqrstuvwxyz0123' >&2\n"
        "echo 'Throughput: 1.50 requests/s, 300.0 total tokens/s, 150.0 output tokens/s'\n");
  const Workload& w = define("fake-vllm", R"yaml(
    preset: vllm-bench-throughput
    device: cpu
    argv: [./fake_vllm.sh, "{eager}"]
    params: {eager: {type: string, default: ["False"]}}
    settings:
      token_line: "token used: (\\S+)"
)yaml");
  auto run = make(w, {{"eager", "True"}});
  EXPECT_TRUE(run->info().at("engine_settings").is_null());  // nothing ran yet
  test::run_program(*run);
  const json s = run->info().at("engine_settings");
  EXPECT_EQ(s.at("version"), "0.11.0");
  EXPECT_EQ(s.at("quantization"), "fp8");
  EXPECT_EQ(s.at("enforce_eager"), "True");
  EXPECT_EQ(s.at("kv_cache_dtype"), "auto");
  EXPECT_EQ(s.at("attention_backend"), "FLASH_ATTN");
  EXPECT_EQ(s.at("kv_cache_tokens"), "123,456");
  EXPECT_EQ(s.at("max_concurrency"), "30.14");
  EXPECT_TRUE(s.at("cuda_graph_capture").is_null());  // eager: no capture line
  EXPECT_EQ(s.at("token_line").get<std::string>().find("hf_abcdefghijkl"), std::string::npos) << s.dump();
}

}  // namespace
}  // namespace sb::command
