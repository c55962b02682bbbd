#pragma once
// MODEL.md §18 — hospital discharge: people leaving hospital who need care within days
// (need.discharge_per_1000_adults a year, on top of the people who develop need at home). The
// council's reablement service takes each while it has a free place; the others wait in hospital
// for a package, first in line at matching (the NHS pays for each day they wait). Reablement
// returns a share to independence; the others then need a package at home.
#include <cstdint>
#include <vector>

#include "agents/market.hpp"

namespace cm {

class PlacementBook;

struct DischargeState {
  struct Episode {
    engine::AgentId person;
    std::int32_t end_week;  // the week the episode ends (in the need phase)
  };
  // One per council, each on cache lines of its own: councils run on different threads.
  struct alignas(64) Council {
    std::vector<Episode> reablement;        // in order of start, so of end
    std::vector<engine::AgentId> awaiting;  // in hospital, awaiting a package
  };
  explicit DischargeState(int councils) : councils(static_cast<std::size_t>(councils)) {}
  std::vector<Council> councils;
};

// The council's reablement places (need.discharge_per_1000_adults' companion, per 100k adults).
std::int64_t reablement_places(const Market& m, int c);

// Need phase. Episodes ending this week: independence (the person leaves the population needing
// care) with chance discharge.reablement_success, else their need returns and matching reviews
// them. Then this week's referrals from hospital, who join with the other newcomers.
void end_reablement(Market& m, DischargeState& s, PlacementBook& placements, int c);
void add_discharge_referrals(Market& m, int c);

// After eligibility: each of this week's referrals with a route to care starts reablement while
// a place is free, and otherwise waits in hospital for a package; a referral with no route to
// council care or means to buy it goes home without (not the council's to delay).
void admit_referrals(Market& m, DischargeState& s, int c);

// After matching: those placed have left hospital; counts the week's delayed discharges and the
// people in reablement for the metrics.
void count_discharges(Market& m, DischargeState& s, int c);

}  // namespace cm
