#pragma once
// MODEL.md §3.8 — finance, the part for one person (finance.cpp has the rest). Inline, because
// model.cpp runs it in the one weekly pass over a council's people (people_week.cpp).
#include <cstddef>

#include "agents/market.hpp"

namespace cm {

// The provider's income and council hours, and its wage bill, start the week's passes at zero.
inline void finance_begin_week(Market& m, int c) {
  m.for_council_providers(c, [&](std::size_t q) {
    m.providers.income[q] = 0;
    m.providers.council_hours[q] = 0;
    m.scratch.wage_bill[q] = 0;
  });
}

// A worker still employed after retention adds their pay, with on-costs, to the employer's wage
// bill. q: the employer's row.
inline void add_to_wage_bill(Market& m, std::size_t k, std::size_t q) {
  m.scratch.wage_bill[q] += static_cast<double>(m.workers.paid_hours[k]) * m.workers.wage[k] * (1 + m.spec.providers.on_cost);
}

// What is paid for the person's care this week: the provider's income, the council's spend (all
// but self-funders) and its council-managed hours. q: the provider's row (the person is placed).
inline void pay_for_person(Market& m, std::size_t i, std::size_t q, WeekTally& tally) {
  auto& p = m.people;
  auto& pr = m.providers;
  const double paid = static_cast<double>(p.hours_received[i]) * p.price[i];
  pr.income[q] += static_cast<float>(paid);
  const auto route = static_cast<Route>(p.route[i]);
  if (route != Route::self_funder) tally.spend += paid;
  if (route == Route::council_managed) {
    pr.council_hours[q] += p.hours_received[i];
    tally.council_hours += p.hours_received[i];
    tally.council_payment += paid;
  }
}

}  // namespace cm
