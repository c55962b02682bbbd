#pragma once
// MODEL.md §3.4 — matching: people placed with providers (matching.cpp).
#include <cstddef>
#include <cstdint>
#include <vector>

#include "agents/market.hpp"

namespace cm {

// What matching tells later rules about one council's week: the private demand that draws
// micro-enterprise founders (founding.cpp), and the people the budget could not fund, who draw
// no entrants (provider_entry_exit.cpp). Counted before matching places anyone new.
struct MatchingDemand {
  double people_with_route = 0;        // people needing care with a route
  double people_buying_privately = 0;  // of them, those buying care themselves (self-funders, direct payments)
  double waiting_for_budget = 0;       // people a provider would take but the budget cannot fund
  // For the metrics: the people refused (need, no route) and their need hours, and the need hours of
  // council-managed placements, all and spot (after placing).
  double refused = 0, refused_hours = 0, council_placed_hours = 0, spot_placed_hours = 0;
};

// Matching's state: its working space per provider row (a council uses only its own rows, so
// councils share it) and its output per council.
struct MatchingState {
  explicit MatchingState(int councils) : demand(static_cast<std::size_t>(councils)) {}
  void fit(std::size_t providers) {
    provider_slot.resize(providers);
    logit_weight.resize(providers);
    intake_limit.resize(providers);
  }
  std::vector<std::int32_t> provider_slot;  // a provider's first contract in the council's list
  std::vector<double> logit_weight;         // private buyers' weight of a provider
  std::vector<double> intake_limit;         // hours a provider will take on
  std::vector<MatchingDemand> demand;       // per council: this week's
};

// Reviews the council's placements, then places those waiting; s.demand[c] is this week's.
void apply_matching(Market& m, MatchingState& s, int c);

}  // namespace cm
