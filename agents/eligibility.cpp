// MODEL.md §3.2 — eligibility and route: the means test (capital limits), the eligibility band, and
// for council-funded people the choice of a direct payment (the rule for one person is in
// eligibility.hpp; need.cpp applies it to everyone already here, right after their need changes).
#include "agents/eligibility.hpp"

namespace cm {

void apply_eligibility(Market& m, int c) {
  const auto routes = m.rng.at_step(0);
  m.for_council_people(c, [&](std::size_t i) {
    if (m.people.alive[i]) assess_route(m, i, routes);
  });
}

void assess_new_people(Market& m, int c) {
  const auto routes = m.rng.at_step(0);
  m.rows.people.for_each_appended_since(m.people_mark, c, [&](std::size_t i) {
    if (m.people.alive[i]) assess_route(m, i, routes);
  });
}

}  // namespace cm
