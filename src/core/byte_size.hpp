#pragma once
// Byte counts as people read them, the same in `sparkbench env` and in the reports.
#include <string>

namespace sb {

// 25276502016 -> "23.5 GiB": binary units, one decimal.
std::string human_bytes(double bytes);
// 25276502016 -> "25276502016 (23.5 GiB)": the exact count (two sizes that differ by a few bytes
// must not look equal) with its size; below 1 KiB only the count.
std::string byte_count_text(double bytes);

}  // namespace sb
