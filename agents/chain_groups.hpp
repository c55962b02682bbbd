#pragma once
// MODEL.md §14 — chain groups, one firm across councils. A group fails as a whole: every branch in
// every council closes at once, its clients are placed again through each council's matching (a
// contract holder, a spot purchase, or waiting), its staff look for other care jobs. A failure
// comes from a [[shocks]] entry of kind group_failure (changes.cpp), or at random with the annual
// hazard providers.chain.group_failure_per_year.
#include <cstdint>

#include "agents/market.hpp"

namespace cm {

struct ChangesState;

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
