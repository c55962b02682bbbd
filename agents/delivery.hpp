#pragma once
// MODEL.md §3.6 — delivery: the week's per-row hooks (DeliverToPeople, PayWorkers) and the part
// for one person or worker they call; delivery.cpp has the providers' part.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "agents/contract_terms.hpp"
#include "agents/market.hpp"
#include "agents/week.hpp"
#include "engine/schedule.hpp"

namespace cm {

// What delivery works out per provider row for the week (a council uses only its own rows, so
// councils share it): the share of its clients' hours delivered and the continuity its clients'
// care moves toward; each worker's contact hours (which retention reads as workload), hours worked
// (travel included) and paid hours on guaranteed hours and on zero hours.
// In a council with small areas, it also counts the small areas each provider's clients live in
// (travel below).
struct DeliveryState {
  void fit(std::size_t providers, std::size_t councils) {
    for (auto* column : {&delivered_share, &continuity_target, &contact_hours, &worked_hours, &guaranteed_paid_hours,
                         &zero_hours_paid_hours})
      column->resize(providers);
    position.resize(providers);
    areas_seen.resize(councils);
  }
  std::vector<double> delivered_share, continuity_target;
  std::vector<double> contact_hours, worked_hours, guaranteed_paid_hours, zero_hours_paid_hours;
  // Travel: each provider's position among its council's providers this week, and per council a
  // provider × small area table of the pairs seen this week, one bit each, cleared every week (300
  // providers × 200 areas take 7.5 KB, so the delivery loop's look-ups stay in the nearest cache).
  // Scratch within a week: nothing of it is saved in a checkpoint.
  std::vector<std::int32_t> position;
  struct AreasSeen {
    std::vector<std::uint64_t> bits;
  };
  std::vector<AreasSeen> areas_seen;
};

// Travel between visits (MODEL.md §15). In a council with small areas, a provider's trip between
// visits is the mean distance from a client to its nearest other client, for clients spread evenly
// over the areas they live in: half the side of the area per client, the council's trip within a
// small area (Geography::local_trip, one client per area) times sqrt(areas / clients). Its unpaid
// travel per contact hour is its kind's unpaid_travel_minutes times that trip over the kind's
// reference_trip_minutes, so rural councils (large areas, few clients each) travel more
// and a provider whose clients live close together (a patch) travels less. Counted by the
// delivery rows (count_trip), turned into travel at the next week's delivery (update_travel), which
// pay and costs then use. A provider without clients, and every provider of a council without small
// areas, has its kind's travel.
inline void update_travel(Market& m, DeliveryState& s, int c) {
  auto& pr = m.providers;
  const bool by_distance = m.geography.by_distance(c);
  const double local_trip = m.geography.local_trip(c);
  std::int32_t providers = 0;
  m.for_council_providers(c, [&](std::size_t q) {
    const auto& a = m.spec.providers.of(static_cast<Archetype>(pr.archetype[q]));
    if (by_distance && pr.trip_clients[q] > 0) {
      const double spread = std::sqrt(static_cast<double>(pr.trip_areas[q]) / pr.trip_clients[q]);
      pr.travel_minutes[q] =
          static_cast<float>(a.unpaid_travel_minutes * local_trip * spread / a.reference_trip_minutes);
    } else {
      pr.travel_minutes[q] = static_cast<float>(a.unpaid_travel_minutes);
    }
    pr.trip_areas[q] = pr.trip_clients[q] = 0;
    s.position[q] = providers++;
  });
  if (!by_distance) return;
  const auto pairs = static_cast<std::size_t>(providers) * static_cast<std::size_t>(m.geography.locality_count(c));
  s.areas_seen[static_cast<std::size_t>(c)].bits.assign((pairs + 63) / 64, 0);
}

// Counts client i of provider q (row) for its travel: its small area, if new for q this week.
inline void count_trip(Market& m, DeliveryState::AreasSeen& seen, const DeliveryState& s, std::size_t i, std::size_t q,
                       std::int32_t first_locality, std::size_t areas) {
  auto& pr = m.providers;
  const auto pair =
      static_cast<std::size_t>(s.position[q]) * areas + static_cast<std::size_t>(m.people.locality[i] - first_locality);
  // Without a branch: whether a client's area is new to its provider follows no pattern.
  std::uint64_t& word = seen.bits[pair / 64];
  const std::uint64_t bit = std::uint64_t{1} << (pair % 64);
  pr.trip_areas[q] += (word & bit) == 0;
  word |= bit;
  ++pr.trip_clients[q];
}

// Staff and capacity of the council's providers: each delivers its clients' hours up to capacity.
void apply_delivery(Market& m, int c);
// Delivery's part for people alone, and workers' hours and pay alone (set-up).
void deliver_to_people(Market& m, DeliveryState& s, int c);
void pay_workers(Market& m, DeliveryState& s, int c);

// What every client of a provider gets this week: a provider short of staff delivers the same
// share of every client's hours, and its staff turnover sets the continuity its clients' care
// moves toward. Computed once per provider, before the loop over people (deliver_to_person).
inline void prepare_delivery(Market& m, DeliveryState& s, int c) {
  const auto& pr = m.providers;
  const double loss = m.spec.providers.turnover_continuity_loss;
  m.for_council_providers(c, [&](std::size_t q) {
    s.delivered_share[q] = pr.allocated_hours[q] > 0 ? pr.delivered_hours[q] / pr.allocated_hours[q] : 0.0;
    const auto& a = m.spec.providers.of(static_cast<Archetype>(pr.archetype[q]));
    // Annualised staff turnover of the provider erodes continuity (turnover_continuity_loss of it,
    // half by default, at 100% a year).
    const double turnover = std::min(1.0, pr.leaver_rate[q] * 52.0);
    s.continuity_target[q] = a.continuity * (1 - loss * turnover);
  });
}

// Hours the person receives this week and the continuity of their care. q: the provider's row
// (the person is placed); prepare_delivery() has run for the council. rate: providers.continuity_rate,
// read by the caller before its loop.
inline void deliver_to_person(Market& m, const DeliveryState& s, std::size_t i, std::size_t q, double rate) {
  auto& p = m.people;
  p.hours_received[i] = static_cast<float>(p.need_hours[i] * s.delivered_share[q]);
  p.continuity[i] += static_cast<float>(rate * (s.continuity_target[q] - p.continuity[i]));
}

// The hours of every worker of a provider: contact hours (its delivered hours shared by its
// staff) and hours worked. Travel between visits is work for everyone; guaranteed-hours staff are
// paid for it (and for their rostered hours at least), zero-hours staff only for contact time
// unless a contract's terms say otherwise (contract_terms.hpp). Computed once per provider, before
// the loop over workers (pay_worker).
inline void prepare_pay(const Market& m, DeliveryState& s, int c) {
  const auto& pr = m.providers;
  m.for_council_providers(c, [&](std::size_t q) {
    const auto& a = m.spec.providers.of(static_cast<Archetype>(pr.archetype[q]));
    const double contact = pr.staff[q] > 0 ? pr.delivered_hours[q] / pr.staff[q] : 0.0;
    s.contact_hours[q] = contact;
    s.worked_hours[q] = contact * (1 + pr.travel_minutes[q] / 60.0);
    s.guaranteed_paid_hours[q] = std::max(s.worked_hours[q], a.contracted_hours);
    s.zero_hours_paid_hours[q] = zero_hours_paid_hours(m, q, contact, s.worked_hours[q], a.contracted_hours);
  });
}

// A worker's wage, contact hours, paid hours and effective pay (pay per hour worked, unpaid travel
// included: MODEL.md §7). q: the employer's row; prepare_pay() has run for the council.
inline void pay_worker(Market& m, const DeliveryState& s, std::size_t k, std::size_t q) {
  auto& w = m.workers;
  // A wage is the employer's base wage plus the worker's premium: a base wage the employer raised
  // at its last review (wage_setting.cpp) reaches its staff here.
  if (m.providers.wage_raised[q]) w.wage[k] = m.providers.wage[q] + w.pay_premium[k];
  const double contact = s.contact_hours[q], worked = s.worked_hours[q];
  const bool zero_hours = w.zero_hours[k];
  const double paid = zero_hours ? s.zero_hours_paid_hours[q] : s.guaranteed_paid_hours[q];
  w.contact_hours[k] = static_cast<float>(contact);
  w.paid_hours[k] = static_cast<float>(paid);
  // min(paid, worked) × wage / worked; paid for every hour worked, that is the wage itself, without
  // a division: worked × wage / worked is within two double roundings of the wage, far nearer to it
  // than to any other float, so the stored float is the same.
  w.effective_pay[k] = worked > 0 && paid < worked ? static_cast<float>(paid * w.wage[k] / worked) : w.wage[k];
}

// A worker without an employer works no hours.
inline void pay_nobody(Market& m, std::size_t k) { m.workers.contact_hours[k] = m.workers.paid_hours[k] = 0; }

// Nobody delivers to a person without a provider.
inline void deliver_to_unplaced(Market& m, std::size_t i) {
  m.people.hours_received[i] = 0;
  m.people.continuity[i] = 0;
}

// The delivery phase for people: providers deliver up to their staff's capacity (apply_delivery),
// then every client receives the provider's delivered share of their hours.
struct DeliverToPeople {
  using Table = PeopleRows;
  struct State {
    double continuity_rate;                // a local copy: the loop need not reload it after every store
    DeliveryState::AreasSeen* areas_seen;  // null: the council has no small areas (no travel to count)
    std::int32_t first_locality;
    std::size_t areas;
  };
  State begin(Week& w, int c) const {
    update_travel(w.market, w.delivery, c);
    apply_delivery(w.market, c);
    prepare_delivery(w.market, w.delivery, c);
    const bool by_distance = w.market.geography.by_distance(c);
    return {w.market.spec.providers.continuity_rate,
            by_distance ? &w.delivery.areas_seen[static_cast<std::size_t>(c)] : nullptr,
            w.market.geography.first_locality(c), static_cast<std::size_t>(w.market.geography.locality_count(c))};
  }
  void row(Week& w, State& s, const PersonRow& r) const {
    if (r.provider == kNoRow) {
      deliver_to_unplaced(w.market, r.i);
    } else {
      deliver_to_person(w.market, w.delivery, r.i, r.provider, s.continuity_rate);
      if (s.areas_seen) count_trip(w.market, *s.areas_seen, w.delivery, r.i, r.provider, s.first_locality, s.areas);
    }
  }
  void end(Week&, int, State&) const {}
};

// The delivery phase for workers: their contact hours, paid hours and effective pay.
struct PayWorkers {
  using Table = WorkerRows;
  engine::NoState begin(Week& w, int c) const {
    prepare_pay(w.market, w.delivery, c);
    return {};
  }
  void row(Week& w, engine::NoState&, const WorkerRow& r) const {
    if (r.employer == kNoRow)
      pay_nobody(w.market, r.k);
    else
      pay_worker(w.market, w.delivery, r.k, r.employer);
  }
  // The raised wages have reached the staff.
  void end(Week& w, int c, engine::NoState&) const {
    w.market.for_council_providers(c, [&](std::size_t q) { w.market.providers.wage_raised[q] = 0; });
  }
};

}  // namespace cm
