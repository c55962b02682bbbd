// The means test over time (MODEL.md §18, docs/ODD.md §7.19): the weekly charge of each route, the
// spending down of capital and the reassessments it triggers, the cap, and a change of the limits.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "agents/eligibility.hpp"
#include "agents/market.hpp"
#include "agents/matching.hpp"
#include "agents/means_test.hpp"
#include "agents/model.hpp"
#include "agents/opening.hpp"
#include "hand_market.hpp"

namespace {

using cm::Archetype;
using cm::Placement;
using cm::Route;

cm::ScenarioSpec hand_spec(int people, int chains, int micros) {
  return hand::spec({.people = people, .chains = chains, .micros = micros}, "<means test>");
}

// Sets person i's need band, route and capital; placed with provider row q (or no one).
void set_person(cm::Market& m, std::size_t i, int need_band, Route route, double capital, std::size_t q) {
  auto& p = m.people;
  p.need_band[i] = static_cast<std::uint8_t>(need_band);
  p.need_hours[i] = m.formal_need(p.need_band[i], p.ties[i]);
  p.route[i] = static_cast<std::uint8_t>(route);
  p.capital[i] = static_cast<float>(capital);
  p.capital_band[i] = m.spec.eligibility.capital_band(p.capital[i]);
  p.care_spend[i] = 0;
  p.provider[i] = m.providers.id[q];
  p.placement[i] =
      static_cast<std::uint8_t>(route == Route::council_managed ? Placement::contract : Placement::private_purchase);
}

}  // namespace

// One week's charge for each route, against the regulations written out here: a self-funder pays
// the whole cost, from capital all but income_contribution; a council-funded person (managed or
// direct payment) pays income_contribution plus GBP 1 a week for every GBP 250 or part of it above
// the lower limit, never more than the care cost, the tariff part from capital. Capital falling to
// the upper limit puts the person on the list to be assessed again. Fails if a charge, a spend-down,
// a count or the list is off.
TEST(MeansTest, ChargesFollowTheRegulations) {
  auto spec = hand_spec(7, 1, 0);
  auto m = cm::open_market(spec, 5, 0);
  const auto& el = m.spec.eligibility;
  const double upper = el.capital_upper, lower = el.capital_lower, income = el.income_contribution;
  ASSERT_GT(income, 0);
  ASSERT_EQ(el.tariff_income_per_250, 1.0);
  const auto q = hand::provider_rows(m, Archetype::chain).at(0);
  const auto people = hand::people_rows(m);
  set_person(m, people[0], 3, Route::self_funder, upper + 100, q);       // crosses the upper limit
  set_person(m, people[1], 3, Route::council_managed, lower + 1000, q);  // tariff 4
  set_person(m, people[2], 3, Route::direct_payment, lower + 1001, q);   // tariff 5 (part of 250)
  set_person(m, people[3], 3, Route::council_managed, 500, q);           // below the lower limit
  set_person(m, people[4], 1, Route::self_funder, lower + 50, q);        // not eligible: crosses the lower
  set_person(m, people[6], 3, Route::council_managed, lower + 0.5, q);   // tariff 1 takes it below the lower
  cm::MeansTestState means(1);
  means.councils[0].room_for(12);
  cm::WeekCounts counts;
  const double paid[7] = {200, 200, 200, 20, 100, 0, 200};
  for (std::size_t k : {0, 1, 2, 3, 4, 6})
    cm::charge_person(m.people, people[k], static_cast<Route>(m.people.route[people[k]]), paid[k],
                      cm::MeansTestRates(m.spec.eligibility), means.councils[0], counts);
  auto capital = [&](std::size_t k) { return static_cast<double>(m.people.capital[people[k]]); };
  EXPECT_NEAR(capital(0), upper + 100 - (200 - income), 0.01);
  EXPECT_NEAR(capital(1), lower + 1000 - 4, 0.01);
  EXPECT_NEAR(capital(2), lower + 1001 - 5, 0.01);
  EXPECT_NEAR(capital(3), 500, 0.01);  // pays 20 of its 30 from income
  EXPECT_NEAR(capital(4), lower + 50 - (100 - income), 0.01);
  EXPECT_NEAR(capital(6), lower - 0.5, 0.01);
  EXPECT_DOUBLE_EQ(counts.self_funder_spend, 300);
  EXPECT_NEAR(counts.charging_income, (income + 4) + (income + 5) + 20 + (income + 1), 1e-9);
  EXPECT_EQ(counts.reached_upper_limit, 1);  // only the self-funder's crossing is of the upper limit
  EXPECT_EQ(counts.reached_cap, 0);
  ASSERT_EQ(means.councils[0].listed, 3u);  // the three whose capital crossed a limit
  EXPECT_EQ(means.councils[0].due[0], m.people.id[people[0]]);
  EXPECT_EQ(means.councils[0].due[1], m.people.id[people[4]]);
  EXPECT_EQ(means.councils[0].due[2], m.people.id[people[6]]);
  // Charged again below the limit they crossed, nobody is listed twice for it.
  for (std::size_t k : {0, 6})
    cm::charge_person(m.people, people[k], static_cast<Route>(m.people.route[people[k]]), paid[k],
                      cm::MeansTestRates(m.spec.eligibility), means.councils[0], counts);
  EXPECT_EQ(means.councils[0].listed, 3u);
  EXPECT_EQ(counts.reached_upper_limit, 1);
  // Capital never goes below zero.
  set_person(m, people[5], 3, Route::self_funder, 10, q);
  cm::charge_person(m.people, people[5], Route::self_funder, 500, cm::MeansTestRates(m.spec.eligibility),
                    means.councils[0], counts);
  EXPECT_EQ(m.people.capital[people[5]], 0.0f);
}

// The cap: with care_cap set, eligible people's own payments count towards it; the week they reach
// it they are listed to be assessed again (until then, as that week, they pay as before); assessed
// again, they are council-funded and pay nothing more. A person whose need is not eligible, and
// anyone while no cap is in force, counts nothing. Fails if the meter counts the wrong payments or a
// capped person is still charged.
TEST(MeansTest, TheCapCountsEligibleCareAndThenTheCouncilPays) {
  auto spec = hand_spec(3, 1, 0);
  auto m = cm::open_market(spec, 5, 0);
  const auto q = hand::provider_rows(m, Archetype::chain).at(0);
  const auto people = hand::people_rows(m);
  auto& el = m.spec.eligibility;
  const double upper = el.capital_upper;
  set_person(m, people[0], 3, Route::self_funder, upper + 5000, q);
  set_person(m, people[1], 1, Route::self_funder, upper + 5000, q);  // need not eligible
  set_person(m, people[2], 3, Route::council_managed, 0, q);
  cm::MeansTestState means(1);
  means.councils[0].room_for(12);
  cm::WeekCounts counts;
  cm::charge_person(m.people, people[0], Route::self_funder, 300, cm::MeansTestRates(el), means.councils[0], counts);
  EXPECT_EQ(m.people.care_spend[people[0]], 0.0f) << "no cap in force: the meter stands still";
  el.care_cap = upper + 250;
  m.people.care_spend[people[0]] = static_cast<float>(upper);
  for (int week = 0; week < 2; ++week)
    for (std::size_t k = 0; k < 3; ++k)
      cm::charge_person(m.people, people[k], static_cast<Route>(m.people.route[people[k]]), 300, cm::MeansTestRates(el),
                        means.councils[0], counts);
  EXPECT_NEAR(m.people.care_spend[people[0]], upper + 600, 0.01);
  EXPECT_EQ(m.people.care_spend[people[1]], 0.0f);
  EXPECT_NEAR(m.people.care_spend[people[2]], 2 * el.income_contribution, 0.01);
  EXPECT_EQ(counts.reached_cap, 1);
  ASSERT_EQ(means.councils[0].listed, 1u);
  EXPECT_EQ(means.councils[0].due[0], m.people.id[people[0]]);
  // Assessed again, the capped person is council-funded although their capital is above the limit,
  // and pays nothing more.
  cm::MatchingState matching(1);
  matching.fit(m);
  cm::note_means_test_limits(m, means);  // the limits stand: only the people listed are assessed
  cm::reassess_means(m, means, matching.book, 0);
  const auto route = static_cast<Route>(m.people.route[people[0]]);
  EXPECT_TRUE(route == Route::council_managed || route == Route::direct_payment);
  EXPECT_EQ(m.people.capital_band[people[0]], 2);
  const double before = counts.charging_income;
  cm::charge_person(m.people, people[0], route, 300, cm::MeansTestRates(el), means.councils[0], counts);
  EXPECT_EQ(counts.charging_income, before);
  EXPECT_GT(m.people.capital[people[0]], upper);
}

// When the council takes over a self-funder's care, they keep their provider: with a direct
// payment, or as a spot purchase at the council's spot price, except from a micro-enterprise the
// council may not buy from (then they are placed again). 600 people spent down to below the upper
// limit, half with a chain and half with an unaccredited micro-enterprise; all must change route,
// and keep or lose their provider as above. Fails if a placement is dropped or kept wrongly, or the
// spot price is not the council's.
TEST(MeansTest, TheCouncilTakesOverAndThePersonKeepsTheirProvider) {
  auto spec = hand_spec(600, 1, 1);
  auto m = cm::open_market(spec, 9, 0);
  const auto chain = hand::provider_rows(m, Archetype::chain).at(0);
  const auto micro = hand::provider_rows(m, Archetype::micro).at(0);
  const auto people = hand::people_rows(m);
  const auto& el = m.spec.eligibility;
  cm::MeansTestState means(1);
  means.councils[0].room_for(people.size());
  for (std::size_t k = 0; k < people.size(); ++k) {
    set_person(m, people[k], 3, Route::self_funder, el.capital_upper - 1, k % 2 ? micro : chain);
    means.councils[0].list(m.people.id[people[k]]);
  }
  cm::MatchingState matching(1);
  matching.fit(m);
  cm::note_means_test_limits(m, means);  // the limits stand: only the people listed are assessed
  cm::reassess_means(m, means, matching.book, 0);
  EXPECT_EQ(means.councils[0].listed, 0u);
  const auto& policy = m.spec.commissioning;
  const double spot = std::max(m.commissioners[0].reference_rate * (1 + policy.spot_premium), policy.price_floor);
  int managed = 0, direct = 0;
  for (std::size_t k = 0; k < people.size(); ++k) {
    const auto i = people[k];
    const auto route = static_cast<Route>(m.people.route[i]);
    const auto with = m.providers.id[k % 2 ? micro : chain];
    if (route == Route::direct_payment) {
      ++direct;
      EXPECT_EQ(m.people.provider[i], with);
      EXPECT_EQ(m.people.placement[i], static_cast<std::uint8_t>(Placement::private_purchase));
    } else {
      ASSERT_EQ(route, Route::council_managed);
      ++managed;
      if (k % 2) {
        EXPECT_EQ(m.people.provider[i], engine::kNoAgent);
      } else {
        EXPECT_EQ(m.people.provider[i], with);
        EXPECT_EQ(m.people.placement[i], static_cast<std::uint8_t>(Placement::spot));
        EXPECT_FLOAT_EQ(m.people.price[i], static_cast<float>(spot));
      }
    }
  }
  EXPECT_GT(managed, 0);
  EXPECT_GT(direct, 0);
}

// Limits moved (as a schedule or a dated policy moves them): the council's next reassessment
// assesses everyone, not only the people listed. Raising the upper limit above
// the capital of 300 self-funders makes the eligible among them council-funded; those whose need is
// not eligible still buy their own care. Lowering it again makes them self-funders. Fails if anyone
// is left under the old limits.
TEST(MeansTest, MovedLimitsReassessEveryone) {
  auto spec = hand_spec(300, 1, 0);
  auto m = cm::open_market(spec, 11, 0);
  const auto chain = hand::provider_rows(m, Archetype::chain).at(0);
  const auto people = hand::people_rows(m);
  const double old_upper = m.spec.eligibility.capital_upper;
  for (std::size_t k = 0; k < people.size(); ++k)
    set_person(m, people[k], 1 + static_cast<int>(k % 4), Route::self_funder, old_upper + 10000, chain);
  cm::MeansTestState means(1);
  cm::MatchingState matching(1);
  matching.fit(m);
  cm::note_means_test_limits(m, means);
  cm::reassess_means(m, means, matching.book, 0);
  for (auto i : people) ASSERT_EQ(static_cast<Route>(m.people.route[i]), Route::self_funder);
  m.spec.eligibility.capital_upper = 100000;
  cm::reassess_means(m, means, matching.book, 0);
  const auto eligible_band = m.spec.eligibility.eligible_band;
  for (auto i : people) {
    const auto route = static_cast<Route>(m.people.route[i]);
    ASSERT_EQ(m.people.capital_band[i], 1);
    if (m.people.need_band[i] >= eligible_band)
      EXPECT_TRUE(route == Route::council_managed || route == Route::direct_payment);
    else
      EXPECT_EQ(route, Route::self_funder);
  }
  m.spec.eligibility.capital_upper = old_upper;
  cm::reassess_means(m, means, matching.book, 0);
  for (auto i : people) EXPECT_EQ(static_cast<Route>(m.people.route[i]), Route::self_funder);
}

// Over ten years of Somerset: capital never rises or goes below zero; every eligible self-funder
// was last assessed with capital above the upper limit; and the people whose capital is now at or
// below the upper limit they were last assessed above are exactly those the week counts as having
// crossed it this week (a crossing is counted once; the person is assessed again next week, so one
// left unassessed would be counted by this test and not by the week). Fails if the spend-down, the
// reassessment or the count goes wrong.
TEST(MeansTest, CapitalOnlyFallsAndTheRoutesFollowIt) {
  const auto configs = std::filesystem::path(CAREMARKET_SOURCE_DIR) / "configs";
  const auto loaded = cm::load_scenario(configs / "scenarios" / "somerset.toml", {}, {"run.warmup_weeks=0"});
  cm::Model model(loaded, 4, 0);
  const auto& m = model.market();
  const auto& el = m.spec.eligibility;
  std::vector<float> capital_before;
  std::vector<engine::AgentId> ids_before;
  double spent_down = 0;
  for (int week = 1; week <= 520; ++week) {
    capital_before = m.people.capital;
    ids_before = m.people.id;
    model.step();
    const auto& p = m.people;
    const bool same_rows = p.id == ids_before;  // no regroup this week: compare row by row
    double crossed = 0;
    for (std::size_t i = 0; i < p.id.size(); ++i) {
      if (same_rows) {
        ASSERT_LE(p.capital[i], capital_before[i]) << "week " << week;
      }
      if (!p.alive[i]) continue;
      ASSERT_GE(p.capital[i], 0.0f) << "week " << week;
      if (static_cast<Route>(p.route[i]) == Route::self_funder && p.need_band[i] >= el.eligible_band) {
        ASSERT_EQ(p.capital_band[i], 2) << "week " << week;
      }
      crossed += p.capital_band[i] == 2 && !(p.capital[i] > el.capital_upper);
    }
    ASSERT_EQ(crossed, model.metric_total(cm::kSpentDownToUpperLimit)) << "week " << week;
    spent_down += crossed;
  }
  EXPECT_GT(spent_down, 100);
  EXPECT_GT(model.metric_total(cm::kChargingIncome), 0);
  EXPECT_GT(model.metric_total(cm::kSelfFunderSpend), 0);
}
