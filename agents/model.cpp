// The week, as a list of phases in the order of MODEL.md §3 (engine/schedule.hpp runs it: the
// per-row hooks from delivery to metrics are fused into one pass over a council's people and one
// over its workers; step_reference() runs the same list one phase at a time).
#include "agents/model.hpp"

#include <algorithm>
#include <string>

#include "agents/chain_groups.hpp"
#include "agents/changes.hpp"
#include "agents/checkpoint.hpp"
#include "agents/cooperatives.hpp"
#include "agents/delivery.hpp"
#include "agents/discharge.hpp"
#include "agents/finance.hpp"
#include "agents/founding.hpp"
#include "agents/insourcing.hpp"
#include "agents/labour_market.hpp"
#include "agents/matching.hpp"
#include "agents/means_test.hpp"
#include "agents/opening.hpp"
#include "agents/outcomes.hpp"
#include "agents/price_setting.hpp"
#include "agents/provider_entry_exit.hpp"
#include "agents/retention.hpp"
#include "agents/rule_states.hpp"
#include "agents/tendering.hpp"
#include "agents/wage_setting.hpp"
#include "agents/week.hpp"
#include "engine/archive.hpp"
#include "engine/schedule.hpp"

namespace cm {
namespace {

using engine::group;
using engine::rows;
using engine::step;

// Agents a rule creates wait in Market::pending until a "join" phase adds them, in council order;
// then the need rule files the newcomers and every rule's working space grows with the market.
void join(Week& w) {
  w.market.flush_pending();
  RuleStates::join(w);
}

constexpr engine::Schedule kWeek{
    step("begin the week", [](Week& w) { w.market.begin_week(); }),
    step("parameters: the week's change", apply_due_change),  // a schedule, a dated policy, a shock
    step("chain groups: failures", [](Week& w) { fail_groups_at_random(w.market, w.changes); }),
    group("need",
          [](Week& w, int c) {
            w.need.review_due(w.market, c, w.matching.book);             // matching reviews their placements
            reassess_means(w.market, w.means_test, w.matching.book, c);  // capital spent down, limits moved
            end_reablement(w.market, w.discharge, w.matching.book, c);
            add_need_arrivals(w.market, c);
            add_discharge_referrals(w.market, c);
          }),
    step("join: new people", join),  // they are assessed and matched this week
    group("eligibility",
          [](Week& w, int c) {
            assess_new_people(w.market, c);  // the others at their need review
            admit_referrals(w.market, w.discharge, c);
          }),
    group("prices", [](Week& w, int c) { apply_price_setting(w.market, c); }),  // each April
    group("commissioning",
          [](Week& w, int c) {
            apply_commissioning(w.market, w.commissioning, w.groups, c);
            apply_insourcing(w.market, c);  // its own service's size: it recruits in the labour market
          }),
    group("matching", [](Week& w, int c) { apply_matching(w.market, w.matching, c); }),
    group("discharge", [](Week& w, int c) { count_discharges(w.market, w.discharge, c); }),  // who left hospital
    group("labour market", [](Week& w, int c) { apply_labour_market(w.market, c); }),
    step("labour market: across councils", [](Week& w) { apply_commuting(w.market); }),  // in council order
    group("founding",
          [](Week& w, int c) {
            apply_founding(w.market, w.matching.demand[static_cast<std::size_t>(c)], c);
            apply_cooperative_founding(w.market, c);
          }),
    step("join: new providers and staff", join),  // they deliver this week
    step("metrics: begin", [](Week& w) { w.metrics.begin_week(w.market, w.values); }),
    rows("delivery", DeliverToPeople{}),
    rows("delivery", PayWorkers{}),
    rows("workers", RetainWorkers{}),
    rows("finance", PayForCare{}),
    rows("finance", AddToWageBill{}),
    rows("entry and exit", CountCareGap{}),
    rows("outcomes", UpdateWellbeing{}),
    rows("outcomes", NoteDissatisfied{}),  // matching's: they may switch provider next week
    rows("metrics", CountPeople{}),
    rows("metrics", CountWorkers{}),
    step("chain groups: the books", [](Week& w) { keep_group_books(w.market, w.groups); }),  // one firm
    group("wages", [](Week& w, int c) { apply_wage_setting(w.market, c); }),                 // reach staff next week
    step("join: entrants", join),  // after the metrics: they have no clients or staff this week
    step("events: merge", [](Week& w) { w.market.merge_event_logs(); }),  // in council order
    step("end the week", [](Week& w) { w.market.end_week(); }),
};

}  // namespace

Model::Model(const ScenarioSpec& spec, std::uint64_t seed, std::uint64_t replicate,
             std::vector<ParameterChange> changes)
    : market_(open_market(spec, seed, replicate)), rules_(market_.councils()), built_replicate_(replicate) {
  rules_.changes.start(std::move(changes));
  RuleStates::join(rules_.week(market_));              // the starting people are filed for their need reviews
  note_means_test_limits(market_, rules_.means_test);  // the opening assessed everyone under these limits
  rules_.metrics.compute(market_, rules_.metric_values);
}

std::vector<std::byte> Model::save_state() const { return save_model_state(market_, rules_); }

Model Model::from_state(const LoadedScenario& scenario, std::uint64_t seed, std::uint64_t replicate,
                        std::span<const std::byte> state, std::uint64_t continue_replicate) {
  // Built as the saved model was (its geography and lots come from the seed and replicate), then
  // overwritten with the saved state.
  Model model(scenario, seed, replicate);
  load_model_state(state, model.market_, model.rules_);
  // The scenario's history must be the state's: as many of its changes due by the state's week.
  const auto& changes = model.rules_.changes.changes;
  const std::int32_t week = model.market_.reported_week();
  const auto due =
      static_cast<std::size_t>(std::count_if(changes.begin(), changes.end(), [&](const ParameterChange& c) {
        return week >= 0 ? c.step <= week : c.step <= 0 && !c.after_warmup;
      }));
  if (due != model.rules_.changes.next)
    throw engine::ArchiveError("the scenario's changes up to week " + std::to_string(week) +
                               " are not those of the saved state (" + std::to_string(due) + " due, " +
                               std::to_string(model.rules_.changes.next) + " in the state)");
  model.market_.spec = spec_in_force(scenario, model.rules_.changes);
  model.continue_with_replicate(continue_replicate);
  return model;
}

void Model::step() {
  Week week = rules_.week(market_);
  kWeek.run(week, market_.councils());
  if (market_.week == market_.warmup_weeks && market_.warmup_weeks > 0) end_warmup();
}

void Model::step_reference() {
  rules_.matching.review_every_placement = true;  // as MODEL.md §3.4 reads: every placement, every week
  rules_.matching.forget_serving_lists();         // the providers serving each locality listed afresh
  Week week = rules_.week(market_);
  kWeek.run_reference(week, market_.councils());
  rules_.matching.review_every_placement = false;
  if (market_.week == market_.warmup_weeks && market_.warmup_weeks > 0) end_warmup();
}

bool Model::warm_up(const std::function<bool(std::int32_t, std::int32_t)>& keep_going) {
  while (warming_up()) {
    if (keep_going && !keep_going(market_.week, market_.warmup_weeks)) return false;
    step();
  }
  return true;
}

// The warm-up is not reported: its events go; its rolling measures (turnover over 52 weeks) stay,
// which is what it is for.
void Model::end_warmup() {
  market_.tenders = {};
  market_.bids = {};
  market_.provider_events = {};
  cm::end_warmup(market_, rules_.need, rules_.changes);
}

std::vector<std::pair<std::string_view, std::string_view>> Model::phases() { return kWeek.describe(); }

double Model::metric_total(Metric metric) const {
  double total = 0;
  const auto nc = static_cast<std::size_t>(councils());
  for (std::size_t c = 0; c < nc; ++c) total += rules_.metric_values[metric * nc + c];
  return total;
}

}  // namespace cm
