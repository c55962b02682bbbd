#pragma once
// MODEL.md §3.2 — eligibility and route for one person. Inline, because need.cpp assesses each
// person right after their need changes, in the same pass (eligibility.cpp runs it for whole
// councils and for the people who joined this week).
#include <cstddef>

#include "agents/market.hpp"

namespace cm {

// The means test (capital limits), the eligibility band, and for council-funded people the choice
// of a direct payment. A person whose route changes loses their placement. routes: the streams of
// step 0 (m.rng.at_step(0)), where the lifelong direct-payment preference is drawn.
inline void assess_route(Market& m, std::size_t i, const engine::RngRoot::StepStreams& routes) {
  auto& p = m.people;
  const auto& el = m.spec.eligibility;
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
    auto stream = routes.stream(Market::stream_key(p, i), kRoute);
    const double uptake = (p.age_band[i] == 0 ? el.dp_uptake_working_age : el.dp_uptake_older) *
                          m.spec.commissioning.dp_uptake_multiplier;
    route = stream.uniform() < uptake ? Route::direct_payment : Route::council_managed;
  }
  if (static_cast<Route>(p.route[i]) != route) {
    p.route[i] = static_cast<std::uint8_t>(route);
    p.provider[i] = engine::kNoAgent;
    p.placement[i] = static_cast<std::uint8_t>(Placement::none);
  }
}

}  // namespace cm
