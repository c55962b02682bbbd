#pragma once
// MODEL.md §18 — contract terms: what a council writes into its contracts binds the providers that
// hold one (a contract price above 0), as commissioning.wage_floor does. Three terms, each off by
// default, together the UNISON Ethical Care Charter's (configs/policies/ethical_care_charter.toml):
//   contract_guaranteed_hours  a share g of the archetype's rostered week (contracted_hours) is
//                              paid to every worker whether or not visits happen; with g > 0 the
//                              holder's staff are off zero-hours contracts (no zero-hours quit
//                              factor, not counted in zero_hours_share), and paid for travel as
//                              guaranteed-hours staff are;
//   contract_paid_travel       travel between visits is paid to every worker;
//   contract_min_visit_minutes visits of at least m minutes: the time-and-task stress of the
//                              holder's staff falls as 15 / m (15-minute visits are what the stress
//                              term describes; an assumption).
// Pay, stress, the zero-hours factor and the cost per hour (hence bids and hand-back tests) read
// these; a provider that loses its last contract returns to its archetype's terms.
#include <algorithm>
#include <cstddef>

#include "agents/market.hpp"

namespace cm {

// Does provider q hold a council contract?
inline bool holds_contract(const Market& m, std::size_t q) { return m.providers.contract_price[q] > 0; }

// Are the holder's staff guaranteed hours (off zero-hours contracts)?
inline bool guarantees_hours(const Market& m, std::size_t q) {
  return m.spec.commissioning.contract_guaranteed_hours > 0 && holds_contract(m, q);
}

// Is worker k of provider q on a zero-hours contract this week?
inline bool on_zero_hours(const Market& m, std::size_t k, std::size_t q) {
  return m.workers.zero_hours[k] && !guarantees_hours(m, q);
}

// Paid hours of a zero-hours worker of provider q who works `worked` hours a week (`contact` of them
// with clients): contact time alone, unless the contract pays travel (all worked hours) or
// guarantees hours (worked hours, and at least the guaranteed share of the rostered week).
inline double zero_hours_paid_hours(const Market& m, std::size_t q, double contact, double worked,
                                    double rostered_hours) {
  if (!holds_contract(m, q)) return contact;
  const auto& terms = m.spec.commissioning;
  if (terms.contract_guaranteed_hours > 0) return std::max(worked, terms.contract_guaranteed_hours * rostered_hours);
  return terms.contract_paid_travel ? worked : contact;
}

// Do the contract's terms make its holder pay every worker's travel (a bid is costed so, as the
// bidder would hold the contract)?
inline bool contract_pays_all_travel(const Market& m) {
  const auto& terms = m.spec.commissioning;
  return terms.contract_paid_travel || terms.contract_guaranteed_hours > 0;
}
// Does provider q pay every worker's travel?
inline bool pays_all_travel(const Market& m, std::size_t q) {
  return holds_contract(m, q) && contract_pays_all_travel(m);
}

// Provider q's cost of an hour at `wage` (Market::cost_per_hour), under the terms it is bound by.
inline double provider_cost_per_hour(const Market& m, std::size_t q, double wage) {
  return m.cost_per_hour(static_cast<Archetype>(m.providers.archetype[q]), wage, pays_all_travel(m, q),
                         m.providers.travel_minutes[q]);
}

// Multiplier of the time-and-task stress of provider q's staff: 15 / minimum visit minutes for a
// holder under a minimum above 15, else 1.
inline double task_stress_factor(const Market& m, std::size_t q) {
  const double minutes = m.spec.commissioning.contract_min_visit_minutes;
  return minutes > 15 && holds_contract(m, q) ? 15 / minutes : 1.0;
}

}  // namespace cm
