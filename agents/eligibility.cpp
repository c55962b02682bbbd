// MODEL.md §3.2 — eligibility and route: the means test (capital limits), the eligibility band, and
// for council-funded people the choice of a direct payment.
#include "agents/market.hpp"

namespace cm {

void apply_eligibility(Market& m, int c) {
  const auto& el = m.spec.eligibility;
  const double dp_multiplier = m.spec.commissioning.dp_uptake_multiplier;
  auto& p = m.people;
  const auto streams = m.rng.at_step(0);
  m.for_council_people(c, [&](std::size_t i) {
    if (!p.alive[i]) return;
    Route route;
    if (p.need_band[i] == 0) {
      route = Route::none;
    } else if (p.capital_band[i] == 2) {
      route = Route::self_funder;
    } else if (p.need_band[i] < el.eligible_band) {
      // Not eligible: those with some capital buy care; the rest go without formal care.
      route = p.capital_band[i] == 1 ? Route::self_funder : Route::none;
    } else if (const auto current = static_cast<Route>(p.route[i]);
               current == Route::direct_payment || current == Route::council_managed) {
      route = current;  // the preference below is fixed for life: no need to draw it again
    } else {
      // The direct-payment preference is a fixed trait of the person (step 0 of its stream), so
      // re-testing every week does not flip it.
      auto stream = streams.stream(static_cast<std::uint64_t>(p.id[i]), kRoute);
      const double uptake = (p.age_band[i] == 0 ? el.dp_uptake_working_age : el.dp_uptake_older) * dp_multiplier;
      route = stream.uniform() < uptake ? Route::direct_payment : Route::council_managed;
    }
    if (static_cast<Route>(p.route[i]) != route) {
      p.route[i] = static_cast<std::uint8_t>(route);
      p.provider[i] = engine::kNoAgent;
      p.placement[i] = static_cast<std::uint8_t>(Placement::none);
    }
  });
}

}  // namespace cm
