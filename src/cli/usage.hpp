#pragma once
// A bad command line: CLI11's parse errors as sparkbench errors (exit 2, kExitUsage; CLI11's own
// codes are 100+), naming the word that was not understood and the nearest known one.
#include <CLI/CLI.hpp>

#include "core/error.hpp"

namespace sb::cli {

// The error and fix for `e`, thrown while `app` parsed the command line. Not for CLI::Success
// (--help, --version): those go to app.exit(e), exit 0.
Error usage_error(const CLI::App& app, const CLI::ParseError& e);

// Accepts a number of 0 or more (a percentage such as --fail-above).
CLI::Validator non_negative_percent();

}  // namespace sb::cli
