// The warm-up (run.warmup_weeks, MODEL.md §12): weeks simulated before step 0 under the baseline,
// not reported; the policies from the start come into force when it ends.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "agents/model.hpp"
#include "agents/parameters.hpp"
#include "engine/config.hpp"
#include "engine/parallel.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;

namespace {

const fs::path kRoot = CAREMARKET_SOURCE_DIR;
const fs::path kPolicy = kRoot / "configs/policies/collaborative.toml";  // mode, price floor, contracts

cm::LoadedScenario load(int warmup, const std::vector<cm::PolicyFile>& policies = {}) {
  testing_files::TempDir dir;
  std::ifstream in(kRoot / "tests/data/two_councils.toml");
  const std::string base((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return cm::load_scenario(dir.write("scenario.toml", base), policies,
                           {"run.steps=60", "run.warmup_weeks=" + std::to_string(warmup)});
}

}  // namespace

TEST(Warmup, IsTheFirstWeeksOfTheSameRunAndReportsFromWeekZero) {
  // The warm-up's weeks are the run's first weeks (the streams count them): after a warm-up of
  // 30 weeks the market is the one a run without warm-up reaches at week 30.
  cm::Model plain(load(0), 5, 0);
  for (int s = 0; s < 30; ++s) plain.step();
  cm::Model warm(load(30), 5, 0);
  EXPECT_TRUE(warm.warming_up());
  EXPECT_EQ(warm.current_step(), -30);
  ASSERT_TRUE(warm.warm_up());
  EXPECT_FALSE(warm.warming_up());
  EXPECT_EQ(warm.current_step(), 0);
  EXPECT_EQ(warm.metrics(), plain.metrics());
  // Its events are not reported: only the weeks from reported week 1 on.
  EXPECT_EQ(warm.market().tenders.size(), 0u);
  EXPECT_EQ(warm.market().provider_events.size(), 0u);
  for (int s = 0; s < 150; ++s) {  // contracts of two to three years come up for tender
    plain.step();
    warm.step();
  }
  EXPECT_EQ(warm.metrics(), plain.metrics());
  EXPECT_GT(warm.market().tenders.size(), 0u);
  for (const auto week : warm.market().tenders.week) EXPECT_GE(week, 1);
  ASSERT_EQ(plain.market().tenders.size(),
            warm.market().tenders.size() + static_cast<std::size_t>(std::count_if(plain.market().tenders.week.begin(),
                                                                                  plain.market().tenders.week.end(),
                                                                                  [](int w) { return w <= 30; })));
}

TEST(Warmup, APolicyFromTheStartComesIntoForceWhenTheWarmupEnds) {
  const auto baseline = load(26);
  const auto policy = load(26, cm::from_start({kPolicy}));
  ASSERT_TRUE(policy.warmup_spec.has_value());
  EXPECT_FALSE(baseline.warmup_spec.has_value());
  EXPECT_EQ(policy.warmup_spec->commissioning.price_floor, baseline.spec.commissioning.price_floor);
  EXPECT_NE(policy.spec.commissioning.price_floor, baseline.spec.commissioning.price_floor);
  cm::Model a(baseline, 7, 0), b(policy, 7, 0);
  ASSERT_TRUE(a.warm_up());
  ASSERT_TRUE(b.warm_up());
  // The arms share their warm-up: step 0 is the same market (common random numbers), and from
  // then on the policy's parameters are in force.
  EXPECT_EQ(a.metrics(), b.metrics());
  EXPECT_EQ(b.spec().commissioning.price_floor, policy.spec.commissioning.price_floor);
  EXPECT_EQ(a.spec().commissioning.price_floor, baseline.spec.commissioning.price_floor);
  bool differ = false;
  for (int s = 0; s < 30 && !differ; ++s) {
    a.step();
    b.step();
    differ = a.metrics() != b.metrics();
  }
  EXPECT_TRUE(differ) << "the policy changed nothing in 30 weeks";
  // The change is recorded at step 0, as a policy.
  ASSERT_FALSE(b.changes_applied().empty());
  EXPECT_EQ(b.changes_applied().front().step, 0);
  EXPECT_EQ(b.changes_applied().front().cause, "policy");
}

TEST(Warmup, TheResolvedConfigReplaysTheWarmupUnderTheBaseline) {
  const auto policy = load(26, cm::from_start({kPolicy}));
  const auto again = cm::load_scenario_text(policy.resolved_toml, "resolved");
  ASSERT_TRUE(again.warmup_spec.has_value());
  EXPECT_EQ(again.resolved_toml, policy.resolved_toml);
  cm::Model a(policy, 3, 0), b(again, 3, 0);
  a.warm_up();
  b.warm_up();
  for (int s = 0; s < 20; ++s) {
    a.step();
    b.step();
  }
  EXPECT_EQ(a.metrics(), b.metrics());
}

TEST(Warmup, IsTheSameForAnyThreadCount) {
  const auto policy = load(20, cm::from_start({kPolicy}));
  auto run = [&](int threads) {
    engine::ThreadLimit limit(threads);
    cm::Model model(policy, 4, 0);
    model.warm_up();
    std::vector<double> all = model.metrics();
    for (int s = 0; s < 20; ++s) {
      model.step();
      all.insert(all.end(), model.metrics().begin(), model.metrics().end());
    }
    return all;
  };
  EXPECT_EQ(run(1), run(2));
}

TEST(Warmup, CanBeStoppedBetweenWeeks) {
  cm::Model model(load(20), 4, 0);
  int asked = 0;
  EXPECT_FALSE(model.warm_up([&](std::int32_t done, std::int32_t all) {
    EXPECT_EQ(all, 20);
    EXPECT_EQ(done, asked);
    return ++asked <= 5;
  }));
  EXPECT_EQ(model.current_step(), -15);
  EXPECT_TRUE(model.warm_up());
  EXPECT_EQ(model.current_step(), 0);
}
