// Per-rule micro-benchmarks of the weekly step (Google Benchmark). Every iteration starts from the
// same market, warmed up for a year and copied in untimed, so a rule is always timed on the same
// realistic state (rules change the state they run on). Each rule runs for every council in
// parallel, as in the model. The scenario is Somerset unless CAREMARKET_BENCH_SCENARIO names
// another shipped one (e.g. england: about a minute of warm-up).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "agents/delivery.hpp"
#include "agents/finance.hpp"
#include "agents/founding.hpp"
#include "agents/labour_market.hpp"
#include "agents/matching.hpp"
#include "agents/model.hpp"
#include "agents/outcomes.hpp"
#include "agents/provider_entry_exit.hpp"
#include "agents/retention.hpp"
#include "agents/tendering.hpp"
#include "engine/parallel.hpp"

namespace {

cm::Model& warm_model() {
  static cm::Model model = [] {
    const char* name = std::getenv("CAREMARKET_BENCH_SCENARIO");
    const std::string scenario = name && *name ? name : "somerset";
    const auto loaded = cm::load_scenario(
        std::filesystem::path(CAREMARKET_SOURCE_DIR) / "configs/scenarios" / (scenario + ".toml"), {}, {});
    cm::Model m(loaded.spec, 1, 0);
    for (int s = 0; s < 52; ++s) m.step();
    return m;
  }();
  return model;
}

// One rule for every council of a copy of the warm market: rule(market, rules, c), with the rules'
// working space fitted to the market (what a rule reads of another's output is as a fresh state
// holds it: zeros).
template <class Rule>
void BM_Phase(benchmark::State& state, Rule rule) {
  engine::ThreadLimit limit(static_cast<int>(state.range(0)));
  const cm::Market& warm = warm_model().market();
  cm::Market market = warm;
  cm::RuleStates rules(market.councils());
  cm::RuleStates::fit(rules.week(market));
  for (auto _ : state) {
    state.PauseTiming();
    market = warm;
    rules.matching.forget_kept();  // it kept last iteration's market: matching reviews and lists afresh
    state.ResumeTiming();
    cm::each_council(market, [&](int c) { rule(market, rules, c); });
    benchmark::ClobberMemory();
  }
  state.counters["agents"] = static_cast<double>(warm.people.id.size() + warm.workers.id.size());
}

// The whole week, fused (Model::step) or one phase at a time as the list reads (step_reference).
template <void (cm::Model::*Step)()>
void BM_Step(benchmark::State& state) {
  engine::ThreadLimit limit(static_cast<int>(state.range(0)));
  const cm::Model& warm = warm_model();
  cm::Model model = warm;
  for (auto _ : state) {
    state.PauseTiming();
    model = warm;
    state.ResumeTiming();
    (model.*Step)();
  }
  const auto agents = static_cast<double>(warm.market().people.id.size() + warm.market().workers.id.size());
  state.counters["agent_steps_per_s"] = benchmark::Counter(agents, benchmark::Counter::kIsIterationInvariantRate);
}

}  // namespace

using M = cm::Market;
using R = cm::RuleStates;
BENCHMARK_CAPTURE(BM_Phase, eligibility, [](M& m, R&, int c) { cm::apply_eligibility(m, c); })->Arg(1)->Arg(2);
BENCHMARK_CAPTURE(BM_Phase, commissioning,
                  [](M& m, R& r, int c) { cm::apply_commissioning(m, r.commissioning, r.groups, c); })
    ->Arg(1)
    ->Arg(2);
BENCHMARK_CAPTURE(BM_Phase, matching, [](M& m, R& r, int c) { cm::apply_matching(m, r.matching, c); })->Arg(1)->Arg(2);
BENCHMARK_CAPTURE(BM_Phase, labour_market, [](M& m, R&, int c) { cm::apply_labour_market(m, c); })->Arg(1)->Arg(2);
BENCHMARK_CAPTURE(BM_Phase, founding,
                  [](M& m, R& r, int c) { cm::apply_founding(m, r.matching.demand[static_cast<std::size_t>(c)], c); })
    ->Arg(1)
    ->Arg(2);
BENCHMARK_CAPTURE(BM_Phase, delivery, [](M& m, R&, int c) { cm::apply_delivery(m, c); })->Arg(1)->Arg(2);
BENCHMARK_CAPTURE(BM_Phase, deliver_to_people, [](M& m, R& r, int c) { cm::deliver_to_people(m, r.delivery, c); })
    ->Arg(1)
    ->Arg(2);
BENCHMARK_CAPTURE(BM_Phase, retention, [](M& m, R& r, int c) { cm::apply_retention(m, r.delivery, r.retention, c); })
    ->Arg(1)
    ->Arg(2);
BENCHMARK_CAPTURE(BM_Phase, finance, [](M& m, R& r, int c) { cm::apply_finance(m, r.finance, c); })->Arg(1)->Arg(2);
BENCHMARK_CAPTURE(BM_Phase, entry_exit,
                  [](M& m, R& r, int c) {
                    cm::apply_entry_exit(m, {}, r.matching.demand[static_cast<std::size_t>(c)], c);
                  })
    ->Arg(1)
    ->Arg(2);
BENCHMARK_CAPTURE(BM_Phase, outcomes, [](M& m, R& r, int c) { cm::apply_outcomes(m, r.outcomes, c); })->Arg(1)->Arg(2);
BENCHMARK(BM_Step<&cm::Model::step>)->Name("whole_step")->Arg(1)->Arg(2);
BENCHMARK(BM_Step<&cm::Model::step_reference>)->Name("whole_step_unfused")->Arg(1)->Arg(2);

BENCHMARK_MAIN();
