#pragma once
// MODEL.md §3.6 — delivery, the part for one person (delivery.cpp has the rest). Inline, because
// model.cpp runs it in the one weekly pass over a council's people (people_week.cpp).
#include <algorithm>
#include <cstddef>

#include "agents/market.hpp"

namespace cm {

// Hours the person receives this week (a provider short of staff delivers the same share of every
// client's hours) and the continuity of their care. q: the provider's row (the person is placed).
inline void deliver_to_person(Market& m, std::size_t i, std::size_t q) {
  auto& p = m.people;
  const auto& pr = m.providers;
  const double fraction = pr.allocated_hours[q] > 0 ? pr.delivered_hours[q] / pr.allocated_hours[q] : 0.0;
  p.hours_received[i] = static_cast<float>(p.need_hours[i] * fraction);
  const auto& a = m.spec.providers.of(static_cast<Archetype>(pr.archetype[q]));
  // Annualised staff turnover of the provider erodes continuity (half of it at 100% a year).
  const double turnover = std::min(1.0, pr.leaver_rate[q] * 52.0);
  const double target = a.continuity * (1 - 0.5 * turnover);
  p.continuity[i] += static_cast<float>(0.25 * (target - p.continuity[i]));
}

// Nobody delivers to a person without a provider.
inline void deliver_to_unplaced(Market& m, std::size_t i) {
  m.people.hours_received[i] = 0;
  m.people.continuity[i] = 0;
}

}  // namespace cm
