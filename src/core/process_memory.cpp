#include "core/process_memory.hpp"

#include <fstream>
#include <sstream>
#include <string>

namespace sb {

namespace {

// "RssAnon:\t  123456 kB" -> 123456 * 1024.
std::optional<std::int64_t> kib_field(const std::string& line, const std::string& key) {
  if (line.rfind(key + ":", 0) != 0) return std::nullopt;
  std::istringstream in(line.substr(key.size() + 1));
  std::int64_t kib = 0;
  if (!(in >> kib)) return std::nullopt;
  return kib * 1024;
}

}  // namespace

ProcessMemory process_memory() {
  ProcessMemory m;
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);) {
    if (auto v = kib_field(line, "VmHWM")) m.peak_resident = v;
    if (auto v = kib_field(line, "RssAnon")) m.resident_anon = v;
    if (auto v = kib_field(line, "RssFile")) m.resident_file = v;
  }
  return m;
}

bool reset_peak_resident() {
  std::ofstream out("/proc/self/clear_refs");
  out << "5";
  out.flush();
  return static_cast<bool>(out);
}

}  // namespace sb
