#pragma once
// MODEL.md §3.2 — eligibility and route for one person. Inline, because need.cpp assesses each
// person right after their need changes, in the same pass (eligibility.cpp runs it for whole
// councils and for the people who joined this week).
#include <algorithm>
#include <cstddef>

#include "agents/market.hpp"

namespace cm {

// The route the means test (capital limits, a cap reached), the eligibility band and, for
// council-funded people, the choice of a direct payment give person i; it reads and writes nothing.
// routes: the streams of step 0 (m.rng.at_step(0)), where the lifelong direct-payment preference
// is drawn.
inline Route means_tested_route(const Market& m, std::size_t i, const engine::RngRoot::StepStreams& routes) {
  const auto& p = m.people;
  const auto& el = m.spec.eligibility;
  const auto capital = el.capital_band(p.capital[i]);
  if (p.need_band[i] == 0) return Route::none;
  // Not eligible: those with some capital buy care; the rest go without formal care.
  if (p.need_band[i] < el.eligible_band) return capital >= 1 ? Route::self_funder : Route::none;
  // Eligible: above the upper limit they pay in full, unless they have reached the cap.
  if (capital == 2 && !el.capped(p.care_spend[i])) return Route::self_funder;
  if (const auto current = static_cast<Route>(p.route[i]);
      current == Route::direct_payment || current == Route::council_managed)
    return current;  // the preference below is fixed for life: no need to draw it again
  // The direct-payment preference is a fixed trait of the person (step 0 of its stream), so
  // re-testing every week does not flip it.
  auto stream = routes.stream(Market::stream_key(p, i), kRoute);
  const double uptake =
      (p.age_band[i] == 0 ? el.dp_uptake_working_age : el.dp_uptake_older) * m.spec.commissioning.dp_uptake_multiplier;
  return stream.uniform() < uptake ? Route::direct_payment : Route::council_managed;
}

// When the council takes over a self-funder's care (their capital fell to the upper limit, or their
// need became eligible), they keep their provider where the council can pay it: with a direct
// payment (matching sets its rate), or as a spot purchase at the council's spot price from a
// provider it may buy from (also from a holder of the lot's contract: placing them under it would
// fill the holder's contract beyond the room matching gives it). The council cannot leave someone
// in care without it, so the budget test of new packages (matching) does not apply. Returns false
// when the placement ends.
inline bool council_takes_over(Market& m, std::size_t i, Route route) {
  auto& p = m.people;
  const auto row = m.provider_row(p.provider[i]);
  if (row < 0 || !m.providers.alive[static_cast<std::size_t>(row)]) return false;
  const auto& policy = m.spec.commissioning;
  const auto& kind = m.spec.providers.of(static_cast<Archetype>(m.providers.archetype[static_cast<std::size_t>(row)]));
  if (route == Route::direct_payment) return kind.serves_direct_payments;
  if (!kind.takes_council_work(policy.accredit_micro)) return false;
  const double usual_rate = m.commissioners[static_cast<std::size_t>(p.council[i])].reference_rate;
  p.price[i] = static_cast<float>(std::max(usual_rate * (1 + policy.spot_premium), policy.price_floor));
  p.placement[i] = static_cast<std::uint8_t>(Placement::spot);
  return true;
}

// Gives person i their capital band and `route` (means_tested_route's). A person whose route changes
// loses their placement, unless the council takes over a self-funder's care (council_takes_over).
inline void take_route(Market& m, std::size_t i, Route route) {
  auto& p = m.people;
  p.capital_band[i] = m.spec.eligibility.capital_band(p.capital[i]);
  const auto current = static_cast<Route>(p.route[i]);
  if (current == route) return;
  p.route[i] = static_cast<std::uint8_t>(route);
  if (current == Route::self_funder && route != Route::none && p.provider[i] != engine::kNoAgent &&
      council_takes_over(m, i, route))
    return;
  p.provider[i] = engine::kNoAgent;
  p.placement[i] = static_cast<std::uint8_t>(Placement::none);
}

// Assesses person i: their capital band and route (take_route).
inline void assess_route(Market& m, std::size_t i, const engine::RngRoot::StepStreams& routes) {
  take_route(m, i, means_tested_route(m, i, routes));
}

}  // namespace cm
