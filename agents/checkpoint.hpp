#pragma once
// The model's state as bytes (ARCHITECTURE.md "State is data"; docs/checkpoint-format.md): every
// agent table with its ids and grouping, the clock, contracts, calendars, queues, pending agents,
// event logs not yet written and each rule's state, exactly as held, so a model read back steps on
// as the one that never stopped. Not in the bytes, because a model built from the same scenario,
// seed and replicate has them already: the geography and the lots; the parameters in force, which
// follow from the scenario's changes and how many have come into force (spec_in_force); and
// working space rebuilt each week (the regroup's spare tables).
#include <cstddef>
#include <span>
#include <vector>

#include "agents/market.hpp"
#include "agents/parameters.hpp"
#include "agents/rule_states.hpp"

namespace cm {

std::vector<std::byte> save_model_state(const Market& m, const RuleStates& rules);
// Overwrites a model built from the same scenario, seed and replicate (its geography and lots are
// the saved model's) with the saved state; then its parameters are those in force (spec_in_force).
// Throws engine::ArchiveError when the bytes are not such a state.
void load_model_state(std::span<const std::byte> state, Market& m, RuleStates& rules);

// The parameters in force once the changes before `changes.next` have come into force: the last
// put in force during the run (a date, a schedule, a shock, or the policies at the end of the
// warm-up), else the starting parameters (step 0's changes are in them already).
const ScenarioSpec& spec_in_force(const LoadedScenario& scenario, const ChangesState& changes);

}  // namespace cm
