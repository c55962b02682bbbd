// The `caremarket` command: parses arguments and calls the Model API (agents/run.hpp).
// Exit codes: 0 success, 1 runtime failure, 2 bad input (arguments or config), 128 + signal when
// interrupted (130 for Ctrl-C, 143 for SIGTERM).
#include <CLI/CLI.hpp>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "agents/parameters.hpp"
#include "agents/run.hpp"
#include "engine/cancel.hpp"
#include "engine/config.hpp"
#include "engine/files.hpp"
#include "engine/progress.hpp"
#include "sweeps/compare.hpp"
#include "sweeps/runner.hpp"
#include "sweeps/sweep.hpp"

namespace fs = std::filesystem;

namespace {

constexpr int kExitRuntime = 1;
constexpr int kExitBadInput = 2;
constexpr int kExitInterruptedBase = 128;  // + the signal: 130 for SIGINT, 143 for SIGTERM

using cm::sweeps::config_dir;  // where shipped configs live

// The shipped configs of a kind ("scenario" or "policy"), by name.
std::vector<std::string> shipped_names(const std::string& kind) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(config_dir() / (kind == "scenario" ? "scenarios" : "policies"), ec))
    if (entry.path().extension() == ".toml") names.push_back(entry.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

// A shipped name or a path; an unknown name is bad input that lists the shipped names.
fs::path resolve_shipped(const std::string& kind, const std::string& name) {
  const fs::path path = kind == "scenario" ? cm::sweeps::resolve_scenario(name, fs::current_path())
                                           : cm::sweeps::resolve_policy(name, fs::current_path());
  std::error_code ec;
  if (fs::exists(path, ec) || name.find('/') != std::string::npos || fs::path(name).extension() == ".toml") return path;
  const auto names = shipped_names(kind);
  std::string message = "is not a shipped " + kind + " nor a file; shipped: ";
  for (std::size_t i = 0; i < names.size(); ++i) message += (i ? ", " : "") + names[i];
  if (auto near = engine::config::closest(name, names)) message += " (did you mean " + *near + "?)";
  throw engine::config::ConfigError({{kind == "scenario" ? "scenario" : "--policy", "\"" + name + "\"", message}});
}

struct ConfigArgs {
  std::string scenario;
  std::vector<std::string> policies;
  std::vector<std::string> sets;
  void add_to(CLI::App* app, bool scenario_required) {
    auto* opt = app->add_option("scenario", scenario,
                                scenario_required ? "Scenario: a shipped name (somerset, west_midlands, england) or a TOML file"
                                                  : "Scenario: a shipped name (somerset, west_midlands, england) or a TOML file (default: somerset)");
    if (scenario_required) opt->required();
    // One value per occurrence, so that `-p policy.toml scenario.toml` keeps the scenario positional.
    app->add_option("-p,--policy", policies, "Policy overlay: a shipped name (e.g. living_wage_floor) or a TOML file, applied in order (repeatable)")
        ->expected(1)
        ->take_all()
        ->allow_extra_args(false);
    app->add_option("-s,--set", sets, "Override one parameter, e.g. --set commissioning.mode=collaborative (repeatable)")
        ->expected(1)
        ->take_all()
        ->allow_extra_args(false);
  }
  // A shipped name ("england", "living_wage_floor") or a path, as `compare` and sweep files take them.
  cm::LoadedScenario load() const {
    const fs::path path = resolve_shipped("scenario", scenario.empty() ? "somerset" : scenario);
    std::vector<fs::path> overlays;
    for (const auto& p : policies) overlays.push_back(resolve_shipped("policy", p));
    auto loaded = cm::load_scenario(path, overlays, sets);
    for (const auto& w : loaded.warnings) std::fprintf(stderr, "caremarket: warning: %s\n", w.c_str());
    return loaded;
  }
};

std::string format_value(double v, const std::string& units) {
  char buf[64];
  if (units == "" || units == "0..1")
    std::snprintf(buf, sizeof buf, "%.3f", v);
  else if (units == "/year")
    std::snprintf(buf, sizeof buf, "%.1f%%", v * 100);
  else if (units == "GBP/h")
    std::snprintf(buf, sizeof buf, "£%.2f", v);
  else if (units == "GBP/week")
    std::snprintf(buf, sizeof buf, "£%.0f", v);
  else
    std::snprintf(buf, sizeof buf, "%.0f", v);
  return buf;
}

void print_summary(const cm::RunOutcome& outcome, const cm::RunRequest& request) {
  std::printf("\n%s — %lld weeks, seed %llu, replicate %llu\n", request.scenario.spec.region.name.c_str(),
              static_cast<long long>(outcome.steps_done), static_cast<unsigned long long>(outcome.seed),
              static_cast<unsigned long long>(request.replicate));
  std::printf("%-32s %14s %14s %14s\n", "", "week 0", "final week", "units");
  for (const auto& row : outcome.summary) {
    // Flows (spend, turnover, prices) start with the first week: at week 0 there is none yet.
    const std::string start = row.flow ? "-" : format_value(row.start, row.units);
    std::printf("%-32s %14s %14s %14s\n", row.label.c_str(), start.c_str(),
                format_value(row.end, row.units).c_str(), row.units.c_str());
  }
}

// The report is written by the Python package (matplotlib figures): run it with Debian's python3,
// with the package of this build (or the installed one) importable.
int run_report(const std::vector<std::string>& args) {
  std::string path;
  if (const char* env = std::getenv("CAREMARKET_PYTHONPATH"); env && *env) path = env;
  for (const auto& dir : {fs::path(CAREMARKET_BUILD_PYTHON_DIR), fs::path(CAREMARKET_INSTALLED_PYTHON_DIR)})
    if (path.empty() && fs::exists(dir / "caremarket" / "report.py")) path = dir.string();
  if (const char* old = std::getenv("PYTHONPATH"); old && *old) path += (path.empty() ? "" : ":") + std::string(old);
  if (!path.empty()) setenv("PYTHONPATH", path.c_str(), 1);
  std::vector<std::string> argv_strings{"/usr/bin/python3", "-m", "caremarket.report"};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv_ptrs;
  for (auto& a : argv_strings) argv_ptrs.push_back(a.data());
  argv_ptrs.push_back(nullptr);
  std::fflush(nullptr);
  execv("/usr/bin/python3", argv_ptrs.data());
  std::fprintf(stderr, "caremarket: cannot start /usr/bin/python3 for the report: %s\n", std::strerror(errno));
  return kExitRuntime;
}

std::string slurm_script(const fs::path& sweep_file, const fs::path& dir, const cm::sweeps::SweepSpec& spec,
                         std::size_t runs, int nodes, int tasks_per_node, const std::string& time, const std::string& partition,
                         const std::string& self) {
  std::string s = "#!/bin/bash\n";
  s += "# caremarket sweep '" + spec.name + "': " + std::to_string(runs) + " runs. Generated by `caremarket sweep --emit-slurm`.\n";
  s += "# Rank 0 hands out runs one at a time and writes index.h5; every other task runs one run at a time,\n";
  s += "# single-threaded. Resubmit the same script to finish an interrupted sweep: finished runs are skipped.\n";
  s += "#SBATCH --job-name=caremarket-" + spec.name + "\n";
  s += "#SBATCH --nodes=" + std::to_string(nodes) + "\n";
  s += "#SBATCH --ntasks-per-node=" + std::to_string(tasks_per_node) + "\n";
  s += "#SBATCH --cpus-per-task=1\n";
  s += "#SBATCH --time=" + time + "\n";
  if (!partition.empty()) s += "#SBATCH --partition=" + partition + "\n";
  s += "#SBATCH --output=" + (fs::absolute(dir) / "slurm-%j.out").string() + "\n\n";
  s += "set -euo pipefail\n";
  s += "srun " + self + " sweep " + fs::absolute(sweep_file).string() + " -o " + fs::absolute(dir).string() + " --quiet\n";
  return s;
}

int report_config_error(const engine::config::ConfigError& e) {
  std::fprintf(stderr, "caremarket: the configuration has %zu problem(s):\n", e.problems().size());
  for (const auto& p : e.problems()) std::fprintf(stderr, "  %s\n", p.describe().c_str());
  return kExitBadInput;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"caremarket — an agent-based simulation of a regional adult social-care market"};
  app.set_version_flag("-V,--version", cm::software_version() + " (commit " + cm::git_commit() + ")");
  app.require_subcommand(1);

  auto* run = app.add_subcommand("run", "Run a scenario and write its trajectory to HDF5");
  ConfigArgs run_config;
  run_config.add_to(run, false);
  std::optional<std::string> output;
  std::optional<std::uint64_t> seed;
  std::uint64_t replicate = 0;
  int threads = 0;
  std::optional<std::int64_t> steps;
  bool quiet = false;
  run->add_option("-o,--output", output, "Output HDF5 file (default: results/<scenario>[+<policy>...].h5)");
  run->add_option("--seed", seed, "Root random seed (default: run.seed of the scenario)")->check(CLI::Range(std::uint64_t{0}, std::uint64_t{9'000'000'000'000'000}));
  run->add_option("--replicate", replicate, "Replicate number: an independent stream family under the same seed")
      ->check(CLI::Range(std::uint64_t{0}, std::uint64_t{9'000'000'000'000'000}));
  run->add_option("--threads", threads, "Worker threads (default: all cores)")->check(CLI::Range(0, 4096));
  run->add_option("--steps", steps, "Weeks to simulate (default: run.steps of the scenario)")->check(CLI::Range(1, 100000));
  run->add_flag("-q,--quiet", quiet, "No progress bar and no summary");

  auto* validate = app.add_subcommand("validate", "Check a scenario with its policies and print the resolved config");
  ConfigArgs validate_config;
  validate_config.add_to(validate, true);

  auto* sweep = app.add_subcommand("sweep",
                                   "Run a sweep or replicate ensemble: on this machine's cores, or across MPI ranks under mpirun/srun");
  std::string sweep_file, sweep_dir, slurm_time = "04:00:00", slurm_partition;
  int sweep_workers = 0, slurm_nodes = 2, slurm_tasks = 32;
  bool emit_slurm = false, dry_run = false, sweep_quiet = false;
  sweep->add_option("sweep", sweep_file, "Sweep TOML file (see configs/sweeps/)")->required();
  sweep->add_option("-o,--output", sweep_dir, "Folder for runs/, journal.tsv and index.h5 (default: results/<sweep name>)")
      ->check(CLI::Validator(cm::sweeps::non_empty_path, "PATH"));
  sweep->add_option("--workers", sweep_workers, "Runs at once on this machine (default: one per core)")->check(CLI::Range(0, 4096));
  sweep->add_flag("--dry-run", dry_run, "List the runs and their seeds without running them");
  sweep->add_flag("-q,--quiet", sweep_quiet, "No line per finished run");
  sweep->add_flag("--emit-slurm", emit_slurm, "Write <output>/submit.sbatch for Slurm instead of running (docs/clusters.md)");
  sweep->add_option("--nodes", slurm_nodes, "Slurm nodes (with --emit-slurm)")->check(CLI::Range(1, 100000));
  sweep->add_option("--tasks-per-node", slurm_tasks, "Slurm tasks per node, one run each (with --emit-slurm)")->check(CLI::Range(2, 100000));
  sweep->add_option("--time", slurm_time, "Slurm time limit (with --emit-slurm)");
  sweep->add_option("--partition", slurm_partition, "Slurm partition (with --emit-slurm)");

  auto* compare = app.add_subcommand("compare",
                                     "Is a policy better, and how sure are we? Paired replicates with common random numbers");
  ConfigArgs compare_config;
  std::string compare_policy, compare_baseline, compare_output;
  std::int64_t compare_replicates = 10, compare_steps = 0, compare_seed = 1;
  int compare_workers = 0;
  bool compare_quiet = false;
  compare->add_option("scenario", compare_config.scenario, "Scenario TOML file (default: configs/scenarios/somerset.toml)");
  compare->add_option("-p,--policy", compare_policy, "The policy to assess (file or shipped name)")->required();
  compare->add_option("-b,--baseline-policy", compare_baseline, "The policy to compare with (default: the scenario as it is)");
  compare->add_option("-s,--set", compare_config.sets, "Override a parameter in both arms (repeatable)")->expected(1)->take_all()->allow_extra_args(false);
  compare->add_option("-n,--replicates", compare_replicates, "Paired replicates")->check(CLI::Range(2, 100000));
  compare->add_option("--steps", compare_steps, "Weeks per run (default: the scenario's run.steps)")->check(CLI::Range(1, 100000));
  compare->add_option("--seed", compare_seed, "Root seed of the replicates")->check(CLI::Range(std::int64_t{0}, std::int64_t{9'000'000'000'000'000}));
  compare->add_option("-o,--output", compare_output, "Output prefix: writes PREFIX.csv, PREFIX.h5 and the runs in PREFIX-runs/ "
                                                     "(default: results/compare-<policy>)")
      ->check(CLI::Validator(cm::sweeps::non_empty_path, "PREFIX"));
  compare->add_option("--workers", compare_workers, "Runs at once (default: one per core)")->check(CLI::Range(0, 4096));
  compare->add_flag("-q,--quiet", compare_quiet, "No line per finished run");

  auto* report = app.add_subcommand("report", "Write a self-contained HTML report of a run, optionally against a baseline");
  std::string report_results, report_baseline, report_output;
  report->add_option("results", report_results, "caremarket output file (.h5)")->required();
  report->add_option("--baseline", report_baseline, "A baseline run to compare with (.h5)");
  report->add_option("-o,--output", report_output, "HTML file to write")->required();

  auto* params = app.add_subcommand("params", "List every model parameter with unit, default, range and source");
  bool markdown = false;
  params->add_flag("--markdown", markdown, "As a Markdown table");

  // A first word that is no command (a typo such as `rn`) is named, with the nearest command,
  // rather than CLI11's "A subcommand is required".
  if (argc > 1 && argv[1][0] != '-') {
    std::vector<std::string> commands;
    for (const auto* sub : app.get_subcommands([](const CLI::App*) { return true; })) commands.push_back(sub->get_name());
    if (std::find(commands.begin(), commands.end(), argv[1]) == commands.end()) {
      std::string list;
      for (const auto& c : commands) list += (list.empty() ? "" : ", ") + c;
      const auto near = engine::config::closest(argv[1], commands);
      std::fprintf(stderr, "caremarket: '%s' is not a command%s; the commands are %s (caremarket --help)\n", argv[1],
                   near ? (" (did you mean '" + *near + "'?)").c_str() : "", list.c_str());
      return kExitBadInput;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : kExitBadInput;
  }

  if (*report) {
    std::vector<std::string> args{report_results, "-o", report_output};
    if (!report_baseline.empty()) args.insert(args.end(), {"--baseline", report_baseline});
    return run_report(args);
  }

  try {
    if (*sweep) {
      cm::sweeps::MpiSession mpi;
      const auto spec = cm::sweeps::load_sweep(sweep_file);
      const auto design = cm::sweeps::expand(spec);
      const fs::path dir = sweep_dir.empty() ? fs::path("results") / spec.name : fs::path(sweep_dir);
      // Every run's config is checked before any run starts, so a typo fails in a second, not an hour in.
      const auto scenario = cm::sweeps::resolve_scenario(spec.scenario, spec.file.parent_path());
      for (const auto& r : design.runs) cm::load_scenario(scenario, r.policies, r.assignments);
      if (dry_run) {
        if (mpi.rank() != 0) return 0;
        std::printf("run\tpoint\treplicate\tseed\tfile\toverrides\n");
        for (const auto& r : design.runs) {
          std::string sets;
          for (const auto& a : r.assignments) sets += (sets.empty() ? "" : " ") + a;
          for (const auto& pol : r.policies) sets += " policy:" + pol.filename().string();
          std::printf("%d\t%d\t%d\t%llu\t%s\t%s\n", r.index, r.point, r.replicate, static_cast<unsigned long long>(r.seed),
                      r.file.c_str(), sets.c_str());
        }
        return 0;
      }
      if (emit_slurm) {
        if (mpi.rank() != 0) return 0;
        cm::sweeps::check_output_folder(dir);
        fs::create_directories(dir);
        const auto script = dir / "submit.sbatch";
        std::ofstream(script) << slurm_script(sweep_file, dir, spec, design.runs.size(), slurm_nodes, slurm_tasks, slurm_time,
                                              slurm_partition, fs::canonical("/proc/self/exe").string());
        std::printf("wrote %s: %zu runs over %d node(s) x %d task(s); submit with: sbatch %s\n", script.c_str(),
                    design.runs.size(), slurm_nodes, slurm_tasks, script.c_str());
        return 0;
      }
      engine::SignalGuard signals;
      auto& cancel = engine::process_cancel_flag();
      const auto summary = cm::sweeps::run_sweep(spec, design, {dir, sweep_workers, sweep_quiet}, cancel);
      if (!summary.coordinator) return 0;
      std::printf("sweep %s: %lld runs: %lld done (%lld already done before), %lld failed, %lld not run; index: %s\n",
                  spec.name.c_str(), static_cast<long long>(summary.total), static_cast<long long>(summary.done),
                  static_cast<long long>(summary.skipped), static_cast<long long>(summary.failed),
                  static_cast<long long>(summary.total - summary.done - summary.failed), (dir / "index.h5").c_str());
      if (summary.cancelled) return kExitInterruptedBase + (summary.signal > 0 ? summary.signal : 2);
      return summary.failed > 0 ? kExitRuntime : 0;
    }
    if (*compare) {
      cm::sweeps::ComparisonRequest request;
      // A scenario file, or a shipped scenario's name.
      request.scenario = resolve_shipped("scenario", compare_config.scenario.empty() ? "somerset" : compare_config.scenario);
      request.policy = compare_policy;
      request.baseline_policy = compare_baseline;
      request.overrides = compare_config.sets;
      request.replicates = compare_replicates;
      request.steps = compare_steps;
      request.root_seed = compare_seed;
      request.workers = compare_workers;
      request.quiet = compare_quiet;
      const fs::path prefix = compare_output.empty() ? fs::path("results") / ("compare-" + fs::path(compare_policy).stem().string())
                                                     : fs::path(compare_output);
      request.dir = prefix.string() + "-runs";
      request.prefix = prefix;
      // Check both arms' configs before running anything.
      for (const auto& pol : {compare_baseline, compare_policy}) {
        std::vector<fs::path> overlays;
        if (!pol.empty()) overlays.push_back(resolve_shipped("policy", pol));
        cm::load_scenario(request.scenario, overlays, request.overrides);
      }
      engine::SignalGuard signals;
      auto& cancel = engine::process_cancel_flag();
      const auto result = cm::sweeps::compare(request, cancel);
      if (result.cancelled) {
        std::fprintf(stderr, "caremarket: comparison interrupted; run the same command again to finish it\n");
        return kExitInterruptedBase + (cancel.signal() > 0 ? cancel.signal() : 2);
      }
      if (result.replicates < 2) throw std::runtime_error("fewer than two replicate pairs finished; see " + request.dir.string());
      std::printf("\n%s vs %s: %lld paired replicates (common random numbers), means over each run's last year\n",
                  compare_policy.c_str(), compare_baseline.empty() ? "the scenario as it is" : compare_baseline.c_str(),
                  static_cast<long long>(result.replicates));
      std::printf("%-28s %14s %14s %14s   %s\n", "outcome", "baseline", "policy", "difference", "95% CI of the difference");
      for (const auto& o : result.outcomes) {
        const bool sure = o.ci_low > 0 || o.ci_high < 0;
        std::printf("%-28s %14.4g %14.4g %+14.4g   [%+.4g, %+.4g]%s\n", o.name.c_str(), o.baseline, o.policy, o.difference,
                    o.ci_low, o.ci_high, sure ? "  *" : "");
      }
      std::printf("* the interval excludes zero: the difference is unlikely to be chance alone\n");
      cm::sweeps::write_comparison_csv(result, prefix.string() + ".csv");
      cm::sweeps::write_comparison_h5(result, request, prefix.string() + ".h5");
      std::printf("wrote %s.csv and %s.h5 (runs in %s)\n", prefix.c_str(), prefix.c_str(), request.dir.c_str());
      return 0;
    }
    if (*params) {
      const auto docs = cm::parameter_docs();
      if (markdown) {
        std::printf("| key | unit | default | allowed | meaning | source |\n|---|---|---|---|---|---|\n");
        for (const auto& d : docs)
          std::printf("| `%s` | %s | `%s` | %s | %s | %s |\n", d.key.c_str(), d.unit.c_str(), d.fallback.c_str(),
                      d.allowed.c_str(), d.doc.c_str(), d.source.c_str());
      } else {
        for (const auto& d : docs)
          std::printf("%-44s %-18s %-22s %-40s %s [%s]\n", d.key.c_str(), d.unit.c_str(), d.fallback.c_str(),
                      d.allowed.c_str(), d.doc.c_str(), d.source.c_str());
      }
      return 0;
    }
    if (*validate) {
      const auto loaded = validate_config.load();
      std::printf("# caremarket resolved configuration\n# layers: ");
      for (std::size_t i = 0; i < loaded.layers.size(); ++i) std::printf("%s%s", i ? " < " : "", loaded.layers[i].c_str());
      std::printf("\n%s", loaded.resolved_toml.c_str());
      return 0;
    }

    cm::RunRequest request;
    request.scenario = run_config.load();
    request.seed = seed;
    request.replicate = replicate;
    request.threads = threads;
    request.steps = steps;
    // Default name: the scenario and its policies, so that runs of different policies do not collide.
    std::string stem = run_config.scenario.empty() ? "somerset" : fs::path(run_config.scenario).stem().string();
    for (const auto& p : run_config.policies) stem += "+" + fs::path(p).stem().string();
    request.output = output ? fs::path(*output) : fs::path("results") / (stem + ".h5");
    engine::check_output_path(request.output);  // before the model is built: England takes seconds

    engine::SignalGuard signals;
    auto& cancel = engine::process_cancel_flag();
    const long total = static_cast<long>(steps.value_or(request.scenario.spec.run.steps));
    engine::ProgressBar bar(total, "caremarket", !quiet && engine::ProgressBar::stderr_is_terminal());
    const auto outcome = cm::run_to_file(request, cancel, [&](std::int64_t done, std::int64_t) { bar.update(static_cast<long>(done)); });
    bar.finish();
    if (outcome.reason == cm::StopReason::cancelled) {
      std::fprintf(stderr,
                   "caremarket: interrupted after %lld of %lld weeks; wrote %s with the weeks done, marked incomplete "
                   "(attribute complete = 0)\n",
                   static_cast<long long>(outcome.steps_done), static_cast<long long>(outcome.steps_requested),
                   request.output.c_str());
      return kExitInterruptedBase + (cancel.signal() > 0 ? cancel.signal() : 2);
    }
    if (!quiet) {
      print_summary(outcome, request);
      std::printf("\nwrote %s (%.2f s)\n", request.output.c_str(), outcome.seconds);
    }
    return 0;
  } catch (const engine::config::ConfigError& e) {
    return report_config_error(e);
  } catch (const engine::BadOutputPath& e) {  // also cm::sweeps::InputError (a folder in use)
    std::fprintf(stderr, "caremarket: error: %s\n", e.what());
    return kExitBadInput;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "caremarket: error: %s\n", e.what());
    return kExitRuntime;
  }
}
