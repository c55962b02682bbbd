#pragma once
// The scenario, policies and --set overrides that `run` and `validate` take, and how a shipped
// name ("england", "living_wage_floor") or a path becomes a file.
#include <CLI/CLI.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "agents/parameters.hpp"

namespace cm::cli {

// A shipped name or a path; an unknown name is bad input (engine::config::ConfigError) that lists
// the shipped names of the kind ("scenario" or "policy") and the nearest one.
std::filesystem::path resolve_shipped(const std::string& kind, const std::string& name);
// The scenario argument: a shipped name or a path, somerset when empty.
std::filesystem::path resolve_scenario_argument(const std::string& scenario);

struct ConfigArgs {
  std::string scenario;
  std::vector<std::string> policies;
  std::vector<std::string> from_dates;  // --from DATE, each for the --policy before it
  std::vector<std::string> sets;
  // The positional scenario, -p/--policy (with --from), and -s/--set, each taking one value.
  void add_to(CLI::App* app, bool scenario_required);
  // The scenario with its policies and overrides, validated; warnings go to stderr.
  LoadedScenario load() const;
  // The policies as files, each with the date --from gave it (in the order typed).
  std::vector<PolicyFile> policy_files() const;

 private:
  CLI::App* app_ = nullptr;
  CLI::Option *policy_option_ = nullptr, *from_option_ = nullptr;
};

}  // namespace cm::cli
