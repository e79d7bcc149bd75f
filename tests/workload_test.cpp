#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "core/error.hpp"
#include "test_support.hpp"
#include "workload/workload.hpp"

namespace sb {
namespace {

using test::expect_error;

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

TEST(ValidateParam, IntBoundsAreInclusiveAndTheMessageNamesTheRange) {
  Workload w{.name = "w", .metrics = {{.name = "m"}}};
  ParamSpec n{.name = "n", .type = ParamSpec::Type::Int, .defaults = {"1"}, .help = "size", .min = 1, .max = 8};
  EXPECT_EQ(validate_param(w, n, "1"), "1");
  EXPECT_EQ(validate_param(w, n, "08"), "8");
  Error e = expect_error([&] { validate_param(w, n, "0"); });
  EXPECT_STREQ(e.what(), "workload 'w': parameter 'n' must be at least 1, got 0");
  EXPECT_EQ(e.fix(), "valid values of n: 1 to 8 (size)");
  EXPECT_EQ(e.exit_code(), kExitUsage);
  e = expect_error([&] { validate_param(w, n, "9"); });
  EXPECT_STREQ(e.what(), "workload 'w': parameter 'n' must be at most 8, got 9");
  EXPECT_THROW(validate_param(w, n, "-5"), Error);
  EXPECT_THROW(validate_param(w, n, "9223372036854775807"), Error);
}

TEST(ValidateParam, FloatBoundsAndOneSidedRanges) {
  Workload w{.name = "w", .metrics = {{.name = "m"}}};
  ParamSpec f{.name = "f", .type = ParamSpec::Type::Float, .defaults = {"1"}, .help = "fraction", .min = 0.5, .max = 2.5};
  EXPECT_EQ(validate_param(w, f, "0.5"), "0.5");
  EXPECT_EQ(validate_param(w, f, "2.5"), "2.5");
  Error e = expect_error([&] { validate_param(w, f, "0.49"); });
  EXPECT_STREQ(e.what(), "workload 'w': parameter 'f' must be at least 0.5, got 0.49");
  EXPECT_EQ(e.fix(), "valid values of f: 0.5 to 2.5 (fraction)");
  EXPECT_THROW(validate_param(w, f, "2.51"), Error);

  ParamSpec low{.name = "k", .type = ParamSpec::Type::Int, .defaults = {"0"}, .min = 0};
  ParamSpec high{.name = "k", .type = ParamSpec::Type::Float, .defaults = {"0"}, .max = 1e-3};
  EXPECT_EQ(range_text(low), "at least 0");
  EXPECT_EQ(range_text(high), "at most 0.001");
  EXPECT_EQ(validate_param(w, low, "123456789012"), "123456789012");
  EXPECT_THROW(validate_param(w, high, "0.0011"), Error);
  EXPECT_EQ(range_text(ParamSpec{.name = "any", .defaults = {"x"}}), "");
}

TEST(ValidateParam, RulesSayWhatTheyAccept) {
  Workload w{.name = "w", .metrics = {{.name = "m"}}};
  ParamSpec even{.name = "e", .type = ParamSpec::Type::Int, .defaults = {"2"}, .help = "pairs", .min = 2,
                 .rule = {.says = "even", .accepts = [](const std::string& v) { return std::stoll(v) % 2 == 0; }}};
  EXPECT_EQ(validate_param(w, even, "4"), "4");
  EXPECT_EQ(range_text(even), "at least 2, even");
  const Error e = expect_error([&] { validate_param(w, even, "3"); });
  EXPECT_STREQ(e.what(), "workload 'w': '3' is not a valid value of parameter 'e'");
  EXPECT_EQ(e.fix(), "valid values of e: even (pairs)");
  EXPECT_THROW(validate_param(w, even, "0"), Error);  // the bound first
}

TEST(Registry, BoundsOnAStringParameterAreABug) {
  Workload w{.name = "bounded_string",
             .params = {{.name = "s", .defaults = {"a"}, .min = 1}},
             .metrics = {{.name = "m"}},
             .make = [](const Params&, const CaseContext&) -> std::unique_ptr<CaseRun> { return nullptr; }};
  EXPECT_THROW(Registry::instance().add(std::move(w)), std::logic_error);
  EXPECT_EQ(Registry::instance().find("bounded_string"), nullptr);
}

// Every value a workload offers by itself (its default axis, its choices) passes its own checks,
// so that a default run or a suite of defaults never stops at validation.
TEST(Registry, EveryDefaultAndChoiceLiesInsideItsRange) {
  for (const Workload& w : Registry::instance().all())
    for (const ParamSpec& p : w.params) {
      SCOPED_TRACE(w.name + "." + p.name);
      EXPECT_FALSE(p.defaults.empty());
      for (const std::string& v : p.defaults) EXPECT_EQ(validate_param(w, p, v), v);
      for (const std::string& v : p.choices) EXPECT_EQ(validate_param(w, p, v), v);
    }
}

// What each built-in workload's code needs of its numbers, declared where the plan checks it.
TEST(Registry, BuiltInRangesRefuseWhatTheCodeCannotRun) {
  const auto accepts = [](const std::string& workload, const std::string& param, const std::string& value) {
    const Workload& w = Registry::instance().get(workload);
    return test::message_of([&] { validate_param(w, find_param(w, param), value); }).empty();
  };
  for (const char* w : {"matmul", "matmul_cpu"}) {
    SCOPED_TRACE(w);
    EXPECT_FALSE(accepts(w, "n", "-5"));
    EXPECT_FALSE(accepts(w, "n", "0"));
    EXPECT_TRUE(accepts(w, "n", "1"));
    EXPECT_TRUE(accepts(w, "n", "2147483647"));  // BLAS dimensions are ints
    EXPECT_FALSE(accepts(w, "n", "2147483648"));
    EXPECT_TRUE(accepts(w, "inner", "0"));
    EXPECT_FALSE(accepts(w, "inner", "-1"));
  }
  for (const char* w : {"gpu_bandwidth", "pcie_transfer", "gpu_alloc", "unified_memory", "page_faults",
                        "shm_bandwidth", "memory_bandwidth", "file_read"}) {
    SCOPED_TRACE(w);
    EXPECT_FALSE(accepts(w, "size_mib", "0"));
    EXPECT_FALSE(accepts(w, "size_mib", "-4"));
    EXPECT_TRUE(accepts(w, "size_mib", "1"));
    EXPECT_TRUE(accepts(w, "size_mib", "8796093022207"));   // 2^43 - 1: its bytes fit an int64
    EXPECT_FALSE(accepts(w, "size_mib", "8796093022208"));  // 2^63 bytes do not
  }
  EXPECT_TRUE(accepts("memory_bandwidth", "threads", "0"));  // 0: one per CPU
  EXPECT_FALSE(accepts("memory_bandwidth", "threads", "-1"));
  EXPECT_FALSE(accepts("memory_bandwidth", "threads", "2147483648"));
  for (const char* v : {"1", "all", "64", "2147483647"}) EXPECT_TRUE(accepts("cpu_scaling", "threads", v)) << v;
  for (const char* v : {"0", "-2", "some", "2147483648", "4x"}) EXPECT_FALSE(accepts("cpu_scaling", "threads", v)) << v;
  for (const char* w : {"llm", "llm_cpu"}) {
    SCOPED_TRACE(w);
    EXPECT_FALSE(accepts(w, "batch", "0"));
    EXPECT_FALSE(accepts(w, "prompt", "0"));
    EXPECT_FALSE(accepts(w, "generate", "1"));  // TPOT needs a decode step
    EXPECT_TRUE(accepts(w, "generate", "2"));
    EXPECT_FALSE(accepts(w, "prompt", "2147483648"));
  }
  EXPECT_TRUE(accepts("llm_cpu", "layers", "0"));
  EXPECT_FALSE(accepts("llm_cpu", "layers", "-1"));
}

}  // namespace
}  // namespace sb
