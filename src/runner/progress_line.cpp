#include "runner/progress_line.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <initializer_list>
#include <vector>

namespace sb::runner {
namespace {

constexpr const char* kEllipsis = "…";
constexpr const char* kSeparator = "  ";

bool starts_code_point(char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }

// Byte offsets where each code point starts, and text.size() at the end.
std::vector<std::size_t> code_point_offsets(const std::string& text) {
  std::vector<std::size_t> offsets;
  for (std::size_t i = 0; i < text.size(); ++i)
    if (starts_code_point(text[i])) offsets.push_back(i);
  offsets.push_back(text.size());
  return offsets;
}

std::string joined(std::initializer_list<const std::string*> fields) {
  std::string out;
  for (const std::string* f : fields) {
    if (f->empty()) continue;
    if (!out.empty()) out += kSeparator;
    out += *f;
  }
  return out;
}

}  // namespace

std::size_t columns(const std::string& text) { return code_point_offsets(text).size() - 1; }

std::string abbreviate_middle(const std::string& text, std::size_t width) {
  const std::vector<std::size_t> at = code_point_offsets(text);
  const std::size_t n = at.size() - 1;
  if (n <= width) return text;
  if (width == 0) return "";
  // The end of an id holds the parameters that tell its cases apart: it keeps the larger half.
  const std::size_t keep = width - 1, head = keep > 0 ? (keep - 1) / 2 : 0, tail = keep - head;
  return text.substr(0, at[head]) + kEllipsis + text.substr(at[n - tail]);
}

std::string fit_progress_line(const std::string& title, const ProgressStatus& status, std::size_t width) {
  const std::size_t min_title = std::min(columns(title), kMinTitleColumns);
  for (const std::string& rest : {joined({&status.counter, &status.value, &status.ci}),
                                  joined({&status.counter, &status.ci}), joined({&status.counter})}) {
    const std::size_t need = rest.empty() ? 0 : columns(rest) + columns(kSeparator);
    if (width >= need + min_title)
      return abbreviate_middle(title, width - need) + (rest.empty() ? "" : kSeparator + rest);
  }
  // Narrower still: the counter, and as much of the title as fits before it.
  const std::size_t need = columns(status.counter) + columns(kSeparator);
  if (width > need) return abbreviate_middle(title, width - need) + kSeparator + status.counter;
  return abbreviate_middle(status.counter, width);
}

std::size_t terminal_columns() {
  winsize ws{};
  if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  if (const char* env = std::getenv("COLUMNS")) {
    char* end = nullptr;
    const long n = std::strtol(env, &end, 10);
    if (end != env && *end == '\0' && n > 0) return static_cast<std::size_t>(n);
  }
  return 80;
}

}  // namespace sb::runner
