// MODEL.md §3.6 — delivery: a provider delivers its clients' hours up to its staff's capacity;
// the rest is unmet need. Continuity moves toward the archetype's visit model, less what staff
// turnover takes away. Workers' contact hours, paid hours and effective pay (pay per hour worked,
// unpaid travel included: MODEL.md §7) follow.
#include <algorithm>
#include <cmath>

#include "agents/market.hpp"

namespace cm {

void apply_delivery(Market& m, int c) {
  auto& pr = m.providers;
  auto& w = m.workers;
  auto& p = m.people;
  // Staff counts from the workforce itself, so they can never drift from it.
  m.for_council_providers(c, [&](std::size_t q) { pr.staff[q] = 0; });
  m.for_council_workers(c, [&](std::size_t k) {
    if (w.alive[k] && w.employer[k] != engine::kNoAgent) pr.staff[static_cast<std::size_t>(m.provider_row(w.employer[k]))] += 1;
  });
  m.for_council_providers(c, [&](std::size_t q) {
    const auto& a = m.spec.providers.of(static_cast<Archetype>(pr.archetype[q]));
    pr.capacity_hours[q] = static_cast<float>(pr.staff[q] * a.contracted_hours);
    pr.delivered_hours[q] = std::min(pr.allocated_hours[q], pr.capacity_hours[q]);
  });
  m.for_council_people(c, [&](std::size_t i) {
    if (!p.alive[i] || p.provider[i] == engine::kNoAgent) {
      p.hours_received[i] = 0;
      p.continuity[i] = 0;
      return;
    }
    const auto q = static_cast<std::size_t>(m.provider_row(p.provider[i]));
    const double fraction = pr.allocated_hours[q] > 0 ? pr.delivered_hours[q] / pr.allocated_hours[q] : 0.0;
    p.hours_received[i] = static_cast<float>(p.need_hours[i] * fraction);
    const auto& a = m.spec.providers.of(static_cast<Archetype>(pr.archetype[q]));
    // Annualised staff turnover of the provider erodes continuity (half of it at 100% a year).
    const double turnover = std::min(1.0, pr.leaver_rate[q] * 52.0);
    const double target = a.continuity * (1 - 0.5 * turnover);
    p.continuity[i] += static_cast<float>(0.25 * (target - p.continuity[i]));
  });
  m.for_council_workers(c, [&](std::size_t k) {
    if (!w.alive[k] || w.employer[k] == engine::kNoAgent) {
      w.contact_hours[k] = w.paid_hours[k] = 0;
      return;
    }
    const auto q = static_cast<std::size_t>(m.provider_row(w.employer[k]));
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
  });
}

}  // namespace cm
