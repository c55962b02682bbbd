// Hospital discharge (MODEL.md §18, docs/ODD.md §7.18) over a whole model: the invariants of the
// rule week by week, and the share of reablement episodes that end in independence.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <set>

#include "agents/discharge.hpp"
#include "agents/model.hpp"
#include "agents/rule_states.hpp"

namespace {

const std::filesystem::path kConfigs = std::filesystem::path(CAREMARKET_SOURCE_DIR) / "configs";

// Somerset with the shipped discharge layer and few reablement places, so that both queues fill.
cm::LoadedScenario discharge_scenario() {
  return cm::load_scenario(kConfigs / "scenarios" / "somerset.toml",
                           {{kConfigs / "policies" / "hospital_discharge.toml", std::nullopt}},
                           {"run.warmup_weeks=0", "discharge.reablement_places_per_100k_adults=10"});
}

}  // namespace

// Week by week: reablement never holds more people than the council's places; people in it have
// no package and no formal need left to meet; people waiting in hospital have no provider, and
// are exactly those the metrics count as delayed. Over the run, the share of ended episodes that
// return people to independence is discharge.reablement_success (0.75) within four standard
// deviations of a binomial count. Fails if a place is over-filled, a person in reablement is also
// placed, the delayed are miscounted, or the success draw is off by about 5 points.
TEST(Discharge, ReablementAndDelaysKeepTheirRules) {
  const auto loaded = discharge_scenario();
  cm::Model model(loaded, 3, 0);
  const auto& m = model.market();
  const int c = 0;
  const auto places = cm::reablement_places(m, c);
  ASSERT_GT(places, 10);
  std::set<engine::AgentId> in_reablement;
  double ended = 0, independent = 0, delayed_weeks = 0;
  for (int week = 1; week <= 260; ++week) {
    model.step();
    std::set<engine::AgentId> now;
    std::int64_t awaiting = 0;
    const auto& p = m.people;
    for (std::size_t i = 0; i < p.id.size(); ++i) {
      if (!p.alive[i]) continue;
      const auto where = static_cast<cm::Hospital>(p.hospital[i]);
      if (where == cm::Hospital::reablement) {
        now.insert(p.id[i]);
        ASSERT_EQ(p.need_hours[i], 0.0f) << "week " << week;
        ASSERT_EQ(p.provider[i], engine::kNoAgent) << "week " << week;
      } else if (where == cm::Hospital::awaiting_package) {
        ++awaiting;
        ASSERT_EQ(p.provider[i], engine::kNoAgent) << "week " << week;
        ASSERT_GT(p.need_hours[i], 0.0f) << "week " << week;
      }
    }
    ASSERT_LE(static_cast<std::int64_t>(now.size()), places) << "week " << week;
    ASSERT_EQ(model.metric_total(cm::kDischargeDelayed), static_cast<double>(awaiting)) << "week " << week;
    ASSERT_EQ(model.metric_total(cm::kReablementPeople), static_cast<double>(now.size())) << "week " << week;
    delayed_weeks += static_cast<double>(awaiting);
    // Episodes that ended this week: in reablement last week, not now, and not dead by the need
    // rule's exit draw (those who left by independence are counted by the metric).
    const double independent_now = model.metric_total(cm::kReablementIndependent);
    for (const auto id : in_reablement) {
      if (now.count(id)) continue;
      const auto row = m.people_index.row_of(id);
      const bool alive_at_home = row >= 0 && p.alive[static_cast<std::size_t>(row)];
      if (alive_at_home) ended += 1;  // reablement failed: needs a package
    }
    ended += independent_now;
    independent += independent_now;
    in_reablement = std::move(now);
  }
  EXPECT_GT(delayed_weeks, 0);  // the queue in hospital filled at some point
  ASSERT_GT(ended, 500);
  const double p = loaded.spec.discharge.reablement_success;
  EXPECT_LE(std::abs(independent - p * ended), 4 * std::sqrt(ended * p * (1 - p)))
      << independent << " of " << ended << " episodes ended in independence";
}
