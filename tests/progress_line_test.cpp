// The live progress line fits the terminal: never wider than asked, the case id shortened in the
// middle, the value and then the CI left out before the id becomes unreadable.
#include "runner/progress_line.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <string>

namespace sb::runner {
namespace {

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// As the runner reports a measured repetition of a case with a long id (the 85-112 characters
// that wrapped on an 80-column terminal).
const std::string kTitle = "[12/48] llm_cpu/batch=4,model=llama-3.2-1b-reduced,prompt=512,gen_tokens=128,weights=synthetic";
const ProgressStatus kStatus{.counter = "rep  12/30", .ci = "CI ±0.42%", .value = "tokens_per_s 123.4 tok/s"};

TEST(ProgressLine, NeverWiderThanTheWidthAtAnyWidth) {
  for (std::size_t width = 0; width <= 240; ++width) {
    const std::string line = fit_progress_line(kTitle, kStatus, width);
    EXPECT_LE(columns(line), width) << line;
    const std::string warmup = fit_progress_line(kTitle, {.counter = "warm-up 1/2"}, width);
    EXPECT_LE(columns(warmup), width) << warmup;
  }
}

TEST(ProgressLine, WideTerminalShowsEverythingAsIs) {
  const std::string line = fit_progress_line(kTitle, kStatus, 200);
  EXPECT_EQ(line, kTitle + "  rep  12/30  tokens_per_s 123.4 tok/s  CI ±0.42%");
}

TEST(ProgressLine, At80TheCounterAndCiStayAndTheIdIsShortenedInTheMiddle) {
  const std::string line = fit_progress_line(kTitle, kStatus, 80);
  EXPECT_LE(columns(line), 80u);
  EXPECT_TRUE(contains(line, "rep  12/30")) << line;
  EXPECT_TRUE(contains(line, "CI ±0.42%")) << line;
  EXPECT_TRUE(line.starts_with("[12/48] llm_c")) << line;          // the case's start ...
  EXPECT_TRUE(contains(line, "…")) << line;                         // ... its middle left out ...
  EXPECT_TRUE(contains(line, "synthetic  rep")) << line;           // ... and its end
}

TEST(ProgressLine, At40TheValueAndCiGoBeforeTheIdBecomesUnreadable) {
  const std::string line = fit_progress_line(kTitle, kStatus, 40);
  EXPECT_LE(columns(line), 40u);
  EXPECT_TRUE(line.ends_with("  rep  12/30")) << line;
  EXPECT_FALSE(contains(line, "tok/s")) << line;
  EXPECT_FALSE(contains(line, "CI ")) << line;
  EXPECT_EQ(columns(line), 40u) << line;  // the title takes what the counter leaves
  EXPECT_TRUE(line.starts_with("[12/48] llm_c")) << line;
}

TEST(ProgressLine, TheValueGoesFirstThenTheCi) {
  // Just too narrow for all three beside a readable title: the value is left out, the CI stays.
  const std::size_t all = kMinTitleColumns + columns("  rep  12/30  tokens_per_s 123.4 tok/s  CI ±0.42%");
  const std::string line = fit_progress_line(kTitle, kStatus, all - 1);
  EXPECT_TRUE(line.ends_with("  rep  12/30  CI ±0.42%")) << line;
  EXPECT_TRUE(fit_progress_line(kTitle, kStatus, all).ends_with("tok/s  CI ±0.42%"));
}

TEST(ProgressLine, ShortTitlesAreNotShortened) {
  EXPECT_EQ(fit_progress_line("[1/2] syscall", kStatus, 80), "[1/2] syscall  rep  12/30  tokens_per_s 123.4 tok/s  CI ±0.42%");
}

TEST(ProgressLine, AbbreviatesInTheMiddleByCodePoints) {
  EXPECT_EQ(abbreviate_middle("matmul/n=10000,precision=fp32", 25), "matmul/n=10…recision=fp32");
  EXPECT_EQ(abbreviate_middle("matmul/n=10000,precision=fp32", 29), "matmul/n=10000,precision=fp32");
  EXPECT_EQ(abbreviate_middle("abc", 1), "…");
  EXPECT_EQ(abbreviate_middle("abc", 0), "");
  EXPECT_EQ(columns("CI ±0.42%"), 9u);  // "±" is two bytes, one column
  EXPECT_EQ(abbreviate_middle("±±±±±±", 4), "±…±±");
}

TEST(ProgressLine, TerminalWidthFallsBackToColumnsThenTo80) {
  if (isatty(STDERR_FILENO)) GTEST_SKIP() << "stderr is a terminal: its own width wins";
  const char* saved = std::getenv("COLUMNS");
  const std::string keep = saved ? saved : "";
  setenv("COLUMNS", "123", 1);
  EXPECT_EQ(terminal_columns(), 123u);
  setenv("COLUMNS", "wide", 1);
  EXPECT_EQ(terminal_columns(), 80u);
  unsetenv("COLUMNS");
  EXPECT_EQ(terminal_columns(), 80u);
  if (saved) setenv("COLUMNS", keep.c_str(), 1);
}

}  // namespace
}  // namespace sb::runner
