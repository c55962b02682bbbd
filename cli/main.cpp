// The `caremarket` command: parses arguments and calls the Model API (agents/run.hpp).
// Exit codes: 0 success, 1 runtime failure, 2 bad input (arguments or config), 128 + signal when
// interrupted (130 for Ctrl-C, 143 for SIGTERM).
#include <CLI/CLI.hpp>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "agents/parameters.hpp"
#include "agents/run.hpp"
#include "engine/cancel.hpp"
#include "engine/config.hpp"
#include "engine/progress.hpp"

namespace fs = std::filesystem;

namespace {

constexpr int kExitRuntime = 1;
constexpr int kExitBadInput = 2;
constexpr int kExitInterruptedBase = 128;  // + the signal: 130 for SIGINT, 143 for SIGTERM

// Where shipped configs live: $CAREMARKET_CONFIGS, else the source tree, else the installed share dir.
fs::path config_dir() {
  if (const char* env = std::getenv("CAREMARKET_CONFIGS"); env && *env) return env;
  for (const auto& candidate : {fs::path(CAREMARKET_SOURCE_CONFIGS), fs::path(CAREMARKET_INSTALLED_CONFIGS)})
    if (fs::exists(candidate / "scenarios")) return candidate;
  return CAREMARKET_SOURCE_CONFIGS;
}

struct ConfigArgs {
  std::string scenario;
  std::vector<std::string> policies;
  std::vector<std::string> sets;
  void add_to(CLI::App* app, bool scenario_required) {
    auto* opt = app->add_option("scenario", scenario,
                                scenario_required ? "Scenario TOML file"
                                                  : "Scenario TOML file (default: configs/scenarios/somerset.toml)");
    if (scenario_required) opt->required();
    // One value per occurrence, so that `-p policy.toml scenario.toml` keeps the scenario positional.
    app->add_option("-p,--policy", policies, "Policy overlay TOML, applied in order (repeatable)")
        ->expected(1)
        ->take_all()
        ->allow_extra_args(false);
    app->add_option("-s,--set", sets, "Override one parameter, e.g. --set commissioning.mode=collaborative (repeatable)")
        ->expected(1)
        ->take_all()
        ->allow_extra_args(false);
  }
  cm::LoadedScenario load() const {
    const fs::path path = scenario.empty() ? config_dir() / "scenarios" / "somerset.toml" : fs::path(scenario);
    std::vector<fs::path> overlays(policies.begin(), policies.end());
    return cm::load_scenario(path, overlays, sets);
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
    std::printf("%-32s %14s %14s %14s\n", row.label.c_str(), format_value(row.start, row.units).c_str(),
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
  std::vector<std::string> argv_strings{"python3", "-m", "caremarket.report"};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv_ptrs;
  for (auto& a : argv_strings) argv_ptrs.push_back(a.data());
  argv_ptrs.push_back(nullptr);
  std::fflush(nullptr);
  execv("/usr/bin/python3", argv_ptrs.data());
  std::fprintf(stderr, "caremarket: cannot start /usr/bin/python3 for the report: %s\n", std::strerror(errno));
  return kExitRuntime;
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
  std::string output;
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

  auto* report = app.add_subcommand("report", "Write a self-contained HTML report of a run, optionally against a baseline");
  std::string report_results, report_baseline, report_output;
  report->add_option("results", report_results, "caremarket output file (.h5)")->required();
  report->add_option("--baseline", report_baseline, "A baseline run to compare with (.h5)");
  report->add_option("-o,--output", report_output, "HTML file to write")->required();

  auto* params = app.add_subcommand("params", "List every model parameter with unit, default, range and source");
  bool markdown = false;
  params->add_flag("--markdown", markdown, "As a Markdown table");

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
    request.output = output.empty() ? fs::path("results") / (stem + ".h5") : fs::path(output);

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
  } catch (const std::exception& e) {
    std::fprintf(stderr, "caremarket: error: %s\n", e.what());
    return kExitRuntime;
  }
}
