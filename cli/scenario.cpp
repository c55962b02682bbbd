// `caremarket scenario`: a ready scenario for one council or a group, cut from England's councils
// table (configs/scenarios/england.toml) with the user's own figures as overrides.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <toml++/toml.h>

#include "agents/council_table.hpp"
#include "cli/command.hpp"
#include "engine/config.hpp"
#include "engine/files.hpp"
#include "sweeps/sweep.hpp"

namespace cm::cli {
namespace {

struct ScenarioOptions {
  std::vector<std::string> councils, regions, sets;
  std::string output, name, commuting_zone, table;
  bool list = false;
};

std::filesystem::path table_of(const ScenarioOptions& o) {
  return o.table.empty() ? sweeps::config_dir() / "scenarios" / "england.toml" : std::filesystem::path(o.table);
}

// The table's councils, one line each: code, name, region, adults and people with needs.
int list_councils(const ScenarioOptions& o) {
  toml::table table;
  try {
    table = toml::parse_file(table_of(o).string());
  } catch (const toml::parse_error& e) {  // a table that cannot be read is bad input, named
    throw engine::config::ConfigError(
        {{table_of(o).string(), "", "cannot be read as the councils table: " + std::string(e.description())}});
  }
  std::printf("%-10s %-36s %-26s %12s %12s\n", "code", "name", "region", "adults", "with needs");
  if (const auto* councils = table["councils"].as_array())
    for (const auto& node : *councils) {
      const auto& c = *node.as_table();
      double adults = 0;
      if (const auto* ages = c["age_thousands"].as_array())
        for (const auto& a : *ages) adults += a.value_or(0.0) * 1000;
      std::printf("%-10s %-36s %-26s %12.0f %12lld\n", c["code"].value_or(std::string()).c_str(),
                  c["name"].value_or(std::string()).c_str(), c["region"].value_or(std::string()).c_str(), adults,
                  static_cast<long long>(c["people"].value_or(0)));
    }
  return 0;
}

int make_scenario(const ScenarioOptions& o, const std::string& command) {
  if (o.list) return list_councils(o);
  CutRequest request{table_of(o), o.councils, o.regions, o.sets, o.name, o.commuting_zone, command};
  const auto cut = cut_scenario(request);
  if (o.output.empty()) {
    std::fputs(cut.text.c_str(), stdout);
    return 0;
  }
  engine::write_text_file(o.output, cut.text, "scenario file (-o)");
  std::fprintf(stderr, "wrote %s: %zu council%s (", o.output.c_str(), cut.names.size(),
               cut.names.size() == 1 ? "" : "s");
  for (std::size_t k = 0; k < cut.names.size() && k < 5; ++k)
    std::fprintf(stderr, "%s%s %s", k ? ", " : "", cut.names[k].c_str(), cut.codes[k].c_str());
  std::fprintf(stderr, "%s); run it with: caremarket run %s\n", cut.names.size() > 5 ? ", ..." : "", o.output.c_str());
  return 0;
}

}  // namespace

Command add_scenario(CLI::App& app) {
  auto o = std::make_shared<ScenarioOptions>();
  auto* sub =
      app.add_subcommand("scenario",
                         "A ready scenario for your council or a group of councils, cut from England's 153 councils "
                         "(configs/scenarios/england.toml), with your own figures as overrides");
  sub->add_option("councils", o->councils,
                  "Councils by name (\"Kent\", \"Bath and North East Somerset\") or ONS code (E10000016); "
                  "--list shows them");
  sub->add_option("-r,--region", o->regions, "Every council of an English region, e.g. \"North East\" (repeatable)");
  sub->add_option("-s,--set", o->sets,
                  "Your own figure, e.g. -s 'councils[\"Kent\"].budget_million=420' or "
                  "-s councils[E10000016].reference_rate=25.5 or -s commissioning.mode=collaborative (repeatable; "
                  "`caremarket params` lists every key)");
  sub->add_option("-o,--output", o->output, "Write the scenario here (a .toml file); without it, print it");
  sub->add_option("--name", o->name, "The scenario's region name (default: the councils' names)");
  sub->add_option("--commuting-zone", o->commuting_zone,
                  "Put every chosen council in this commuting zone (care workers may take jobs across their borders)");
  sub->add_option("--table", o->table, "The councils table to cut from (default: the shipped england.toml)");
  sub->add_flag("--list", o->list, "List the table's councils (code, name, region, adults, people with needs)");
  sub->footer(
      "Examples:\n"
      "  caremarket scenario Kent -o kent.toml && caremarket run kent.toml\n"
      "  caremarket scenario E06000066 -s 'councils[Somerset].budget_million=160' -o somerset.toml\n"
      "  caremarket scenario Dudley Sandwell Walsall Wolverhampton --name 'Black Country' --commuting-zone 'Black "
      "Country' -o bc.toml\n"
      "  caremarket scenario --region 'North East' -o north_east.toml");
  return {sub, [o] {
            std::string command = "caremarket scenario";
            for (const auto& c : o->councils) command += " \"" + c + "\"";
            for (const auto& r : o->regions) command += " --region \"" + r + "\"";
            for (const auto& s : o->sets) command += " -s '" + s + "'";
            if (!o->name.empty()) command += " --name \"" + o->name + "\"";
            if (!o->commuting_zone.empty()) command += " --commuting-zone \"" + o->commuting_zone + "\"";
            return make_scenario(*o, command);
          }};
}

}  // namespace cm::cli
