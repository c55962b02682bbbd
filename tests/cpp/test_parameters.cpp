// The behavioural constants that became parameters (issue 13 item 9, docs/ODD.md §7.13) take
// effect: each test sets one of them away from its default and checks the rule that uses it,
// on a small hand-built market (as in test_rules.cpp) or a short run of the two-council region.
// Their defaults keep the model's results bit-identical; test_config.cpp checks the defaults.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "agents/labour_market.hpp"
#include "agents/market.hpp"
#include "agents/model.hpp"
#include "agents/opening.hpp"
#include "agents/outcomes.hpp"
#include "agents/provider_entry_exit.hpp"
#include "hand_market.hpp"

namespace {

using cm::Archetype;

// One council with one locality and one lot; every other parameter at its default.
cm::ScenarioSpec hand_spec(int people, int workers, int chains, int agencies, int micros) {
  hand::Council c;
  c.people = people;
  c.workers = workers;
  c.chains = chains;
  c.agencies = agencies;
  c.micros = micros;
  return hand::spec(c, "test_parameters");
}
using hand::provider_rows;

cm::ScenarioSpec small_region(const std::vector<std::string>& assignments) {
  return cm::load_scenario(std::filesystem::path(CAREMARKET_SOURCE_DIR) / "tests/data/two_councils.toml", {},
                           assignments)
      .spec;
}

}  // namespace

// outcomes.quality_rate = 0 freezes every provider's observed quality at its archetype's starting
// quality for a whole run; with the default it moves. Fails if quality_rate is not the rate used.
TEST(Parameters, QualityRateZeroFreezesObservedQuality) {
  for (const bool frozen : {true, false}) {
    const auto spec =
        small_region(frozen ? std::vector<std::string>{"outcomes.quality_rate=0"} : std::vector<std::string>{});
    cm::Model model(spec, 3, 0);
    for (int s = 0; s < 30; ++s) model.step();
    const auto& m = model.market();
    std::size_t moved = 0, checked = 0;
    for (std::size_t q = 0; q < m.providers.id.size(); ++q) {
      if (!m.providers.alive[q]) continue;
      const auto start =
          static_cast<float>(spec.providers.of(static_cast<Archetype>(m.providers.archetype[q])).quality);
      checked += 1;
      moved += m.providers.quality[q] != start;
    }
    ASSERT_GT(checked, 10u);
    if (frozen)
      EXPECT_EQ(moved, 0u);
    else
      EXPECT_GT(moved, checked / 2);
  }
}

// Observed quality is quality_continuity_weight · mean continuity + quality_wellbeing_weight · mean
// wellbeing + quality_turnover_weight · (1 − min(1, 52 · leaver_rate)), approached at quality_rate.
// With weights (0.1, 0.7, 0.2) and rate 0.5 a provider moves half way to that mix. Fails if a
// weight or the rate is still a constant in code.
TEST(Parameters, ObservedQualityUsesTheDeclaredWeightsAndRate) {
  auto spec = hand_spec(0, 0, 1, 0, 0);
  spec.outcomes.quality_continuity_weight = 0.1;
  spec.outcomes.quality_wellbeing_weight = 0.7;
  spec.outcomes.quality_turnover_weight = 0.2;
  spec.outcomes.quality_rate = 0.5;
  auto m = cm::open_market(spec, 5, 0);
  const auto q = provider_rows(m, Archetype::chain).at(0);
  m.providers.clients[q] = 4;
  m.providers.leaver_rate[q] = 0.005f;
  m.providers.quality[q] = 0.5f;
  cm::OutcomesState outcomes;
  outcomes.fit(m.providers.id.size());
  outcomes.continuity_sum[q] = 2.0;  // mean 0.5
  outcomes.wellbeing_sum[q] = 3.2;   // mean 0.8
  cm::apply_outcomes(m, outcomes, 0);
  const double observed = 0.1 * 0.5 + 0.7 * 0.8 + 0.2 * (1 - 52 * static_cast<double>(0.005f));
  EXPECT_NEAR(m.providers.quality[q], 0.5 + 0.5 * (observed - 0.5), 1e-6);
}

// labour.acceptance_tolerance: a job seeker whose last wage was £0.40 above the one vacancy's pay
// refuses it at the default £0.25 and takes it at £0.50. Fails if the tolerance is fixed in code.
TEST(Parameters, AcceptanceToleranceDecidesWhetherASeekerTakesAJob) {
  for (const double tolerance : {0.25, 0.50}) {
    auto spec = hand_spec(0, 0, 1, 0, 0);
    spec.labour.fill_per_week = 0;
    spec.labour.acceptance_tolerance = tolerance;
    auto m = cm::open_market(spec, 37, 0);
    const auto chain = provider_rows(m, Archetype::chain).at(0);
    m.add_worker(0, 0, engine::kNoAgent, false);
    m.group_by_council();
    const auto q = static_cast<std::size_t>(m.provider_row(m.providers.id[chain]));
    m.providers.allocated_hours[q] = 1000;
    m.providers.staff[q] = 0;
    m.providers.intended_staff[q] = 10;
    std::size_t seeker = 0;
    int seekers = 0;
    m.for_council_workers(0, [&](std::size_t k) {
      if (m.workers.alive[k] && m.workers.employer[k] == engine::kNoAgent) seeker = k, seekers += 1;
    });
    ASSERT_EQ(seekers, 1);
    m.workers.pay_premium[seeker] = 0;
    m.workers.wage[seeker] = m.providers.wage[q] + 0.40f;
    m.begin_week();
    cm::apply_labour_market(m, 0);
    const bool hired = m.workers.employer[seeker] == m.providers.id[q];
    EXPECT_EQ(hired, tolerance > 0.40) << "tolerance " << tolerance;
  }
}

// providers.entry_reference_gap, entry_attractiveness_max and entrant_workers: with a gap of 10%
// entry runs at entry_per_year · established · min(max, gap / reference); 3,000 weeks give
// expected counts whose Poisson standard deviations are under 3% of them. With reference 0.05 and
// cap 1.5 the rate is 1.5 × (cap binding), with reference 0.2 it is 0.5 ×; each entrant brings
// entrant_workers = 4 workers. Fails if any of the three is still a constant.
TEST(Parameters, EntryFollowsTheReferenceGapItsCapAndBringsEntrantWorkers) {
  struct Case {
    double reference, cap;
  };
  for (const Case k : {Case{0.05, 1.5}, Case{0.2, 3.0}}) {
    auto spec = hand_spec(0, 0, 2, 2, 0);
    spec.providers.entry_per_year = 2;
    spec.providers.entry_people_per_provider = 250;  // 1000 people: a scale of 4
    spec.providers.of(Archetype::chain).closure_per_year = 0;
    spec.providers.of(Archetype::agency).closure_per_year = 0;
    spec.providers.entry_reference_gap = k.reference;
    spec.providers.entry_attractiveness_max = k.cap;
    spec.providers.entrant_workers = 4;
    auto m = cm::open_market(spec, 59, 0);
    const int weeks = 3000;
    double entrants = 0;
    for (int w = 0; w < weeks; ++w) {
      m.begin_week();
      const cm::CareGap gap{
          .needing = 1000, .waiting = 100, .needed_hours = 100, .delivered_hours = 100};  // 10% waiting
      cm::apply_entry_exit(m, gap, {}, 0);
      entrants += static_cast<double>(m.pending[0].providers.size());
      ASSERT_EQ(m.pending[0].workers.size(), 4 * m.pending[0].providers.size());
      m.pending[0].providers.clear();
      m.pending[0].workers.clear();
    }
    const double expected = 2.0 / 52 * 4 * std::min(k.cap, 0.1 / k.reference) * weeks;
    EXPECT_LE(std::abs(entrants - expected), 4 * std::sqrt(expected))
        << "reference " << k.reference << ", cap " << k.cap;
  }
}

// need.max_ties and outcomes.initial_wellbeing act when people are made: with max_ties 0 nobody
// has ties (so formal need is the band's hours), and every new person starts at initial_wellbeing.
// commissioning.retender_weeks: a lot nobody bids for is tried again after that many weeks.
TEST(Parameters, StartingPeopleAndRetenderingFollowTheirParameters) {
  auto spec = hand_spec(300, 0, 0, 0, 2);  // micro-enterprises only, not accredited: no bidder
  spec.need.max_ties = 0;
  spec.need.mean_ties = 5;
  spec.outcomes.initial_wellbeing = 0.3;
  spec.commissioning.retender_weeks = 7;
  auto m = cm::open_market(spec, 17, 0);
  int people = 0;
  m.for_council_people(0, [&](std::size_t i) {
    if (!m.people.alive[i]) return;
    people += 1;
    EXPECT_EQ(m.people.ties[i], 0);
    EXPECT_EQ(m.people.wellbeing[i], 0.3f);
    EXPECT_EQ(m.people.need_hours[i], static_cast<float>(spec.need.hours_by_band[m.people.need_band[i] - 1u]));
  });
  EXPECT_EQ(people, 300);
  EXPECT_EQ(m.commissioners[0].lot_tender_week[0], 7);  // let at week 0, no bidder
  m.week = 20;
  m.commissioners[0].lot_tender_week[0] = 20;
  hand::commission(m, 0);
  EXPECT_EQ(m.commissioners[0].lot_tender_week[0], 27);
}
