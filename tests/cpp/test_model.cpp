// The model as a whole: determinism across thread counts, sensitivity to seeds, invariants of the
// columns after many steps.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <random>

#include "agents/model.hpp"
#include "agents/opening.hpp"
#include "agents/retention.hpp"
#include "engine/parallel.hpp"

namespace {
// The two-council region shared with tests/python/test_model.py.
cm::ScenarioSpec small_region() {
  return cm::load_scenario(std::filesystem::path(CAREMARKET_SOURCE_DIR) / "tests/data/two_councils.toml", {}, {}).spec;
}

std::vector<double> run_metrics(int threads, std::uint64_t seed, int steps) {
  engine::ThreadLimit limit(threads);
  cm::Model model(small_region(), seed, 0);
  std::vector<double> all;
  for (int s = 0; s < steps; ++s) {
    model.step();
    all.insert(all.end(), model.metrics().begin(), model.metrics().end());
  }
  return all;
}
}  // namespace

TEST(Model, SameSeedSameResultForAnyThreadCount) {
  const auto one = run_metrics(1, 5, 80);
  const auto two = run_metrics(2, 5, 80);
  const auto four = run_metrics(4, 5, 80);
  ASSERT_EQ(one.size(), two.size());
  for (std::size_t i = 0; i < one.size(); ++i) {
    ASSERT_EQ(one[i], two[i]) << "metric value " << i;
    ASSERT_EQ(one[i], four[i]) << "metric value " << i;
  }
}

// The market keeps dead agents' rows between regroups (Market::end_week); regrouping after every
// step instead must give the same results, metric for metric and agent for agent.
TEST(Model, KeepingDeadRowsBetweenRegroupsChangesNoResult) {
  cm::Model kept(small_region(), 4, 0), settled(small_region(), 4, 0);
  bool kept_dead_rows = false;
  for (int s = 0; s < 120; ++s) {
    kept.step();
    settled.step();
    settled.settle();
    kept_dead_rows = kept_dead_rows || !kept.market().settled();
    ASSERT_EQ(kept.metrics(), settled.metrics()) << "week " << s + 1;
  }
  EXPECT_TRUE(kept_dead_rows);  // the test exercised the kept rows
  kept.settle();
  ASSERT_TRUE(kept.market().settled());
  EXPECT_EQ(kept.market().people.id, settled.market().people.id);
  EXPECT_EQ(kept.market().people.wellbeing, settled.market().people.wellbeing);
  EXPECT_EQ(kept.market().workers.id, settled.market().workers.id);
  EXPECT_EQ(kept.market().workers.stress, settled.market().workers.stress);
  EXPECT_EQ(kept.market().providers.income, settled.market().providers.income);
}

TEST(Model, DifferentSeedsDiffer) { EXPECT_NE(run_metrics(2, 5, 20), run_metrics(2, 6, 20)); }

TEST(Model, ColumnsStayConsistent) {
  cm::Model model(small_region(), 3, 0);
  for (int s = 0; s < 150; ++s) model.step();
  model.settle();
  const auto& m = model.market();
  // Every person's provider and every worker's employer is a live provider in the same council.
  for (std::size_t i = 0; i < m.people.id.size(); ++i) {
    ASSERT_TRUE(m.people.alive[i]);
    if (m.people.provider[i] == engine::kNoAgent) continue;
    const auto q = m.provider_row(m.people.provider[i]);
    if (q < 0) continue;  // closed this week; re-placed next week
    EXPECT_EQ(m.providers.council[static_cast<std::size_t>(q)], m.people.council[i]);
    EXPECT_LE(m.people.hours_received[i], m.people.need_hours[i] + 1e-4f);
  }
  std::vector<int> staff(m.providers.id.size(), 0);
  for (std::size_t k = 0; k < m.workers.id.size(); ++k) {
    if (m.workers.employer[k] == engine::kNoAgent) continue;
    const auto q = m.provider_row(m.workers.employer[k]);
    ASSERT_GE(q, 0);
    EXPECT_EQ(m.providers.council[static_cast<std::size_t>(q)], m.workers.council[k]);
    staff[static_cast<std::size_t>(q)] += 1;
  }
  for (std::size_t q = 0; q < m.providers.id.size(); ++q) {
    const auto& a = model.spec().providers.of(static_cast<cm::Archetype>(m.providers.archetype[q]));
    EXPECT_LE(staff[q], a.max_workers) << "provider " << m.providers.id[q];
    // The rules keep staff counts as they hire and lose staff; nothing recounts them.
    EXPECT_EQ(m.providers.staff[q], staff[q]) << "provider " << m.providers.id[q];
  }
  // Ids map to rows both ways.
  for (std::size_t q = 0; q < m.providers.id.size(); ++q)
    EXPECT_EQ(m.provider_row(m.providers.id[q]), static_cast<int>(q));
}

// A person or worker who leaves is forgotten by the id index at the end of that week (the rules
// list who leaves: Market::depart_*), whether or not the table is regrouped then. Fails if a rule
// sets alive to 0 without listing the row: its id would still find the dead row.
TEST(Model, EveryoneWhoLeavesIsForgottenThatWeek) {
  cm::Model model(small_region(), 5, 0);
  int dead_seen = 0;
  for (int s = 0; s < 120; ++s) {
    model.step();
    const auto& m = model.market();
    auto check = [&](const auto& table, const engine::IdIndex& index, const char* kind) {
      for (std::size_t r = 0; r < table.id.size(); ++r) {
        if (table.alive[r]) {
          ASSERT_EQ(index.row_of(table.id[r]), static_cast<std::int32_t>(r)) << kind << " row " << r;
        } else {
          ++dead_seen;
          ASSERT_EQ(table.id[r], engine::kNoAgent) << kind << " row " << r << " left in week " << m.week;
        }
      }
    };
    check(m.people, m.people_index, "person");
    check(m.workers, m.workers_index, "worker");
  }
  EXPECT_GT(dead_seen, 1000);  // dead rows do wait for a regroup, so the check saw some
}

TEST(Model, MicroEnterprisesNeverExceedTheirCap) {
  cm::Model model(small_region(), 9, 0);
  for (int s = 0; s < 120; ++s) model.step();
  model.settle();
  const auto& m = model.market();
  std::vector<int> staff(m.providers.id.size(), 0);
  for (std::size_t k = 0; k < m.workers.id.size(); ++k)
    if (m.workers.employer[k] != engine::kNoAgent)
      staff[static_cast<std::size_t>(m.provider_row(m.workers.employer[k]))]++;
  for (std::size_t q = 0; q < staff.size(); ++q)
    if (static_cast<cm::Archetype>(m.providers.archetype[q]) == cm::Archetype::micro) {
      EXPECT_LE(staff[q], 8);
    }
}

// Retention decides most workers against an upper bound of the quit hazard that needs no exp();
// the model's results equal those of the exact hazard only if the bound is never below it.
TEST(Retention, QuitHazardBoundIsNeverBelowTheHazard) {
  std::mt19937_64 gen(7);
  std::uniform_real_distribution<double> any(-2.0, 2.0), exponent(-20.0, 3.0);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  int bounded = 0;
  for (int k = 0; k < 200000; ++k) {
    double f[6] = {std::abs(any(gen)) / 52, exponent(gen), any(gen) + 1, any(gen) + 1, any(gen) + 1, any(gen) + 0.5};
    if (k % 97 == 0) f[k % 6] = nan;
    if (k % 89 == 0) f[1] = 0.0;
    const double hazard = cm::quit_hazard(f[0], f[1], f[2], f[3], f[4], f[5]);
    const double bound = cm::quit_hazard_bound(f[0], f[1], f[2], f[3], f[4], f[5]);
    if (std::isinf(bound)) continue;
    ++bounded;
    ASSERT_GE(bound, hazard) << f[0] << " " << f[1] << " " << f[2] << " " << f[3] << " " << f[4] << " " << f[5];
  }
  EXPECT_GT(bounded, 10000);  // the shortcut's case was exercised
}

// Random streams are keyed by the council an agent was created in and its serial there, not by
// global ids (which are issued across the region in council order): halving the first council's
// people must leave the second council's whole trajectory as it was, bit for bit.
TEST(Model, AChangeToOneCouncilLeavesAnotherCouncilsDrawsAsTheyWere) {
  auto changed_spec = small_region();
  changed_spec.councils[0].people /= 2;
  changed_spec.councils[0].workers /= 2;
  cm::Model original(small_region(), 6, 0), changed(changed_spec, 6, 0);
  const auto nc = static_cast<std::size_t>(original.councils());
  bool first_council_differs = false;
  for (int week = 1; week <= 104; ++week) {
    original.step();
    changed.step();
    for (std::size_t k = 0; k < cm::kMetricCount; ++k) {
      ASSERT_EQ(original.metrics()[k * nc + 1], changed.metrics()[k * nc + 1])
          << cm::metric_catalogue()[k].name << " of the second council, week " << week;
      first_council_differs = first_council_differs || original.metrics()[k * nc] != changed.metrics()[k * nc];
    }
  }
  EXPECT_TRUE(first_council_differs);  // the change was real
}

// A week's new workers join in one batch, set up in parallel (Market::flush_pending): the same
// rows, ids, serials, draws and staff counts as adding them one at a time in council order
// (Market::add_worker), with employers in their own council, in the other, and none.
TEST(Model, WorkersJoiningTogetherEqualWorkersJoiningOneByOne) {
  const auto spec = small_region();
  cm::Market together = cm::open_market(spec, 3, 0), one_by_one = cm::open_market(spec, 3, 0);
  ASSERT_EQ(together.councils(), 2);
  std::vector<std::vector<engine::AgentId>> employers(2);
  for (int c = 0; c < 2; ++c)
    together.for_council_providers(c, [&](std::size_t q) {
      if (together.providers.alive[q]) employers[static_cast<std::size_t>(c)].push_back(together.providers.id[q]);
    });
  ASSERT_FALSE(employers[0].empty());
  ASSERT_FALSE(employers[1].empty());
  std::vector<std::vector<cm::NewWorker>> joining(2);
  for (std::size_t c = 0; c < 2; ++c)
    for (std::size_t k = 0; k < 40; ++k) {
      const auto& from = employers[k % 3 == 1 ? 1 - c : c];  // every third in the other council
      const engine::AgentId employer = k % 5 == 4 ? engine::kNoAgent : from[k % from.size()];
      joining[c].push_back({together.geography.first_locality(static_cast<int>(c)), -1, employer, false});
    }
  for (std::size_t c = 0; c < 2; ++c) together.pending[c].workers = joining[c];
  together.flush_pending();
  for (int c = 0; c < 2; ++c)
    for (const auto& nw : joining[static_cast<std::size_t>(c)]) one_by_one.add_worker(c, nw.locality, nw.employer, false);

  ASSERT_EQ(together.workers.id.size(), one_by_one.workers.id.size());
  int compared = 0;
  together.workers.for_each_column([&](const char* name, const auto& column) {
    one_by_one.workers.for_each_column([&](const char* other_name, const auto& other) {
      if constexpr (std::is_same_v<decltype(column), decltype(other)>) {
        if (std::string_view(name) == other_name) {
          EXPECT_TRUE(column == other) << "workers column " << name;
          ++compared;
        }
      }
    });
  });
  EXPECT_GE(compared, 10);
  EXPECT_EQ(together.providers.staff, one_by_one.providers.staff);
  EXPECT_EQ(together.next_serial.workers, one_by_one.next_serial.workers);
  EXPECT_EQ(together.workers_index.ids_issued(), one_by_one.workers_index.ids_issued());
}
