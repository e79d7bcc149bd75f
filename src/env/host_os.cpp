// Host identity and operating system.
#include <sys/utsname.h>
#include <unistd.h>

#include <climits>

#include "env/readers.hpp"

namespace sb::env {

nlohmann::json capture_host() {
  nlohmann::json j = {{"hostname", nullptr}, {"kernel_release", nullptr},
                      {"kernel_version", nullptr}, {"arch", nullptr}};
  char name[HOST_NAME_MAX + 1] = {};
  if (gethostname(name, sizeof name - 1) == 0) j["hostname"] = name;
  utsname u{};
  if (uname(&u) == 0) {
    j["kernel_release"] = u.release;
    j["kernel_version"] = u.version;
    j["arch"] = u.machine;
  }
  // The machine model: DMI on x86 servers, the device tree on many arm64 boards.
  auto product = read_first_line("/sys/class/dmi/id/product_name");
  if (!product) {
    if (auto model = read_file("/sys/firmware/devicetree/base/model"))
      product = trim(model->c_str());  // NUL-terminated
  }
  j["product_name"] = or_null(product);
  return j;
}

nlohmann::json capture_os() {
  // os-release(5): /etc/os-release, else /usr/lib/os-release.
  auto text = read_file("/etc/os-release");
  if (!text) text = read_file("/usr/lib/os-release");
  if (!text) return {{"pretty_name", nullptr}, {"id", nullptr}, {"version_id", nullptr}};
  const auto values = parse_key_value_lines(*text);
  auto get = [&](const char* key) {
    const auto it = values.find(key);
    return it == values.end() ? nlohmann::json(nullptr) : nlohmann::json(it->second);
  };
  return {{"pretty_name", get("PRETTY_NAME")}, {"id", get("ID")}, {"version_id", get("VERSION_ID")}};
}

}  // namespace sb::env
