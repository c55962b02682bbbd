#pragma once
// MODEL.md §12 — parameters that change during a run, as a config states them: [[schedule]]
// entries (a key, then dates and values, stepwise or linear), policies from a date (each of their
// values becomes a one-row schedule entry), and [[shocks]] (a council's budget cut, a fall in labour
// supply, a chain group's failure). The loader (parameters.cpp) resolves them into the run's list of
// ParameterChange; the changes rule (changes.hpp) applies each in its week.
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <toml++/toml.h>

#include "agents/parameters.hpp"
#include "engine/config.hpp"

namespace cm {

// The top-level arrays of a config that hold changes; layers add to them instead of replacing them.
inline const std::vector<std::string> kChangeArrays{"schedule", "shocks"};

// Reads a document into a validated spec: the schema, the consistency checks, wages raised to the
// NLW (with warnings when `warnings` is given).
using ReadSpec = std::function<ScenarioSpec(const engine::config::Document&, std::vector<std::string>* warnings)>;

// The values a policy file sets, as [[schedule]] entries dated `from` (cause "policy"), followed by
// the file's own [[schedule]] and [[shocks]] entries: a layer to add to the scenario's document.
toml::table policy_from_date(const std::filesystem::path& path, engine::Date from);

struct Timeline {
  ScenarioSpec start;  // the parameters at step 0, changes dated the start included
  // With a warm-up and a policy or set() dated the start: the parameters at step 0 without them
  // (schedules only), under which the warm-up runs; `changes` then begins with the step-0 change
  // that puts them in force (ParameterChange::after_warmup).
  std::optional<ScenarioSpec> warmup;
  std::vector<ParameterChange> changes;  // step order; a step-0 entry holds only records
  toml::array schedule, shocks;          // the entries as read, for the resolved config
};

// Takes [[schedule]] and [[shocks]] out of `doc`, checks every entry and resolves the parameters at
// step 0 and at every later step where one changes. Throws engine::config::ConfigError naming each
// bad entry (its file, its index and key) and what is allowed.
Timeline build_timeline(engine::config::Document& doc, const ReadSpec& read, std::vector<std::string>& warnings);

// The kind of a parameter ("real", "integer", "boolean", "choice", ...), or "" when unknown;
// `in_council` looks among the keys of a [[councils]] entry. Defined in parameters.cpp.
std::string parameter_kind(const std::string& key, bool in_council);
std::vector<std::string> parameter_keys(bool in_council);

}  // namespace cm
