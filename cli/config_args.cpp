#include "cli/config_args.hpp"

#include <algorithm>
#include <cstdio>
#include <system_error>

#include "engine/config.hpp"
#include "sweeps/sweep.hpp"

namespace fs = std::filesystem;

namespace cm::cli {
namespace {

// The shipped configs of a kind ("scenario" or "policy"), by name.
std::vector<std::string> shipped_names(const std::string& kind) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(sweeps::config_dir() / (kind == "scenario" ? "scenarios" : "policies"), ec))
    if (entry.path().extension() == ".toml") names.push_back(entry.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

fs::path resolve_shipped(const std::string& kind, const std::string& name) {
  const fs::path path = kind == "scenario" ? sweeps::resolve_scenario(name, fs::current_path())
                                           : sweeps::resolve_policy(name, fs::current_path());
  std::error_code ec;
  if (fs::exists(path, ec) || name.find('/') != std::string::npos || fs::path(name).extension() == ".toml") return path;
  const auto names = shipped_names(kind);
  std::string message = "is not a shipped " + kind + " nor a file; shipped: ";
  for (std::size_t i = 0; i < names.size(); ++i) message += (i ? ", " : "") + names[i];
  if (auto near = engine::config::closest(name, names)) message += " (did you mean " + *near + "?)";
  throw engine::config::ConfigError({{kind == "scenario" ? "scenario" : "--policy", "\"" + name + "\"", message}});
}

fs::path resolve_scenario_argument(const std::string& scenario) {
  return resolve_shipped("scenario", scenario.empty() ? "somerset" : scenario);
}

void ConfigArgs::add_to(CLI::App* app, bool scenario_required) {
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

LoadedScenario ConfigArgs::load() const {
  const fs::path path = resolve_scenario_argument(scenario);
  std::vector<fs::path> overlays;
  for (const auto& p : policies) overlays.push_back(resolve_shipped("policy", p));
  auto loaded = load_scenario(path, overlays, sets);
  for (const auto& w : loaded.warnings) std::fprintf(stderr, "caremarket: warning: %s\n", w.c_str());
  return loaded;
}

}  // namespace cm::cli
