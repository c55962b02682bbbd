// Per-rule micro-benchmarks of the weekly step (Google Benchmark). Every iteration starts from the
// same market, warmed up for a year and copied in untimed, so a rule is always timed on the same
// realistic state (rules change the state they run on). Each rule runs for every council in
// parallel, as in the model. The scenario is Somerset unless CAREMARKET_BENCH_SCENARIO names
// another shipped one (e.g. england: about a minute of warm-up).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "agents/model.hpp"
#include "engine/parallel.hpp"

namespace {

cm::Model& warm_model() {
  static cm::Model model = [] {
    const char* name = std::getenv("CAREMARKET_BENCH_SCENARIO");
    const std::string scenario = name && *name ? name : "somerset";
    const auto loaded =
        cm::load_scenario(std::filesystem::path(CAREMARKET_SOURCE_DIR) / "configs/scenarios" / (scenario + ".toml"), {}, {});
    cm::Model m(loaded.spec, 1, 0);
    for (int s = 0; s < 52; ++s) m.step();
    return m;
  }();
  return model;
}

template <void (*Rule)(cm::Market&, int)>
void BM_Phase(benchmark::State& state) {
  engine::ThreadLimit limit(static_cast<int>(state.range(0)));
  const cm::Market& warm = warm_model().market();
  cm::Market market = warm;
  for (auto _ : state) {
    state.PauseTiming();
    market = warm;
    state.ResumeTiming();
    cm::for_each_council(market, Rule);
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

BENCHMARK(BM_Phase<cm::apply_eligibility>)->Name("eligibility")->Arg(1)->Arg(2);
BENCHMARK(BM_Phase<cm::apply_commissioning>)->Name("commissioning")->Arg(1)->Arg(2);
BENCHMARK(BM_Phase<cm::apply_matching>)->Name("matching")->Arg(1)->Arg(2);
BENCHMARK(BM_Phase<cm::apply_labour_market>)->Name("labour_market")->Arg(1)->Arg(2);
BENCHMARK(BM_Phase<cm::apply_founding>)->Name("founding")->Arg(1)->Arg(2);
BENCHMARK(BM_Phase<cm::apply_delivery>)->Name("delivery")->Arg(1)->Arg(2);
BENCHMARK(BM_Phase<cm::deliver_to_people>)->Name("deliver_to_people")->Arg(1)->Arg(2);
BENCHMARK(BM_Phase<cm::apply_retention>)->Name("retention")->Arg(1)->Arg(2);
BENCHMARK(BM_Phase<cm::apply_finance>)->Name("finance")->Arg(1)->Arg(2);
BENCHMARK(BM_Phase<cm::apply_entry_exit>)->Name("entry_exit")->Arg(1)->Arg(2);
BENCHMARK(BM_Phase<cm::apply_outcomes>)->Name("outcomes")->Arg(1)->Arg(2);
BENCHMARK(BM_Step<&cm::Model::step>)->Name("whole_step")->Arg(1)->Arg(2);
BENCHMARK(BM_Step<&cm::Model::step_reference>)->Name("whole_step_unfused")->Arg(1)->Arg(2);

BENCHMARK_MAIN();
