// engine/calendar.hpp: ids come back at the step they were filed under, in the order filed within
// the horizon, also when filed far ahead (beyond the ring of buckets).
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <vector>

#include "engine/calendar.hpp"

TEST(Calendar, IdsComeBackAtTheirStepInFilingOrder) {
  engine::Calendar calendar(8);
  calendar.file(3, 10);
  calendar.file(1, 11);
  calendar.file(3, 12);
  std::vector<engine::AgentId> due;
  calendar.take(1, due);
  EXPECT_EQ(due, (std::vector<engine::AgentId>{11}));
  calendar.take(2, due);
  EXPECT_TRUE(due.empty());
  calendar.take(3, due);
  EXPECT_EQ(due, (std::vector<engine::AgentId>{10, 12}));
  EXPECT_EQ(calendar.size(), 0u);
}

TEST(Calendar, FarStepsAgreeWithAPlainMap) {
  // Random filings up to 40 horizons ahead, some made while taking: the calendar must give what a
  // map from step to ids gives.
  engine::Calendar calendar(16);
  std::map<std::int64_t, std::vector<engine::AgentId>> expected;
  std::mt19937_64 rng(7);
  engine::AgentId next = 0;
  auto file = [&](std::int64_t now) {
    const std::int64_t step = now + 1 + static_cast<std::int64_t>(rng() % 640);
    calendar.file(step, next);
    expected[step].push_back(next++);
  };
  for (int k = 0; k < 500; ++k) file(0);
  std::vector<engine::AgentId> due;
  for (std::int64_t step = 1; step <= 1000; ++step) {
    calendar.take(step, due);
    std::sort(due.begin(), due.end());  // far filings come back after near ones
    ASSERT_EQ(due, expected[step]) << "step " << step;
    for (int k = 0; k < 3; ++k) file(step);
  }
}
