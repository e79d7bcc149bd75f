#pragma once
// Reading a metric's value out of what a command printed: the first capture group of a regex
// (line by line), a JSON pointer (into the whole output, or else its last JSON line), or a CSV
// column (of the first or last data row). Each throws sb::Error saying what was looked for and
// why it was not found; the caller adds the command and the output's tail.
#include <optional>
#include <string>

#include "workloads/command/definition.hpp"

namespace sb::command {

double extract_regex(const std::string& text, const std::string& pattern, bool last);
// The text the first capture group of `pattern` matches (line by line; the last or the first
// matching line), nullopt when no line matches.
std::optional<std::string> find_regex(const std::string& text, const std::string& pattern, bool last);
double extract_json_pointer(const std::string& text, const std::string& pointer);
double extract_csv(const std::string& text, const std::string& column, bool last_row, char separator);

// Dispatches on x.method and applies x.scale.
double extract(const Extraction& x, const std::string& text);

// The last `max_lines` lines of text, at most max_chars characters, for error messages.
std::string tail(const std::string& text, std::size_t max_lines = 20, std::size_t max_chars = 2000);

}  // namespace sb::command
