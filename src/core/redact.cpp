#include "core/redact.hpp"

#include <algorithm>
#include <cctype>
#include <regex>

namespace sb::redact {
namespace {

bool is_alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
bool is_digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }
bool is_space(char c) { return c == ' ' || c == '\t'; }
// What a variable or option name is made of (NAME, --api-key, x.api_key).
bool is_name_char(char c) { return is_alnum(c) || c == '_' || c == '-' || c == '.'; }
bool is_quote(char c) { return c == '"' || c == '\''; }
// Where an unquoted value ends: a shell's separators, a list's, the end of a quoted context.
bool ends_value(char c) {
  return std::isspace(static_cast<unsigned char>(c)) || is_quote(c) ||
         std::string_view(",;&|)]}").find(c) != std::string_view::npos;
}

// In free text, what follows a secret-looking name is taken for its value unless it is plainly
// something else: a number ("time to first token: 35.2 ms"), a variable or placeholder ($HF_TOKEN,
// {token}, %s), a regex group ("token: ([0-9.]+)"), or the mark itself.
bool could_be_secret(std::string_view v) {
  if (v.empty() || v == kRedacted || std::string_view("([{<$%").find(v.front()) != std::string_view::npos) return false;
  const bool number =
      std::any_of(v.begin(), v.end(), is_digit) && v.find_first_not_of("0123456789.+-eE") == std::string_view::npos;
  return !number;
}

std::vector<std::string> words_of(std::string_view name) {
  std::vector<std::string> words(1);
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool camel =
        std::isupper(static_cast<unsigned char>(c)) && i > 0 && std::islower(static_cast<unsigned char>(name[i - 1]));
    if ((!is_alnum(c) || camel) && !words.back().empty()) words.emplace_back();
    if (is_alnum(c)) words.back() += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  if (words.back().empty()) words.pop_back();
  return words;
}

// "Bearer X", "Basic X", "token X" after Authorization: the scheme stays, X is the secret.
std::size_t skip_auth_scheme(std::string_view s, std::size_t v) {
  for (std::string_view scheme : {"bearer", "basic", "token", "digest"}) {
    if (s.size() < v + scheme.size() + 1) continue;
    bool same = true;
    for (std::size_t k = 0; k < scheme.size() && same; ++k)
      same = std::tolower(static_cast<unsigned char>(s[v + k])) == scheme[k];
    if (same && is_space(s[v + scheme.size()])) {
      v += scheme.size();
      while (v < s.size() && is_space(s[v])) ++v;
      return v;
    }
  }
  return v;
}

template <class Replace>
std::string replace_matches(const std::string& text, const std::regex& re, Replace&& replace) {
  std::string out;
  auto last = text.cbegin();
  for (std::sregex_iterator it(text.begin(), text.end(), re), end; it != end; ++it) {
    out.append(last, (*it)[0].first);
    out += replace(*it);
    last = (*it)[0].second;
  }
  out.append(last, text.cend());
  return out;
}

}  // namespace

bool is_secret_name(std::string_view name) {
  std::vector<std::string> words = words_of(name);
  while (!words.empty() && std::all_of(words.back().begin(), words.back().end(), is_digit))
    words.pop_back();  // GITHUB_TOKEN_2
  if (words.empty()) return false;
  for (const std::string& w : words)
    for (std::string_view secret :
         {"SECRET", "PASSWORD", "PASSWD", "PASSPHRASE", "CREDENTIAL", "AUTHORIZATION", "COOKIE"})
      if (w.find(secret) != std::string::npos) return true;
  // TOKEN and KEY only as the last word: HF_TOKEN, --api-key, apiKey; not max_tokens,
  // num_key_value_heads or energy_per_output_token_j, which LLM tools print everywhere.
  const std::string& last = words.back();
  return last.ends_with("TOKEN") || last.ends_with("KEY") || last.ends_with("KEYS") || last == "AUTH";
}

void Redactor::remember(std::string_view secret) {
  if (secret.size() < kMinRemembered || secret == kRedacted) return;
  if (std::find(secrets_.begin(), secrets_.end(), secret) != secrets_.end()) return;
  secrets_.emplace_back(secret);
  std::stable_sort(secrets_.begin(), secrets_.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
}

std::string Redactor::mask_remembered(std::string s) const {
  for (const std::string& secret : secrets_)
    for (auto at = s.find(secret); at != std::string::npos; at = s.find(secret, at + kRedacted.size()))
      s.replace(at, secret.size(), kRedacted);
  return s;
}

std::string Redactor::text(std::string_view in) {
  // Named values: NAME=VALUE, --name VALUE, --name=VALUE, "name": "VALUE", Name: [Bearer] VALUE.
  std::string s;
  const std::size_t n = in.size();
  std::size_t i = 0;
  while (i < n) {
    const bool word_start = (std::isalpha(static_cast<unsigned char>(in[i])) || in[i] == '_' || in[i] == '-') &&
                            (i == 0 || !is_name_char(in[i - 1]));
    if (!word_start) {
      s += in[i++];
      continue;
    }
    std::size_t j = i;
    while (j < n && in[j] == '-' && j - i < 2) ++j;
    const bool option = j > i;
    const std::size_t name_begin = j;
    while (j < n && is_name_char(in[j])) ++j;
    const std::string_view name = in.substr(name_begin, j - name_begin);
    std::size_t k = j;
    if (k < n && is_quote(in[k])) ++k;  // the closing quote of a JSON key: "api_key": "..."
    while (k < n && is_space(in[k])) ++k;
    bool separated = k < n && (in[k] == '=' || in[k] == ':');
    if (separated) {
      ++k;
      while (k < n && is_space(in[k])) ++k;
    } else {  // --api-key VALUE: an option, a space, something that is not the next option
      separated = option && j < n && is_space(in[j]) && k < n && in.substr(k, 2) != "--";
    }
    if (name.empty() || !separated || k >= n || !is_secret_name(name)) {
      s.append(in.substr(i, j - i));  // j > i: a word start is a name character or a dash
      i = j;
      continue;
    }
    std::size_t v = k, end = k;
    if (is_quote(in[k])) {
      v = k + 1;
      end = std::min(in.find(in[k], v), n);
    } else {
      v = skip_auth_scheme(in, k);
      end = v;
      while (end < n && !ends_value(in[end])) ++end;
    }
    const std::string_view value = in.substr(v, end - v);
    if (!could_be_secret(value)) {
      s.append(in.substr(i, j - i));
      i = j;
      continue;
    }
    s.append(in.substr(i, v - i));
    remember(value);
    s += kRedacted;
    i = end;
  }

  // A URL's password: scheme://user:PASSWORD@host.
  static const std::regex url(R"(([A-Za-z][A-Za-z0-9+.-]*://[^/\s:@'"]*:)([^/\s@'"]+)@)");
  s = replace_matches(s, url, [&](const std::smatch& m) {
    if (m[2].str() == kRedacted) return m[0].str();
    remember(m[2].str());
    return m[1].str() + std::string(kRedacted) + "@";
  });
  // An authorization without its header name, and tokens whose form says what they are.
  static const std::regex bearer(R"(\b(Bearer|Basic)[ \t]+([A-Za-z0-9._~+/=-]{8,}))", std::regex::icase);
  s = replace_matches(s, bearer, [&](const std::smatch& m) {
    remember(m[2].str());
    return m[1].str() + " " + std::string(kRedacted);
  });
  static const std::regex known(
      R"(\b(hf_[A-Za-z0-9]{30,}|sk-[A-Za-z0-9_-]{20,}|gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})"
      R"(|nvapi-[A-Za-z0-9_-]{30,}|AKIA[0-9A-Z]{16}|xox[abprs]-[A-Za-z0-9-]{10,}))");
  s = replace_matches(s, known, [&](const std::smatch& m) {
    remember(m[0].str());
    return std::string(kRedacted);
  });
  return mask_remembered(std::move(s));
}

std::vector<std::string> Redactor::argv(const std::vector<std::string>& args) {
  std::vector<std::string> out;
  bool value_next = false;
  for (const std::string& a : args) {
    if (value_next && !a.starts_with("--")) {
      remember(a);
      out.emplace_back(kRedacted);
      value_next = false;
      continue;
    }
    out.push_back(text(a));
    value_next = a.size() > 1 && a[0] == '-' && a.find('=') == std::string::npos && is_secret_name(a);
  }
  for (std::string& a : out) a = mask_remembered(a);  // a secret given later, used earlier (sh -c "... $1" ... X)
  return out;
}

std::map<std::string, std::string> Redactor::env(const std::map<std::string, std::string>& vars) {
  std::map<std::string, std::string> out;
  for (const auto& [name, value] : vars) {
    if (is_secret_name(name)) {
      remember(value);
      out[name] = std::string(kRedacted);
    } else {
      out[name] = text(value);
    }
  }
  for (auto& [name, value] : out) value = mask_remembered(value);
  return out;
}

nlohmann::json Redactor::structure(const nlohmann::json& j) {
  if (j.is_string()) return text(j.get<std::string>());
  if (j.is_object()) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [key, value] : j.items()) {
      if (value.is_string() && !value.get<std::string>().empty() && is_secret_name(key)) {
        remember(value.get<std::string>());
        out[key] = kRedacted;
      } else {
        out[key] = structure(value);
      }
    }
    return out;
  }
  if (j.is_array()) {
    if (!j.empty() && std::all_of(j.begin(), j.end(), [](const nlohmann::json& e) { return e.is_string(); }))
      return argv(j.get<std::vector<std::string>>());
    nlohmann::json out = nlohmann::json::array();
    for (const auto& e : j) out.push_back(structure(e));
    return out;
  }
  return j;
}

nlohmann::json Redactor::json(const nlohmann::json& j) {
  nlohmann::json out = structure(j);
  if (secrets_.empty()) return out;
  // Second pass: a secret learnt from a later member (a case's argv) masked in an earlier one.
  const auto mask = [&](auto&& self, nlohmann::json& node) -> void {
    if (node.is_string())
      node = mask_remembered(node.get<std::string>());
    else if (node.is_structured())
      for (auto& child : node) self(self, child);
  };
  mask(mask, out);
  return out;
}

std::string text(std::string_view text) { return Redactor().text(text); }
std::vector<std::string> argv(const std::vector<std::string>& args) { return Redactor().argv(args); }
nlohmann::json json(const nlohmann::json& j) { return Redactor().json(j); }

}  // namespace sb::redact
