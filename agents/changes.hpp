#pragma once
// MODEL.md §12 — parameters that change during a run: in the first phase of a week, the change due
// that week (a schedule's value, a policy from its date, a shock: schedules.hpp) comes into force.
// Derived state follows it: need tables, budgets, wages raised to a higher NLW, and the review and
// quit clocks whose bound the change raises (drawn again, so thinning stays exact). A run with no
// change runs no code here beyond one comparison a week.
#include <cstddef>
#include <vector>

#include "agents/market.hpp"
#include "agents/parameters.hpp"

namespace cm {

class NeedCalendar;
struct Week;

// The changes of a run, the next one due, and those applied (the output's /events/changes).
struct ChangesState {
  std::vector<ParameterChange> changes;  // step order
  std::size_t next = 0;
  std::vector<ChangeRecord> applied;

  // Takes the run's changes; those at step 0 are in the starting parameters already: recorded only.
  void start(std::vector<ParameterChange> run_changes);
  // The run's changes as a new config states them (Simulation.set), from `from_step` on: those
  // before it have happened already.
  void replace(std::vector<ParameterChange> run_changes, std::int32_t from_step);
};

// The end of a warm-up: the policies from the start come into force (a step-0 change marked
// after_warmup), from reported week 1 on.
void end_warmup(Market& m, NeedCalendar& need, ChangesState& s);

// The phase: puts the change due this week (if any) in force.
void apply_due_change(Week& w);

// Puts `next` in force from the market's current week, with its failing chain groups.
void change_parameters(Market& m, NeedCalendar& need, const ScenarioSpec& next,
                       const std::vector<std::int32_t>& failing_groups);

}  // namespace cm
