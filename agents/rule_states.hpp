#pragma once
// The state of every rule, one member per rule, each declared in its rule's header. The Model owns
// one; tests, benchmarks and bindings that run phases on a market of their own make their own (and
// call join() once their market is built).
#include <cstddef>
#include <vector>

#include "agents/chain_groups.hpp"
#include "agents/changes.hpp"
#include "agents/delivery.hpp"
#include "agents/discharge.hpp"
#include "agents/finance.hpp"
#include "agents/market.hpp"
#include "agents/matching.hpp"
#include "agents/means_test.hpp"
#include "agents/metrics.hpp"
#include "agents/need.hpp"
#include "agents/outcomes.hpp"
#include "agents/retention.hpp"
#include "agents/tendering.hpp"
#include "agents/week.hpp"

namespace cm {

struct RuleStates {
  explicit RuleStates(int councils)
      : need(councils), discharge(councils), means_test(councils), matching(councils), metrics(councils) {}
  ChangesState changes;
  NeedCalendar need;
  DischargeState discharge;
  MeansTestState means_test;
  CommissioningState commissioning;
  MatchingState matching;
  DeliveryState delivery;
  RetentionState retention;
  FinanceState finance;
  OutcomesState outcomes;
  MetricsState metrics;
  ChainGroupsState groups;
  std::vector<double> metric_values;  // the last week's metrics, values[metric * councils + council]

  Week week(Market& m) {
    return {m,        changes,   need,    discharge, means_test, commissioning, matching,
            delivery, retention, finance, outcomes,  metrics,    groups,        metric_values};
  }

  // After agents join the market: newcomers are filed for their need reviews, and the rules'
  // working space grows with the provider table.
  static void join(Week w) {
    w.need.file_newcomers(w.market);
    fit(w);
  }
  // The rules' working space (one slot per provider row) sized to the provider table.
  static void fit(Week w) {
    const std::size_t providers = w.market.providers.id.size();
    w.commissioning.fit(providers);
    w.matching.fit(w.market);
    w.delivery.fit(providers, static_cast<std::size_t>(w.market.councils()));
    w.retention.fit(providers);
    w.finance.fit(providers);
    w.outcomes.fit(providers);
  }
};

}  // namespace cm
