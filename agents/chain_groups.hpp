#pragma once
// MODEL.md §14 — chain groups, one firm across councils. A group fails as a whole: every branch in
// every council closes at once, its clients are placed again through each council's matching (a
// contract holder, a spot purchase, or waiting), its staff look for other care jobs. A failure
// comes from a [[shocks]] entry of kind group_failure (changes.cpp), or at random with the annual
// hazard providers.chain.group_failure_per_year.
#include <cstdint>
#include <vector>

#include "agents/market.hpp"

namespace cm {

struct ChangesState;

// A chain group's books across the region (MODEL.md §14: one firm), kept by the phase
// "chain groups: the books" after finance; read by tendering (bids) and by entry and exit next
// week. Indexed by chain group (0-based).
struct ChainGroupsState {
  std::vector<double> council_hours;     // council-managed hours its branches delivered this week, all councils
  double region_council_hours = 0;       // every provider's, all councils
  std::vector<float> margin;             // smoothed pooled margin of its branches (surplus over turnover)
  std::vector<std::int16_t> loss_weeks;  // consecutive weeks the pooled margin was below 0
  // The group's share of the region's council-managed hours; -1 for a provider in no chain group.
  double regional_share(std::int32_t group) const {
    const auto g = static_cast<std::size_t>(group - kChainGroupBase);
    if (group < kChainGroupBase || g >= council_hours.size()) return -1;
    return region_council_hours > 0 ? council_hours[g] / region_council_hours : 0.0;
  }
  // Is the group as a whole losing money (its pooled margin below 0)? False for no chain group.
  bool losing(std::int32_t group) const {
    const auto g = static_cast<std::size_t>(group - kChainGroupBase);
    return group >= kChainGroupBase && g < margin.size() && margin[g] < 0;
  }
  // Have its pooled losses lasted `weeks`?
  bool losing_for(std::int32_t group, std::int64_t weeks) const {
    const auto g = static_cast<std::size_t>(group - kChainGroupBase);
    return group >= kChainGroupBase && g < loss_weeks.size() && loss_weeks[g] >= weeks;
  }
};

// No books: a market whose groups have none yet (the opening, a rule tested alone).
inline const ChainGroupsState kNoGroupBooks{};

// The phase: each group's council-managed hours and pooled margin this week, from its branches'
// income and surplus (finance.cpp), smoothed as a provider's margin is.
void keep_group_books(const Market& m, ChainGroupsState& s);

// Closes every open branch of chain group `group` (0-based), in every council.
void fail_group(Market& m, std::int32_t group);

// The chain groups of a scenario: 0 .. the largest chain_groups of its councils - 1.
std::int32_t chain_group_count(const ScenarioSpec& spec);

// The phase: each group with an open branch fails this week with chance
// providers.chain.group_failure_per_year / 52, drawn from the group's own stream; a failure is
// recorded with the run's changes (cause "hazard"). Not in the warm-up, and no draw at all when
// the hazard is 0.
void fail_groups_at_random(Market& m, ChangesState& changes);

}  // namespace cm
