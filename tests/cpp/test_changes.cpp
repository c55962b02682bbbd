// Parameters that change during a run (MODEL.md §12): [[schedule]] entries, policies from a date,
// [[shocks]]; how the loader checks them and how the model follows them.
#include <gtest/gtest.h>

#include <stdlib.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "agents/metrics.hpp"
#include "agents/model.hpp"
#include "agents/parameters.hpp"
#include "engine/config.hpp"
#include "engine/parallel.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;
using engine::config::ConfigError;

namespace {

const fs::path kRoot = CAREMARKET_SOURCE_DIR;
const fs::path kTwoCouncils = kRoot / "tests/data/two_councils.toml";

using testing_files::TempDir;

cm::LoadedScenario load(const std::string& extra, const std::vector<cm::PolicyFile>& policies = {}) {
  TempDir dir;
  std::ifstream in(kTwoCouncils);
  const std::string base((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return cm::load_scenario(dir.write("scenario.toml", base + "\n" + extra), policies, {"run.steps=150"});
}

std::string error_of(const std::string& extra) {
  try {
    load(extra);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

double region_metric(const cm::Model& m, cm::Metric k) { return cm::region_values(m.metrics(), m.councils())[k]; }

}  // namespace

TEST(Schedules, StepsComeFromDatesAndTheResolvedConfigReplaysThem) {
  const auto loaded = load(R"(
[[schedule]]
key = "labour.nlw"
dates = [2025-04-01, 2026-04-01, 2027-04-01]
values = [12.21, 12.71, 13.10]
sources = ["published", "published", "assumption"]
)");
  // 2026-04-01 is 365 days after 2025-04-01: step 53 (7·52 = 364 is the day before).
  ASSERT_EQ(loaded.changes.size(), 3u);
  EXPECT_EQ(loaded.changes[0].step, 0);  // in the starting spec: records only
  EXPECT_EQ(loaded.changes[1].step, 53);
  EXPECT_EQ(loaded.changes[2].step, 105);
  EXPECT_DOUBLE_EQ(loaded.spec.labour.nlw, 12.21);
  EXPECT_DOUBLE_EQ(loaded.changes[1].spec.labour.nlw, 12.71);
  EXPECT_DOUBLE_EQ(loaded.changes[2].spec.labour.nlw, 13.10);
  ASSERT_EQ(loaded.changes[1].records.size(), 1u);
  EXPECT_EQ(loaded.changes[1].records[0].key, "labour.nlw");
  EXPECT_EQ(loaded.changes[1].records[0].value, "12.71");
  EXPECT_EQ(loaded.changes[1].records[0].cause, "schedule");
  EXPECT_NE(loaded.changes[1].records[0].detail.find("published"), std::string::npos);
  // Archetype wages below the new NLW are raised in that week's parameters (new providers pay it).
  EXPECT_GE(loaded.changes[2].spec.providers.of(cm::Archetype::chain).wage, 13.10);

  const auto again = cm::load_scenario_text(loaded.resolved_toml, "stored");
  ASSERT_EQ(again.changes.size(), loaded.changes.size());
  for (std::size_t k = 0; k < again.changes.size(); ++k) {
    EXPECT_EQ(again.changes[k].step, loaded.changes[k].step);
    EXPECT_EQ(again.changes[k].spec.labour.nlw, loaded.changes[k].spec.labour.nlw);
  }
}

TEST(Schedules, LinearSchedulesChangeEveryWeekBetweenTheirDates) {
  const auto loaded = load(R"(
[[schedule]]
key = "commissioning.budget_multiplier"
interpolation = "linear"
dates = [2025-04-29, 2025-06-24]
values = [1.0, 0.8]
)");
  // Steps 4 (2025-04-29) to 12 (2025-06-24): one change a week, 0.025 a week.
  ASSERT_EQ(loaded.changes.size(), 9u);
  EXPECT_EQ(loaded.changes.front().step, 4);
  EXPECT_EQ(loaded.changes.back().step, 12);
  EXPECT_NEAR(loaded.changes[4].spec.commissioning.budget_multiplier, 0.9, 1e-12);
  EXPECT_DOUBLE_EQ(loaded.changes.back().spec.commissioning.budget_multiplier, 0.8);
}

TEST(Schedules, BadEntriesAreRefusedNamingTheEntryAndWhatIsAllowed) {
  auto schedule = [](const std::string& body) { return "[[schedule]]\n" + body; };
  EXPECT_NE(error_of(schedule("key = \"labour.nwl\"\ndates = [2026-04-01]\nvalues = [13.0]\n"))
                .find("schedule[0] (labour.nwl) names no parameter (did you mean labour.nlw?)"),
            std::string::npos);
  EXPECT_NE(error_of(schedule("key = \"labour.nlw\"\ndates = [2027-04-01, 2026-04-01]\nvalues = [13.0, 13.5]\n"))
                .find("dates must be in order"),
            std::string::npos);
  EXPECT_NE(
      error_of(schedule("key = \"labour.nlw\"\ndates = [2024-04-01]\nvalues = [11.44]\n"))
          .find("schedule[0] (labour.nlw).dates[0] = 2024-04-01, before the run's start (run.start_date = 2025-04-01)"),
      std::string::npos);
  EXPECT_NE(error_of(schedule("key = \"run.steps\"\ndates = [2026-04-01]\nvalues = [10]\n")).find("cannot change"),
            std::string::npos);
  EXPECT_NE(error_of(schedule("key = \"commissioning.mode\"\ninterpolation = \"linear\"\ndates = [2026-04-01, "
                              "2027-04-01]\nvalues = [\"lowest_price\", \"collaborative\"]\n"))
                .find("needs a numeric parameter"),
            std::string::npos);
  EXPECT_NE(error_of(schedule("key = \"labour.nlw\"\ndates = [2026-04-01]\nvalues = [13.0, 14.0]\n"))
                .find("one value for each of the 1 dates"),
            std::string::npos);
  // A value out of range is refused at its own date, naming the file entry and the date.
  const auto range =
      error_of(schedule("key = \"labour.nlw\"\ndates = [2026-04-01, 2027-04-01]\nvalues = [13.0, 150]\n"));
  EXPECT_NE(range.find("schedule[0] at 2027-04-01"), std::string::npos) << range;
  EXPECT_NE(range.find("labour.nlw"), std::string::npos) << range;
  EXPECT_NE(error_of(schedule("key = \"budget_million\"\ncouncil = \"C\"\ndates = [2026-04-01]\nvalues = [9.0]\n"))
                .find("\"C\" is not a council of the scenario"),
            std::string::npos);
  EXPECT_NE(error_of(schedule("key = \"labour.nlw\"\ndate = [2026-04-01]\nvalues = [13.0]\n"))
                .find("is not a field here; the fields: key, council, dates"),
            std::string::npos);
}

TEST(Shocks, BadShocksAreRefused) {
  EXPECT_NE(error_of("[[shocks]]\nkind = \"flood\"\ndate = 2026-04-01\n")
                .find("one of \"budget\", \"labour_supply\", \"group_failure\""),
            std::string::npos);
  EXPECT_NE(error_of("[[shocks]]\nkind = \"budget\"\ndate = 2025-04-01\nmultiplier = 0.9\n")
                .find("must come after the run's start"),
            std::string::npos);
  EXPECT_NE(error_of("[[shocks]]\nkind = \"budget\"\ndate = 2031-04-01\nmultiplier = 0.9\n")
                .find("is after the run's last week"),
            std::string::npos);
  EXPECT_NE(
      error_of("[[shocks]]\nkind = \"budget\"\ndate = 2026-04-01\nmultiplier = 0\n").find("above 0 and at most 10"),
      std::string::npos);
  EXPECT_NE(error_of("[[shocks]]\nkind = \"group_failure\"\ndate = 2026-04-01\ngroup = 0\n")
                .find("no council sets chain_groups"),
            std::string::npos);
}

TEST(DatedPolicies, APolicyBeforeTheStartIsRefused) {
  const auto policy = kRoot / "configs/policies/living_wage_floor.toml";
  try {
    load("", {{policy, engine::parse_iso_date("2024-04-01")}});
    FAIL() << "a policy dated before the start was accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("a policy cannot start before the run"), std::string::npos) << e.what();
  }
}

TEST(DatedPolicies, ARunEqualsTheBaselineUntilThePolicyStartsAndDiffersAfter) {
  const auto policy = kRoot / "configs/policies/collaborative.toml";
  const auto base = load("");
  const auto dated = load("", {{policy, engine::parse_iso_date("2026-04-01")}});  // step 53
  ASSERT_FALSE(dated.changes.empty());
  EXPECT_EQ(dated.changes.front().step, 53);
  cm::Model a(base.spec, 5, 0, base.changes), b(dated.spec, 5, 0, dated.changes);
  for (int s = 1; s <= 52; ++s) {
    a.step();
    b.step();
    ASSERT_EQ(a.metrics(), b.metrics()) << "step " << s << " differs before the policy's date";
  }
  bool differs = false;
  for (int s = 53; s <= 80 && !differs; ++s) {
    a.step();
    b.step();
    differs = a.metrics() != b.metrics();
  }
  EXPECT_TRUE(differs) << "the policy changed nothing after its date";
  ASSERT_FALSE(b.changes_applied().empty());
  EXPECT_EQ(b.changes_applied().front().cause, "policy");
}

TEST(Schedules, AnNlwScheduleRaisesWagesInTheAprilOfEachYear) {
  const auto loaded = load(R"(
[[schedule]]
key = "labour.nlw"
dates = [2026-04-01, 2027-04-01]
values = [12.71, 13.30]
)");
  cm::Model model(loaded.spec, 3, 0, loaded.changes);
  auto lowest_wage = [&] {
    const auto& m = model.market();
    double lowest = 1e9;
    for (std::size_t k = 0; k < m.workers.id.size(); ++k)
      if (m.workers.alive[k] && m.workers.employer[k] != engine::kNoAgent)
        lowest = std::min(lowest, static_cast<double>(m.workers.wage[k]));
    return lowest;
  };
  double mean_before = 0;
  for (int s = 1; s <= 110; ++s) {
    if (s == 53 || s == 105) mean_before = region_metric(model, cm::kMeanWage);
    model.step();
    if (s == 52) {
      EXPECT_LT(lowest_wage(), 12.7) << "nobody was paid the 2025 NLW before April 2026";
    }
    if (s == 53) {
      EXPECT_GE(lowest_wage(), 12.71f) << "someone is paid below the NLW of April 2026";
      EXPECT_GT(region_metric(model, cm::kMeanWage), mean_before + 0.1);
    }
    if (s == 104) {
      EXPECT_LT(lowest_wage(), 13.29);
    }
    if (s == 105) {
      EXPECT_GE(lowest_wage(), 13.30f);
      EXPECT_GT(region_metric(model, cm::kMeanWage), mean_before + 0.1);
    }
  }
}

TEST(Shocks, ABudgetCutRaisesWaitingAfterItsDateAndNotBefore) {
  const auto base = load("");
  const auto cut = load("[[shocks]]\nkind = \"budget\"\ndate = 2026-04-01\nmultiplier = 0.6\n");
  cm::Model a(base.spec, 8, 0, base.changes), b(cut.spec, 8, 0, cut.changes);
  double waiting_a = 0, waiting_b = 0;
  for (int s = 1; s <= 104; ++s) {
    a.step();
    b.step();
    if (s < 53) {
      ASSERT_EQ(a.metrics(), b.metrics()) << "step " << s;
    }
    if (s > 78) {  // the half year from six months after the cut
      waiting_a += region_metric(a, cm::kPeopleWaiting);
      waiting_b += region_metric(b, cm::kPeopleWaiting);
    }
  }
  // 40% less money keeps hundreds more people waiting (the budget binds: matching stops placing
  // council-funded people when it is spent).
  EXPECT_GT(waiting_b / 26, waiting_a / 26 + 50) << "baseline " << waiting_a / 26 << ", cut " << waiting_b / 26;
  ASSERT_EQ(b.changes_applied().size(), 1u);
  EXPECT_EQ(b.changes_applied()[0].key, "budget (every council)");
  EXPECT_EQ(b.changes_applied()[0].value, "x0.6");
  EXPECT_EQ(b.changes_applied()[0].step, 53);
}

TEST(Shocks, AChainGroupFailureClosesEveryBranchOfTheGroupInEveryCouncil) {
  TempDir dir;
  std::ifstream in(kTwoCouncils);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // Both councils' branches belong to two groups shared across the councils.
  for (auto at = text.find("budget_million"); at != std::string::npos; at = text.find("budget_million", at + 30))
    text.insert(text.find('\n', at) + 1, "chain_groups = 2\n");
  text += "\n[[shocks]]\nkind = \"group_failure\"\ndate = 2025-06-01\ngroup = 1\n";
  const auto scenario = cm::load_scenario(dir.write("groups.toml", text), {}, {"run.steps=20"});
  cm::Model model(scenario.spec, 2, 0, scenario.changes);
  auto branches_of = [&](std::int32_t group) {
    int n = 0;
    const auto& p = model.market().providers;
    std::set<int> councils;
    for (std::size_t q = 0; q < p.id.size(); ++q)
      if (p.alive[q] && p.group[q] == cm::kChainGroupBase + group) {
        ++n;
        councils.insert(p.council[q]);
      }
    return std::make_pair(n, councils.size());
  };
  const auto step = engine::first_step_on_or_after(scenario.spec.run.start_date, *engine::parse_iso_date("2025-06-01"));
  while (model.current_step() < step - 1) model.step();
  EXPECT_EQ(branches_of(1).second, 2u) << "group 1 has branches in both councils before it fails";
  model.step();
  EXPECT_EQ(branches_of(1).first, 0) << "a branch of the failed group is still open";
  EXPECT_GT(branches_of(0).first, 0) << "the other group closed too";
}

TEST(Changes, RaisingNeedAndQuitChancesKeepsResultsTheSameForAnyThreadCount) {
  // A change that raises the bounds of the review and quit clocks re-draws them (in parallel):
  // the run must not depend on the thread count.
  const auto loaded = load(R"(
[[schedule]]
key = "need.exit_per_year"
dates = [2025-06-01]
values = [[0.3, 0.4, 0.5, 0.6]]
[[schedule]]
key = "retention.base_quit_per_year"
dates = [2025-07-01]
values = [0.3]
)");
  auto run = [&](int threads) {
    engine::ThreadLimit limit(threads);
    cm::Model model(loaded.spec, 4, 0, loaded.changes);
    std::vector<double> all;
    for (int s = 0; s < 30; ++s) {
      model.step();
      all.insert(all.end(), model.metrics().begin(), model.metrics().end());
    }
    return all;
  };
  EXPECT_EQ(run(1), run(2));
}

TEST(Changes, AHigherExitChanceTakesFullEffectTheWeekItStarts) {
  // Need reviews are drawn by thinning against a bound on the weekly chance of change; a change
  // that raises the exit chance above the old bound must draw the clocks again, or that week's
  // exits would stay capped at the old bound's rate (about half the new exit chance here).
  const auto loaded = load(R"(
[[schedule]]
key = "need.exit_age_factors"
dates = [2025-06-03]
values = [[10.0, 10.0, 10.0]]
)");
  ASSERT_EQ(loaded.changes.size(), 1u);
  const int change_step = loaded.changes[0].step;
  const auto tables = cm::make_need_tables(loaded.changes[0].spec);
  cm::Model model(loaded.spec, 12, 0, loaded.changes);
  while (model.current_step() < change_step - 1) model.step();
  model.settle();
  // Who is there before the week of the change, and their chance of leaving in it: an exit, or
  // recovery from band 1 (band and age are those of the start of the week).
  const auto& p = model.market().people;
  std::vector<engine::AgentId> present;
  double expected = 0;
  for (std::size_t i = 0; i < p.id.size(); ++i) {
    if (!p.alive[i]) continue;
    present.push_back(p.id[i]);
    const std::size_t band = p.need_band[i] - 1u;
    expected += tables.exit_per_week[band][p.age_band[i]] + (band == 0 ? tables.improvement_per_week[0] : 0.0);
  }
  model.step();
  double left = 0;
  for (const auto id : present) {
    const auto row = model.market().people_index.row_of(id);
    if (row < 0 || !model.market().people.alive[static_cast<std::size_t>(row)]) left += 1;
  }
  // Binomial-like count: four standard deviations.
  EXPECT_NEAR(left, expected, 4 * std::sqrt(expected)) << present.size() << " people";
}

TEST(Changes, ASectorPayFloorBindsEveryProviderAndItsStaffFromItsDate) {
  // A Fair Pay Agreement (labour.sector_pay_floor, MODEL.md §11) is a minimum above the NLW: from its
  // date every provider's base wage is at least the floor, and every employed worker's wage with it.
  // At the start the loader raises the archetypes' wages to a floor in force, with a warning.
  const auto loaded = load(R"(
[[schedule]]
key = "labour.sector_pay_floor"
dates = [2025-06-03]
values = [13.5]
)");
  ASSERT_EQ(loaded.changes.size(), 1u);
  const int step = loaded.changes[0].step;
  cm::Model model(loaded.spec, 5, 0, loaded.changes);
  auto lowest = [&] {
    const auto& m = model.market();
    double provider = 1e9, worker = 1e9;
    for (std::size_t q = 0; q < m.providers.id.size(); ++q)
      if (m.providers.alive[q]) provider = std::min<double>(provider, m.providers.wage[q]);
    for (std::size_t k = 0; k < m.workers.id.size(); ++k)
      if (m.workers.alive[k] && m.workers.employer[k] != engine::kNoAgent)
        worker = std::min<double>(worker, m.workers.wage[k]);
    return std::pair{provider, worker};
  };
  while (model.current_step() < step - 1) model.step();
  EXPECT_LT(lowest().first, 13.5) << "some provider paid below the floor before it";
  model.step();
  model.step();  // staff wages follow at the next pass over workers
  model.settle();
  const auto [provider, worker] = lowest();
  EXPECT_GE(provider, 13.5f);
  EXPECT_GE(worker, 13.5f);

  const auto from_start = load("[labour]\nsector_pay_floor = 13.0\n");
  EXPECT_EQ(from_start.spec.providers.of(cm::Archetype::chain).wage, 13.0);
  EXPECT_EQ(from_start.spec.providers.of(cm::Archetype::micro).wage, 14.0);  // already above
  EXPECT_TRUE(std::any_of(from_start.warnings.begin(), from_start.warnings.end(),
                          [](const std::string& w) { return w.find("labour.sector_pay_floor") != std::string::npos; }));
}

namespace {
// two_councils.toml with both councils' branches in `groups` chain groups shared across them.
cm::LoadedScenario with_chain_groups(TempDir& dir, int groups, const std::vector<std::string>& sets) {
  std::ifstream in(kTwoCouncils);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (auto at = text.find("budget_million"); at != std::string::npos; at = text.find("budget_million", at + 30))
    text.insert(text.find('\n', at) + 1, "chain_groups = " + std::to_string(groups) + "\n");
  return cm::load_scenario(dir.write("groups.toml", text), {}, sets);
}
int open_branches(const cm::Model& model) {
  const auto& p = model.market().providers;
  int n = 0;
  for (std::size_t q = 0; q < p.id.size(); ++q) n += p.alive[q] && p.group[q] >= cm::kChainGroupBase;
  return n;
}
}  // namespace

TEST(ChainGroups, AtAWeeklyChanceOfOneEveryGroupFailsInTheFirstReportedWeekAndIsRecorded) {
  TempDir dir;
  const auto scenario = with_chain_groups(dir, 2, {"run.steps=5", "providers.chain.group_failure_per_year=52"});
  cm::Model model(scenario, 3, 0);
  ASSERT_GT(open_branches(model), 0);
  model.step();
  EXPECT_EQ(open_branches(model), 0);
  std::vector<std::string> failed;
  for (const auto& r : model.changes_applied())
    if (r.cause == "hazard") {
      EXPECT_EQ(r.step, 1);
      EXPECT_EQ(r.value, "fails");
      failed.push_back(r.key);
    }
  EXPECT_EQ(failed, (std::vector<std::string>{"chain group 0", "chain group 1"}));
}

TEST(ChainGroups, WithoutTheHazardNoGroupFailsAtRandom) {
  // The default (0): no draw and no failure; the groups' branches stay open (as the runs of the
  // shipped scenarios do, whose files are unchanged by this phase: see CHANGELOG).
  TempDir dir;
  cm::Model model(with_chain_groups(dir, 2, {"run.steps=60"}), 3, 0);
  for (int s = 0; s < 60; ++s) model.step();
  for (const auto& r : model.changes_applied()) EXPECT_NE(r.cause, "hazard");
  EXPECT_GT(open_branches(model), 0);
}

TEST(ChainGroups, TheWeeksToAFailureFollowTheHazard) {
  // A weekly chance of 0.05 (2.6 a year): the week of each group's failure is geometric with mean
  // 20 and sd about 19.5. Two groups over 25 seeds: 50 failures, se about 2.8; the bounds are
  // 3.5 se around the mean.
  TempDir dir;
  const auto scenario = with_chain_groups(dir, 2, {"run.steps=400", "providers.chain.group_failure_per_year=2.6"});
  std::vector<double> weeks;
  for (std::uint64_t seed = 1; seed <= 25; ++seed) {
    cm::Model model(scenario, seed, 0);
    while (open_branches(model) > 0 && model.current_step() < 400) model.step();
    for (const auto& r : model.changes_applied())
      if (r.cause == "hazard") weeks.push_back(r.step);
  }
  ASSERT_GE(weeks.size(), 45u);  // a group with no branch left by closures cannot fail
  double mean = 0;
  for (double w : weeks) mean += w;
  mean /= static_cast<double>(weeks.size());
  EXPECT_GT(mean, 20 - 10);
  EXPECT_LT(mean, 20 + 10);
}
