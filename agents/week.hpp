#pragma once
// What the phases of a week act on (model.cpp declares the week; engine/schedule.hpp runs it):
// the market's agent tables, and the state each rule keeps. A per-row
// hook reads a row through its table's view, computed once per row for all the hooks of a block.
#include <cstddef>
#include <vector>

#include "agents/market.hpp"

namespace cm {

class NeedCalendar;
struct DischargeState;
struct MeansTestState;
struct ChangesState;
struct CommissioningState;
struct MatchingState;
struct DeliveryState;
struct RetentionState;
struct FinanceState;
struct OutcomesState;
class MetricsState;
struct ChainGroupsState;

// The market and each rule's own state (declared in the rule's header), lent to the phases of a
// week (RuleStates::week, rule_states.hpp). A rule writes its own state; a later rule may read
// another's named output (retention reads delivery's contact hours; founding and entry read
// matching's demand).
struct Week {
  Market& market;
  ChangesState& changes;              // changes.hpp: parameters that change on dates
  NeedCalendar& need;                 // need.hpp: who is due for a review of their need
  DischargeState& discharge;          // discharge.hpp: people in reablement, and in hospital awaiting a package
  MeansTestState& means_test;         // means_test.hpp: who is due to be assessed again
  CommissioningState& commissioning;  // tendering.hpp
  MatchingState& matching;            // matching.hpp: working space and the week's demand
  DeliveryState& delivery;            // delivery.hpp: each provider's delivery and pay
  RetentionState& retention;          // retention.hpp
  FinanceState& finance;              // finance.hpp: wage bills
  OutcomesState& outcomes;            // outcomes.hpp: clients' sums for observed quality
  MetricsState& metrics;              // metrics.hpp: rolling windows, people counted
  ChainGroupsState& groups;           // chain_groups.hpp: each chain group's books across the region
  std::vector<double>& values;        // the week's metrics, values[metric * councils + council]
};

inline constexpr std::size_t kNoRow = static_cast<std::size_t>(-1);

// A person as the per-row hooks see them: their row and their provider's row (kNoRow when they
// have none or have left). Neither changes during the week's hooks.
struct PersonRow {
  std::size_t i;
  std::size_t provider;
  bool alive;
};
struct PeopleRows {
  template <class Fn>
  static void for_each(Week& w, int c, Fn&& fn) {
    w.market.for_council_people(c, fn);
  }
  static PersonRow view(const Week& w, std::size_t i) {
    const auto& p = w.market.people;
    const bool alive = p.alive[i] != 0;
    const auto provider = p.provider[i];
    return {i,
            alive && provider != engine::kNoAgent ? static_cast<std::size_t>(w.market.provider_row(provider)) : kNoRow,
            alive};
  }
};

// A worker as the per-row hooks see them: their row and their employer's row at the start of the
// block (kNoRow when they have none or have left). A worker who quits in the block keeps the
// employer's row in the view: hooks after retention read workers.employer itself.
struct WorkerRow {
  std::size_t k;
  std::size_t employer;
};
struct WorkerRows {
  template <class Fn>
  static void for_each(Week& w, int c, Fn&& fn) {
    w.market.for_council_workers(c, fn);
  }
  static WorkerRow view(const Week& w, std::size_t k) {
    const auto& ws = w.market.workers;
    const auto employer = ws.employer[k];
    return {k, ws.alive[k] && employer != engine::kNoAgent ? static_cast<std::size_t>(w.market.provider_row(employer))
                                                           : kNoRow};
  }
};

}  // namespace cm
