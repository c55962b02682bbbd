// Paired comparisons over parameter sets (sweeps/compare.hpp): the interval and the shares of
// parameters and chance on hand-made runs whose answer is known (tests/python/test_calibrate.py
// runs them through the model).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "agents/metrics.hpp"
#include "sweeps/compare.hpp"

namespace {

std::size_t index_of(const std::string& name) {
  const auto& catalogue = cm::metric_catalogue();
  for (std::size_t k = 0; k < cm::kMetricCount; ++k)
    if (name == catalogue[k].name) return k;
  return cm::kMetricCount;
}

// One run's outcomes: every metric 1, `workers` as given.
std::vector<double> run(double workers) {
  std::vector<double> v(cm::kMetricCount, 1.0);
  v[index_of("workers")] = workers;
  return v;
}

const cm::sweeps::OutcomeComparison& row(const std::vector<cm::sweeps::OutcomeComparison>& rows,
                                         const std::string& name) {
  for (const auto& r : rows)
    if (r.name == name) return r;
  throw std::logic_error(name);
}

TEST(ParameterSets, EffectsThatDifferOnlyBySetAreAllParameters) {
  // Set s: the policy adds s workers in every replicate (no chance in the differences).
  std::vector<std::vector<std::vector<double>>> base(4), pol(4);
  for (int s = 0; s < 4; ++s)
    for (int r = 0; r < 3; ++r) {
      base[s].push_back(run(100 + r));
      pol[s].push_back(run(100 + r + s));
    }
  const auto rows = cm::sweeps::parameter_set_statistics(base, pol);  // kept: row() refers into it
  const auto& w = row(rows, "workers");
  EXPECT_DOUBLE_EQ(w.difference, 1.5);
  EXPECT_DOUBLE_EQ(w.share_parameters, 1.0);
  EXPECT_DOUBLE_EQ(w.share_chance, 0.0);
  const double sd = std::sqrt((2.25 + 0.25 + 0.25 + 2.25) / 3);  // sd of 0, 1, 2, 3
  EXPECT_NEAR(w.sd_difference, sd, 1e-12);
  EXPECT_NEAR(w.ci_high - w.difference, cm::sweeps::t_quantile_975(3) * sd, 1e-12);
}

TEST(ParameterSets, IdenticalSetsAreAllChance) {
  // Every set the same runs: the sets' means agree, and what spread there is is chance's.
  std::vector<std::vector<std::vector<double>>> base(3), pol(3);
  for (int s = 0; s < 3; ++s)
    for (int r = 0; r < 4; ++r) {
      base[s].push_back(run(100));
      pol[s].push_back(run(100 + (r % 2 ? 2 : -2)));
    }
  const auto rows = cm::sweeps::parameter_set_statistics(base, pol);  // kept: row() refers into it
  const auto& w = row(rows, "workers");
  EXPECT_DOUBLE_EQ(w.difference, 0.0);
  EXPECT_DOUBLE_EQ(w.share_parameters, 0.0);
  EXPECT_DOUBLE_EQ(w.share_chance, 1.0);
  // The interval is at least chance's: t(S-1) x the sets' mean chance standard error.
  const double chance_se = std::sqrt(16.0 / 3 / 4);  // variance of (-2, 2, -2, 2), 16 / 3, over 4 pairs
  EXPECT_NEAR(w.ci_high, cm::sweeps::t_quantile_975(2) * chance_se, 1e-9);
}

TEST(ParameterSets, OneSetLeavesNoInterval) {
  std::vector<std::vector<std::vector<double>>> base(1), pol(1);
  for (int r = 0; r < 3; ++r) base[0].push_back(run(100)), pol[0].push_back(run(101 + r));
  const auto rows = cm::sweeps::parameter_set_statistics(base, pol);  // kept: row() refers into it
  const auto& w = row(rows, "workers");
  EXPECT_TRUE(std::isnan(w.difference));
}

}  // namespace
