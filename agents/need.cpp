// MODEL.md §3.1 and §4 — need: new people develop need, bands progress or improve, people leave
// (death, a move to residential care, recovery). Prevention and social ties slow progression;
// unmet need speeds it.
#include <algorithm>
#include <cmath>

#include <boost/random/poisson_distribution.hpp>

#include "agents/eligibility.hpp"

namespace cm {

NeedTables make_need_tables(const ScenarioSpec& spec) {
  const auto& need = spec.need;
  NeedTables t;
  const auto bands = std::min<std::size_t>(4, need.exit_per_year.size());
  for (std::size_t band = 0; band < bands; ++band) {
    // The oldest leave (die, move to residential care) more often, the youngest less.
    const double age_factor[3] = {0.6, 1.0, 1.3};
    for (std::size_t age = 0; age < 3; ++age) t.exit_per_week[band][age] = need.exit_per_year[band] * age_factor[age] / 52.0;
    if (band < need.progression_per_year.size()) t.progression_per_week[band] = need.progression_per_year[band] / 52.0;
    if (band < need.improvement_per_year.size()) t.improvement_per_week[band] = need.improvement_per_year[band] / 52.0;
  }
  for (std::size_t ties = 0; ties < 256; ++ties) {
    t.ties_share[ties] = static_cast<double>(ties) / (static_cast<double>(ties) + 2.0);
    for (std::size_t band = 1; band < 5 && band - 1 < need.hours_by_band.size(); ++band) {
      const double hours = need.hours_by_band[band - 1];
      const double informal = std::min(hours * 0.5, static_cast<double>(ties) * need.informal_hours_per_tie);
      t.formal_need[band][ties] = static_cast<float>(hours - informal);
    }
  }
  return t;
}

void apply_need(Market& m, int c) {
  const auto& need = m.spec.need;
  const double prevention = 1 - need.prevention_effect * std::min(1.0, m.spec.commissioning.prevention_share / 0.1);
  auto& p = m.people;
  const auto& tables = m.need_tables;
  const auto streams = m.rng.at_step(static_cast<std::uint64_t>(m.week));
  const auto routes = m.rng.at_step(0);
  m.for_council_people(c, [&](std::size_t i) {
    if (!p.alive[i]) return;
    auto stream = streams.stream(static_cast<std::uint64_t>(p.id[i]), kNeed);
    const std::size_t band = p.need_band[i] - 1u;
    const auto age = p.age_band[i];
    const double u = stream.uniform();
    const double exit = tables.exit_per_week[band][age == 2 ? 2 : age == 0 ? 0 : 1];
    if (u < exit) {
      p.alive[i] = 0;
      return;
    }
    const double unmet = p.need_hours[i] > 0 ? std::max(0.0, 1.0 - p.hours_received[i] / p.need_hours[i]) : 0.0;
    const double ties = tables.ties_share[p.ties[i]];
    const double progress = tables.progression_per_week[band] * (1 + need.unmet_effect * unmet) *
                            (1 - need.ties_effect * ties) * prevention;
    const double improve = tables.improvement_per_week[band];
    if (u < exit + progress) {
      p.need_band[i] = static_cast<std::uint8_t>(std::min<std::size_t>(band + 2, 4));
    } else if (u < exit + progress + improve) {
      if (band == 0) {
        p.alive[i] = 0;  // recovered: leaves the population needing care
        return;
      }
      p.need_band[i] = static_cast<std::uint8_t>(band);
    }
    p.need_hours[i] = m.formal_need(p.need_band[i], p.ties[i]);
    assess_route(m, i, routes);  // eligibility, in the same pass
  });

  // People developing need this week join at the next flush.
  const auto& cs = m.spec.councils[static_cast<std::size_t>(c)];
  auto stream = m.rng.stream(static_cast<std::uint64_t>(m.week), static_cast<std::uint64_t>(c), kIncidence);
  boost::random::poisson_distribution<int, double> arrivals(
      std::max(1e-12, cs.adults_thousands * need.incidence_per_1000_adults / 52.0));
  const int n = arrivals(stream);
  const auto first = m.geography.first_locality(c);
  const auto nloc = static_cast<std::uint32_t>(m.geography.locality_count(c));
  for (int k = 0; k < n; ++k)
    m.pending[static_cast<std::size_t>(c)].people.push_back(
        {first + static_cast<std::int32_t>(stream.below(nloc)),
         (static_cast<std::uint64_t>(c) << 32) | static_cast<std::uint64_t>(k)});
}

}  // namespace cm
