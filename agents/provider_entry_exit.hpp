#pragma once
// MODEL.md §3.8 — provider exit and entry: the week's per-row hook (CountCareGap) and the part for
// one person it calls; provider_entry_exit.cpp has the providers' part (apply_entry_exit).
#include <cstddef>

#include "agents/chain_groups.hpp"
#include "agents/market.hpp"
#include "agents/matching.hpp"
#include "agents/week.hpp"
#include "engine/schedule.hpp"

namespace cm {

// The care gap of one council's week that draws entrants: people who need care and have a route,
// those of them waiting for a provider, and the hours needed and delivered of those placed.
struct CareGap {
  double needing = 0, waiting = 0, needed_hours = 0, delivered_hours = 0;
};

// Provider q of council c closes (an owner-run provider's closure, a firm's exit): its staff look
// for other care jobs (an owner leaves care); its clients are placed again next week.
void close_provider(Market& m, int c, std::size_t q);

// Closures, then entry drawn by the care gap: people waiting, less those only the budget keeps
// waiting (matching's demand.waiting_for_budget), and hours not delivered.
// groups: the chain groups' books, which weigh on their branches' exits.
void apply_entry_exit(Market& m, const CareGap& gap, const MatchingDemand& demand, int c,
                      const ChainGroupsState& groups = kNoGroupBooks);

// Adds the person to the care gap.
inline void count_care_gap(const Market& m, std::size_t i, CareGap& gap) {
  const auto& p = m.people;
  if (p.need_hours[i] <= 0 || static_cast<Route>(p.route[i]) == Route::none) return;
  gap.needing += 1;
  if (p.provider[i] == engine::kNoAgent) {
    gap.waiting += 1;
  } else {
    gap.needed_hours += p.need_hours[i];
    gap.delivered_hours += p.hours_received[i];
  }
}

// The entry and exit phase: the care gap is counted over the council's people, then providers
// close and enter (apply_entry_exit).
struct CountCareGap {
  using Table = PeopleRows;
  struct State {
    CareGap gap;
  };
  State begin(Week&, int) const { return {}; }
  void row(Week& w, State& s, const PersonRow& r) const {
    if (r.alive) count_care_gap(w.market, r.i, s.gap);
  }
  void end(Week& w, int c, State& s) const {
    apply_entry_exit(w.market, s.gap, w.matching.demand[static_cast<std::size_t>(c)], c, w.groups);
  }
};

}  // namespace cm
