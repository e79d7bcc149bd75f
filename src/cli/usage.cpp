#include "cli/usage.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace sb::cli {
namespace {

// Optimal string alignment distance: Levenshtein plus the swap of two neighbours ("lsit").
std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

std::string without_dashes(const std::string& s) { return s.substr(std::min(s.find_first_not_of('-'), s.size())); }

bool is_number(const std::string& s) {
  char* end = nullptr;
  std::strtod(s.c_str(), &end);
  return !s.empty() && *end == '\0';
}

// "--rep", "-x", "--rep=3"; not "-5" (a value, e.g. a negative number).
bool is_option_like(const std::string& s) { return s.size() > 1 && s[0] == '-' && !is_number(s); }

std::vector<std::string> subcommand_names(const CLI::App& app) {
  std::vector<std::string> out;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) out.push_back(sub->get_name());
  return out;
}

std::vector<std::string> option_names(const CLI::App& cmd) {
  std::vector<std::string> out;
  for (const CLI::Option* o : cmd.get_options()) {
    for (const auto& l : o->get_lnames()) out.push_back("--" + l);
    for (const auto& s : o->get_snames()) out.push_back("-" + s);
  }
  return out;
}

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// As the usage line shows them: RECORD, BASELINE CANDIDATE.
std::vector<std::string> positional_names(const CLI::App& cmd) {
  std::vector<std::string> out;
  for (const CLI::Option* o : cmd.get_options([](const CLI::Option* o) { return o->get_positional(); }))
    out.push_back(upper(o->get_name(/*positional=*/true)));
  return out;
}

// The candidate closest to `word` by edit distance (leading dashes aside), when it is close enough
// to be a likely typo; "" otherwise.
std::string nearest(const std::string& word, const std::vector<std::string>& candidates) {
  const std::string w = without_dashes(word);
  // A typo is a letter or two; in a word of two letters, one is already another word.
  const std::size_t most = w.size() <= 2 ? 0 : w.size() <= 5 ? 1 : 2;
  std::string best;
  std::size_t best_distance = most + 1;
  for (const auto& c : candidates) {
    const std::size_t d = edit_distance(w, without_dashes(c));
    if (d < best_distance) {
      best = c;
      best_distance = d;
    }
  }
  return best;
}

// "did you mean 'list'? (then)" when a candidate is near `word`, else "then".
std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates, const std::string& then) {
  const std::string near = nearest(word, candidates);
  return near.empty() ? then : fmt::format("did you mean '{}'? ({})", near, then);
}

// The words CLI11 could not place: options it does not know, arguments beyond the positionals.
std::vector<std::string> left_over(const CLI::App& app) { return app.remaining(/*recurse=*/true); }

Error without_subcommand(const CLI::App& app) {
  const std::vector<std::string> subs = subcommand_names(app);
  const std::string all = fmt::format("subcommands: {}; see `sparkbench --help`", fmt::join(subs, ", "));
  const std::vector<std::string> extras = left_over(app);
  if (extras.empty()) return Error("no subcommand given", "e.g. sparkbench list, or sparkbench run --suite quick; " + all);
  const std::string& word = extras.front();
  if (!is_option_like(word)) return Error(fmt::format("unknown subcommand '{}'", word), did_you_mean(word, subs, all));
  return Error(fmt::format("unknown option '{}' before the subcommand", word),
               "give the subcommand first, then its options (e.g. sparkbench run --suite quick); " + all);
}

// CLI11 says "Could not convert: --reps = abc"; say what the option takes instead.
std::string conversion_problem(const CLI::App& cmd, const std::string& what) {
  static const std::string prefix = "Could not convert: ";
  const auto eq = what.find(" = ");
  if (what.rfind(prefix, 0) != 0 || eq == std::string::npos) return what;
  const std::string name = what.substr(prefix.size(), eq - prefix.size());
  const CLI::Option* o = cmd.get_option_no_throw(name);
  if (o == nullptr) return what;
  const std::string type = o->get_type_name();
  const std::string takes = type.rfind("INT", 0) == 0    ? "a whole number"
                            : type.rfind("UINT", 0) == 0 ? "a whole number of 0 or more"
                            : type.rfind("FLOAT", 0) == 0 ? "a number"
                                                          : type;
  return fmt::format("{} takes {}, not '{}'", name, takes, what.substr(eq + 3));
}

Error in_subcommand(const CLI::App& sub, const CLI::ParseError& e, const std::vector<std::string>& extras) {
  const std::string help = fmt::format("see `sparkbench {} --help`", sub.get_name());
  if (dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr && !extras.empty()) {
    const auto option = std::find_if(extras.begin(), extras.end(), is_option_like);
    if (option != extras.end()) {
      const std::string name = option->substr(0, option->find('='));
      return Error(fmt::format("unknown option '{}' for `sparkbench {}`", name, sub.get_name()),
                   did_you_mean(name, option_names(sub), help + " for its options"));
    }
    const std::vector<std::string> positionals = positional_names(sub);
    const std::string takes = positionals.empty()
                                  ? fmt::format("`sparkbench {}` takes options only", sub.get_name())
                                  : fmt::format("`sparkbench {}` takes {}", sub.get_name(), fmt::join(positionals, " "));
    return Error(fmt::format("unexpected argument '{}' for `sparkbench {}`", extras.front(), sub.get_name()),
                 fmt::format("{}; {}", takes, help));
  }
  std::string problem = dynamic_cast<const CLI::ConversionError*>(&e) ? conversion_problem(sub, e.what()) : e.what();
  if (!problem.empty()) problem[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(problem[0])));
  return Error(fmt::format("{} (in `sparkbench {}`)", problem, sub.get_name()), help);
}

}  // namespace

Error usage_error(const CLI::App& app, const CLI::ParseError& e) {
  const std::vector<CLI::App*> parsed = app.get_subcommands();
  if (parsed.empty()) return without_subcommand(app);
  return in_subcommand(*parsed.front(), e, left_over(app));
}

CLI::Validator non_negative_percent() {
  return CLI::Validator(
      [](std::string& s) -> std::string {
        if (is_number(s) && std::strtod(s.c_str(), nullptr) >= 0) return "";
        return fmt::format("must be a percentage of 0 or more, e.g. 10, not {}", s);
      },
      "NONNEGATIVE");
}

}  // namespace sb::cli
