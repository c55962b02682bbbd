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
  std::vector<std::string> sets;
  // The positional scenario, -p/--policy and -s/--set, each -p and -s taking one value.
  void add_to(CLI::App* app, bool scenario_required);
  // The scenario with its policies and overrides, validated; warnings go to stderr.
  LoadedScenario load() const;
};

}  // namespace cm::cli
