#pragma once
// The Model API shared by the command line and the Python bindings: build a market from a
// validated scenario, step it week by week, read its columns, metrics and events.
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "agents/market.hpp"
#include "agents/metrics.hpp"
#include "agents/rule_states.hpp"

namespace cm {

class Model {
 public:
  // `changes`: the parameters' changes during the run (LoadedScenario::changes), each applied in
  // the first phase of its week.
  Model(const ScenarioSpec& spec, std::uint64_t seed, std::uint64_t replicate,
        std::vector<ParameterChange> changes = {});

  // The scenario as loaded: its warm-up runs under the baseline (LoadedScenario::first_spec).
  Model(const LoadedScenario& scenario, std::uint64_t seed, std::uint64_t replicate)
      : Model(scenario.first_spec(), seed, replicate, scenario.changes) {}

  // The whole state after the last step, as bytes (agents/checkpoint.hpp: what is in them).
  std::vector<std::byte> save_state() const;
  // A model of `scenario` carrying on from `state`, which save_state() gave for a model of the
  // same scenario, `seed` and `replicate`. From the next step on its random streams are those of
  // `continue_replicate`: the saved replicate's carries the run on as if it had never stopped,
  // another gives an independent future from the same history. The scenario may add changes
  // after the state's week (a policy from then on); its history must be the state's. Throws
  // engine::ArchiveError when `state` is not such a state.
  static Model from_state(const LoadedScenario& scenario, std::uint64_t seed, std::uint64_t replicate,
                          std::span<const std::byte> state, std::uint64_t continue_replicate);

  // From the next step on, the random streams of `replicate`: a branch's future independent of the
  // history it shares (the streams are keyed by seed, replicate, week, agent and purpose).
  void continue_with_replicate(std::uint64_t replicate) {
    market_.rng = engine::RngRoot(market_.rng.seed(), replicate);
  }
  // The replicate whose streams step the model now, and the one it was built with (its geography
  // and lots: from_state needs it), which differ in a branch.
  std::uint64_t replicate() const noexcept { return market_.rng.replicate(); }
  std::uint64_t built_replicate() const noexcept { return built_replicate_; }

  // Runs one week: the phases of MODEL.md §3 in order (model.cpp lists them), then the metrics.
  // The weeks of run.warmup_weeks come first (warming_up()); when the last ends, its events are
  // dropped and the policies from the start come into force: the next week is reported week 1.
  void step();
  bool warming_up() const noexcept { return market_.week < market_.warmup_weeks; }
  // Runs the warm-up weeks still to run; `keep_going(weeks done, weeks in all)` is asked before
  // each and may stop it (false). Returns whether the warm-up is over.
  bool warm_up(const std::function<bool(std::int32_t, std::int32_t)>& keep_going = {});
  // The same week run one phase at a time as the list reads, every council before the next
  // phase, with no phases fused, and without what matching keeps from week to week (its book of
  // placements, its lists of the providers serving each locality): slower, and equal to step() bit
  // for bit (tests/cpp/test_week.cpp).
  void step_reference();
  // The phases of the week in order: (name, kind), kind one of "step", "group", "rows".
  static std::vector<std::pair<std::string_view, std::string_view>> phases();
  // The step reached (the reported week): 0 when the warm-up ends (negative in it), then 1, 2, ...
  std::int32_t current_step() const noexcept { return market_.reported_week(); }
  std::int32_t warmup_weeks() const noexcept { return market_.warmup_weeks; }
  int councils() const noexcept { return market_.councils(); }
  const Market& market() const noexcept { return market_; }
  // Drops the rows of dead agents the market keeps between regroups (Market::end_week), so
  // market() shows live agents only, grouped by council. Changes no result.
  void settle() { market_.settle(); }
  const ScenarioSpec& spec() const noexcept { return market_.spec; }
  // The last week's metrics: values[metric * councils() + council].
  const std::vector<double>& metrics() const noexcept { return rules_.metric_values; }
  // Each rule's own state (tests and diagnostics read it; the phases write it).
  const RuleStates& rules() const noexcept { return rules_; }
  double metric_total(Metric metric) const;
  // The changes of parameters applied so far (step 0's included), for the output.
  const std::vector<ChangeRecord>& changes_applied() const noexcept { return rules_.changes.applied; }
  // Replaces the changes still to come with those of a new config (Simulation.set), from the next
  // step on.
  void replace_changes(std::vector<ParameterChange> changes) {
    rules_.changes.replace(std::move(changes), market_.reported_week() + 1);
  }

 private:
  void end_warmup();

  Market market_;
  RuleStates rules_;  // each rule's own state
  std::uint64_t built_replicate_;
};

}  // namespace cm
