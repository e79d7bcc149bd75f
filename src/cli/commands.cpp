#include "cli/commands.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/usage.hpp"
#include "core/error.hpp"
#include "core/interrupt.hpp"
#include "core/version.hpp"

namespace sb::cli {
namespace {

void print_error(const std::string& problem, const std::string& fix) {
  fmt::print(stderr, "sparkbench: error: {}\n", problem);
  if (!fix.empty()) fmt::print(stderr, "  fix: {}\n", fix);
}

}  // namespace

int main(int argc, char** argv) {
  keep_command_line(argc, argv);
  CLI::App app{fmt::format(
      "sparkbench {} — is this GPU workload slower in a container than natively, by how much, and why?\n\n"
      "Typical use:\n"
      "  sparkbench list                          workloads, parameters, suites\n"
      "  sparkbench env                           what this machine looks like (paste it in a bug report)\n"
      "  sparkbench run --suite sanity --label native\n"
      "  sparkbench run --suite sanity --label container   (inside the container)\n"
      "  sparkbench compare results/native results/container\n"
      "  sparkbench ab --env native --env docker --suite quick    (both, interleaved, then the report)\n"
      "  sparkbench runtimes                      which container runtimes work here\n",
      kVersion)};
  app.footer(
      "Exit codes: 0 success; 1 a case failed or a run could not complete; 2 bad command line, config or "
      "input; 3 compare --fail-above exceeded; 130 interrupted by SIGINT (Ctrl-C), 143 by SIGTERM (finished cases "
      "are kept; a second signal aborts at once).\n"
      "Docs: README.md, docs/methodology.md (how measuring and statistics work).");
  app.set_version_flag("--version", std::string("sparkbench ") + kVersion);
  app.require_subcommand(1);
  int exit_code = kExitOk;
  add_list(app, exit_code);
  add_env(app, exit_code);
  add_run(app, exit_code);
  add_compare(app, exit_code);
  add_export(app, exit_code);
  add_report(app, exit_code);
  add_doctor(app, exit_code);
  add_ab(app, exit_code);
  add_runtimes(app, exit_code);
  add_bundle(app, exit_code);
  add_share(app, exit_code);

  // SIGINT/SIGTERM: the first stops `run` and `ab` after the current repetition, the second aborts.
  interrupt::install();

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);  // --help, --version
  } catch (const CLI::ParseError& e) {
    const Error usage = usage_error(app, e);
    print_error(usage.what(), usage.fix());
    return usage.exit_code();
  } catch (const Error& e) {
    print_error(e.what(), e.fix());
    return e.exit_code();
  } catch (const std::exception& e) {
    print_error(e.what(), "this looks like a bug in sparkbench; please report it with `sparkbench env` output");
    return kExitFailure;
  }
  return exit_code;
}

}  // namespace sb::cli
