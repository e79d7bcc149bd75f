#pragma once
// The live progress line on a terminal, rewritten in place ("\r\033[K"): a line wider than the
// terminal wraps, and each rewrite then leaves the wrapped part behind as a stale line.
#include <cstddef>
#include <string>

namespace sb::runner {

// What a repetition reports beside the case, most important first.
struct ProgressStatus {
  std::string counter{};  // "rep  12/30", "warm-up 1/2"
  std::string ci{};       // "CI ±0.42%"; empty during warm-up
  std::string value{};    // "ms 12.3 ms": the primary metric's latest value; empty during warm-up
};

// "<title>  <counter>  <value>  <ci>" in at most `width` columns. The title ("[3/8] <case id>") is
// shortened in the middle first ("[3/8] matmul/n=1…recision=fp32"), down to kMinTitleColumns; then
// the value is left out, then the CI, each giving the title its room back; narrower still, the
// title gets what the counter leaves, and the counter alone is cut last.
inline constexpr std::size_t kMinTitleColumns = 30;
std::string fit_progress_line(const std::string& title, const ProgressStatus& status, std::size_t width);

// Columns `text` takes: one per UTF-8 code point (the ids, units, "±" and "…" are all narrow).
std::size_t columns(const std::string& text);

// `text` in at most `width` columns: its middle replaced by "…" when it is wider.
std::string abbreviate_middle(const std::string& text, std::size_t width);

// The width of the terminal on stderr (TIOCGWINSZ), else $COLUMNS, else 80.
std::size_t terminal_columns();

}  // namespace sb::runner
