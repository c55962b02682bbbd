#pragma once
// England's councils as one table (configs/scenarios/england.toml, written by
// scripts/make_england.py), and scenarios cut from it: one council or a group, chosen by name or ONS
// code, with the user's own figures as overrides (MODEL.md §15). `caremarket scenario` and
// caremarket.scenario() are thin shells over cut_scenario().
#include <filesystem>
#include <string>
#include <vector>

namespace cm {

struct CutRequest {
  std::filesystem::path table;           // the councils table (england.toml)
  std::vector<std::string> councils;     // names or ONS codes, in the order wanted
  std::vector<std::string> regions;      // every council of these English regions, too
  std::vector<std::string> assignments;  // key=value overrides; councils["Kent"].budget_million=...
  std::string name;                      // the region's name ("": the councils' names)
  std::string commuting_zone;            // put every chosen council in this commuting zone ("": none)
  std::string command;                   // how it was asked for, for the file's header
};

struct CutScenario {
  std::string text;                       // the scenario, as TOML with a header of comments
  std::vector<std::string> names, codes;  // the councils chosen, in order
};

// Cuts the scenario, checks it as `caremarket run` would, and returns it. Throws
// engine::config::ConfigError (exit 2) naming an unknown council (with the nearest names), a
// council chosen twice, an unknown region, a bad override or a figure out of range.
CutScenario cut_scenario(const CutRequest& request);

}  // namespace cm
