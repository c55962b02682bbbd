#pragma once
// MODEL.md §3.9 — outcomes: the week's per-row hook (UpdateWellbeing) and the part for one person
// it calls; outcomes.cpp has the providers' part (observed quality).
#include <algorithm>
#include <cstddef>
#include <vector>

#include "agents/market.hpp"
#include "agents/week.hpp"
#include "engine/schedule.hpp"

namespace cm {

// What outcomes work out per provider row for the week (a council uses only its own rows, so
// councils share it): its clients' sums of wellbeing and continuity, for its observed quality, and
// the relational term of its clients' wellbeing target.
struct OutcomesState {
  void fit(std::size_t providers) {
    for (auto* column : {&wellbeing_sum, &continuity_sum, &relational_term}) column->resize(providers);
  }
  std::vector<double> wellbeing_sum, continuity_sum;
  std::vector<double> relational_term;  // relational_weight × the archetype's relational
};

// Providers' observed quality, from their clients' sums (update_wellbeing).
void apply_outcomes(Market& m, const OutcomesState& s, int c);

// Each provider's sums of its clients' wellbeing and continuity start the pass over people at
// zero, and the relational term of its clients' wellbeing target is computed once.
inline void outcomes_begin_week(const Market& m, OutcomesState& s, int c) {
  const double weight = m.spec.outcomes.relational_weight;
  m.for_council_providers(c, [&](std::size_t q) {
    s.wellbeing_sum[q] = s.continuity_sum[q] = 0;
    s.relational_term[q] = weight * m.spec.providers.of(static_cast<Archetype>(m.providers.archetype[q])).relational;
  });
}

// Wellbeing moves toward a target set by unmet need, continuity, relational care and ties; a
// placed person's wellbeing and continuity add to the provider's sums for its observed quality.
// q: the provider's row, or npos when the person has no provider. o: the market's outcome
// parameters, copied by the caller into a local so the loop need not reload them after every store.
inline void update_wellbeing(Market& m, OutcomesState& s, const ScenarioSpec::Outcomes& o, std::size_t i,
                             std::size_t q) {
  constexpr auto npos = static_cast<std::size_t>(-1);
  auto& p = m.people;
  // Most people get all their hours: their unmet share is 0 without a division (the same value:
  // received / need is then at least 1).
  const float need = p.need_hours[i], received = p.hours_received[i];  // floats: a float division, as stored
  const double unmet = need > 0 && received < need ? std::max(0.0, 1.0 - received / need) : 0.0;
  const double relational_term = q == npos ? o.relational_weight * 0.0 : s.relational_term[q];
  const double ties = m.need_tables.ties_share[p.ties[i]];
  const double target = std::clamp(
      o.base - o.unmet_weight * unmet + o.continuity_weight * p.continuity[i] + relational_term + o.ties_weight * ties,
      0.0, 1.0);
  p.wellbeing[i] += static_cast<float>(o.rate * (target - p.wellbeing[i]));
  if (q != npos) {
    s.wellbeing_sum[q] += p.wellbeing[i];
    s.continuity_sum[q] += p.continuity[i];
  }
}

// The outcomes phase: each person's wellbeing, then providers' observed quality (apply_outcomes).
struct UpdateWellbeing {
  using Table = PeopleRows;
  struct State {
    ScenarioSpec::Outcomes parameters;  // a local copy: the loop need not reload them after every store
  };
  State begin(Week& w, int c) const {
    outcomes_begin_week(w.market, w.outcomes, c);
    return {w.market.spec.outcomes};
  }
  void row(Week& w, State& s, const PersonRow& r) const {
    if (r.alive) update_wellbeing(w.market, w.outcomes, s.parameters, r.i, r.provider);
  }
  void end(Week& w, int c, State&) const { apply_outcomes(w.market, w.outcomes, c); }
};

}  // namespace cm
