// `sparkbench share RECORDS_OR_DIRS... -o FILE.tar.gz`: the records with secrets redacted and host
// names, user names, home directories and addresses replaced consistently (record/anonymize.hpp),
// their reports made from the anonymized records, in one archive to post publicly.
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <set>
#include <sstream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli/commands.hpp"
#include "core/atomic_file.hpp"
#include "core/child_process.hpp"
#include "core/error.hpp"
#include "core/redact.hpp"
#include "core/temp_file.hpp"
#include "record/anonymize.hpp"
#include "record/record.hpp"
#include "report/run_report.hpp"

namespace sb::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kTopDir = "sparkbench-share";  // the archive's one top-level directory

struct ShareArgs {
  std::vector<std::string> inputs;
  std::string output, baseline, candidate;
  std::vector<std::string> hide;
};

struct Input {
  std::size_t argument;  // which RECORDS_OR_DIRS it came from
  std::string label;     // as recorded (--baseline/--candidate name these)
  std::string file_name;
  json record;  // as read; anonymized in place later
};

std::string read_text(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The two sides of the comparison, as indices into the inputs; nullopt (with the reason in
// `why_not`) when the records are no two sides.
std::optional<std::pair<std::vector<std::size_t>, std::vector<std::size_t>>> sides(const ShareArgs& a,
                                                                                   const std::vector<Input>& inputs,
                                                                                   std::string& why_not) {
  std::vector<std::string> labels;
  for (const auto& in : inputs)
    if (std::find(labels.begin(), labels.end(), in.label) == labels.end()) labels.push_back(in.label);
  const auto pick = [&](auto&& belongs) {
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < inputs.size(); ++i)
      if (belongs(inputs[i])) out.push_back(i);
    return out;
  };
  if (!a.baseline.empty() || !a.candidate.empty()) {
    if (a.baseline.empty() || a.candidate.empty())
      throw Error("--baseline and --candidate go together",
                  "give both labels, e.g. --baseline native --candidate docker");
    auto side = [&](const std::string& label) {
      auto out = pick([&](const Input& in) { return in.label == label; });
      if (out.empty())
        throw Error(fmt::format("no record of label '{}' among the inputs", label),
                    fmt::format("labels: {}", fmt::join(labels, ", ")));
      return out;
    };
    return std::make_pair(side(a.baseline), side(a.candidate));
  }
  if (a.inputs.size() == 2)  // BASELINE CANDIDATE, as for compare
    return std::make_pair(pick([](const Input& in) { return in.argument == 0; }),
                          pick([](const Input& in) { return in.argument == 1; }));
  if (labels.size() == 2)
    return std::make_pair(pick([&](const Input& in) { return in.label == labels[0]; }),
                          pick([&](const Input& in) { return in.label == labels[1]; }));
  why_not = fmt::format("the records have {} label(s) ({}); give two arguments or --baseline/--candidate LABEL",
                        labels.size(), fmt::join(labels, ", "));
  return std::nullopt;
}

fs::path unused_path(const fs::path& wanted) {
  fs::path p = wanted;
  for (int n = 2; fs::exists(p); ++n)
    p = wanted.parent_path() / fmt::format("{}-{}{}", wanted.stem().string(), n, wanted.extension().string());
  return p;
}

int do_share(const ShareArgs& a) {
  if (!a.output.ends_with(".tar.gz") && !a.output.ends_with(".tgz"))
    throw Error(fmt::format("-o {} does not name a .tar.gz archive", a.output), "write e.g. -o share.tar.gz");
  const fs::path out_dir = fs::absolute(a.output).parent_path();
  ensure_writable_dir(out_dir.string(), "output");

  std::vector<Input> inputs;
  for (std::size_t i = 0; i < a.inputs.size(); ++i)
    for (const record::RunRecord& r : load_records(a.inputs[i], /*skip_bad_records=*/false))
      inputs.push_back({i, r.label, r.source.filename().string(), json::parse(read_text(r.source))});

  std::string why_not;
  const auto two = sides(a, inputs, why_not);  // bad --baseline/--candidate: an error before any work

  // Every original first, from every record: the same host is host-1 in all of them.
  record::Anonymizer anon;
  for (const auto& in : inputs) anon.learn(in.record);
  anon.learn_this_machine();
  for (const auto& h : a.hide) anon.hide(h);

  TempDir tmp("sparkbench-share-");
  const fs::path top = tmp.path() / kTopDir;
  std::vector<record::RunRecord> typed;
  for (auto& in : inputs) {
    // Records of older versions may hold what redaction now removes: redacted again here.
    in.record = anon.json(redact::json(in.record));
    const fs::path file =
        unused_path(top / "records" / anon.text(in.record.value("label", "unlabelled")) / anon.text(in.file_name));
    fs::create_directories(file.parent_path());
    record::write(file, in.record);
    typed.push_back(record::from_json(in.record, fs::relative(file, top).string()));
    fs::path md = file;
    write_atomic(md.replace_extension(".md"), report::run_markdown(typed.back()));
  }

  std::string compared;
  if (two) {
    std::vector<record::RunRecord> baseline, candidate;
    for (std::size_t i : two->first) baseline.push_back(typed[i]);
    for (std::size_t i : two->second) candidate.push_back(typed[i]);
    CompareArgs c;
    c.out = (top / "report").string();
    try {
      compare_and_report(std::move(baseline), std::move(candidate), c);
      compared = fmt::format("{}/report/", kTopDir);
    } catch (const Error& e) {  // the records are worth sharing without it
      why_not = fmt::format("{} ({})", e.what(), e.fix());
    }
  }

  // What the reports show comes from the anonymized records; this is the last look, for anything
  // a report adds of its own (a path, a name).
  for (const auto& e : fs::recursive_directory_iterator(top)) {
    if (!e.is_regular_file() || e.path().extension() == ".png")
      continue;  // the rest is text: md, json, csv, svg, gnuplot
    const std::string text = read_text(e.path());
    if (const std::string clean = anon.replace_known(text); clean != text) write_atomic(e.path(), clean);
  }

  const fs::path partial = out_dir / fmt::format(".{}.{}.partial", fs::path(a.output).filename().string(), ::getpid());
  // Owner 0 and numeric ids: the archive's headers must not carry the user's name either.
  const ChildOutcome t = run_child_process({.argv = {"tar", "--numeric-owner", "--owner=0", "--group=0", "-czf",
                                                     partial.string(), "-C", tmp.path().string(), kTopDir},
                                            .timeout_s = 600});
  if (!t.started)
    throw Error(fmt::format("cannot run `tar`: {}", t.start_error), "install it: sudo apt-get install tar gzip",
                kExitFailure);
  if (t.exit_code != 0) {
    std::error_code ec;
    fs::remove(partial, ec);
    throw Error(
        fmt::format("tar could not write the archive (exit {}): {}", t.exit_code, t.err.substr(0, t.err.find('\n'))),
        "check the free space of the directory of -o (and that gzip is installed)", kExitFailure);
  }
  fs::rename(partial, a.output);

  std::set<std::string> placeholders;  // a host's short and full name are one placeholder
  for (const auto& [original, placeholder] : anon.mapping()) placeholders.insert(placeholder);
  const auto count = [&](std::initializer_list<const char*> prefixes) {
    return std::count_if(placeholders.begin(), placeholders.end(), [&](const std::string& p) {
      return std::any_of(prefixes.begin(), prefixes.end(), [&](const char* prefix) { return p.starts_with(prefix); });
    });
  };
  fmt::print(
      stderr,
      "sparkbench share: {} record(s), secrets redacted, {} host name(s), {} user name(s) or home(s), {} address(es) "
      "replaced; {}\n",
      inputs.size(), count({"host-"}), count({"user-", "/home/user-"}), count({"ip-", "ip6-", "mac-"}),
      compared.empty() ? fmt::format("each record's own report, no comparison: {}", why_not)
                       : fmt::format("each record's own report and the comparison in {}", compared));
  fmt::print("{}\n", a.output);
  return kExitOk;
}

}  // namespace

void add_share(CLI::App& app, int& exit_code) {
  auto a = std::make_shared<ShareArgs>();
  CLI::App* cmd = app.add_subcommand(
      "share", "Pack records (anonymized, secrets redacted) and their reports into a .tar.gz to post");
  cmd->footer(
      "The archive holds sparkbench-share/records/<label>/*.json (each with its one-run report, .md) and, when the\n"
      "records are two sides, sparkbench-share/report/ (report.md, summary.json, summary.csv) made from them.\n"
      "Sides: --baseline/--candidate LABEL; else two arguments (BASELINE CANDIDATE, as for compare); else the\n"
      "records' two labels. The inputs are not changed.\n\n"
      "Replaced consistently (the same original is the same placeholder in every file): host names (host-1), user\n"
      "names and home directories (user-1, /home/user-1), IPv4/IPv6 and MAC addresses (ip-1, ip6-1, mac-1), and any\n"
      "--hide TEXT (hidden-1); found in the records (host, hostname, /home/<user> paths) and on this machine\n"
      "(hostname, $USER, $SUDO_USER, $HOME). Secrets (tokens, keys, passwords) are redacted as `run` does.\n"
      "A host or user name that is also an ordinary word is replaced wherever that word stands alone.\n\n"
      "Example:  sparkbench share results/native results/docker -o spark-container-overhead.tar.gz");
  cmd->add_option("records", a->inputs, "Records or directories of records")->required();
  cmd->add_option("--output,-o", a->output, "The archive to write (.tar.gz or .tgz)")->required();
  cmd->add_option("--baseline", a->baseline, "Label of the baseline side of the comparison (with --candidate)");
  cmd->add_option("--candidate", a->candidate, "Label of the candidate side (with --baseline)");
  cmd->add_option("--hide", a->hide, "Also replace this text everywhere (a project or model name); repeatable");
  cmd->callback([a, &exit_code] { exit_code = do_share(*a); });
}

}  // namespace sb::cli
