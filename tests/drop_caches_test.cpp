// `ab --drop-caches` through a stand-in for /proc/sys/vm/drop_caches: these tests run as root here,
// and the real file would drop the whole machine's cache.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "core/error.hpp"
#include "core/temp_file.hpp"
#include "session/drop_caches.hpp"

namespace sb::session {
namespace {

std::string read(const std::filesystem::path& f) {
  std::ifstream in(f);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(DropCaches, AControlFileThatCannotBeWrittenIsBadInputNamingRootAndTheFix) {
  TempDir dir("sparkbench-drop-caches-test-");
  // Root may write any file; a directory (or a missing one) it may not open for writing either.
  for (const auto& control : {dir.path(), dir.path() / "missing" / "drop_caches"}) {
    try {
      check_can_drop_caches(control);
      FAIL() << "expected sb::Error for " << control;
    } catch (const Error& e) {
      EXPECT_EQ(e.exit_code(), kExitUsage);
      EXPECT_NE(std::string(e.what()).find(control.string()), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("needs root"), std::string::npos) << e.what();
      EXPECT_NE(e.fix().find("leave out --drop-caches"), std::string::npos) << e.fix();
    }
  }
}

TEST(DropCaches, TheCheckWritesNothingAndTheDropWritesThree) {
  TempDir dir("sparkbench-drop-caches-test-");
  const auto control = dir.path() / "drop_caches";
  std::ofstream(control).flush();
  check_can_drop_caches(control);
  EXPECT_EQ(read(control), "");
  drop_caches(control);
  EXPECT_EQ(read(control), "3\n");
}

TEST(DropCaches, ADropThatFailsIsAnError) {
  TempDir dir("sparkbench-drop-caches-test-");
  try {
    drop_caches(dir.path());
    FAIL() << "expected sb::Error";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), kExitFailure);
    EXPECT_NE(std::string(e.what()).find(dir.path().string()), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace sb::session
