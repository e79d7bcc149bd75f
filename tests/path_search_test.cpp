#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "core/path_search.hpp"

namespace sb {
namespace {

TEST(PathSearch, SplitsLikeTheShell) {
  EXPECT_EQ(split_path_list("a:b::c"), (std::vector<std::string>{"a", "b", "", "c"}));
  EXPECT_EQ(split_path_list(""), (std::vector<std::string>{""}));
  EXPECT_EQ(split_path_list("/x:"), (std::vector<std::string>{"/x", ""}));
}

TEST(PathSearch, FindsTheFirstExecutableAndResolvesSlashNamesAgainstTheDirectoryGiven) {
  const auto root = std::filesystem::temp_directory_path() / ("sb-path-search-" + std::to_string(::getpid()));
  std::filesystem::create_directories(root / "a");
  std::filesystem::create_directories(root / "b");
  std::ofstream(root / "a" / "tool") << "#!/bin/sh\n";  // not executable: skipped
  std::ofstream(root / "b" / "tool") << "#!/bin/sh\n";
  ::chmod((root / "b" / "tool").c_str(), 0755);
  const std::string list = (root / "a").string() + "::" + (root / "b").string();
  EXPECT_EQ(find_executable("tool", list), (root / "b" / "tool").string());
  EXPECT_EQ(find_executable("missing", list), "");
  EXPECT_EQ(find_executable("b/tool", "", root.string()), root.string() + "/b/tool");
  EXPECT_EQ(find_executable("a/tool", "", root.string()), "");
  EXPECT_EQ(find_executable((root / "b" / "tool").string(), ""), (root / "b" / "tool").string());
  EXPECT_EQ(find_executable("", list), "");
  std::filesystem::remove_all(root);
}

}  // namespace
}  // namespace sb
