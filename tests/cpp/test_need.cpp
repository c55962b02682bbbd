// The need rule draws only in the weeks of each person's review clock (need.cpp). Thinning is
// exact only if every week still changes a person's need with the chances of docs/ODD.md §7.1;
// this test counts what the rule does over many person-weeks and compares it with those chances.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <filesystem>

#include "agents/market.hpp"
#include "agents/metrics.hpp"
#include "agents/model.hpp"
#include "agents/need.hpp"
#include "agents/opening.hpp"

namespace {

cm::ScenarioSpec small_region() {
  return cm::load_scenario(std::filesystem::path(CAREMARKET_SOURCE_DIR) / "tests/data/two_councils.toml", {}, {}).spec;
}

// Observed and expected counts of one outcome, with the binomial variance of the expectation.
struct Tally {
  double observed = 0, expected = 0, variance = 0;
  void add(bool happened, double chance) {
    observed += happened;
    expected += chance;
    variance += chance * (1 - chance);
  }
  // Person-weeks are independent Bernoulli trials given the inputs, so the count is within four
  // standard deviations of its expectation unless the rule's chances are wrong (a false alarm
  // has probability about 6e-5; the seed is fixed, so the test is deterministic anyway).
  void expect_consistent(const char* what, double unmet) const {
    EXPECT_GT(expected, 200) << what << ": too few events to test";
    EXPECT_LE(std::abs(observed - expected), 4 * std::sqrt(variance))
        << what << " with unmet share " << unmet << ": " << observed << " observed, " << expected << " expected";
  }
};

// Runs the need rule for `weeks` weeks with every person's received hours held at (1 - unmet) of
// their need, and checks each outcome against the weekly chances written out from the spec, with
// every rate multiplied by rate_scale.
void check_weekly_chances(double unmet, int weeks, double rate_scale = 1) {
  auto spec = small_region();
  for (auto* rates : {&spec.need.exit_per_year, &spec.need.progression_per_year, &spec.need.improvement_per_year})
    for (auto& rate : *rates) rate *= rate_scale;
  // Enough people that a chance 3% off its value shows: about 40,000 events per outcome, so four
  // standard deviations are about 2% of the count.
  for (auto& council : spec.councils) council.people = 20000;
  auto m = cm::open_market(spec, 17, 0);
  cm::NeedCalendar calendar(m.councils());
  calendar.file_newcomers(m);                  // as the Model does once the market is built
  cm::PlacementBook placements(m.councils());  // matching's, which reviews withdraw people from
  placements.fit(m);
  const auto& need = spec.need;
  const std::array<double, 3> age_factor{0.6, 1.0, 1.3};
  const double prevention = 1 - need.prevention_effect * std::min(1.0, spec.commissioning.prevention_share / 0.1);
  Tally leave, up, down;
  auto& p = m.people;
  for (int w = 0; w < weeks; ++w) {
    m.week += 1;
    std::vector<std::uint8_t> band_before(p.need_band);
    std::vector<std::uint8_t> alive_before(p.alive);
    for (std::size_t i = 0; i < p.id.size(); ++i)
      p.hours_received[i] = static_cast<float>((1 - unmet) * p.need_hours[i]);
    calendar.file_newcomers(m);
    for (int c = 0; c < m.councils(); ++c) calendar.review_due(m, c, placements);  // arrivals are not part of this test
    for (std::size_t i = 0; i < p.id.size(); ++i) {
      if (!alive_before[i]) continue;
      const std::size_t b = band_before[i] - 1u;
      const double ties = static_cast<double>(p.ties[i]) / (p.ties[i] + 2.0);
      const double x = need.exit_per_year[b] * age_factor[p.age_band[i]] / 52.0;
      const double pi = need.progression_per_year[b] / 52.0 * (1 + need.unmet_effect * unmet) *
                        (1 - need.ties_effect * ties) * prevention;
      const double rho = need.improvement_per_year[b] / 52.0;
      const bool left = !p.alive[i];
      if (b == 0) {  // recovery from band 1 also leaves the population
        leave.add(left, x + rho);
        up.add(!left && p.need_band[i] == 2, pi);
      } else {
        leave.add(left, x);
        up.add(!left && p.need_band[i] == band_before[i] + 1, b == 3 ? 0.0 : pi);
        down.add(!left && p.need_band[i] == band_before[i] - 1, rho);
      }
    }
  }
  leave.expect_consistent("leaving", unmet);
  up.expect_consistent("moving up a band", unmet);
  down.expect_consistent("moving down a band", unmet);
}

}  // namespace

TEST(Need, ReviewClockGivesTheWeeklyChancesWithAllNeedMet) { check_weekly_chances(0.0, 300); }
TEST(Need, ReviewClockGivesTheWeeklyChancesWithHalfNeedUnmet) { check_weekly_chances(0.5, 300); }
TEST(Need, ReviewClockGivesTheWeeklyChancesWithNoNeedMet) { check_weekly_chances(1.0, 300); }

// With rates twenty times the defaults, reviews come every few weeks instead of every eighty or so,
// and a clock that ran a week slow or fast would be off by a third.
TEST(Need, ReviewClockGivesTheWeeklyChancesWhenNeedChangesFast) { check_weekly_chances(0.5, 40, 20); }
