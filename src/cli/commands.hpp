#pragma once
// The `sparkbench` command line: one file per subcommand, each registering itself on the app.
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace sb::cli {

int main(int argc, char** argv);

// Each add_* registers a subcommand whose callback stores its exit code in `exit_code`.
void add_list(CLI::App& app, int& exit_code);
void add_env(CLI::App& app, int& exit_code);
void add_run(CLI::App& app, int& exit_code);
void add_compare(CLI::App& app, int& exit_code);
void add_export(CLI::App& app, int& exit_code);
void add_report(CLI::App& app, int& exit_code);

// Shared helpers.
std::vector<std::string> command_line();  // argv of this process, as given
void ensure_writable_dir(const std::string& dir, const std::string& what);  // throws sb::Error before any work
bool stderr_is_terminal();

}  // namespace sb::cli
