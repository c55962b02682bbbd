// Retention tests the quit hazard only in the weeks of each worker's quit clock (retention.hpp).
// That is exact only if every week a worker still quits with chance equal to that week's hazard;
// this test counts quits over many worker-weeks and compares them with the summed hazards.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "agents/market.hpp"
#include "agents/opening.hpp"
#include "agents/retention.hpp"

namespace {

cm::ScenarioSpec small_region() {
  return cm::load_scenario(std::filesystem::path(CAREMARKET_SOURCE_DIR) / "tests/data/two_councils.toml", {}, {}).spec;
}

// Runs the workers' weekly pass (pay, stress, quitting) for `weeks` weeks with no hiring, and
// compares the quits with the sum of the hazards each worker faced, written out from
// docs/ODD.md §7.8. With base_scale > 1 the hazards, and so the clock's chances, are larger and
// tests come every few weeks.
void check_quits(int weeks, double base_scale) {
  auto spec = small_region();
  // About 40,000 workers: roughly 30,000 quits, so four standard deviations are about 2% of the
  // count and a bias of 3% shows.
  for (auto& council : spec.councils) {
    council.people *= 20;
    council.workers *= 20;
    council.chains *= 20;  // room for the staff
    council.agencies *= 20;
  }
  spec.retention.base_quit_per_year *= base_scale;
  auto m = cm::open_market(spec, 23, 0);
  cm::DeliveryState delivery;
  cm::RetentionState retention;
  delivery.fit(m.providers.id.size(), static_cast<std::size_t>(m.councils()));
  retention.fit(m.providers.id.size());
  const auto& r = spec.retention;
  auto& w = m.workers;
  double observed = 0, expected = 0, variance = 0, tests = 0, worker_weeks = 0, above_bound = 0;
  for (int week = 0; week < weeks; ++week) {
    m.week += 1;
    std::vector<engine::AgentId> employer_before(w.employer);
    std::vector<std::int32_t> tests_due(w.quit_review_week);
    for (int c = 0; c < m.councils(); ++c) {
      cm::pay_workers(m, delivery, c);
      cm::apply_retention(m, delivery, retention, c);
    }
    for (std::size_t k = 0; k < w.id.size(); ++k) {
      if (employer_before[k] == engine::kNoAgent || w.is_founder[k]) continue;
      tests += tests_due[k] == m.week;
      worker_weeks += 1;
      const auto q = static_cast<std::size_t>(m.provider_row(employer_before[k]));
      const auto& a = spec.providers.of(static_cast<cm::Archetype>(m.providers.archetype[q]));
      // The hazard from the worker's pay and stress of this week (the pass set both before testing).
      const double load = delivery.contact_hours[q] / a.contracted_hours;
      const double hazard = std::min(
          1.0, r.base_quit_per_year / 52.0 * std::exp(-r.wage_sensitivity * (w.effective_pay[k] - spec.labour.nlw)) *
                   (w.zero_hours[k] ? r.zero_hours_factor : 1.0) * (1 + r.stress_factor * w.stress[k]) *
                   (1 + r.underemployment_factor * std::max(0.0, 1 - load)) * (1 - a.autonomy));
      // Thinning needs the clock's chance to bound every week's hazard, not just on average.
      above_bound += hazard > w.quit_review_chance[k];
      observed += w.employer[k] == engine::kNoAgent;
      expected += hazard;
      variance += hazard * (1 - hazard);
    }
  }
  EXPECT_EQ(above_bound, 0) << "worker-weeks whose hazard exceeded their clock's chance";
  EXPECT_GT(expected, 2000);
  // The clock must skip most weeks, or this test would say little about thinning.
  EXPECT_LT(tests, worker_weeks / 3) << tests << " quit tests in " << worker_weeks << " worker-weeks";
  EXPECT_LE(std::abs(observed - expected), 4 * std::sqrt(variance))
      << observed << " quits observed, " << expected << " expected";
}

}  // namespace

TEST(Retention, QuitClockGivesTheWeeklyHazard) { check_quits(200, 1); }
// Hazards ten times the default: tests every few weeks, so a clock a week off would show.
TEST(Retention, QuitClockGivesTheWeeklyHazardWhenQuitsAreFrequent) { check_quits(40, 10); }

// The clock's chance is the hazard at its worst (pay at the wage less unpaid travel, stress 1, no
// contact hours), within the small margins for rounding: not below it, or thinning would be wrong,
// and not far above it, or a factor would be missing and the clock would test more than it needs.
TEST(Retention, QuitClockChanceIsTheHazardAtItsWorst) {
  const auto spec = small_region();
  auto m = cm::open_market(spec, 29, 0);
  const auto& r = spec.retention;
  int checked = 0;
  for (std::size_t k = 0; k < m.workers.id.size(); ++k) {
    if (m.workers.employer[k] == engine::kNoAgent || m.workers.is_founder[k]) continue;
    const auto q = static_cast<std::size_t>(m.provider_row(m.workers.employer[k]));
    const auto& a = spec.providers.of(static_cast<cm::Archetype>(m.providers.archetype[q]));
    const double lowest_pay = m.workers.wage[k] / (1 + a.unpaid_travel_minutes / 60.0);
    const double worst =
        cm::quit_hazard(r.base_quit_per_year / 52.0, -r.wage_sensitivity * (lowest_pay - spec.labour.nlw),
                        m.workers.zero_hours[k] ? r.zero_hours_factor : 1.0, 1 + r.stress_factor,
                        1 + r.underemployment_factor, 1 - a.autonomy);
    const double chance = cm::quit_review_chance(m, k, q);
    ASSERT_LE(std::min(worst, 1.0), chance) << "worker " << m.workers.id[k];
    ASSERT_GE(worst, 0.998 * chance) << "worker " << m.workers.id[k];
    ++checked;
  }
  EXPECT_GT(checked, 1000);
}
