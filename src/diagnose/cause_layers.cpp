#include "diagnose/cause_layers.hpp"

#include <string_view>

namespace sb::diagnose {
namespace {

bool starts_with(const std::string& s, std::string_view prefix) { return s.rfind(prefix, 0) == 0; }

// The integer value of parameter `name`, or `otherwise` where it is absent or not a number.
long long int_param(const compare::CaseComparison& c, const std::string& name, long long otherwise) {
  const auto& values = c.params.values();
  const auto it = values.find(name);
  if (it == values.end()) return otherwise;
  try {
    return std::stoll(it->second);
  } catch (const std::exception&) {
    return otherwise;  // "all" and the like
  }
}

}  // namespace

bool command_case(const compare::CaseComparison& c) { return starts_with(c.workload, "command:"); }

bool uses_shm(const compare::CaseComparison& c) { return c.layer == "io-shm" || command_case(c); }

bool cpu_bound(const compare::CaseComparison& c) {
  if (command_case(c)) return c.layer == "command";
  return starts_with(c.layer, "cpu-") && !syscall_bound(c);
}

bool scales_with_threads(const compare::CaseComparison& c) {
  const bool layer = c.layer == "cpu-scaling" || c.layer == "cpu-compute" || c.layer == "cpu-memory";
  return layer && int_param(c, "threads", 0) != 1;
}

bool launch_bound(const compare::CaseComparison& c) {
  if (c.layer == "gpu-launch") return true;
  if (c.layer != "gpu-llm" && c.layer != "llm-inference") return false;
  const long long batch = int_param(c, "batch", -1);  // an engine without a batch parameter: unknown
  return batch >= 1 && batch <= 4;
}

bool memory_bound(const compare::CaseComparison& c) {
  return c.layer == "cpu-memory" || c.layer == "cpu-pagefault" || starts_with(c.layer, "io-") ||
         c.layer == "unified-memory" || command_case(c);
}

bool gpu_bound(const compare::CaseComparison& c) { return starts_with(c.layer, "gpu") || c.device == Device::Gpu; }

bool syscall_bound(const compare::CaseComparison& c) { return c.layer == "cpu-syscall"; }

}  // namespace sb::diagnose
