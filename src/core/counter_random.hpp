#pragma once
// Random values that are a pure function of (seed, index). Any slice of an input can be
// regenerated to check a result, so a check needs no second copy of a gigabyte-sized input.
#include <cstdint>

namespace sb {

// The index-th output of SplitMix64 (Steele, Lea, Flood, "Fast splittable pseudorandom number
// generators", OOPSLA 2014) started from state `seed`; it passes BigCrush.
constexpr std::uint64_t random_word(std::uint64_t seed, std::uint64_t index) {
  std::uint64_t x = seed + (index + 1) * 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// A float in [1, 2) with 24 random bits: never zero, exactly representable, so that a result
// computed from it can be compared exactly against a CPU reference.
constexpr float random_float(std::uint64_t seed, std::uint64_t index) {
  return 1.0f + static_cast<float>(random_word(seed, index) >> 40) * (1.0f / 16777216.0f);
}

}  // namespace sb
