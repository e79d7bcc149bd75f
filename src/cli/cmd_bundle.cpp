// `sparkbench bundle DIR`: this binary, its config and the shared libraries it needs (not the C
// library, not the NVIDIA driver), with a launcher script, to run inside someone else's image.
#include <filesystem>
#include <memory>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/commands.hpp"
#include "config/config.hpp"
#include "core/error.hpp"
#include "launcher/bundle.hpp"

namespace sb::cli {

void add_bundle(CLI::App& app, int& exit_code) {
  auto dir = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("bundle", "Copy sparkbench and the libraries it needs into DIR, to run inside an image");
  cmd->footer(
      "DIR/sparkbench is a launcher script: mount DIR read-only into a container and run DIR/sparkbench there.\n"
      "The C library (libc, libm, libpthread, libdl, librt, ld-linux) is left out because it must be the image's own\n"
      "(it is one unit with the image's dynamic loader), and so are the NVIDIA driver libraries (they must match the\n"
      "host's kernel module; the GPU injection brings them). CUDA toolkit libraries go to DIR/lib-cuda/ and are used\n"
      "only where the image has none of its own. `run --env docker:IMAGE` and `ab` make and mount a bundle themselves.\n\n"
      "Example:  sparkbench bundle /tmp/sb && docker run --rm -v /tmp/sb:/sparkbench:ro IMAGE /sparkbench/sparkbench env");
  cmd->add_option("dir", *dir, "Directory to write (created)")->required();
  cmd->callback([dir, &exit_code] {
    std::error_code ec;
    const std::filesystem::path self = std::filesystem::canonical("/proc/self/exe", ec);
    if (ec) throw Error("cannot find the sparkbench binary (/proc/self/exe)", "run sparkbench on Linux", kExitFailure);
    ensure_writable_dir(*dir, "bundle");
    const nlohmann::json m = launcher::make_bundle(self, config::default_config_path(), *dir);
    fmt::print(stderr, "sparkbench bundle: {} librar{} copied, {} left out (C library, NVIDIA driver); needs GLIBC {} or newer in the image\n",
               m["libraries"].size(), m["libraries"].size() == 1 ? "y" : "ies", m["left_out"].size(),
               m.value("requires_glibc", "?"));
    fmt::print("{}\n", (std::filesystem::path(*dir) / "sparkbench").string());
    exit_code = 0;
  });
}

}  // namespace sb::cli
