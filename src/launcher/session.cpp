#include "launcher/session.hpp"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include <fmt/format.h>

#include "config/config.hpp"
#include "core/atomic_file.hpp"
#include "core/child_process.hpp"
#include "core/error.hpp"
#include "core/interrupt.hpp"
#include "core/path_search.hpp"
#include "core/redact.hpp"
#include "launcher/bundle.hpp"
#include "launcher/host_mirror.hpp"
#include "plan/plan_file.hpp"
#include "record/record.hpp"

extern char** environ;

namespace sb::launcher {
namespace fs = std::filesystem;
namespace {

std::string last_line(const std::string& text) {
  auto end = text.find_last_not_of(" \n\r\t");
  if (end == std::string::npos) return "";
  const auto start = text.rfind('\n', end);
  return text.substr(start == std::string::npos ? 0 : start + 1, end - (start == std::string::npos ? 0 : start + 1) + 1);
}

fs::path make_temp_dir() {
  const char* tmp = std::getenv("TMPDIR");
  std::string templ = fmt::format("{}/sparkbench-{}-XXXXXX", tmp && *tmp ? tmp : "/tmp", ::getpid());
  if (!::mkdtemp(templ.data()))
    throw Error(fmt::format("cannot create a temporary directory under {}", tmp && *tmp ? tmp : "/tmp"),
                "set TMPDIR to a writable directory", kExitFailure);
  return templ;
}

std::string dir_of(const std::string& path) { return fs::path(path).parent_path().string(); }

bool image_present(Runtime r, const HostFacts& facts, const std::string& image) {
  const std::string tool = facts.tool(to_string(r));
  const ChildOutcome c = run_child_process(
      {.argv = r == Runtime::Podman ? std::vector<std::string>{tool, "image", "exists", image}
                                    : std::vector<std::string>{tool, "image", "inspect", "--format", "{{.Id}}", image},
       .timeout_s = 60});
  return c.started && c.exit_code == 0;
}

}  // namespace

bool forward_env_var(const std::string& name, bool host_mirror) {
  const auto starts = [&](const char* prefix) { return name.rfind(prefix, 0) == 0; };
  if (starts("SPARKBENCH_")) return false;  // the launcher sets its own
  // Choices about how to run, which belong to the benchmark rather than to an installation.
  for (const char* prefix : {"OMP_", "OPENBLAS_", "MKL_", "GOTO_", "NCCL_"})
    if (starts(prefix)) return true;
  for (const char* exact : {"CUDA_VISIBLE_DEVICES", "CUDA_DEVICE_ORDER", "CUDA_MODULE_LOADING", "CUDA_LAUNCH_BLOCKING",
                            "CUDA_CACHE_DISABLE", "CUDA_DEVICE_MAX_CONNECTIONS", "CUBLAS_WORKSPACE_CONFIG",
                            "NVIDIA_TF32_OVERRIDE"})
    if (name == exact) return true;
  if (!host_mirror) return false;  // an image brings its own paths and CUDA settings
  // Host-mirror mirrors the host, so also the variables that say where things are and how they load.
  // Not NVIDIA_VISIBLE_DEVICES and friends: they are orders to the NVIDIA container toolkit, which
  // a daemon with the nvidia default runtime would follow even in a host-mirror container.
  for (const char* prefix : {"CUDA_", "TORCH_", "TRTLLM_", "TLLM_"})
    if (starts(prefix)) return true;
  return name == "PATH" || name == "LD_LIBRARY_PATH" || name == "LD_PRELOAD";
}

std::vector<std::string> path_install_prefixes(const std::string& path_list) {
  std::vector<std::string> prefixes;
  for (const std::string& d : split_path_list(path_list)) {
    std::error_code ec;
    if (d.empty() || !fs::is_directory(d, ec)) continue;
    const fs::path dir = fs::canonical(d, ec);
    if (ec) continue;
    const fs::path prefix = dir.filename() == "bin" && dir.parent_path() != dir.root_path() ? dir.parent_path() : dir;
    if (prefix != prefix.root_path()) prefixes.push_back(prefix.string());
  }
  return prefixes;
}

Session::Session(EnvSpec spec, const ContainerOptions& options) : spec_(std::move(spec)), options_(options) {
  std::error_code ec;
  self_ = fs::canonical("/proc/self/exe", ec);
  if (ec) throw Error("cannot find the sparkbench binary (/proc/self/exe)", "run sparkbench from a Linux /proc system", kExitFailure);
  if (!spec_.container()) {
    temp_dir_ = make_temp_dir();
    return;
  }
  validate(options_);
  facts_ = probe_host({spec_.runtime});
  launcher_ = make_launcher(spec_);
  availability_ = launcher_->probe(facts_);
  if (!availability_.usable)
    throw Error(fmt::format("cannot use --env {}: {}", spec_.text, availability_.problem), availability_.fix, kExitFailure);
  options_ = launcher_->effective_options(options_, facts_);
  gpu_ = launcher_->gpu(facts_);
  temp_dir_ = make_temp_dir();
  try {
    prepare_image();
  } catch (...) {
    fs::remove_all(temp_dir_, ec);
    throw;
  }
}

Session::~Session() {
  std::error_code ec;
  if (!temp_dir_.empty()) fs::remove_all(temp_dir_, ec);
}

void Session::prepare_image() {
  const std::string runtime = to_string(spec_.runtime);
  const bool engine = spec_.runtime == Runtime::Docker || spec_.runtime == Runtime::Podman;
  if (engine && !spec_.host_mirror() && !image_present(spec_.runtime, facts_, spec_.image))
    throw Error(fmt::format("image '{}' is not in {}'s local images", spec_.image, runtime),
                fmt::format("pull it ({} pull {}) or build it, then run again; sparkbench never pulls images itself",
                            runtime, spec_.image),
                kExitFailure);
  env_ = {{"SPARKBENCH_LAUNCHER", runtime}, {"SPARKBENCH_CONTAINER_MODE", spec_.host_mirror() ? "host-mirror" : "image"}};
  for (char** e = environ; e && *e; ++e) {
    const std::string kv = *e;
    const auto eq = kv.find('=');
    if (eq != std::string::npos && forward_env_var(kv.substr(0, eq), spec_.host_mirror()))
      env_.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
  }

  if (spec_.host_mirror()) {
    // The host's userland, this binary's directory, the config's, and any library directory the
    // binary loads from outside the userland (a conda or /opt install), all at their host paths.
    std::vector<std::string> extra = {self_.parent_path().string()};
    if (const fs::path config = config::default_config_path(); fs::exists(config))
      extra.push_back(fs::canonical(config).parent_path().string());
    try {
      for (const auto& lib : linked_libraries(self_)) extra.push_back(dir_of(fs::canonical(lib.path).string()));
    } catch (const Error&) {
      // Without ldd the userland mounts still cover the distribution's libraries.
    }
    // Programs found through PATH outside the userland (a Python venv, conda, /opt/<tool>/bin).
    if (const char* path = std::getenv("PATH"))
      for (const std::string& prefix : path_install_prefixes(path)) extra.push_back(prefix);
    if (const char* llp = std::getenv("LD_LIBRARY_PATH")) {
      for (const std::string& d : split_path_list(llp))
        if (!d.empty() && fs::is_directory(d)) extra.push_back(fs::canonical(d).string());
    }
    base_mounts_ = host_mirror_mounts(facts_, extra);
    if (!std::getenv("PATH")) env_.emplace_back("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    env_.emplace_back("HOME", "/tmp");  // the minimal image has no home for an arbitrary user
  } else {
    bundle_manifest_ = make_bundle(self_, config::default_config_path(), temp_dir_ / "bundle");
    base_mounts_.push_back({(temp_dir_ / "bundle").string(), kBundleDirInside, true});
  }
  for (const std::string& text : options_.mounts) {
    const BindMount m = parse_bind_mount(text);
    base_mounts_.push_back({fs::canonical(m.source).string(), m.target, m.read_only});
  }
  if (gpu_.mode == GpuInjection::Devices) {
    ContainerRun gpu_part;
    gpu_part.mounts = base_mounts_;
    add_gpu_devices(gpu_part, facts_, spec_.host_mirror());
    base_mounts_ = gpu_part.mounts;
  }

  const std::vector<RootfsEntry> rootfs = minimal_rootfs(facts_);
  switch (spec_.runtime) {
    case Runtime::Docker:
    case Runtime::Podman: {
      if (!spec_.host_mirror()) {
        image_ = spec_.image;  // present: checked first thing
        break;
      }
      image_ = host_mirror_tag(rootfs);
      if (image_present(spec_.runtime, facts_, image_)) break;
      if (facts_.tool("tar").empty())
        throw Error("`tar` is needed to build the host-mirror image", "install it: sudo apt-get install tar", kExitFailure);
      fmt::print(stderr, "sparkbench: building the host-mirror image {} (first use; local, no registry)\n", image_);
      const fs::path dir = temp_dir_ / "rootfs", tarball = temp_dir_ / "rootfs.tar";
      fs::create_directories(dir);
      write_rootfs(rootfs, dir);
      const ChildOutcome tar = run_child_process({.argv = {facts_.tool("tar"), "--numeric-owner", "--owner=0", "--group=0",
                                                           "-C", dir.string(), "-cf", tarball.string(), "."},
                                                  .timeout_s = 120});
      if (tar.exit_code != 0)
        throw Error(fmt::format("creating the host-mirror rootfs tarball failed: {}", last_line(tar.err)),
                    "check free space in $TMPDIR", kExitFailure);
      const ChildOutcome imp =
          run_child_process({.argv = {facts_.tool(runtime), "import", tarball.string(), image_}, .timeout_s = 300});
      if (imp.exit_code != 0)
        throw Error(fmt::format("`{} import` of the host-mirror image failed: {}", runtime, last_line(imp.err)),
                    fmt::format("run `{} info` to check the {} installation", runtime, runtime), kExitFailure);
      break;
    }
    case Runtime::Apptainer:
      if (spec_.host_mirror()) {
        image_ = (temp_dir_ / "sandbox").string();
        fs::create_directories(image_);
        write_rootfs(rootfs, image_, base_mounts_);
      } else {
        image_ = spec_.image;
        if (image_.find("://") == std::string::npos && !fs::exists(image_))
          throw Error(fmt::format("apptainer image '{}' does not exist", image_),
                      fmt::format("build or pull it first (apptainer pull {} docker://...), or give its path", image_),
                      kExitFailure);
      }
      break;
    case Runtime::Oci:  // host-mirror only: `oci:X` names the runtime, not an image
      image_ = "host-mirror rootfs (OCI bundle)";
      break;
    case Runtime::Native: break;
  }
  env_.emplace_back("SPARKBENCH_CONTAINER_IMAGE", image_);
}

std::string Session::describe() const {
  if (!spec_.container()) return "native";
  return fmt::format("{} ({}{}, gpu: {})", to_string(spec_.runtime), spec_.host_mirror() ? "host-mirror" : "image ",
                     spec_.host_mirror() ? "" : image_, to_string(gpu_.mode));
}

std::vector<std::string> Session::inner_command(const std::string& io_inside, const std::string& label) const {
  const std::string binary = !spec_.container() || spec_.host_mirror() ? self_.string()
                                                                       : std::string(kBundleDirInside) + "/sparkbench";
  return {binary, "run", "--plan-file", io_inside + "/plan.json", "--label", label,
          "--out", io_inside + "/results", "--allow-unavailable", "--launched"};
}

nlohmann::json Session::launch_facts() const {
  if (!spec_.container()) return {{"mode", "native"}, {"environment", "native"}};
  nlohmann::json j = {{"mode", "container"},
                      {"environment", spec_.text},
                      {"runtime", to_string(spec_.runtime)},
                      {"runtime_version", availability_.version},
                      {"runtime_notes", availability_.notes},
                      {"container_mode", spec_.host_mirror() ? "host-mirror" : "image"},
                      {"image", image_},
                      {"gpu_injection", to_string(gpu_.mode)},
                      {"gpu_injection_reason", gpu_.reason},
                      {"options", to_json(options_)}};
  if (!bundle_manifest_.is_null())
    j["bundle"] = {{"requires_glibc", bundle_manifest_.value("requires_glibc", "")},
                   {"libraries", bundle_manifest_["libraries"].size()}};
  return j;
}

RunOutcome Session::run(const RunRequest& request) {
  const int n = ++runs_;
  const fs::path io = temp_dir_ / fmt::format("run-{}", n);
  fs::create_directories(io / "results");
  // An explicit --user may not be the owner of the directory the results come back through.
  if (!options_.user.empty()) {
    ::chmod(io.c_str(), 0777);
    ::chmod((io / "results").c_str(), 0777);
  }
  plan::write_plan_file(io / "plan.json", request.plan);

  RunOutcome outcome;
  outcome.launch = launch_facts();
  if (request.caches_dropped) outcome.launch["caches_dropped"] = true;
  std::vector<std::string> cmd;
  if (!spec_.container()) {
    cmd = inner_command(io.string(), request.label);
  } else {
    ContainerRun run;
    run.image = image_;
    run.name = fmt::format("sparkbench-{}-{}", ::getpid(), n);
    run.mounts = base_mounts_;
    run.mounts.insert(run.mounts.begin(), Mount{io.string(), kIoDirInside, false});
    run.gpu = gpu_.mode;
    if (gpu_.mode == GpuInjection::Devices) run.devices = facts_.nvidia_devices;
    run.env = env_;
    run.argv = inner_command(kIoDirInside, request.label);
    run.workdir = kIoDirInside;
    run.options = options_;
    if (spec_.runtime == Runtime::Oci) {
      run.bundle_dir = (temp_dir_ / fmt::format("oci-{}", n)).string();
      fs::create_directories(fs::path(run.bundle_dir) / "rootfs");
      write_rootfs(minimal_rootfs(facts_), fs::path(run.bundle_dir) / "rootfs", run.mounts);
      const nlohmann::json config = oci_config(run, facts_);
      write_atomic(fs::path(run.bundle_dir) / "config.json", config.dump(2));
      outcome.launch["oci_config"] = config;
    }
    cmd = launcher_->command(run, facts_);
    outcome.launch["inner_command"] = run.argv;
  }
  outcome.launch["command"] = cmd;
  outcome.launch["command_line"] = shell_join(cmd);
  // Recorded and printed without secrets (-e NAME=VALUE, the OCI config's env); cmd runs as it is.
  outcome.launch = redact::json(outcome.launch);
  fmt::print(stderr, "sparkbench: {}\n", outcome.launch["command_line"].get<std::string>());

  // Its output reaches our stderr as it arrives (our stdout stays free for the record paths scripts
  // read). In a process group of its own it is passed each SIGINT/SIGTERM we receive, whoever sent
  // it (our terminal's Ctrl-C now reaches us only, so it arrives once): the re-executed sparkbench
  // stops after its current repetition; `docker run` and `podman run` pass it to the container
  // (their signal proxy, on without a TTY), `crun run` and `runc run` in the foreground to the
  // container's init; in all three that is the re-executed sparkbench (the bundle's launcher execs it).
  const ChildOutcome r = run_child_process(
      {.argv = cmd,
       .own_process_group = true,
       .forward_signals = true,
       .await_on_abort = true,
       .echo_to_stderr = true,
       .keep_bytes = 16u << 10});
  outcome.exit_code = r.started ? r.exit_code : 127;
  outcome.launch["exit_code"] = outcome.exit_code;

  // Move the record(s) the inner run wrote into the host's results, with the launch facts.
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(io / "results" / request.label, ec)) {
    if (e.path().extension() != ".json") continue;
    record::RunRecord rec;
    try {
      rec = record::load(e.path());
    } catch (const Error&) {
      continue;  // not a record: the inner run ended before it wrote one
    }
    rec.launch = outcome.launch;
    fs::create_directories(request.results_dir / request.label, ec);
    const fs::path target = record::claim_unused_path(request.results_dir / request.label / e.path().filename());
    record::write(target, rec);
    outcome.record = target;
    // The inner run does not name its record: where it wrote it is gone once we return.
    fmt::print(stderr, "sparkbench: record: {}\n", target.string());
  }
  fs::remove_all(io, ec);

  const std::string where = spec_.container() ? "the container" : "the native run";
  const std::string runtime = to_string(spec_.runtime);
  // The runtimes and the inner sparkbench say what went wrong on stderr.
  const std::string tail = last_line(r.err.find_first_not_of(" \n\r\t") != std::string::npos ? r.err : r.out);
  const std::string output = r.out + r.err;
  const auto said = [&](const char* text) { return output.find(text) != std::string::npos; };
  // 130/143: our signal passed on, or one of its own; 137: killed by our abort, having not ended by itself.
  const bool signalled = outcome.exit_code == kExitInterrupted || outcome.exit_code == kExitTerminated ||
                         (outcome.exit_code == 128 + SIGKILL && interrupt::count() >= 2);
  const bool normal_end = outcome.exit_code == 0 || outcome.exit_code == 1 || signalled;
  std::string problem, fix;
  if (!r.started) {
    problem = fmt::format("could not start {}", cmd.front());
    fix = "check that it is installed and executable";
  } else if (normal_end && !outcome.record.empty()) {
    return outcome;
  } else if (signalled && interrupt::requested()) {
    return outcome;  // our signal reached it while it started, before it wrote a record: nothing to keep
  } else if (outcome.exit_code == 128 + 9) {
    problem = fmt::format("{} was killed (SIGKILL, exit 137){}", where,
                          options_.memory.empty() ? "" : fmt::format(": out of memory under --memory {}?", options_.memory));
    fix = options_.memory.empty() ? "check `dmesg` for the OOM killer, and whether something stopped the container"
                                  : "raise --memory (or leave it out), or run smaller cases";
  } else if (said("GLIBC_")) {
    problem = fmt::format("the image's C library is older than this sparkbench build needs (GLIBC_{}): {}",
                          bundle_manifest_.is_null() ? "?" : bundle_manifest_.value("requires_glibc", "?"), tail);
    fix = "use an image of a distribution at least as new as the build host, build sparkbench on an older one, "
          "or use host-mirror mode (--env " + runtime + ")";
  } else if (spec_.container() && said("exec ") && (said("no such file") || said("not found") || said("permission denied"))) {
    problem = fmt::format("{} could not start the command in the container: {}", runtime, tail);
    fix = spec_.host_mirror() ? "the host-mirror mounts did not provide the binary; check `sparkbench runtimes` and the "
                                "mounts in the command above"
                              : "the image needs /bin/sh (the bundle's launcher script is a shell script)";
  } else if (spec_.container() && said("rlimit")) {
    problem = fmt::format("{} could not set the container's resource limits: {}", runtime, tail);
    fix = "give limits at or below your own (ulimit -a), e.g. --ulimit nofile=1024:1024 --ulimit nproc=1024:1024: "
          "raising a hard limit needs CAP_SYS_RESOURCE";
  } else if (spec_.container() && (outcome.exit_code == 125 || outcome.exit_code == 126 || outcome.exit_code == 127)) {
    // docker and podman: 125 the engine failed, 126 the runtime or the command could not start,
    // 127 the command was not found in the container.
    problem = fmt::format("{} could not run the container (exit {}): {}", runtime, outcome.exit_code, tail);
    fix = fmt::format("see {}'s message above; `sparkbench runtimes` checks the setup", runtime);
  } else {
    problem = fmt::format("{} exited with code {}{}: {}", where, outcome.exit_code,
                          outcome.record.empty() ? " without writing a record" : "", tail);
    fix = "see its output above";
  }
  if (!outcome.record.empty()) problem += fmt::format(" (the partial record is kept: {})", outcome.record.string());
  throw Error(problem, fix, kExitFailure);
}

}  // namespace sb::launcher
