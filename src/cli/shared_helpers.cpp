// The subcommands' shared helpers (commands.hpp), kept out of commands.cpp: its main registers the
// subcommands, which use these without calling back into it.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "core/error.hpp"

namespace sb::cli {
namespace {

std::vector<std::string> g_argv;

}  // namespace

void keep_command_line(int argc, char** argv) { g_argv.assign(argv, argv + argc); }

std::vector<std::string> command_line() { return g_argv; }

bool stderr_is_terminal() { return isatty(STDERR_FILENO) == 1 && std::getenv("CI") == nullptr; }

void ensure_writable_dir(const std::string& dir, const std::string& what) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(dir, ec);
  const fs::path probe = fs::path(dir) / fmt::format(".sparkbench-write-test.{}", ::getpid());
  bool ok = !ec;
  if (ok) {
    std::ofstream out(probe);
    ok = static_cast<bool>(out << "ok");
  }
  fs::remove(probe, ec);
  if (!ok)
    throw Error(fmt::format("the {} directory {} cannot be written", what, dir),
                "choose a writable directory with --out (nothing was run, existing results are untouched)");
}

}  // namespace sb::cli
