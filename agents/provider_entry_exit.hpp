#pragma once
// MODEL.md §3.8 — provider entry, the part for one person (provider_entry_exit.cpp has the rest).
// Inline, because model.cpp runs it in the one weekly pass over a council's people
// (people_week.cpp).
#include <cstddef>

#include "agents/market.hpp"

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

}  // namespace cm
