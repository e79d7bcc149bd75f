#pragma once
// Secrets out of everything sparkbench records or prints. Records are made to be shared (pasted into
// a GitHub issue, sent to a vendor), so a token given to a command workload — in its argv, its env,
// a URL — must not reach a record, a report, a plan in a record, or our terminal. Only what is
// recorded or printed is redacted: the program itself still gets the real values.
//
// What counts as a secret (docs/commands.md, "Secrets"):
// - the value of a variable, option, header or key whose name looks secret (is_secret_name):
//   NAME=VALUE, --name VALUE, --name=VALUE, "name": "VALUE", Name: VALUE (and Bearer/Basic VALUE);
// - the password of a URL (scheme://user:PASSWORD@host);
// - a token of a well-known form (hf_..., sk-..., ghp_..., nvapi-..., AKIA...);
// - any value redacted once, wherever else it appears (an output tail, a message, a command line).
// The name stays, the value becomes kRedacted.
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace sb::redact {

inline constexpr std::string_view kRedacted = "<redacted>";

// A name whose value is a secret: a word SECRET, PASSWORD, PASSWD, CREDENTIAL(S), AUTHORIZATION,
// COOKIE or APIKEY anywhere, or a last word ending in TOKEN or KEY(S) (trailing numbers ignored).
// Words are split at anything but letters and digits, and at camelCase. Case does not matter:
// HF_TOKEN, NVIDIA_API_KEY, --api-key, --hf-token, apiKey, Authorization are secrets; max_tokens,
// TOKENIZERS_PARALLELISM, num_key_value_heads, energy_per_output_token_j are not.
bool is_secret_name(std::string_view name);

// Redacts and remembers what it redacted, so that a secret seen once (in argv, say) is masked in
// every later text (the output tail of the same run) even where nothing names it. Values shorter
// than kMinRemembered characters are redacted where named but not searched for elsewhere: masking
// every "1234" in an output would mangle numbers.
class Redactor {
 public:
  static constexpr std::size_t kMinRemembered = 6;

  // argv as recorded: each argument as text(), and the argument after an option whose name looks
  // secret (`--api-key X`; not when it is itself an option, `--use-token --verbose`) replaced.
  std::vector<std::string> argv(const std::vector<std::string>& args);
  // The values of variables whose names look secret replaced; the others as text().
  std::map<std::string, std::string> env(const std::map<std::string, std::string>& vars);
  // Free text (a command line, an output tail, a message): every rule above.
  std::string text(std::string_view text);
  // A JSON document (a record, a part of one): an object member whose key looks secret and whose
  // value is text is redacted; an array of strings is an argv; every other string is text. Two
  // passes, so that a value redacted late in the document is masked early in it too.
  nlohmann::json json(const nlohmann::json& j);

  // A secret to mask wherever it appears from now on.
  void remember(std::string_view secret);

 private:
  nlohmann::json structure(const nlohmann::json& j);
  std::string mask_remembered(std::string text) const;
  std::vector<std::string> secrets_;  // longest first: a secret containing another is masked whole
};

// One-off uses (a line printed once): a fresh Redactor.
std::string text(std::string_view text);
std::vector<std::string> argv(const std::vector<std::string>& args);
nlohmann::json json(const nlohmann::json& j);

}  // namespace sb::redact
