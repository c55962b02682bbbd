// MODEL.md §3.6 — delivery: a provider delivers its clients' hours up to its staff's capacity;
// the rest is unmet need. Continuity moves toward the archetype's visit model, less what staff
// turnover takes away (the part for one person is in delivery.hpp). Workers' contact hours, paid
// hours and effective pay (pay per hour worked, unpaid travel included: MODEL.md §7) follow.
#include <algorithm>
#include <cmath>

#include "agents/delivery.hpp"

namespace cm {

void apply_delivery(Market& m, int c) {
  auto& pr = m.providers;
  // Staff counts are kept by every rule that hires or loses staff (hiring, founding, quits,
  // closures); Model.ColumnsStayConsistent checks them against a count of the workforce.
  m.for_council_providers(c, [&](std::size_t q) {
    const auto& a = m.spec.providers.of(static_cast<Archetype>(pr.archetype[q]));
    pr.capacity_hours[q] = static_cast<float>(pr.staff[q] * a.contracted_hours);
    pr.delivered_hours[q] = std::min(pr.allocated_hours[q], pr.capacity_hours[q]);
  });
}

void pay_workers(Market& m, DeliveryState& s, int c) {
  prepare_pay(m, s, c);
  m.for_council_workers(c, [&](std::size_t k) {
    if (!m.workers.alive[k] || m.workers.employer[k] == engine::kNoAgent)
      pay_nobody(m, k);
    else
      pay_worker(m, s, k, static_cast<std::size_t>(m.provider_row(m.workers.employer[k])));
  });
}

void deliver_to_people(Market& m, DeliveryState& s, int c) {
  prepare_delivery(m, s, c);
  const double rate = m.spec.providers.continuity_rate;
  m.for_council_people(c, [&](std::size_t i) {
    if (!m.people.alive[i] || m.people.provider[i] == engine::kNoAgent)
      deliver_to_unplaced(m, i);
    else
      deliver_to_person(m, s, i, static_cast<std::size_t>(m.provider_row(m.people.provider[i])), rate);
  });
}

}  // namespace cm
