// MODEL.md §18 — the means test over time: the reassessments (the weekly charge is in
// means_test.hpp, called by finance for each person served).
#include "agents/means_test.hpp"

#include "agents/eligibility.hpp"
#include "agents/placement_book.hpp"

namespace cm {

void note_means_test_limits(const Market& m, MeansTestState& s) {
  for (auto& council : s.councils) council.note_limits(m.spec.eligibility);
}

void reassess_means(Market& m, MeansTestState& s, PlacementBook& placements, int c) {
  auto& council = s.councils[static_cast<std::size_t>(c)];
  const auto routes = m.rng.at_step(0);
  auto& p = m.people;
  auto reassess = [&](std::size_t i) {
    if (!p.alive[i]) return;
    const Route route = means_tested_route(m, i, routes);
    if (route != static_cast<Route>(p.route[i])) placements.withdraw(m, i);
    take_route(m, i, route);
  };
  if (council.note_limits(m.spec.eligibility)) {
    m.for_council_people(c, reassess);
  } else {
    for (std::size_t k = 0; k < council.listed; ++k)
      if (const auto row = m.people_index.row_of(council.due[k]); row >= 0) reassess(static_cast<std::size_t>(row));
  }
  council.clear();
}

}  // namespace cm
