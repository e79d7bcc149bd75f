#include "core/byte_size.hpp"

#include <array>

#include <fmt/format.h>

namespace sb {

std::string human_bytes(double bytes) {
  constexpr std::array<const char*, 6> kUnits = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  std::size_t unit = 0;
  while (bytes >= 1024 && unit + 1 < kUnits.size()) {
    bytes /= 1024;
    ++unit;
  }
  return fmt::format("{:.1f} {}", bytes, kUnits[unit]);
}

std::string byte_count_text(double bytes) {
  if (bytes < 1024) return fmt::format("{:.0f}", bytes);
  return fmt::format("{:.0f} ({})", bytes, human_bytes(bytes));
}

}  // namespace sb
