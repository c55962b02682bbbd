// Counter-based streams: reproducible, independent across keys, usable with Boost.Random.
#include <gtest/gtest.h>

#include <boost/random/normal_distribution.hpp>
#include <boost/random/poisson_distribution.hpp>
#include <cmath>
#include <set>
#include <vector>

#include "engine/rng.hpp"

using engine::Stream;

TEST(Rng, SameKeyGivesSameSequence) {
  Stream a(7, 1, 3, 42, 5), b(7, 1, 3, 42, 5);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(a(), b());
}

TEST(Rng, EachKeyComponentChangesTheStream) {
  const Stream base(7, 1, 3, 42, 5);
  const Stream variants[] = {Stream(8, 1, 3, 42, 5), Stream(7, 2, 3, 42, 5), Stream(7, 1, 4, 42, 5),
                             Stream(7, 1, 3, 43, 5), Stream(7, 1, 3, 42, 6)};
  for (auto v : variants) {
    auto b = base;
    int equal = 0;
    for (int i = 0; i < 100; ++i) equal += v() == b();
    EXPECT_EQ(equal, 0);
  }
}

TEST(Rng, SwappedComponentsGiveDifferentStreams) {
  Stream a(1, 2, 3, 4, 5), b(1, 2, 3, 5, 4);
  EXPECT_NE(a(), b());
}

TEST(Rng, UniformIsOnUnitIntervalWithRightMoments) {
  // 200,000 draws: the mean of U(0,1) has sd 0.00065, so 0.005 is over 7 sd.
  Stream s(1, 0, 0, 0, 0);
  double sum = 0, sum2 = 0;
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    const double u = s.uniform();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    sum += u;
    sum2 += u * u;
  }
  EXPECT_NEAR(sum / n, 0.5, 0.005);
  EXPECT_NEAR(sum2 / n - (sum / n) * (sum / n), 1.0 / 12, 0.003);
}

TEST(Rng, NeighbouringAgentsAreUncorrelated) {
  // First draws of agents i and i+1 (same step and purpose): correlation of 50,000 pairs has sd
  // about 0.0045 under independence; 0.03 is over 6 sd.
  const int n = 50000;
  double sx = 0, sy = 0, sxy = 0, sxx = 0, syy = 0;
  for (int i = 0; i < n; ++i) {
    const double x = Stream(9, 0, 12, static_cast<std::uint64_t>(i), 3).uniform();
    const double y = Stream(9, 0, 12, static_cast<std::uint64_t>(i) + 1, 3).uniform();
    sx += x;
    sy += y;
    sxy += x * y;
    sxx += x * x;
    syy += y * y;
  }
  const double cov = sxy / n - sx / n * sy / n;
  const double r = cov / std::sqrt((sxx / n - sx / n * sx / n) * (syy / n - sy / n * sy / n));
  EXPECT_LT(std::abs(r), 0.03);
}

TEST(Rng, FirstDrawsAcrossStepsLookUniform) {
  // Chi-square over 16 bins of the first draw of one agent across 32,000 steps; 15 degrees of
  // freedom: the 99.99th percentile is about 44.
  std::vector<int> bins(16, 0);
  const int n = 32000;
  for (int step = 0; step < n; ++step) bins[Stream(3, 0, static_cast<std::uint64_t>(step), 11, 2).below(16)]++;
  double chi2 = 0;
  for (int b : bins) chi2 += (b - n / 16.0) * (b - n / 16.0) / (n / 16.0);
  EXPECT_LT(chi2, 44.0);
}

TEST(Rng, BelowStaysInRange) {
  Stream s(5, 0, 0, 0, 0);
  std::set<std::uint32_t> seen;
  for (int i = 0; i < 10000; ++i) {
    const auto v = s.below(7);
    ASSERT_LT(v, 7u);
    seen.insert(v);
  }
  EXPECT_EQ(seen.size(), 7u);
}

TEST(Rng, WorksUnderBoostDistributions) {
  Stream s(11, 0, 0, 0, 0);
  boost::random::poisson_distribution<int, double> poisson(4.0);
  boost::random::normal_distribution<double> normal(10.0, 2.0);
  double ps = 0, ns = 0;
  const int n = 20000;
  for (int i = 0; i < n; ++i) {
    ps += poisson(s);
    ns += normal(s);
  }
  // Poisson(4) mean has sd 0.014 over 20,000 draws; normal mean sd 0.014.
  EXPECT_NEAR(ps / n, 4.0, 0.1);
  EXPECT_NEAR(ns / n, 10.0, 0.1);
}

TEST(Rng, StepStreamsEqualDirectStreams) {
  const engine::RngRoot root(17, 2);
  const auto step = root.at_step(40);
  for (std::uint64_t agent : {0ULL, 1ULL, 123456ULL}) {
    auto a = root.stream(40, agent, 9);
    auto b = step.stream(agent, 9);
    for (int i = 0; i < 10; ++i) ASSERT_EQ(a(), b());
  }
  auto other = root.at_step(41).stream(0, 9);
  auto same_step = root.stream(40, 0, 9);
  EXPECT_NE(other(), same_step());
}
