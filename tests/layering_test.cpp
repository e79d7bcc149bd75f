// docs/architecture.md's layering table against the code: every `#include "module/..."` of a file
// under src/<module>/ names its own module or one its row allows; a row allows only rows above it
// (so no two modules depend on each other); every folder of src/ has a row.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/temp_file.hpp"

namespace sb {
namespace {

namespace fs = std::filesystem;

constexpr const char* kTable = "docs/architecture.md, ## Layering";

struct Row {
  std::string module;
  std::set<std::string> may_include;  // modules, or single headers ("runner/timing.hpp")
  int line = 0;                       // in docs/architecture.md
};

// The table under "## Layering", low to high, and what could not be read in it.
struct Layering {
  std::vector<Row> rows;
  std::vector<std::string> errors;

  const Row* find(const std::string& module) const {
    const auto it = std::find_if(rows.begin(), rows.end(), [&](const Row& r) { return r.module == module; });
    return it == rows.end() ? nullptr : &*it;
  }
};

std::string read_file(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> table_cells(const std::string& line) {
  std::vector<std::string> cells;
  std::stringstream in(line.substr(1));  // after the leading '|'
  for (std::string cell; std::getline(in, cell, '|');) {
    cell.erase(0, cell.find_first_not_of(' '));
    cell.erase(cell.find_last_not_of(' ') + 1);
    cells.push_back(cell);
  }
  return cells;
}

// A cell is "—" (nothing), "any module above", or `names` in backticks separated by spaces.
Layering parse_layering(const std::string& markdown) {
  Layering out;
  std::stringstream in(markdown);
  bool in_section = false, in_table = false;
  int number = 0;
  for (std::string line; std::getline(in, line);) {
    ++number;
    if (line.rfind("## ", 0) == 0) {
      if (in_section) break;
      in_section = line == "## Layering";
      continue;
    }
    if (!in_section) continue;
    if (line.rfind('|', 0) != 0) {
      if (in_table) break;  // the first table under the heading is the one
      continue;
    }
    const bool header = !in_table;
    in_table = true;
    const std::vector<std::string> cells = table_cells(line);
    if (header || line.rfind("|---", 0) == 0) continue;
    if (cells.size() != 2 || cells[0].size() < 3 || cells[0].front() != '`' || cells[0].back() != '`') {
      out.errors.push_back(fmt::format("line {}: a row is | `module` | may include |, got: {}", number, line));
      continue;
    }
    Row row{cells[0].substr(1, cells[0].size() - 2), {}, number};
    if (row.module.ends_with('/')) row.module.pop_back();
    if (out.find(row.module)) out.errors.push_back(fmt::format("line {}: a second row for {}", number, row.module));
    if (cells[1] == "any module above") {
      for (const Row& r : out.rows) row.may_include.insert(r.module);
    } else if (cells[1] != "—") {
      static const std::regex entry("^(`[^`]+`\\s*)+$");
      if (!std::regex_match(cells[1], entry)) {
        out.errors.push_back(fmt::format("line {}: {}'s cell is —, any module above, or `names`, got: {}", number,
                                         row.module, cells[1]));
      }
      static const std::regex name("`([^`]+)`");
      for (auto it = std::sregex_iterator(cells[1].begin(), cells[1].end(), name); it != std::sregex_iterator(); ++it)
        row.may_include.insert((*it)[1]);
    }
    for (const std::string& allowed : row.may_include) {
      const std::string module = allowed.substr(0, allowed.find('/'));
      if (!out.find(module)) {
        out.errors.push_back(fmt::format("line {}: {} may include {}, but {} has no row above {}", number, row.module,
                                         allowed, module, row.module));
      }
    }
    out.rows.push_back(std::move(row));
  }
  if (out.rows.empty()) out.errors.push_back("no table under a heading \"## Layering\"");
  return out;
}

std::vector<std::string> module_folders(const fs::path& src) {
  std::vector<std::string> folders;
  for (const auto& entry : fs::directory_iterator(src))
    if (entry.is_directory()) folders.push_back(entry.path().filename().string());
  std::sort(folders.begin(), folders.end());
  return folders;
}

std::vector<std::string> unplaced_folders(const Layering& layering, const fs::path& src) {
  std::vector<std::string> problems;
  for (const std::string& folder : module_folders(src)) {
    if (!layering.find(folder)) {
      problems.push_back(fmt::format("src/{}/ has no row in {}: add one, placed above every module it includes",
                                     folder, kTable));
    }
  }
  return problems;
}

bool allowed(const Row& row, const std::string& module, const std::string& header) {
  return module == row.module || row.may_include.contains(module) || row.may_include.contains(header);
}

// Each file:line under src/<module>/ whose include names a module its row does not allow.
std::vector<std::string> disallowed_includes(const Layering& layering, const fs::path& src) {
  static const std::regex include(R"(^\s*#\s*include\s*"(([^"/]+)/[^"]*)\")");
  const std::vector<std::string> folders = module_folders(src);
  std::vector<std::string> problems;
  for (const std::string& folder : folders) {
    const Row* row = layering.find(folder);
    if (!row) continue;  // unplaced_folders names it
    std::vector<fs::path> files;
    for (const auto& entry : fs::recursive_directory_iterator(src / folder))
      if (entry.is_regular_file()) files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    for (const fs::path& file : files) {
      std::ifstream in(file);
      int number = 0;
      for (std::string line; std::getline(in, line);) {
        ++number;
        std::smatch m;
        if (!std::regex_search(line, m, include)) continue;
        const std::string header = m[1], module = m[2];
        const bool ours = layering.find(module) || std::ranges::find(folders, module) != folders.end();
        if (!ours || allowed(*row, module, header)) continue;
        const std::vector<std::string> list(row->may_include.begin(), row->may_include.end());
        problems.push_back(fmt::format(
            "src/{}:{}: #include \"{}\": {} may include only {} ({}, line {}); use a module it may include, or, "
            "if {} must depend on {}, name it in the row of {} (a row names only rows above it)",
            fs::relative(file, src).string(), number, header, folder,
            list.empty() ? "—" : fmt::format("{}", fmt::join(list, ", ")), kTable, row->line, folder, module, folder));
      }
    }
  }
  return problems;
}

std::string lines(const std::vector<std::string>& problems) { return fmt::format("{}", fmt::join(problems, "\n")); }

const fs::path kSource = SPARKBENCH_SOURCE_DIR;

Layering project_layering() { return parse_layering(read_file(kSource / "docs/architecture.md")); }

TEST(Layering, TableIsReadableAndEachRowAllowsOnlyRowsAboveIt) {
  const Layering layering = project_layering();
  EXPECT_TRUE(layering.errors.empty()) << kTable << ":\n" << lines(layering.errors);
  ASSERT_FALSE(layering.rows.empty());
  EXPECT_EQ(layering.rows.front().module, "core");
  EXPECT_EQ(layering.rows.back().module, "cli");
  for (const Row& row : layering.rows) {
    for (const std::string& entry : row.may_include) {
      if (entry.find('/') != std::string::npos) {
        EXPECT_TRUE(fs::exists(kSource / "src" / entry)) << row.module << "'s row names " << entry << ", not a file of src/";
      }
    }
  }
}

TEST(Layering, EveryModuleFolderUnderSrcHasARow) {
  const std::vector<std::string> problems = unplaced_folders(project_layering(), kSource / "src");
  EXPECT_TRUE(problems.empty()) << lines(problems);
}

TEST(Layering, EveryIncludeUnderSrcIsAllowedByTheTable) {
  const std::vector<std::string> problems = disallowed_includes(project_layering(), kSource / "src");
  EXPECT_TRUE(problems.empty()) << problems.size() << " include(s) against " << kTable << ":\n" << lines(problems);
}

// The checks themselves, on a small tree: an upward include, a single allowed header, an unplaced
// folder and a row allowing one below it are each reported.
constexpr const char* kSmallTable = R"(# Architecture
## Layering
Some prose.

| module | may include |
|---|---|
| `core` | — |
| `runner` | `core` |
| `workloads` | `core` `runner/timing.hpp` |
| `cli` | any module above |

## Data
| `stats` | `cli` |
)";

void write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

TEST(Layering, ChecksReportEachDisallowedIncludeWithFileAndLine) {
  const Layering layering = parse_layering(kSmallTable);
  ASSERT_TRUE(layering.errors.empty()) << lines(layering.errors);
  ASSERT_EQ(layering.rows.size(), 4u);  // the table under "## Data" is not read
  EXPECT_EQ(layering.rows[3].may_include, (std::set<std::string>{"core", "runner", "workloads"}));

  const TempDir dir("sparkbench-layering");
  const fs::path src = dir.path() / "src";
  write(src / "core/clock.hpp", "#pragma once\n#include <string>\n#include \"core/error.hpp\"\n");
  write(src / "core/clock.cpp", "#include \"core/clock.hpp\"\n\n#include \"cli/usage.hpp\"\n");
  write(src / "workloads/matmul/matmul.cpp",
        "#include \"runner/timing.hpp\"\n#include \"runner/runner.hpp\"\n#include \"workloads/matmul/x.hpp\"\n");
  write(src / "cli/main.cpp", "#include \"workloads/matmul/x.hpp\"\n#include \"runner/runner.hpp\"\n");
  write(src / "stats/stats.hpp", "#include \"stats/x.hpp\"\n");

  const std::vector<std::string> problems = disallowed_includes(layering, src);
  ASSERT_EQ(problems.size(), 2u) << lines(problems);
  EXPECT_EQ(problems[0].rfind("src/core/clock.cpp:3: #include \"cli/usage.hpp\": core may include only —", 0), 0u)
      << problems[0];
  EXPECT_EQ(problems[1].rfind("src/workloads/matmul/matmul.cpp:2: #include \"runner/runner.hpp\": workloads may "
                              "include only core, runner/timing.hpp",
                              0),
            0u)
      << problems[1];
  EXPECT_NE(problems[1].find("(docs/architecture.md, ## Layering, line 9); use a module it may include, or, if "
                             "workloads must depend on runner, name it in the row of workloads"),
            std::string::npos)
      << problems[1];

  const std::vector<std::string> unplaced = unplaced_folders(layering, src);
  ASSERT_EQ(unplaced.size(), 1u) << lines(unplaced);
  EXPECT_EQ(unplaced[0].rfind("src/stats/ has no row in docs/architecture.md, ## Layering: add one", 0), 0u) << unplaced[0];
}

TEST(Layering, ARowMayNotAllowAModuleBelowItOrAnUnreadableCell) {
  const Layering layering = parse_layering(
      "## Layering\n| module | may include |\n|---|---|\n| `core` | `runner` |\n| `runner` | core |\n| `runner` | — |\n");
  EXPECT_EQ(lines(layering.errors),
            "line 4: core may include runner, but runner has no row above core\n"
            "line 5: runner's cell is —, any module above, or `names`, got: core\n"
            "line 6: a second row for runner");
  EXPECT_EQ(parse_layering("# no such section\n").errors, std::vector<std::string>{"no table under a heading \"## Layering\""});
}

}  // namespace
}  // namespace sb
