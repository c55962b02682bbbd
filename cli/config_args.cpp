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
  for (const auto& entry :
       fs::directory_iterator(sweeps::config_dir() / (kind == "scenario" ? "scenarios" : "policies"), ec))
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
  auto* opt = app->add_option(
      "scenario", scenario,
      scenario_required
          ? "Scenario: a shipped name (somerset, west_midlands, england) or a TOML file"
          : "Scenario: a shipped name (somerset, west_midlands, england) or a TOML file (default: somerset)");
  if (scenario_required) opt->required();
  // One value per occurrence, so that `-p policy.toml scenario.toml` keeps the scenario positional.
  app_ = app;
  policy_option_ =
      app->add_option(
             "-p,--policy", policies,
             "Policy overlay: a shipped name (e.g. living_wage_floor) or a TOML file, applied in order (repeatable)")
          ->expected(1)
          ->take_all()
          ->allow_extra_args(false);
  from_option_ = app->add_option("--from", from_dates,
                                 "Date YYYY-MM-DD from which the --policy just before it applies; before it the run is "
                                 "the baseline's (default: from the start)")
                     ->expected(1)
                     ->take_all()
                     ->allow_extra_args(false);
  app->add_option("-s,--set", sets, "Override one parameter, e.g. --set commissioning.mode=collaborative (repeatable)")
      ->expected(1)
      ->take_all()
      ->allow_extra_args(false);
}

std::vector<PolicyFile> ConfigArgs::policy_files() const {
  std::vector<PolicyFile> files;
  for (const auto& p : policies) files.push_back({resolve_shipped("policy", p), std::nullopt});
  // Each --from belongs to the --policy typed just before it.
  std::size_t policies_seen = 0, dates_seen = 0;
  for (const auto* option : app_ ? app_->parse_order() : std::vector<CLI::Option*>{}) {
    if (option == policy_option_) ++policies_seen;
    if (option != from_option_) continue;
    const std::string& text = from_dates[dates_seen++];
    if (policies_seen == 0)
      throw engine::config::ConfigError(
          {{"--from", text, "must follow the --policy it dates, e.g. --policy living_wage_floor --from 2027-04-01"}});
    auto& file = files[policies_seen - 1];
    if (file.from)
      throw engine::config::ConfigError(
          {{"--from", text,
            "is the second --from for --policy " + policies[policies_seen - 1] + ": give one date for each policy"}});
    file.from = engine::parse_iso_date(text);
    if (!file.from) throw engine::config::ConfigError({{"--from", text, "is not a date YYYY-MM-DD"}});
  }
  return files;
}

LoadedScenario ConfigArgs::load() const {
  const fs::path path = resolve_scenario_argument(scenario);
  auto loaded = load_scenario(path, policy_files(), sets);
  for (const auto& w : loaded.warnings) std::fprintf(stderr, "caremarket: warning: %s\n", w.c_str());
  return loaded;
}

}  // namespace cm::cli
