#pragma once
// The comparison's cases grouped by the layer each workload isolates ("cpu-scaling",
// "gpu-compute", ...), with the outcome of each layer in one line: the layers that moved and the
// ones that did not are the fingerprint of where a slowdown comes from.
#include <string>
#include <vector>

#include "compare/compare.hpp"

namespace sb::report::detail {

inline constexpr const char* kNoLayer = "(no layer)";

struct LayerOutcome {
  std::string layer;  // kNoLayer for a workload without a layer tag
  std::vector<const compare::CaseComparison*> cases;  // every case of the layer, compared or not
  // Compared cases (both sides ran) by the verdict of their primary metric.
  std::size_t compared = 0, slower = 0, faster = 0, equivalent = 0, inconclusive = 0;
  double median_overhead_pct = 0;          // over the compared cases; NaN when none was compared
  double median_slower_pct = 0, median_faster_pct = 0;  // over those cases; NaN when there are none
  std::string summary;  // "2 of 2 cases slower (+110.0% median)", "equivalent (1 case)", "1 equivalent, 2 inconclusive"
};

// In layer-name order with kNoLayer last, so that reports of different runs list layers alike; the
// cases of a layer in the comparison's order.
std::vector<LayerOutcome> layer_outcomes(const compare::Comparison& c);

}  // namespace sb::report::detail
