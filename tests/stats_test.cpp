// Tests of src/stats against independent reference values. Each value's source is cited next to it.
// Values marked "scipy" were computed with Python 3 and scipy 1.17.1 / numpy 2.4.6 /
// statsmodels 0.15.0 / pingouin 0.7.0 (imported as `st` = scipy.stats, `np` = numpy) and are given
// with the one-liner that produced them.
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "stats/stats.hpp"

namespace {

using sb::stats::Interval;

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Relative comparison; references from another tool agree to far more than the 4 digits required.
void ExpectRel(double actual, double expected, double rel = 1e-9) {
  EXPECT_NEAR(actual, expected, rel * std::abs(expected)) << "expected " << expected;
}

// Sample used by the descriptive tests.
const std::vector<double> kSeven{2.5, 3.1, 4.7, 1.2, 5.9, 3.3, 2.8};

// Welch's worked example, printed R output of t.test(ts1, ts2) (Welch is R's default):
// "t = -1.8325, df = 17.9, p-value = 0.08356"; quoted in the answer at
// https://boxhoidap.com/huong-dan-welchs-t-test-confidence-interval-python-tran-khoang-tin-cay-t-test-cua-welch
// (a copy of a stats.stackexchange answer).
const std::vector<double> kTs1{11, 9, 10, 11, 10, 12, 9, 11, 12, 9};
const std::vector<double> kTs2{11, 13, 10, 13, 12, 9, 11, 12, 12, 11};

// Unequal sizes (6 and 11) and unequal spreads.
const std::vector<double> kSmall6{19.2, 21.5, 18.7, 20.1, 22.3, 19.9};
const std::vector<double> kLarge11{24.1, 20.8, 26.3, 23.5, 19.7, 25.2, 27.9, 22.4, 24.8, 21.6, 23.0};

// ---------------------------------------------------------------- descriptive

TEST(StatsDescriptive, DescribeMatchesNumpyAndScipy) {
  const sb::stats::Summary s = sb::stats::describe(kSeven);
  EXPECT_EQ(s.n, 7u);
  ExpectRel(s.mean, 3.357142857142857);     // np.mean(x)
  ExpectRel(s.median, 3.1);                 // np.median(x)
  ExpectRel(s.stdev, 1.5295501984321436);   // np.std(x, ddof=1)
  ExpectRel(s.q1, 2.65);                    // np.quantile(x, 0.25)  (numpy default = R type 7)
  ExpectRel(s.q3, 4.0);                     // np.quantile(x, 0.75)
  EXPECT_EQ(s.min, 1.2);
  EXPECT_EQ(s.max, 5.9);
  // st.t.interval(0.95, 6, loc=np.mean(x), scale=st.sem(x))
  ExpectRel(s.mean_ci.low, 1.942544859283868);
  ExpectRel(s.mean_ci.high, 4.7717408550018465);
  ExpectRel(s.ci_half_width_rel, (4.7717408550018465 - 1.942544859283868) / 2 / 3.357142857142857);
}

TEST(StatsDescriptive, QuantileIsRType7) {
  ExpectRel(sb::stats::quantile(kSeven, 0.9), 5.180000000000001);  // np.quantile(x, 0.9)
  // By hand, R type 7: h = (4 - 1) * 0.25 = 0.75, so 1 + 0.75 * (2 - 1).
  ExpectRel(sb::stats::quantile(std::vector<double>{4, 1, 3, 2}, 0.25), 1.75);
  EXPECT_EQ(sb::stats::quantile(kSeven, 0.0), 1.2);
  EXPECT_EQ(sb::stats::quantile(kSeven, 1.0), 5.9);
  EXPECT_EQ(sb::stats::median(std::vector<double>{4, 1, 3, 2}), 2.5);
}

TEST(StatsDescriptive, MeanCiOtherConfidence) {
  // st.t.interval(0.90, 6, loc=np.mean(x), scale=st.sem(x))
  const Interval ci = sb::stats::mean_ci(kSeven, 0.90);
  ExpectRel(ci.low, 2.2337599559526202);
  ExpectRel(ci.high, 4.480525758333094);
}

TEST(StatsDescriptive, LargeOffsetKeepsPrecision) {
  // By hand: the values 1, 2, 3 shifted by 1e9 have mean 1e9 + 2 and standard deviation 1.
  const std::vector<double> xs{1e9 + 1, 1e9 + 2, 1e9 + 3};
  EXPECT_EQ(sb::stats::mean(xs), 1e9 + 2);
  ExpectRel(sb::stats::stdev(xs), 1.0, 1e-12);
}

TEST(StatsDescriptive, SingleValueHasUndefinedCi) {
  const sb::stats::Summary s = sb::stats::describe(std::vector<double>{4.2});
  EXPECT_EQ(s.mean, 4.2);
  EXPECT_EQ(s.stdev, 0.0);
  EXPECT_EQ(s.mean_ci.low, 4.2);
  EXPECT_EQ(s.mean_ci.high, 4.2);
  EXPECT_EQ(s.ci_half_width_rel, kInf);  // a stopping rule must never stop on one value
}

TEST(StatsDescriptive, ConstantSampleHasZeroWidthCi) {
  const sb::stats::Summary s = sb::stats::describe(std::vector<double>{0.1, 0.1, 0.1, 0.1});
  EXPECT_EQ(s.mean, 0.1);
  EXPECT_EQ(s.stdev, 0.0);
  EXPECT_EQ(s.mean_ci.low, 0.1);
  EXPECT_EQ(s.mean_ci.high, 0.1);
  EXPECT_EQ(s.ci_half_width_rel, 0.0);
  EXPECT_EQ(sb::stats::describe(std::vector<double>{-1.0, 1.0}).ci_half_width_rel, kInf);  // mean 0
}

// ---------------------------------------------------------------- Welch

TEST(StatsWelch, PublishedRExample) {
  const auto r = sb::stats::welch_t_test(kTs1, kTs2);  // t is mean(b) - mean(a): R's sign flipped
  EXPECT_NEAR(r.t, 1.8325, 1e-4 * 1.8325);             // R output, 5 digits
  EXPECT_NEAR(r.p_value, 0.08356, 1e-4 * 0.08356);     // R output, 4 digits
  // st.ttest_ind(ts2, ts1, equal_var=False) -> statistic, pvalue, df
  ExpectRel(r.t, 1.8325416653445783);
  ExpectRel(r.p_value, 0.08355979161922325);
  ExpectRel(r.df, 17.900310146211787);
}

TEST(StatsWelch, IntervalOfTheDifferenceMatchesScipy) {
  // r = st.ttest_ind(ts2, ts1, equal_var=False); r.confidence_interval(0.95)
  const Interval ci = sb::stats::welch_interval(sb::stats::welch_t_test(kTs1, kTs2));
  ExpectRel(ci.low, -0.14691036610463426);
  ExpectRel(ci.high, 2.1469103661046343);
  // st.ttest_ind(large11, small6, equal_var=False).confidence_interval(0.90)
  const Interval ci90 = sb::stats::welch_interval(sb::stats::welch_t_test(kSmall6, kLarge11), 0.90);
  ExpectRel(ci90.low, 1.6735849552825561);
  ExpectRel(ci90.high, 4.905202923505314);
  // No spread: the interval is the difference itself.
  const Interval none = sb::stats::welch_interval(
      sb::stats::welch_t_test(std::vector<double>{2, 2}, std::vector<double>{3, 3, 3}));
  EXPECT_EQ(none.low, 1.0);
  EXPECT_EQ(none.high, 1.0);
}

TEST(StatsWelch, UnequalSizes) {
  // st.ttest_ind(large11, small6, equal_var=False)
  const auto r = sb::stats::welch_t_test(kSmall6, kLarge11);
  ExpectRel(r.t, 3.570158744796892);
  ExpectRel(r.df, 14.91255176078241);
  ExpectRel(r.p_value, 0.002814121402397976);
}

TEST(StatsWelch, OneConstantSample) {
  // st.ttest_ind([1., 2., 3., 4.], [5., 5., 5.], equal_var=False) -> statistic -3.872983346207417,
  // pvalue 0.030466291662170977, df 3.0 (the df of the varying sample, n - 1)
  const auto r = sb::stats::welch_t_test(std::vector<double>{1, 2, 3, 4}, std::vector<double>{5, 5, 5});
  ExpectRel(r.t, 3.872983346207417);
  ExpectRel(r.df, 3.0);
  ExpectRel(r.p_value, 0.030466291662170977);
}

TEST(StatsWelch, BothConstant) {
  // Documented convention (scipy returns NaN here): no spread, equal means -> p = 1.
  const auto same = sb::stats::welch_t_test(std::vector<double>{0.1, 0.1, 0.1},
                                            std::vector<double>{0.1, 0.1, 0.1, 0.1});
  EXPECT_EQ(same.t, 0.0);
  EXPECT_EQ(same.p_value, 1.0);
  EXPECT_EQ(same.df, 5.0);
  const auto differ = sb::stats::welch_t_test(std::vector<double>{2, 2}, std::vector<double>{1, 1, 1});
  EXPECT_EQ(differ.t, -kInf);
  EXPECT_EQ(differ.p_value, 0.0);
}

// ---------------------------------------------------------------- Mann–Whitney

TEST(StatsMannWhitney, TortoiseAndHare) {
  // Wikipedia, "Mann–Whitney U test", Illustration of calculation methods: finishing order
  // T H H H H H T T T T T H gives U_T = 11 (and U_H = 25). Speed score = 13 - finishing position.
  const std::vector<double> tortoises{12, 6, 5, 4, 3, 2};
  const std::vector<double> hares{11, 10, 9, 8, 7, 1};
  const auto r = sb::stats::mann_whitney_u(tortoises, hares);
  EXPECT_EQ(r.u, 11.0);
  EXPECT_EQ(sb::stats::mann_whitney_u(hares, tortoises).u, 25.0);
  EXPECT_TRUE(r.exact);
  EXPECT_EQ(r.z, 0.0);
  // st.mannwhitneyu(tortoises, hares, method='exact').pvalue; = 2 * 143 / 924
  ExpectRel(r.p_value, 0.30952380952380953);
}

TEST(StatsMannWhitney, ExactUnequalSizes) {
  // st.mannwhitneyu([3.1, 7.4, 1.9, 5.5], [6.2, 8.8, 9.1, 4.0, 7.7, 10.3, 12.5, 8.1, 11.0],
  //                 method='exact') -> statistic 3.0, pvalue 0.019580419580419582
  const std::vector<double> four{3.1, 7.4, 1.9, 5.5};
  const std::vector<double> nine{6.2, 8.8, 9.1, 4.0, 7.7, 10.3, 12.5, 8.1, 11.0};
  const auto r = sb::stats::mann_whitney_u(four, nine);
  EXPECT_TRUE(r.exact);
  EXPECT_EQ(r.u, 3.0);
  ExpectRel(r.p_value, 0.019580419580419582);
  // Larger sample first: st.mannwhitneyu(nine, four, method='exact') -> statistic 33.0, same pvalue
  const auto swapped = sb::stats::mann_whitney_u(nine, four);
  EXPECT_TRUE(swapped.exact);
  EXPECT_EQ(swapped.u, 33.0);
  ExpectRel(swapped.p_value, 0.019580419580419582);
}

TEST(StatsMannWhitney, TiesUseAsymptoticWithTieCorrection) {
  // st.mannwhitneyu([1, 2, 2, 3, 5, 5, 5], [2, 4, 5, 6, 6, 7, 8, 9], method='asymptotic',
  //                 use_continuity=True) -> statistic 9.5, pvalue 0.03472359738430303
  const auto r = sb::stats::mann_whitney_u(std::vector<double>{1, 2, 2, 3, 5, 5, 5},
                                           std::vector<double>{2, 4, 5, 6, 6, 7, 8, 9});
  EXPECT_FALSE(r.exact);
  EXPECT_EQ(r.u, 9.5);
  ExpectRel(r.p_value, 0.03472359738430303);
  EXPECT_LT(r.z, 0.0);  // a tends to be smaller than b
  // Consistent with the p-value: 2 * normal sf(|z|).
  ExpectRel(std::erfc(std::abs(r.z) / std::sqrt(2.0)), 0.03472359738430303);
}

// a = 0, 2, ..., 2(n_a - 1); b = 13, 15, ...: no ties.
std::vector<double> EvenNumbers(int n) {
  std::vector<double> v;
  for (int i = 0; i < n; ++i) v.push_back(2.0 * i);
  return v;
}
std::vector<double> OddNumbersFrom13(int n) {
  std::vector<double> v;
  for (int i = 0; i < n; ++i) v.push_back(2.0 * i + 13);
  return v;
}

TEST(StatsMannWhitney, ExactUpTo2500PairsThenAsymptotic) {
  // 50 x 50 = 2500 pairs: exact.
  // st.mannwhitneyu(a50, b50, method='exact') -> statistic 946.0, pvalue 0.03601780786488047
  const auto at_limit = sb::stats::mann_whitney_u(EvenNumbers(50), OddNumbersFrom13(50));
  EXPECT_TRUE(at_limit.exact);
  EXPECT_EQ(at_limit.u, 946.0);
  ExpectRel(at_limit.p_value, 0.03601780786488047);
  // 50 x 51 = 2550 pairs: asymptotic (the exact p would be 0.025216885143476506).
  // st.mannwhitneyu(a50, b51, method='asymptotic') -> statistic 946.0, pvalue 0.025661993069178084
  const auto beyond = sb::stats::mann_whitney_u(EvenNumbers(50), OddNumbersFrom13(51));
  EXPECT_FALSE(beyond.exact);
  EXPECT_EQ(beyond.u, 946.0);
  ExpectRel(beyond.p_value, 0.025661993069178084);
}

TEST(StatsMannWhitney, AllValuesEqual) {
  // st.mannwhitneyu([3.]*4, [3.]*5, method='asymptotic') -> statistic 10.0, pvalue 1.0
  const auto r = sb::stats::mann_whitney_u(std::vector<double>(4, 3.0), std::vector<double>(5, 3.0));
  EXPECT_EQ(r.u, 10.0);
  EXPECT_EQ(r.p_value, 1.0);
  EXPECT_EQ(r.z, 0.0);
}

// ---------------------------------------------------------------- Hedges' g

TEST(StatsHedges, MatchesPingouin) {
  // pingouin.compute_effsize(large11, small6, eftype='hedges') -> 1.463249871545607
  ExpectRel(sb::stats::hedges_g(kSmall6, kLarge11), 1.463249871545607);
  // pingouin.compute_effsize(ts2, ts1, eftype='hedges') -> 0.7849092000032621
  ExpectRel(sb::stats::hedges_g(kTs1, kTs2), 0.7849092000032621);
  // pingouin.compute_effsize([5., 5., 5.], [1., 2., 3., 4.], eftype='hedges') -> 2.1052631578947367
  // (by hand: d = 2.5 / 1, J = 1 - 3 / 19)
  ExpectRel(sb::stats::hedges_g(std::vector<double>{1, 2, 3, 4}, std::vector<double>{5, 5, 5}),
            2.1052631578947367);
}

TEST(StatsHedges, BothConstant) {
  EXPECT_EQ(sb::stats::hedges_g(std::vector<double>{1, 1}, std::vector<double>{1, 1, 1}), 0.0);
  EXPECT_EQ(sb::stats::hedges_g(std::vector<double>{1, 1}, std::vector<double>{2, 2}), kInf);
}

// ---------------------------------------------------------------- Holm

TEST(StatsHolm, MatchesStatsmodelsWithTiedPValues) {
  // multipletests([0.01, 0.04, 0.03, 0.04, 0.005, 0.5], method='holm')[1]
  // -> [0.05, 0.12, 0.12, 0.12, 0.03, 0.5]; the tied 0.04s get equal values.
  const auto adj = sb::stats::holm_adjust(std::vector<double>{0.01, 0.04, 0.03, 0.04, 0.005, 0.5});
  const std::vector<double> expected{0.05, 0.12, 0.12, 0.12, 0.03, 0.5};
  ASSERT_EQ(adj.size(), expected.size());
  for (std::size_t i = 0; i < adj.size(); ++i) ExpectRel(adj[i], expected[i]);
}

TEST(StatsHolm, MonotoneAndCapped) {
  // multipletests([0.20, 0.01, 0.30, 0.02, 0.01], method='holm')[1] -> [0.4, 0.05, 0.4, 0.06, 0.05]
  const auto tied_smallest = sb::stats::holm_adjust(std::vector<double>{0.20, 0.01, 0.30, 0.02, 0.01});
  const std::vector<double> expected{0.4, 0.05, 0.4, 0.06, 0.05};
  for (std::size_t i = 0; i < expected.size(); ++i) ExpectRel(tied_smallest[i], expected[i]);
  // multipletests([0.3, 0.6, 0.02], method='holm')[1] -> [0.6, 0.6, 0.06]: 0.6 * 1 is raised to the
  // running maximum 0.3 * 2.
  const auto monotone = sb::stats::holm_adjust(std::vector<double>{0.3, 0.6, 0.02});
  ExpectRel(monotone[0], 0.6);
  ExpectRel(monotone[1], 0.6);
  ExpectRel(monotone[2], 0.06);
  // multipletests([0.4, 0.7, 0.9], method='holm')[1] -> [1.0, 1.0, 1.0]
  for (double p : sb::stats::holm_adjust(std::vector<double>{0.4, 0.7, 0.9})) EXPECT_EQ(p, 1.0);
  EXPECT_TRUE(sb::stats::holm_adjust(std::vector<double>{}).empty());
}

// ---------------------------------------------------------------- errors

// The message names the function, so a failure deep inside a comparison can be traced.
template <typename F>
void ExpectInvalid(F&& call, const std::string& function) {
  try {
    call();
    ADD_FAILURE() << function << " did not throw";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("sb::stats::" + function + ":"), std::string::npos)
        << e.what();
  }
}

TEST(StatsErrors, InputsThatCannotGiveAnAnswer) {
  const std::vector<double> empty;
  const std::vector<double> one{1.0};
  const std::vector<double> with_nan{1.0, kNaN, 2.0};
  const std::vector<double> with_inf{1.0, kInf};
  const std::vector<double> ok{1.0, 2.0, 3.0};
  ExpectInvalid([&] { sb::stats::mean(empty); }, "mean");
  ExpectInvalid([&] { sb::stats::mean(with_nan); }, "mean");
  ExpectInvalid([&] { sb::stats::median(empty); }, "median");
  ExpectInvalid([&] { sb::stats::stdev(one); }, "stdev");
  ExpectInvalid([&] { sb::stats::stdev(with_inf); }, "stdev");
  ExpectInvalid([&] { sb::stats::quantile(ok, 1.5); }, "quantile");
  ExpectInvalid([&] { sb::stats::quantile(ok, kNaN); }, "quantile");
  ExpectInvalid([&] { sb::stats::mean_ci(ok, 1.0); }, "mean_ci");
  ExpectInvalid([&] { sb::stats::describe(empty); }, "describe");
  ExpectInvalid([&] { sb::stats::describe(ok, 0.0); }, "describe");
  ExpectInvalid([&] { sb::stats::welch_t_test(one, ok); }, "welch_t_test");
  ExpectInvalid([&] { sb::stats::welch_t_test(ok, with_nan); }, "welch_t_test");
  ExpectInvalid([&] { sb::stats::mann_whitney_u(empty, ok); }, "mann_whitney_u");
  ExpectInvalid([&] { sb::stats::mann_whitney_u(ok, with_inf); }, "mann_whitney_u");
  ExpectInvalid([&] { sb::stats::hedges_g(ok, one); }, "hedges_g");
  ExpectInvalid([&] { sb::stats::welch_interval(sb::stats::welch_t_test(ok, ok), 1.0); }, "welch_interval");
  ExpectInvalid([&] { sb::stats::holm_adjust(std::vector<double>{0.5, 1.2}); }, "holm_adjust");
  ExpectInvalid([&] { sb::stats::holm_adjust(std::vector<double>{kNaN}); }, "holm_adjust");
}

}  // namespace
