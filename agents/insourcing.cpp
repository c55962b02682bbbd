// MODEL.md §13 — insourcing. A council that brings home care in-house (Islington, Wirral and others
// since 2015) stops tendering some of its lots and serves them with its own service. In the model:
// - when a lot comes up for letting and keeping it brings the kept lots' share of council-managed
//   hours nearer commissioning.insourcing_share, the council keeps it
//   (tendering.cpp): its contracts end, and the people placed under them move to the council's
//   service with a share of their providers' staff (TUPE: staff transfer with the work);
// - the lot's new packages go to the council's service first (matching.cpp), at the service's cost;
//   what that cost leaves uncovered is council spending (finance.cpp);
// - the service (providers.council_run) pays a public pay scale with guaranteed hours, keeps no
//   margin and sends nothing out of the region; this phase sets its size, which it recruits to in
//   the labour market like any employer.
// Lots come up for letting over a contract length, so the share is reached over about
// commissioning.contract_years.
#include "agents/insourcing.hpp"

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

namespace cm {

std::int64_t council_service(const Market& m, int c) {
  std::int64_t found = -1;
  m.for_council_providers(c, [&](std::size_t q) {
    if (found < 0 && m.providers.alive[q] && static_cast<Archetype>(m.providers.archetype[q]) == Archetype::council_run)
      found = static_cast<std::int64_t>(q);
  });
  return found;
}

void transfer_lot_to_service(Market& m, int c, std::int32_t lot, std::size_t service) {
  auto& p = m.people;
  auto& pr = m.providers;
  auto& w = m.workers;
  const double price = m.asking_price(Archetype::council_run, pr.cost_per_hour[service]);
  // Hours moving from each holder (row, hours): a lot has few holders.
  std::vector<std::pair<std::size_t, double>> moved;
  m.for_council_people(c, [&](std::size_t i) {
    if (!p.alive[i] || static_cast<Placement>(p.placement[i]) != Placement::contract || m.lot_of(p.locality[i]) != lot)
      return;
    const auto row = m.provider_row(p.provider[i]);
    if (row < 0) return;
    const auto r = static_cast<std::size_t>(row);
    auto it = std::find_if(moved.begin(), moved.end(), [&](const auto& x) { return x.first == r; });
    if (it == moved.end()) it = moved.insert(moved.end(), {r, 0.0});
    it->second += p.need_hours[i];
    p.provider[i] = pr.id[service];
    p.placement[i] = static_cast<std::uint8_t>(Placement::in_house);
    p.price[i] = static_cast<float>(price);
  });
  // Staff in proportion to the hours each holder loses, first in row order.
  std::vector<std::pair<engine::AgentId, std::int32_t>> quota;
  for (const auto& [r, hours] : moved) {
    const double share = std::min(1.0, hours / std::max<double>(pr.allocated_hours[r], hours));
    const auto n = static_cast<std::int32_t>(std::lround(share * pr.staff[r]));
    if (n > 0) quota.emplace_back(pr.id[r], n);
  }
  std::int32_t joined = 0;
  if (!quota.empty())
    m.for_council_workers(c, [&](std::size_t k) {
      if (!w.alive[k] || w.employer[k] == engine::kNoAgent || w.is_founder[k]) return;
      auto it = std::find_if(quota.begin(), quota.end(), [&](const auto& x) { return x.first == w.employer[k]; });
      if (it == quota.end() || it->second == 0) return;
      it->second -= 1;
      pr.staff[static_cast<std::size_t>(m.provider_row(w.employer[k]))] -= 1;
      w.employer[k] = pr.id[service];
      w.wage[k] = std::max(w.wage[k], pr.wage[service] + w.pay_premium[k]);  // TUPE keeps their terms
      w.zero_hours[k] = 0;                                                   // the service guarantees hours
      w.quit_review_week[k] = 0;  // a new employer: the quit clock starts again
      pr.staff[service] += 1;
      joined += 1;
    });
  pr.intended_staff[service] = static_cast<std::int16_t>(std::min(30000, pr.intended_staff[service] + joined));
}

void apply_insourcing(Market& m, int c) {
  const auto& policy = m.spec.commissioning;
  if (policy.insourcing_share <= 0) return;
  const auto& a = m.spec.providers.of(Archetype::council_run);
  auto& pr = m.providers;
  auto& pend = m.pending[static_cast<std::size_t>(c)];
  const auto& com = m.commissioners[static_cast<std::size_t>(c)];
  if (council_service(m, c) < 0) {
    // The service opens before the first lot it can take comes up (it joins this week).
    const auto centre = m.geography.first_locality(c) + m.geography.locality_count(c) / 2;
    pend.providers.push_back(
        {Archetype::council_run, centre, -1, false, engine::kNoAgent, ProviderEventKind::entry, 0});
    return;
  }
  if (com.lots_in_house == 0) return;
  // Staff for the council-managed hours of the lots the council keeps, with the vacancy buffer
  // providers keep.
  double target_hours = 0;
  m.for_council_people(c, [&](std::size_t i) {
    if (m.people.alive[i] && static_cast<Route>(m.people.route[i]) == Route::council_managed &&
        com.lot_in_house[static_cast<std::size_t>(m.lot_of(m.people.locality[i]))])
      target_hours += m.people.need_hours[i];
  });
  auto grow = static_cast<std::int64_t>(
      std::ceil(target_hours * (1 + m.spec.labour.vacancy_buffer) / a.contracted_hours - 1e-9));
  m.for_council_providers(c, [&](std::size_t q) {
    if (pr.alive[q] && static_cast<Archetype>(pr.archetype[q]) == Archetype::council_run) grow -= pr.intended_staff[q];
  });
  // Fill the services there are, in row order, then open one more with the rest.
  m.for_council_providers(c, [&](std::size_t q) {
    if (grow <= 0 || !pr.alive[q] || static_cast<Archetype>(pr.archetype[q]) != Archetype::council_run) return;
    const auto add = std::min(std::max<std::int64_t>(0, a.max_workers - pr.intended_staff[q]), grow);
    pr.intended_staff[q] = static_cast<std::int16_t>(pr.intended_staff[q] + add);
    grow -= add;
  });
  if (grow > 0) {
    const auto centre = m.geography.first_locality(c) + m.geography.locality_count(c) / 2;
    pend.providers.push_back({Archetype::council_run, centre, -1, false, engine::kNoAgent, ProviderEventKind::entry,
                              static_cast<std::int32_t>(std::min<std::int64_t>({grow, a.max_workers, 30000}))});
  }
}

}  // namespace cm
