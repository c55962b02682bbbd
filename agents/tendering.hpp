#pragma once
// MODEL.md §3.3 and §5 — commissioning: tenders, hand-backs and budgets (tendering.cpp).
#include <cstddef>
#include <vector>

#include "agents/chain_groups.hpp"
#include "agents/market.hpp"

namespace cm {

// Commissioning's working space: per provider row, the council hours a provider holds or was
// promised in this week's lettings (a council uses only its own rows, so councils share it).
struct CommissioningState {
  std::vector<double> pledged;
  void fit(std::size_t providers) { pledged.resize(providers); }
};

// The score of a qualified bid, higher first (ODD §7.3): lowest_price ranks by lowest / bid;
// quality_weighted by price_weight · lowest / bid + (1 − price_weight) · quality. lowest: the lowest
// qualified bid of the lot. (Under collaborative every qualified bidder wins: no ranking.)
inline double tender_score(CommissioningMode mode, double price_weight, double lowest, double bid, double quality) {
  return mode == CommissioningMode::lowest_price ? lowest / bid
                                                 : price_weight * lowest / bid + (1 - price_weight) * quality;
}

// Lets the council's lots whose contracts end (or were handed back) this week, ends handed-back
// contracts, and sets the weekly budget. groups: the chain groups' books (bids of their branches).
void apply_commissioning(Market& m, CommissioningState& s, const ChainGroupsState& groups, int c);

}  // namespace cm
