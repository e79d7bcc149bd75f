#include <gtest/gtest.h>

#include "core/error.hpp"
#include "workload/workload.hpp"

namespace sb {
namespace {

TEST(Params, IdIsSortedAndStable) {
  Params p({{"n", "128"}, {"precision", "fp32"}});
  EXPECT_EQ(p.id(), "n=128,precision=fp32");
  EXPECT_EQ(p.integer("n"), 128);
  EXPECT_THROW(p.integer("precision"), Error);
}

TEST(Registry, UnknownWorkloadListsValidOnes) {
  try {
    Registry::instance().get("no-such-workload");
    FAIL() << "expected sb::Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no-such-workload"), std::string::npos);
    EXPECT_NE(e.fix().find("sparkbench list"), std::string::npos);
  }
}

TEST(ValidateParam, ChecksTypeAndChoices) {
  Workload w{.name = "w", .metrics = {{.name = "m"}}};
  ParamSpec n{.name = "n", .type = ParamSpec::Type::Int, .defaults = {"1"}};
  ParamSpec prec{.name = "p", .defaults = {"a"}, .choices = {"a", "b"}};
  EXPECT_EQ(validate_param(w, n, "42"), "42");
  EXPECT_THROW(validate_param(w, n, "4x"), Error);
  EXPECT_EQ(validate_param(w, prec, "b"), "b");
  EXPECT_THROW(validate_param(w, prec, "c"), Error);
}

}  // namespace
}  // namespace sb
