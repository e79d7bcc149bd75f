#include "launcher/environment_spec.hpp"

#include <filesystem>

#include <cctype>
#include <charconv>
#include <map>

#include <fmt/format.h>

#include "core/error.hpp"
#include "core/path_search.hpp"

namespace sb::launcher {
namespace {

constexpr const char* kEnvForms =
    "use native, docker[:IMAGE], podman[:IMAGE], apptainer[:IMAGE] (or singularity[:IMAGE]) or oci[:crun|runc], "
    "e.g. --env native --env docker (host-mirror) or --env docker:nvcr.io/nvidia/pytorch:25.01-py3";

// docker's --ulimit names and the setrlimit resources they stand for.
const std::map<std::string, std::string>& ulimit_names() {
  static const std::map<std::string, std::string> names = {
      {"core", "RLIMIT_CORE"},     {"cpu", "RLIMIT_CPU"},         {"data", "RLIMIT_DATA"},
      {"fsize", "RLIMIT_FSIZE"},   {"locks", "RLIMIT_LOCKS"},     {"memlock", "RLIMIT_MEMLOCK"},
      {"msgqueue", "RLIMIT_MSGQUEUE"}, {"nice", "RLIMIT_NICE"},   {"nofile", "RLIMIT_NOFILE"},
      {"nproc", "RLIMIT_NPROC"},   {"rss", "RLIMIT_RSS"},         {"rtprio", "RLIMIT_RTPRIO"},
      {"rttime", "RLIMIT_RTTIME"}, {"sigpending", "RLIMIT_SIGPENDING"}, {"stack", "RLIMIT_STACK"}};
  return names;
}

bool parse_int64(const std::string& s, std::int64_t& out) {
  const auto* end = s.data() + s.size();
  const auto [p, ec] = std::from_chars(s.data(), end, out);
  return ec == std::errc() && p == end;
}

std::string label_part(const std::string& s) {
  std::string out;
  for (char c : s) out += std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ? c : '-';
  return out;
}

}  // namespace

std::string to_string(Runtime r) {
  switch (r) {
    case Runtime::Native: return "native";
    case Runtime::Docker: return "docker";
    case Runtime::Podman: return "podman";
    case Runtime::Apptainer: return "apptainer";
    case Runtime::Oci: return "oci";
  }
  return "?";
}

const std::vector<Runtime>& container_runtimes() {
  static const std::vector<Runtime> all = {Runtime::Docker, Runtime::Podman, Runtime::Apptainer, Runtime::Oci};
  return all;
}

std::string EnvSpec::default_label() const {
  if (runtime == Runtime::Oci) return oci_runtime.empty() ? "oci" : "oci-" + oci_runtime;
  if (image.empty()) return to_string(runtime);
  // The image's last path component with its tag: nvcr.io/nvidia/pytorch:25.01-py3 -> pytorch-25.01-py3.
  std::string name = image;
  if (const auto scheme = name.find("://"); scheme != std::string::npos) name = name.substr(scheme + 3);
  while (!name.empty() && name.back() == '/') name.pop_back();
  if (const auto slash = name.rfind('/'); slash != std::string::npos) name = name.substr(slash + 1);
  if (name.size() > 4 && name.substr(name.size() - 4) == ".sif") name.resize(name.size() - 4);
  return to_string(runtime) + "-" + label_part(name);
}

EnvSpec parse_env(const std::string& text) {
  EnvSpec spec;
  spec.text = text;
  const auto colon = text.find(':');
  const std::string kind = text.substr(0, colon);
  const bool has_arg = colon != std::string::npos;
  const std::string arg = has_arg ? text.substr(colon + 1) : "";
  if (has_arg && arg.empty())
    throw Error(fmt::format("--env '{}' has nothing after ':'", text),
                fmt::format("name an image after the colon, or leave it out for host-mirror mode ({})", kEnvForms));
  if (arg.find_first_of(" \t\n") != std::string::npos)
    throw Error(fmt::format("--env '{}' contains white space", text), kEnvForms);

  if (kind == "native") {
    if (has_arg) throw Error(fmt::format("--env '{}': native takes no image", text), kEnvForms);
    spec.runtime = Runtime::Native;
  } else if (kind == "docker" || kind == "podman" || kind == "apptainer" || kind == "singularity") {
    spec.runtime = kind == "docker" ? Runtime::Docker : kind == "podman" ? Runtime::Podman : Runtime::Apptainer;
    spec.image = arg;
  } else if (kind == "oci") {
    spec.runtime = Runtime::Oci;
    if (has_arg && arg != "crun" && arg != "runc")
      throw Error(fmt::format("--env '{}': unknown OCI runtime '{}'", text, arg),
                  "use oci:crun or oci:runc, or plain oci to pick whichever is installed "
                  "(SPARKBENCH_OCI_RUNTIME=/path/to/runtime names another binary)");
    spec.oci_runtime = arg;
  } else {
    throw Error(fmt::format("unknown environment '{}'", text), kEnvForms);
  }
  return spec;
}

std::string Ulimit::text() const {
  return soft == hard ? fmt::format("{}={}", name, soft) : fmt::format("{}={}:{}", name, soft, hard);
}

std::string Ulimit::rlimit_name() const { return ulimit_names().at(name); }

Ulimit parse_ulimit(const std::string& text) {
  const auto eq = text.find('=');
  const std::string form = "write NAME=SOFT[:HARD], e.g. --ulimit nofile=1024:1024 or --ulimit memlock=-1 (-1 = unlimited)";
  if (eq == std::string::npos) throw Error(fmt::format("--ulimit '{}' is not of the form NAME=SOFT[:HARD]", text), form);
  Ulimit u;
  u.name = text.substr(0, eq);
  if (!ulimit_names().count(u.name)) {
    std::string valid;
    for (const auto& [n, _] : ulimit_names()) valid += (valid.empty() ? "" : ", ") + n;
    throw Error(fmt::format("--ulimit '{}': unknown limit '{}'", text, u.name), "use one of " + valid);
  }
  const std::string values = text.substr(eq + 1);
  const auto sep = values.find(':');
  const std::string soft = values.substr(0, sep), hard = sep == std::string::npos ? soft : values.substr(sep + 1);
  if (!parse_int64(soft, u.soft) || !parse_int64(hard, u.hard) || u.soft < -1 || u.hard < -1)
    throw Error(fmt::format("--ulimit '{}': limits must be integers (or -1 for unlimited)", text), form);
  const auto as_unsigned = [](std::int64_t v) { return v < 0 ? UINT64_MAX : static_cast<std::uint64_t>(v); };
  if (as_unsigned(u.soft) > as_unsigned(u.hard))
    throw Error(fmt::format("--ulimit '{}': the soft limit is above the hard limit", text), form);
  return u;
}

std::uint64_t parse_size(const std::string& text, const std::string& option) {
  std::size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  const std::string unit = text.substr(digits);
  static const std::map<std::string, std::uint64_t> units = {
      {"", 1}, {"b", 1}, {"k", 1ull << 10}, {"m", 1ull << 20}, {"g", 1ull << 30}, {"t", 1ull << 40}};
  std::string lower;
  for (char c : unit) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower.size() == 2 && lower[1] == 'b' && lower[0] != 'b') lower.pop_back();  // "mb" -> "m"
  std::uint64_t value = 0;
  const auto [p, ec] = std::from_chars(text.data(), text.data() + digits, value);
  if (digits == 0 || ec != std::errc() || p != text.data() + digits || !units.count(lower) || value == 0)
    throw Error(fmt::format("{} '{}' is not a size", option, text),
                fmt::format("write a positive number with an optional unit b, k, m, g, e.g. {} 8g", option));
  const std::uint64_t factor = units.at(lower);
  if (value > UINT64_MAX / factor) throw Error(fmt::format("{} '{}' is too large", option, text), "give a smaller size");
  return value * factor;
}

BindMount parse_bind_mount(const std::string& text) {
  std::vector<std::string> parts = split_path_list(text);  // docker's -v: colon-separated, like PATH
  BindMount m;
  if (parts.size() >= 2 && (parts.back() == "ro" || parts.back() == "rw")) {
    m.read_only = parts.back() == "ro";
    parts.pop_back();
  }
  const auto bad = [&](const std::string& why) {
    return Error(fmt::format("--mount '{}': {}", text, why),
                 "write --mount /host/path[:/path/in/container][:ro], e.g. --mount /opt/venv:ro or --mount /data:/data");
  };
  if (parts.empty() || parts.size() > 2) throw bad("expected SRC[:DST][:ro|:rw]");
  m.source = parts[0];
  m.target = parts.size() == 2 ? parts[1] : parts[0];
  if (m.source.empty() || m.source[0] != '/' || m.target.empty() || m.target[0] != '/')
    throw bad("both paths must be absolute");
  std::error_code ec;
  if (!std::filesystem::exists(m.source, ec)) throw bad(fmt::format("{} does not exist on this host", m.source));
  return m;
}

void validate(const ContainerOptions& o) {
  for (const auto& m : o.mounts) parse_bind_mount(m);
  if (!o.shm_size.empty()) parse_size(o.shm_size, "--shm-size");
  if (!o.memory.empty()) parse_size(o.memory, "--memory");
  if (o.cpus && !(*o.cpus > 0))
    throw Error(fmt::format("--cpus {} is not a positive number of CPUs", *o.cpus), "e.g. --cpus 0.5 or --cpus 4");
  if (!o.cpuset_cpus.empty() && o.cpuset_cpus.find_first_not_of("0123456789,-") != std::string::npos)
    throw Error(fmt::format("--cpuset-cpus '{}' is not a CPU list", o.cpuset_cpus), "e.g. --cpuset-cpus 0-3 or 0,2");
  if (!o.network.empty() && o.network != "none" && o.network != "host")
    throw Error(fmt::format("--network '{}' is not supported", o.network),
                "use --network none (default: loopback only) or --network host");
  for (const auto& u : o.ulimits)
    for (const auto& v : o.ulimits)
      if (&u != &v && u.name == v.name)
        throw Error(fmt::format("--ulimit {} is given twice", u.name), "give each limit once");
}

nlohmann::json to_json(const ContainerOptions& o) {
  nlohmann::json j = nlohmann::json::object();
  if (!o.shm_size.empty()) j["shm_size"] = o.shm_size;
  j["ipc_host"] = o.ipc_host;
  if (!o.ulimits.empty()) {
    j["ulimits"] = nlohmann::json::array();
    for (const auto& u : o.ulimits) j["ulimits"].push_back(u.text());
  }
  if (o.cpus) j["cpus"] = *o.cpus;
  if (!o.cpuset_cpus.empty()) j["cpuset_cpus"] = o.cpuset_cpus;
  if (!o.memory.empty()) j["memory"] = o.memory;
  if (!o.user.empty()) j["user"] = o.user;
  j["network"] = o.network.empty() ? "none" : o.network;
  if (!o.runtime_args.empty()) j["runtime_args"] = o.runtime_args;
  if (!o.mounts.empty()) j["mounts"] = o.mounts;
  return j;
}

}  // namespace sb::launcher
