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

// A worker's contact hours (the provider's delivered hours shared by its staff), paid hours and
// effective pay (pay per hour worked, unpaid travel included: MODEL.md §7). q: the employer's row.
inline void pay_worker(Market& m, std::size_t k, std::size_t q) {
  auto& w = m.workers;
  const auto& pr = m.providers;
  const auto& a = m.spec.providers.of(static_cast<Archetype>(pr.archetype[q]));
  const double contact = pr.staff[q] > 0 ? pr.delivered_hours[q] / pr.staff[q] : 0.0;
  // Travel between visits is work for everyone; guaranteed-hours staff are paid for it (and for
  // their rostered hours at least), zero-hours staff only for contact time.
  const double worked = contact * (1 + a.unpaid_travel_minutes / 60.0);
  const bool zero_hours = w.zero_hours[k];
  const double paid = zero_hours ? contact : std::max(worked, a.contracted_hours);
  w.contact_hours[k] = static_cast<float>(contact);
  w.paid_hours[k] = static_cast<float>(paid);
  w.effective_pay[k] = worked > 0 ? static_cast<float>(std::min(paid, worked) * w.wage[k] / worked) : w.wage[k];
}

// A worker without an employer works no hours.
inline void pay_nobody(Market& m, std::size_t k) { m.workers.contact_hours[k] = m.workers.paid_hours[k] = 0; }

// Nobody delivers to a person without a provider.
inline void deliver_to_unplaced(Market& m, std::size_t i) {
  m.people.hours_received[i] = 0;
  m.people.continuity[i] = 0;
}

}  // namespace cm
