#pragma once
// Small hand-built markets for the rule-level tests (test_rules.cpp, test_parameters.cpp): one
// council of the size asked for, every other parameter at its default, and its rows by kind.
#include <cstddef>
#include <sstream>
#include <string>
#include <vector>

#include "agents/market.hpp"
#include "agents/matching.hpp"
#include "agents/tendering.hpp"

namespace hand {

// Commissioning for council c, with working space of its own fitted to the market as it stands.
inline void commission(cm::Market& m, int c) {
  cm::CommissioningState s;
  s.fit(m.providers.id.size());
  cm::apply_commissioning(m, s, cm::ChainGroupsState{}, c);
}
// Matching for council c, likewise; returns the demand it reports to later rules.
inline cm::MatchingDemand match(cm::Market& m, int c) {
  cm::MatchingState s(m.councils());
  s.fit(m);
  cm::apply_matching(m, s, c);
  return s.demand[static_cast<std::size_t>(c)];
}

// With one locality every provider serves every person and the council has one lot.
struct Council {
  int localities = 1;
  int people = 0, workers = 0, chains = 0, agencies = 0, micros = 0;
  int cooperatives = 0, council_run = 0, personal_assistants = 0;
  double adults_thousands = 100, budget_million = 1000;
};

inline cm::ScenarioSpec spec(const Council& c, const std::string& origin) {
  std::ostringstream toml;
  toml << "[[councils]]\nname = \"Hand\"\nlocalities = " << c.localities
       << "\nadults_thousands = " << c.adults_thousands << "\npeople = " << c.people << "\nworkers = " << c.workers
       << "\nchains = " << c.chains << "\nagencies = " << c.agencies << "\nmicro_enterprises = " << c.micros
       << "\ncooperatives = " << c.cooperatives << "\ncouncil_run = " << c.council_run
       << "\npersonal_assistants = " << c.personal_assistants << "\nbudget_million = " << c.budget_million
       << "\nchain_groups = 0\n"
       << "[commissioning]\nlot_size = 1\n"
       << "[run]\nwarmup_weeks = 0\n";  // the rules act on the market as built
  return cm::load_scenario_text(toml.str(), origin).spec;
}

// The live rows of council 0, in row order.
inline std::vector<std::size_t> provider_rows(const cm::Market& m, cm::Archetype a) {
  std::vector<std::size_t> out;
  m.for_council_providers(0, [&](std::size_t q) {
    if (m.providers.alive[q] && static_cast<cm::Archetype>(m.providers.archetype[q]) == a) out.push_back(q);
  });
  return out;
}
inline std::vector<std::size_t> people_rows(const cm::Market& m) {
  std::vector<std::size_t> out;
  m.for_council_people(0, [&](std::size_t i) {
    if (m.people.alive[i]) out.push_back(i);
  });
  return out;
}
// Leaves every person of council 0 unplaced on `route` with `hours` of formal need.
inline void reset_people(cm::Market& m, cm::Route route, float hours) {
  for (auto i : people_rows(m)) {
    m.people.route[i] = static_cast<std::uint8_t>(route);
    m.people.provider[i] = engine::kNoAgent;
    m.people.placement[i] = static_cast<std::uint8_t>(cm::Placement::none);
    m.people.need_hours[i] = hours;
    m.people.weeks_waiting[i] = 0;
  }
}
inline std::vector<std::size_t> worker_rows(const cm::Market& m) {
  std::vector<std::size_t> out;
  m.for_council_workers(0, [&](std::size_t k) {
    if (m.workers.alive[k]) out.push_back(k);
  });
  return out;
}

}  // namespace hand
