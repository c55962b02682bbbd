#pragma once
// MODEL.md §3.8 — provider exit and entry: the week's per-row hook (CountCareGap) and the part for
// one person it calls; provider_entry_exit.cpp has the providers' part (apply_entry_exit).
#include <cstddef>

#include "agents/market.hpp"
#include "agents/week.hpp"
#include "engine/schedule.hpp"

namespace cm {

// Adds the person to the care gap that draws entrants: people who need care and have a route, those
// of them waiting for a provider, and the hours needed and delivered of those placed.
inline void count_care_gap(const Market& m, std::size_t i, WeekTally& tally) {
  const auto& p = m.people;
  if (p.need_hours[i] <= 0 || static_cast<Route>(p.route[i]) == Route::none) return;
  tally.gap_needing += 1;
  if (p.provider[i] == engine::kNoAgent) {
    tally.gap_waiting += 1;
  } else {
    tally.gap_needed_hours += p.need_hours[i];
    tally.gap_delivered_hours += p.hours_received[i];
  }
}

// The entry and exit phase: the care gap is counted over the council's people (in a local copy of
// its tally), then providers close and enter (apply_entry_exit).
struct CountCareGap {
  using Table = PeopleRows;
  struct State {
    WeekTally tally;
  };
  State begin(Week& w, int c) const { return {w.market.tally[static_cast<std::size_t>(c)]}; }
  void row(Week& w, State& s, const PersonRow& r) const {
    if (r.alive) count_care_gap(w.market, r.i, s.tally);
  }
  void end(Week& w, int c, State& s) const {
    auto& tally = w.market.tally[static_cast<std::size_t>(c)];
    tally.gap_needing = s.tally.gap_needing;
    tally.gap_waiting = s.tally.gap_waiting;
    tally.gap_needed_hours = s.tally.gap_needed_hours;
    tally.gap_delivered_hours = s.tally.gap_delivered_hours;
    apply_entry_exit(w.market, c);
  }
};

}  // namespace cm
