#pragma once
// How findings are ordered, shared by every file that produces them (findings.cpp,
// evidence_findings.cpp): a cause ranks by the share of the candidate's slowdown that the cases it
// may cite explain; a case that failed on one side only outranks every cause. docs/diagnosis.md.
#include <string>
#include <vector>

#include "compare/compare.hpp"
#include "diagnose/findings.hpp"

namespace sb::diagnose {

// A Finding with the weight that orders it (higher first).
struct Scored {
  double score;
  Finding finding;
};

using Cases = std::vector<const compare::CaseComparison*>;

// Scores. A cause citing worse cases: kCause + kShare * (its share of the slowdown) + a prior below
// kShare/8 for specificity. Observations keep fixed scores below kCause (equivalence and "cannot tell
// yet" at kCause when they are the whole answer). A note is unranked and listed last.
inline constexpr double kFailedOneSide = 300;
inline constexpr double kCause = 100;
inline constexpr double kShare = 80;
inline constexpr double kNote = -1;

// Both sides have results for the case.
bool comparable(const compare::CaseComparison& c);
bool slower(const compare::CaseComparison& c);
// The case measured in the baseline but failed or was unavailable in the candidate, or the other way.
bool failed_only_in_candidate(const compare::CaseComparison& c);
bool failed_only_in_baseline(const compare::CaseComparison& c);
// Worse in the candidate: slower, or failed/unavailable only there. What the attribution counts.
bool worse(const compare::CaseComparison& c);
Cases worse_cases(const compare::Comparison& c);

// How much of the candidate's slowdown the worse cases among `cited` carry, 0..1: each slower case
// weighs log(cost ratio), a case failed only in the candidate log(2).
double slowdown_share(const compare::Comparison& c, const Cases& cited);
// kCause + kShare * share + prior; kNote where `cited` holds no worse case.
double cause_score(const compare::Comparison& c, const Cases& cited, double prior);
// The ids of the worse cases among `cases`, for Finding::cites.
std::vector<std::string> cited_ids(const Cases& cases);

}  // namespace sb::diagnose
