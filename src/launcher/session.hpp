#pragma once
// Running a plan in an environment: the same sparkbench binary re-executed there with the plan
// written to a host directory that is bind-mounted at /sparkbench-io, and the record it writes
// moved into the host's results/<label>/ with the launch facts (exact command line, runtime, GPU
// injection, options) in its `launch` section.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "launcher/environment_spec.hpp"
#include "launcher/host_facts.hpp"
#include "launcher/launcher.hpp"
#include "plan/plan.hpp"

namespace sb::launcher {

inline constexpr const char* kIoDirInside = "/sparkbench-io";
inline constexpr const char* kBundleDirInside = "/sparkbench";

// Host-mirror: the install prefixes of the PATH entries, to mount beside the userland: a directory
// named bin gives its parent (a venv's or /opt/<tool>'s root, whose lib/ its programs need), any
// other directory itself; never "/". Entries that do not exist are skipped.
std::vector<std::string> path_install_prefixes(const std::string& path_list);

// Whether a variable of the caller's environment is passed into the container: run choices
// (thread counts, CUDA_VISIBLE_DEVICES, NCCL tuning, ...) always; in host-mirror mode also
// PATH, LD_LIBRARY_PATH, LD_PRELOAD and CUDA_*/TORCH_*/TRTLLM_* (the mirror is the host).
bool forward_env_var(const std::string& name, bool host_mirror);

struct RunRequest {
  std::string label;
  const plan::Plan& plan;             // written as the plan file `sparkbench run --plan-file` reads
  std::filesystem::path results_dir;  // the record lands in results_dir/label/
  bool caches_dropped = false;        // the caller dropped the page cache just before (ab --drop-caches): in `launch`
};

struct RunOutcome {
  std::filesystem::path record;  // the record in the host's results directory; empty only when interrupted
  int exit_code = 0;             // 0 ok, 1 a case failed, 130/143 interrupted by SIGINT/SIGTERM (other codes throw)
  nlohmann::json launch;         // what went into the record's `launch`
};

class Session {
 public:
  // Checks that the environment can run here (runtime installed and usable, image present,
  // options applicable) and prepares it (the host-mirror image, the bundle): throws sb::Error
  // (exit code 1) with the problem and its fix before anything is measured.
  Session(EnvSpec spec, const ContainerOptions& options);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  const EnvSpec& spec() const { return spec_; }
  // One line for progress messages: "docker (host-mirror image sparkbench/host-mirror:..., gpu: none)".
  std::string describe() const;

  // Runs the plan once, passing it our SIGINT/SIGTERM. Returns when a record was written and the run
  // ended normally, with a failed case (exit 1) or interrupted (130/143; without a record when our
  // signal came before it wrote one). Throws sb::Error (exit code 1) when the runtime or the
  // container failed: no record, or killed part-way (then the partial record is kept and named).
  RunOutcome run(const RunRequest& request);

 private:
  std::vector<std::string> inner_command(const std::string& io_inside, const std::string& label) const;
  nlohmann::json launch_facts() const;
  void prepare_image();

  EnvSpec spec_;
  HostFacts facts_;
  std::unique_ptr<Launcher> launcher_;
  Availability availability_;
  ContainerOptions options_;
  GpuChoice gpu_;
  std::filesystem::path self_;      // this binary
  std::filesystem::path temp_dir_;  // removed by the destructor
  std::string image_;               // what the runtime runs (a tag, an image, a sandbox directory)
  std::vector<Mount> base_mounts_;  // userland or bundle, driver libraries
  std::vector<std::pair<std::string, std::string>> env_;
  nlohmann::json bundle_manifest_;  // image mode
  int runs_ = 0;
};

}  // namespace sb::launcher
