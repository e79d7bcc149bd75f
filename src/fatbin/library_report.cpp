#include "fatbin/library_report.hpp"

namespace sb::fatbin {

namespace {

using nlohmann::json;

json describe(const LibraryCoverage& l, std::optional<int> sm) {
  json j = {{"path", l.library.path},
            {"version", l.library.version.empty() ? json(nullptr) : json(l.library.version)}};
  if (l.library.main_executable) j["main_executable"] = true;
  if (!l.error.empty()) {
    j["summary"] = nullptr;
    j["sass_for_device"] = nullptr;
    j["ptx_jit"] = nullptr;
    j["error"] = l.error;
    return j;
  }
  j["summary"] = l.coverage.summary();
  // No fatbinary (libcuda, NVML, a host-only library): no kernels that could lack SASS.
  if (!sm || (l.coverage.entries.empty() && l.coverage.other_entries == 0)) {
    j["sass_for_device"] = nullptr;
    j["ptx_jit"] = nullptr;
    return j;
  }
  const bool sass = l.coverage.has_sass_for(*sm);
  j["sass_for_device"] = sass;
  const std::optional<Entry> ptx = sass ? std::nullopt : l.coverage.ptx_jit_for(*sm);
  j["ptx_jit"] = ptx ? json(target_name(*ptx)) : json(nullptr);
  return j;
}

}  // namespace

json library_report(const std::vector<LibraryCoverage>& libraries, std::optional<int> sm) {
  json out = json::array();
  for (const LibraryCoverage& l : libraries) out.push_back(describe(l, sm));
  return out;
}

}  // namespace sb::fatbin
