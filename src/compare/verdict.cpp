// The verdict's names and bands (declared in compare.hpp), kept out of compare.cpp: compare.cpp
// calls metric.cpp and findings.cpp, which use these without calling back into it.
#include <string>

#include "compare/compare.hpp"

namespace sb::compare {

std::string to_string(Verdict v) {
  switch (v) {
    case Verdict::Equivalent: return "equivalent";
    case Verdict::Inconclusive: return "inconclusive";
    case Verdict::Faster: return "faster";
    case Verdict::Minimal: return "slower (minimal)";
    case Verdict::Moderate: return "slower (moderate)";
    case Verdict::Significant: return "slower (significant)";
    case Verdict::Critical: return "slower (critical)";
    case Verdict::NotComparable: return "not comparable";
  }
  return "unknown";
}

bool is_slower(Verdict v) {
  return v == Verdict::Minimal || v == Verdict::Moderate || v == Verdict::Significant || v == Verdict::Critical;
}

std::string outcome_name(Verdict v) { return is_slower(v) ? "slower" : to_string(v); }

std::string band_name(Verdict v) {
  switch (v) {
    case Verdict::Minimal: return "minimal";
    case Verdict::Moderate: return "moderate";
    case Verdict::Significant: return "significant";
    case Verdict::Critical: return "critical";
    default: return "";
  }
}

std::string to_string(TestUnit u) { return u == TestUnit::Round ? "round" : "repetition"; }

Verdict band_for_overhead(double overhead_pct) {
  if (overhead_pct < 0) return Verdict::Faster;
  if (overhead_pct < 10) return Verdict::Minimal;
  if (overhead_pct < 20) return Verdict::Moderate;
  if (overhead_pct <= 40) return Verdict::Significant;
  return Verdict::Critical;
}

}  // namespace sb::compare
