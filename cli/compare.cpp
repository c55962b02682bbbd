// `caremarket compare`: is a policy better, and how sure are we? Paired replicates of the policy
// and the baseline with common random numbers (sweeps/compare.hpp), printed as a table and written
// to PREFIX.csv and PREFIX.h5.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "agents/parameters.hpp"
#include "cli/command.hpp"
#include "cli/config_args.hpp"
#include "cli/exit_codes.hpp"
#include "engine/cancel.hpp"
#include "engine/config.hpp"
#include "sweeps/compare.hpp"
#include "sweeps/runner.hpp"
#include "sweeps/sweep.hpp"

namespace fs = std::filesystem;

namespace cm::cli {
namespace {

struct CompareOptions {
  std::string scenario, policy, baseline, output, from, from_state, parameter_sets;
  std::int64_t max_sets = 0;
  std::vector<std::string> sets;
  std::int64_t replicates = 10, steps = 0;
  std::optional<std::int64_t> seed;
  int workers = 0;
  bool quiet = false;
};

void print_table(const sweeps::Comparison& result, const CompareOptions& o) {
  std::printf("\n%s vs %s: %lld paired replicates (common random numbers), means over each run's last year\n",
              o.policy.c_str(), o.baseline.empty() ? "the scenario as it is" : o.baseline.c_str(),
              static_cast<long long>(result.replicates));
  if (!o.from_state.empty()) {
    const auto state = sweeps::shared_checkpoint(o.from_state);
    std::printf(
        "every run starts from the state at week %lld (%s) of %s: one history, then each replicate's own "
        "future; the policy from week %lld\n",
        static_cast<long long>(state->week),
        engine::iso_date(
            engine::date_of_step(load_scenario_text(state->config_toml, "").spec.run.start_date, state->week))
            .c_str(),
        o.from_state.c_str(), static_cast<long long>(state->week + 1));
  }
  const bool sets = result.parameter_sets > 0;
  if (sets)
    std::printf(
        "over %lld parameter sets from %s (%lld pairs each, their own seeds): each interval covers where the effect "
        "may lie not knowing which set is the world, and chance; 'params' is the parameters' share of its variance\n",
        static_cast<long long>(result.parameter_sets), o.parameter_sets.c_str(),
        static_cast<long long>(result.replicates));
  std::printf("%-28s %14s %14s %14s   %s\n", "outcome", "baseline", "policy", "difference",
              sets ? "95% interval of the difference (params)" : "95% CI of the difference");
  for (const auto& c : result.outcomes) {
    if (c.name == "cost_per_ascot_point") {
      // A ratio of differences, not a difference of arms: one number and its interval, or why none.
      if (std::isnan(c.difference))
        std::printf("%-28s %14s %14s %14s   no clear gain in ASCOT points: no cost per point\n", c.name.c_str(), "-",
                    "-", "-");
      else
        std::printf("%-28s %14s %14s %14.4g   [%.4g, %.4g]  GBP a year per ASCOT point gained\n", c.name.c_str(), "-",
                    "-", c.difference, c.ci_low, c.ci_high);
      continue;
    }
    const bool sure = c.ci_low > 0 || c.ci_high < 0;
    char share[32] = "";
    if (sets && std::isfinite(c.share_parameters))
      std::snprintf(share, sizeof share, " (%.0f%%)", 100 * c.share_parameters);
    std::printf("%-28s %14.4g %14.4g %+14.4g   [%+.4g, %+.4g]%s%s\n", c.name.c_str(), c.baseline, c.policy,
                c.difference, c.ci_low, c.ci_high, share, sure ? "  *" : "");
  }
  std::printf(sets ? "* the interval excludes zero: the difference holds across the parameter sets and chance\n"
                   : "* the interval excludes zero: the difference is unlikely to be chance alone (the parameters "
                     "held fixed; --parameter-sets adds their uncertainty)\n");
  if (result.places.empty()) return;
  // By council (or region): a few headline differences with their intervals; every one is in the CSV.
  const char* shown[] = {"people_waiting", "hours_unmet_all", "mean_effective_pay", "council_spend", "extraction"};
  std::printf("\nDifferences by %s (policy - baseline, 95%% CI; all outcomes in %s.by_%s.csv)\n",
              result.places_are_regions ? "region" : "council", o.output.empty() ? "PREFIX" : o.output.c_str(),
              result.places_are_regions ? "region" : "council");
  std::printf("%-24s", "");
  for (const char* name : shown) std::printf(" %30s", name);
  std::printf("\n");
  for (std::size_t k = 0; k < result.places.size(); ++k) {
    std::printf("%-24.24s", result.places[k].c_str());
    for (const char* name : shown)
      for (const auto& c : result.place_outcomes[k])
        if (c.name == name) {
          char cell[64];
          std::snprintf(cell, sizeof cell, "%+.3g [%+.3g, %+.3g]%s", c.difference, c.ci_low, c.ci_high,
                        c.ci_low > 0 || c.ci_high < 0 ? "*" : " ");
          std::printf(" %30s", cell);
        }
    std::printf("\n");
  }
}

int compare(const CompareOptions& o) {
  sweeps::ComparisonRequest request;
  if (!o.from_state.empty()) {
    // The state's config and seed are the history every run shares: nothing may change them.
    const std::string state = "--from-state " + o.from_state;
    if (!o.scenario.empty())
      throw engine::config::ConfigError(
          {{"scenario", o.scenario, "cannot be given with " + state + ": the state's is used"}});
    if (!o.sets.empty())
      throw engine::config::ConfigError(
          {{"--set", o.sets.front(),
            "cannot be given with " + state + ": put changes in a policy, which applies from the state's next week"}});
    if (o.seed)
      throw engine::config::ConfigError({{"--seed", std::to_string(*o.seed),
                                          "cannot be given with " + state + ": the runs go on from the state's seed"}});
    if (!o.parameter_sets.empty())
      throw engine::config::ConfigError(
          {{"--parameter-sets", o.parameter_sets,
            "cannot be given with " + state + ": the state's parameters are its history's"}});
    sweeps::shared_checkpoint(o.from_state);  // a checkpoint that cannot be used is refused before anything runs
    request.from_state = o.from_state;
  }
  // A scenario file, or a shipped scenario's name.
  request.scenario = resolve_scenario_argument(o.scenario);
  request.policy = o.policy;
  if (!o.from.empty()) {
    request.policy_from = engine::parse_iso_date(o.from);
    if (!request.policy_from) throw engine::config::ConfigError({{"--from", o.from, "is not a date YYYY-MM-DD"}});
  }
  request.baseline_policy = o.baseline;
  request.overrides = o.sets;
  request.replicates = o.replicates;
  request.steps = o.steps;
  request.root_seed = o.seed.value_or(1);
  request.workers = o.workers;
  request.quiet = o.quiet;
  request.parameter_sets = o.parameter_sets;
  request.max_sets = o.max_sets;
  const fs::path prefix =
      o.output.empty() ? fs::path("results") / ("compare-" + fs::path(o.policy).stem().string()) : fs::path(o.output);
  request.dir = prefix.string() + "-runs";
  request.prefix = prefix;
  // Check both arms' configs before running anything.
  for (const bool policy_arm : {false, true}) {
    const std::string& pol = policy_arm ? o.policy : o.baseline;
    sweeps::RunPlan plan;
    if (!pol.empty())
      plan.policies.push_back({resolve_shipped("policy", pol), policy_arm ? request.policy_from : std::nullopt});
    plan.assignments = request.overrides;
    sweeps::Design design;
    design.scenario = request.scenario;
    design.from_state = request.from_state;
    sweeps::run_scenario(design, plan);
  }
  if (o.max_sets > 0 && o.parameter_sets.empty())
    throw engine::config::ConfigError({{"--sets", std::to_string(o.max_sets), "needs --parameter-sets FILE.csv"}});
  if (!o.parameter_sets.empty()) {  // and every set's, each alone on the scenario
    const auto table = sweeps::read_parameter_sets(o.parameter_sets, o.max_sets);
    for (std::size_t s = 0; s < table.rows.size(); ++s) {
      std::vector<std::string> assignments = request.overrides;
      for (std::size_t j = 0; j < table.columns.size(); ++j) {
        char value[64];
        std::snprintf(value, sizeof value, "%.17g", table.rows[s][j]);
        assignments.push_back(table.columns[j] + "=" + value);
      }
      try {
        load_scenario(request.scenario, {}, assignments);
      } catch (const engine::config::ConfigError& e) {
        auto problems = e.problems();
        for (auto& p : problems)
          if (p.origin.rfind("--set", 0) == 0)
            p.origin = o.parameter_sets + ": set " + std::to_string(s) + " (data row " + std::to_string(s + 1) + ")";
        throw engine::config::ConfigError(std::move(problems));
      }
    }
  }
  engine::SignalGuard signals;
  auto& cancel = engine::process_cancel_flag();
  const auto result = sweeps::compare(request, cancel);
  if (result.cancelled) {
    std::fprintf(stderr, "caremarket: comparison interrupted; run the same command again to finish it\n");
    return interrupted_exit(cancel.signal());
  }
  if (result.replicates < 2)
    throw std::runtime_error(o.parameter_sets.empty()
                                 ? "fewer than two replicate pairs finished; see " + request.dir.string()
                                 : "fewer than two parameter sets have two finished replicate pairs; see " +
                                       request.dir.string());
  print_table(result, o);
  sweeps::write_comparison_csv(result, prefix.string() + ".csv");
  sweeps::write_places_csv(result, prefix);
  sweeps::write_comparison_h5(result, request, prefix.string() + ".h5");
  std::printf("wrote %s.csv%s and %s.h5 (runs in %s)\n", prefix.c_str(),
              result.places.empty() ? "" : (result.places_are_regions ? ", .by_region.csv" : ", .by_council.csv"),
              prefix.c_str(), request.dir.c_str());
  return 0;
}

}  // namespace

Command add_compare(CLI::App& app) {
  auto o = std::make_shared<CompareOptions>();
  auto* compare_app = app.add_subcommand(
      "compare", "Is a policy better, and how sure are we? Paired replicates with common random numbers");
  compare_app->add_option("scenario", o->scenario, "Scenario TOML file (default: configs/scenarios/somerset.toml)");
  compare_app->add_option("-p,--policy", o->policy, "The policy to assess (file or shipped name)")->required();
  compare_app->add_option("--from", o->from,
                          "Date YYYY-MM-DD from which the policy applies; before it both arms are the baseline "
                          "(default: from the start)");
  compare_app->add_option("-b,--baseline-policy", o->baseline,
                          "The policy to compare with (default: the scenario as it is)");
  compare_app->add_option("-s,--set", o->sets, "Override a parameter in both arms (repeatable)")
      ->expected(1)
      ->take_all()
      ->allow_extra_args(false);
  compare_app->add_option("-n,--replicates", o->replicates, "Paired replicates")->check(CLI::Range(2, 100000));
  compare_app->add_option("--steps", o->steps, "Weeks per run (default: the scenario's run.steps)")
      ->check(CLI::Range(1, 100000));
  compare_app->add_option("--seed", o->seed, "Root seed of the replicates")
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{9'000'000'000'000'000}));
  compare_app
      ->add_option("-o,--output", o->output,
                   "Output prefix: writes PREFIX.csv, PREFIX.h5 and the runs in PREFIX-runs/ "
                   "(default: results/compare-<policy>)")
      ->check(CLI::Validator(sweeps::non_empty_path, "PREFIX"));
  compare_app->add_option("--from-state", o->from_state,
                          "Start every arm and replicate from this checkpoint (its config, seed and week): one "
                          "history, then the policy from the next week and each replicate's own future; --steps "
                          "counts weeks after it");
  compare_app->add_option("--parameter-sets", o->parameter_sets,
                          "CSV of parameter sets, one column per parameter (e.g. a calibration's nroy.csv): every "
                          "replicate pair runs under each set, and the intervals cover the parameters' uncertainty "
                          "as well as chance");
  compare_app->add_option("--sets", o->max_sets, "Use the first N parameter sets only (with --parameter-sets)")
      ->check(CLI::Range(std::int64_t{2}, std::int64_t{1000000}));
  compare_app->add_option("--workers", o->workers, "Runs at once (default: one per core)")->check(CLI::Range(0, 4096));
  compare_app->add_flag("-q,--quiet", o->quiet, "No line per finished run");
  return {compare_app, [o] { return compare(*o); }};
}

}  // namespace cm::cli
