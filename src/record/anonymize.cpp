#include "record/anonymize.hpp"

#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <regex>
#include <set>

#include <fmt/format.h>

namespace sb::record {
namespace {

bool is_alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
bool is_digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }
bool is_hex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

// Values of *version* keys are versions, whatever they look like (cuDNN 9.1.0.70).
bool is_version_key(std::string key) {
  std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) { return std::tolower(c); });
  return key.find("version") != std::string::npos;
}

bool is_placeholder(const std::string& s) {
  static const std::regex re(R"((host|user|ip|ip6|mac|hidden)-[0-9]+)");
  return std::regex_match(s, re);
}

// Names that identify no one, and "sparkbench", the host name of our containers (it is also in
// every record's schema name: replacing it would break the records).
bool identifies_no_one(const std::string& s) {
  static const std::set<std::string> generic = {
      "localhost", "localhost.localdomain", "sparkbench", "root", "nobody", "/root", "/",
      "/tmp",      "/nonexistent",          "host",       "user", "home",   "ip",    "mac",
      "hidden"};  // the placeholders' own words
  return s.size() < 2 || generic.count(s) || is_placeholder(s);
}

// `original` stands at `at` in `text` as a whole word: not inside a longer name or number.
bool whole_word_at(std::string_view text, std::size_t at, const std::string& original) {
  if (text.compare(at, original.size(), original) != 0) return false;
  if (at > 0) {
    const char before = text[at - 1];
    if (is_alnum(original.front()) && is_alnum(before)) return false;
    if (is_digit(original.front()) && before == '.') return false;  // 1.2.3.4 inside 5.1.2.3.4
  }
  const std::size_t end = at + original.size();
  if (end < text.size()) {
    const char after = text[end];
    if (is_alnum(original.back()) && is_alnum(after)) return false;
    if (is_digit(original.back()) && after == '.' && end + 1 < text.size() && is_digit(text[end + 1])) return false;
  }
  return true;
}

bool ipv4_identifies(const std::smatch& m) {
  for (int i = 1; i <= 4; ++i)
    if (std::stoi(m[i].str()) > 255) return false;
  const int first = std::stoi(m[1].str());
  return first != 127 && first != 255 && m[0].str() != "0.0.0.0";  // loopback, netmasks, unspecified
}

// An IPv6 address: hex groups of up to 4 digits between colons, "::" at most once, 8 groups
// without it; at least two groups, one of them 3 digits or more (so that a::b or 12:34 are not).
bool is_ipv6(const std::string& s) {
  const auto gap = s.find("::");
  if (gap != std::string::npos && s.find("::", gap + 1) != std::string::npos) return false;
  int groups = 0;
  bool long_group = false;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= s.size(); ++i) {
    if (i < s.size() && s[i] != ':') continue;
    const std::size_t len = i - start;
    if (len > 4) return false;
    if (len > 0) ++groups;
    long_group |= len >= 3;
    start = i + 1;
  }
  if (gap == std::string::npos ? groups != 8 : groups > 7) return false;
  return groups >= 2 && long_group;
}

}  // namespace

void Anonymizer::map(const std::string& original, const std::string& placeholder) {
  placeholders_[original] = placeholder;
  const auto longer = [](const std::string& a, const std::string& b) { return a.size() > b.size(); };
  by_length_.insert(std::upper_bound(by_length_.begin(), by_length_.end(), original, longer), original);
}

void Anonymizer::add(const std::string& original, const std::string& kind) {
  if (identifies_no_one(original) || placeholders_.count(original)) return;
  // A home without a user's name in it stands for its user: /home/user-N like the others.
  map(original,
      kind == "home" ? fmt::format("/home/user-{}", ++counts_["user"]) : fmt::format("{}-{}", kind, ++counts_[kind]));
}

void Anonymizer::add_host(const std::string& name) {
  add(name, "host");
  // The short name of a fully qualified one is the same host.
  const auto dot = name.find('.');
  if (dot == std::string::npos || dot == 0 || !placeholders_.count(name)) return;
  const std::string short_name = name.substr(0, dot);
  if (!identifies_no_one(short_name) && !placeholders_.count(short_name)) map(short_name, placeholders_.at(name));
}

void Anonymizer::add_user(const std::string& name) { add(name, "user"); }

void Anonymizer::add_home(const std::string& dir) {
  const std::string d = dir.size() > 1 && dir.back() == '/' ? dir.substr(0, dir.size() - 1) : dir;
  // /home/alice is covered by the user alice; only a home named otherwise needs its own entry.
  if (!placeholders_.count(std::filesystem::path(d).filename().string())) add(d, "home");
}

void Anonymizer::hide(const std::string& text) { add(text, "hidden"); }

void Anonymizer::find_addresses(std::string_view view) {
  const std::string text(view);
  static const std::regex ipv4(R"(([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3}))");
  for (std::sregex_iterator it(text.begin(), text.end(), ipv4), end; it != end; ++it)
    if (whole_word_at(text, it->position(), it->str()) && ipv4_identifies(*it)) add(it->str(), "ip");
  static const std::regex mac(R"([0-9A-Fa-f]{2}([:-])[0-9A-Fa-f]{2}(\1[0-9A-Fa-f]{2}){4})");
  for (std::sregex_iterator it(text.begin(), text.end(), mac), end; it != end; ++it) {
    const std::string m = it->str();
    const std::size_t at = it->position(), after = at + m.size();
    const bool bounded = (at == 0 || !(is_alnum(text[at - 1]) || text[at - 1] == ':' || text[at - 1] == '-')) &&
                         (after == text.size() || !(is_alnum(text[after]) || text[after] == ':' || text[after] == '-'));
    const bool nobody =
        std::all_of(m.begin(), m.end(), [](char c) { return c == '0' || c == ':' || c == '-'; }) ||
        std::all_of(m.begin(), m.end(), [](char c) { return c == 'f' || c == 'F' || c == ':' || c == '-'; });
    if (bounded && !nobody) add(m, "mac");
  }
  // IPv6: each run of hex digits and colons that stands alone.
  for (std::size_t i = 0; i < text.size();) {
    if (!(is_hex(text[i]) || text[i] == ':') || (i > 0 && (is_alnum(text[i - 1]) || text[i - 1] == ':'))) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < text.size() && (is_hex(text[j]) || text[j] == ':')) ++j;
    const std::string run = text.substr(i, j - i);
    if ((j == text.size() || !is_alnum(text[j])) && run.find(':') != std::string::npos && is_ipv6(run)) add(run, "ip6");
    i = j;
  }
}

void Anonymizer::learn(const nlohmann::json& record) {
  if (record.contains("host") && record["host"].is_string()) add_host(record["host"].get<std::string>());
  const nlohmann::json::json_pointer hostname("/environment/host/hostname");
  if (record.contains(hostname) && record[hostname].is_string()) add_host(record[hostname].get<std::string>());
  static const std::regex home(R"(/(?:home|Users)/([A-Za-z0-9._-]+))");
  const auto walk = [&](auto&& self, const nlohmann::json& j, bool version) -> void {
    if (j.is_string()) {
      const std::string s = j.get<std::string>();
      for (std::sregex_iterator it(s.begin(), s.end(), home), end; it != end; ++it) add_user((*it)[1].str());
      if (!version) find_addresses(s);
    } else if (j.is_object()) {
      for (const auto& [key, value] : j.items()) self(self, value, is_version_key(key));
    } else if (j.is_array()) {
      for (const auto& e : j) self(self, e, version);
    }
  };
  walk(walk, record, false);
}

void Anonymizer::learn_this_machine() {
  std::array<char, 256> name{};
  if (::gethostname(name.data(), name.size() - 1) == 0) add_host(name.data());
  std::vector<std::string> homes;
  if (const passwd* pw = ::getpwuid(::getuid())) {
    add_user(pw->pw_name);
    homes.emplace_back(pw->pw_dir);
  }
  for (const char* var : {"USER", "LOGNAME", "SUDO_USER"})
    if (const char* v = std::getenv(var); v && *v) add_user(v);
  if (const char* sudo_user = std::getenv("SUDO_USER"); sudo_user && *sudo_user)
    if (const passwd* pw = ::getpwnam(sudo_user)) homes.emplace_back(pw->pw_dir);
  if (const char* h = std::getenv("HOME"); h && *h) homes.emplace_back(h);
  for (const auto& h : homes) add_home(h);
}

std::string Anonymizer::replace_known(std::string_view text) const {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const auto hit = std::find_if(by_length_.begin(), by_length_.end(),
                                  [&](const std::string& o) { return whole_word_at(text, i, o); });
    if (hit == by_length_.end()) {
      out += text[i++];
    } else {
      out += placeholders_.at(*hit);
      i += hit->size();
    }
  }
  return out;
}

std::string Anonymizer::text(std::string_view text) {
  find_addresses(text);
  return replace_known(text);
}

nlohmann::json Anonymizer::json(const nlohmann::json& j) {
  const auto walk = [&](auto&& self, const nlohmann::json& node, bool version) -> nlohmann::json {
    if (node.is_string()) return version ? replace_known(node.get<std::string>()) : text(node.get<std::string>());
    if (node.is_object()) {
      nlohmann::json out = nlohmann::json::object();
      for (const auto& [key, value] : node.items()) out[key] = self(self, value, is_version_key(key));
      return out;
    }
    if (node.is_array()) {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& e : node) out.push_back(self(self, e, version));
      return out;
    }
    return node;
  };
  return walk(walk, j, false);
}

}  // namespace sb::record
