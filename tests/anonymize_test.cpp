// record::Anonymizer: what it learns from a record, what it replaces (whole words, consistently,
// addresses by their form) and what it leaves alone (versions, loopback, the schema's words).
#include <gtest/gtest.h>

#include "record/anonymize.hpp"

namespace sb::record {
namespace {

using nlohmann::json;

json planted_record() {
  return {{"schema", "sparkbench.run"},
          {"host", "gpu-node-7.lab.example.org"},
          {"environment",
           {{"host", {{"hostname", "gpu-node-7.lab.example.org"}}},
            {"cuda", {{"cudnn_version", "9.1.0.70"}}},
            {"env_vars", {{"PATH", "/home/alice/.venv/bin:/usr/bin"}}}}},
          {"cases",
           {{{"info",
              {{"last_output_tail",
                "serving on 203.0.113.77:8000 and [2001:db8:85a3::8a2e:370:7334]:8000, mac 02:42:ac:11:00:99, "
                "by alice on gpu-node-7; loopback 127.0.0.1 ::1"}}}}}}};
}

TEST(Anonymize, ReplacesWhatARecordRevealsConsistently) {
  Anonymizer a;
  a.learn(planted_record());
  const std::string out = a.json(planted_record()).dump();
  for (const char* original :
       {"gpu-node-7", "example.org", "alice", "203.0.113.77", "2001:db8:85a3::8a2e:370:7334", "02:42:ac:11:00:99"})
    EXPECT_EQ(out.find(original), std::string::npos) << original << " in " << out;
  EXPECT_NE(out.find(R"("host":"host-1")"), std::string::npos) << out;
  EXPECT_NE(out.find(R"("hostname":"host-1")"), std::string::npos) << out;
  EXPECT_NE(out.find("/home/user-1/.venv/bin"), std::string::npos) << out;
  EXPECT_NE(out.find("serving on ip-1:8000 and [ip6-1]:8000, mac mac-1, by user-1 on host-1;"), std::string::npos)
      << out;
  // Not identifying, or not an address: kept.
  for (const char* kept : {"127.0.0.1 ::1", R"("cudnn_version":"9.1.0.70")", "sparkbench.run"})
    EXPECT_NE(out.find(kept), std::string::npos) << kept << " in " << out;
  // The same original is the same placeholder in a later text.
  EXPECT_EQ(a.text("alice@gpu-node-7.lab.example.org from 203.0.113.77"), "user-1@host-1 from ip-1");
}

TEST(Anonymize, WholeWordsOnly) {
  Anonymizer a;
  a.add_host("gpu1");
  a.add_user("bob");
  EXPECT_EQ(a.text("gpu1 gpu10 mygpu1 gpu1.local bob bobby /home/bob/x"),
            "host-1 gpu10 mygpu1 host-1.local user-1 bobby /home/user-1/x");
  // Dotted numbers that are no address: versions inside names, times, short hex pairs.
  EXPECT_EQ(a.text("libcudnn.so.9.1.0.70 at 21:03:15 std::vector a::b"),
            "libcudnn.so.9.1.0.70 at 21:03:15 std::vector a::b");
}

TEST(Anonymize, HomeWithoutTheUserNameAndHiddenText) {
  Anonymizer a;
  a.add_user("carol");
  a.add_home("/srv/homes/u4711");
  a.add_home("/home/carol");  // covered by the user
  a.hide("project-falcon");
  EXPECT_EQ(a.text("/srv/homes/u4711/models and /home/carol for project-falcon"),
            "/home/user-2/models and /home/user-1 for hidden-1");
  // Generic names are never learnt: they would replace the schema's own words.
  a.add_host("localhost");
  a.add_host("sparkbench");
  a.add_user("root");
  a.add_user("user");
  EXPECT_EQ(a.text("root@localhost sparkbench user-1"), "root@localhost sparkbench user-1");
}

}  // namespace
}  // namespace sb::record
