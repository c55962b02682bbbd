#include "agents/council_table.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <set>
#include <sstream>

#include <toml++/toml.h>

#include "agents/parameters.hpp"
#include "engine/config.hpp"

namespace cm {
namespace {

using engine::config::ConfigError;
using engine::config::Problem;

using engine::config::ascii_lower;

// A council's name as people write it, for matching: lower case, "&" as "and", and without a
// trailing "council", "county council", "city council", "borough council" and the like.
std::string plain_name(const std::string& name) {
  std::string s = ascii_lower(name);
  for (std::size_t at; (at = s.find('&')) != std::string::npos;) s.replace(at, 1, "and");
  if (s.rfind("city of ", 0) == 0) s = s.substr(8);  // "City of Bristol" is "Bristol"
  if (s.rfind("county of ", 0) == 0) s = s.substr(10);
  for (const char* suffix : {" metropolitan borough council", " county council", " city council", " borough council",
                             " district council", " council", ", city of", ", county of"}) {
    const std::string tail(suffix);
    if (s.size() > tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0) {
      s.resize(s.size() - tail.size());
      break;
    }
  }
  return s;
}

std::string text_of(const toml::table& t, const char* key) { return t[key].value_or(std::string()); }

// The sources paragraph of the table's leading comments (from "Sources" to the next blank comment
// line): the data a cut is made of, their checksums and the attribution their licences ask for.
std::string sources_of(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::string line, out;
  bool in_sources = false;
  while (std::getline(in, line) && line.rfind('#', 0) == 0) {
    if (line.find("Sources") != std::string::npos) in_sources = true;
    if (!in_sources) continue;
    if (line == "#") break;
    out += line + "\n";
  }
  return out;
}

// TOML text of a value as a person would write it: long lists eight to a line.
std::string as_written(const toml::node& node) { return engine::config::value_text(node, 8); }

// The keys of a table in a reader's order: those of `first` that it has, the rest as they come,
// then those of `last`.
std::vector<std::string> ordered_keys(const toml::table& t, const std::vector<std::string>& first,
                                      const std::vector<std::string>& last) {
  std::vector<std::string> keys;
  for (const auto& k : first)
    if (t.contains(k)) keys.push_back(k);
  for (const auto& [k, v] : t)
    if (std::find(first.begin(), first.end(), std::string(k.str())) == first.end() &&
        std::find(last.begin(), last.end(), std::string(k.str())) == last.end())
      keys.emplace_back(k.str());
  for (const auto& k : last)
    if (t.contains(k)) keys.push_back(k);
  return keys;
}

// A section [name] with its plain keys (the header only when it has some), then its sub-tables as
// sections of their own.
void write_section(std::ostringstream& os, const toml::table& t, const std::string& name) {
  const bool plain = std::any_of(t.begin(), t.end(), [](const auto& kv) { return !kv.second.is_table(); });
  if (plain) {
    os << "[" << name << "]\n";
    for (const auto& [k, v] : t)
      if (!v.is_table()) os << k.str() << " = " << as_written(v) << "\n";
    os << "\n";
  }
  for (const auto& [k, v] : t)
    if (v.is_table()) write_section(os, *v.as_table(), name + "." + std::string(k.str()));
}

// The scenario as a person would lay it out: [region] and the other sections, then each council
// with its name, code and sizes first and its small areas last.
std::string scenario_text(const toml::table& scenario) {
  std::ostringstream os;
  for (const auto& key : ordered_keys(scenario, {"region", "commissioning"}, {"councils"})) {
    const auto& v = *scenario.get(key);
    if (key == "councils" || !v.is_table()) continue;
    write_section(os, *v.as_table(), key);
  }
  for (const auto& [k, v] : scenario)
    if (!v.is_table() && !v.is_array()) os << k.str() << " = " << as_written(v) << "\n";
  static const std::vector<std::string> first{"name",
                                              "code",
                                              "region",
                                              "kind",
                                              "area_km2",
                                              "age_thousands",
                                              "adults_thousands",
                                              "localities",
                                              "people",
                                              "workers",
                                              "chains",
                                              "agencies",
                                              "micro_enterprises",
                                              "cooperatives",
                                              "council_run",
                                              "personal_assistants",
                                              "budget_million",
                                              "reference_rate",
                                              "wage",
                                              "pay_floor",
                                              "chain_groups",
                                              "commuting_zone"};
  static const std::vector<std::string> last{"areas", "area_latitudes", "area_longitudes"};
  if (const auto* councils = scenario["councils"].as_array())
    for (const auto& node : *councils) {
      const auto& council = *node.as_table();
      os << "[[councils]]\n";
      for (const auto& key : ordered_keys(council, first, last))
        os << key << " = " << as_written(*council.get(key)) << "\n";
      os << "\n";
    }
  return os.str();
}

}  // namespace

CutScenario cut_scenario(const CutRequest& request) {
  const std::string origin = request.table.string();
  std::ifstream in(request.table, std::ios::binary);
  if (!in) throw ConfigError({{origin, "", "cannot be read: the councils table (configs/scenarios/england.toml)"}});
  std::stringstream buffer;
  buffer << in.rdbuf();
  toml::table table;
  try {
    table = toml::parse(buffer.str(), origin);
  } catch (const toml::parse_error& e) {
    throw ConfigError({{origin, "", "is not valid TOML: " + std::string(e.description())}});
  }
  const auto* all = table["councils"].as_array();
  if (!all || all->empty()) throw ConfigError({{origin, "councils", "is missing: the table lists no [[councils]]"}});

  std::vector<const toml::table*> councils;
  std::vector<std::string> known;
  std::set<std::string> regions;
  for (const auto& node : *all)
    if (const auto* t = node.as_table()) {
      councils.push_back(t);
      known.push_back(text_of(*t, "name"));
      regions.insert(text_of(*t, "region"));
    }

  std::vector<Problem> problems;
  std::vector<std::size_t> chosen;
  auto choose = [&](std::size_t i, const std::string& as, const std::string& key) {
    if (std::find(chosen.begin(), chosen.end(), i) != chosen.end())
      problems.push_back(
          {"command line", key,
           "= \"" + as + "\": " + known[i] + " (" + text_of(*councils[i], "code") + ") is listed twice"});
    else
      chosen.push_back(i);
  };
  for (std::size_t a = 0; a < request.councils.size(); ++a) {
    const std::string& wanted = request.councils[a];
    const std::string key = "council " + std::to_string(a + 1);
    std::vector<std::size_t> hits;
    for (std::size_t i = 0; i < councils.size(); ++i)
      if (text_of(*councils[i], "code") == wanted || known[i] == wanted) hits = {i};
    if (hits.empty())
      for (std::size_t i = 0; i < councils.size(); ++i)
        if (plain_name(known[i]) == plain_name(wanted) ||
            ascii_lower(text_of(*councils[i], "code")) == ascii_lower(wanted))
          hits.push_back(i);
    if (hits.size() == 1) {
      choose(hits.front(), wanted, key);
      continue;
    }
    std::string message = "= \"" + wanted + "\" is not a council of " + request.table.filename().string() +
                          " (a name, as `caremarket scenario --list` shows, or an ONS code such as E10000016)";
    const auto near = engine::config::suggestions(wanted, known);
    for (std::size_t s = 0; s < near.size(); ++s)
      message += (s ? ", \"" : "; did you mean \"") + near[s] + "\"" + (s + 1 == near.size() ? "?" : "");
    problems.push_back({"command line", key, message});
  }
  for (const auto& region : request.regions) {
    if (!regions.count(region)) {
      std::string message = "= \"" + region + "\" is not an English region of the table; the regions:";
      for (const auto& r : regions) message += " \"" + r + "\"";
      problems.push_back({"command line", "--region", message});
      continue;
    }
    for (std::size_t i = 0; i < councils.size(); ++i)
      if (text_of(*councils[i], "region") == region && std::find(chosen.begin(), chosen.end(), i) == chosen.end())
        chosen.push_back(i);
  }
  if (chosen.empty() && problems.empty())
    problems.push_back({"command line", "councils", "none chosen: name at least one council, code or --region"});
  if (!problems.empty()) throw ConfigError(std::move(problems));

  CutScenario out;
  toml::array entries;
  for (const auto i : chosen) {
    entries.push_back(*councils[i]);
    out.names.push_back(known[i]);
    out.codes.push_back(text_of(*councils[i], "code"));
    if (!request.commuting_zone.empty())
      entries.back().as_table()->insert_or_assign("commuting_zone", request.commuting_zone);
  }
  std::string name = request.name;
  if (name.empty() && request.councils.empty() && request.regions.size() == 1) name = request.regions.front();
  if (name.empty()) {
    for (std::size_t k = 0; k < out.names.size(); ++k)
      name += (k == 0 ? "" : k + 1 == out.names.size() ? " and " : ", ") + out.names[k];
  }
  toml::table cut;
  cut.insert("region", toml::table{{"name", name},
                                   {"description", std::to_string(chosen.size()) +
                                                       (chosen.size() == 1 ? " council" : " councils") +
                                                       " cut from England's councils table; price-led tendering"}});
  // The table's settings for every council (lots, reach on real distances...), all but its output's.
  for (const auto& [key, value] : table)
    if (value.is_table() && key != "region" && key != "output") cut.insert(key, value);
  cut.insert("councils", std::move(entries));

  // Checked as `caremarket run` would read it, the overrides as --set (so a problem names them).
  load_scenario_text(engine::config::to_toml_text(cut), origin, request.assignments);

  auto doc = engine::config::Document();
  doc.address_entries("councils", {"code", "name"});
  doc.overlay_table(cut, origin);
  for (const auto& a : request.assignments) doc.set(a);
  out.text = "# " + name + ": cut from " + request.table.filename().string() + " by `" + request.command +
             "`.\n# Sizes other than population and small areas are derived by national ratios "
             "(scripts/make_england.py):\n# replace them with your own figures where you know them "
             "(caremarket scenario -s; docs/cli.md).\n#\n" +
             sources_of(request.table) + "\n" + scenario_text(doc.table());
  return out;
}

}  // namespace cm
