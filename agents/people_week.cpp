// One pass over a council's people for the per-person parts of four rules, in the order of MODEL.md
// §3: delivery (hours received, continuity), finance (payments), provider entry (the care gap) and
// outcomes (wellbeing), then the people metrics. Each part lives in its rule's header; this file
// only runs them together so each person is read once a week instead of five times. No part reads
// what another part writes for a different person, and every sum runs in row order, so the
// results are those of one loop per rule.
#include "agents/delivery.hpp"
#include "agents/finance.hpp"
#include "agents/metrics.hpp"
#include "agents/outcomes.hpp"
#include "agents/provider_entry_exit.hpp"

namespace cm {

void serve_people(Market& m, int c) {
  constexpr auto npos = static_cast<std::size_t>(-1);
  prepare_delivery(m, c);
  finance_begin_week(m, c);
  outcomes_begin_week(m, c);
  // The week's counts accumulate in a local copy: the compiler can keep a local's sums in
  // registers, where the market's own tally might alias the columns the loop writes.
  WeekTally tally = m.tally[static_cast<std::size_t>(c)];
  const auto& p = m.people;
  const auto outcomes = m.spec.outcomes;
  m.for_council_people(c, [&](std::size_t i) {
    if (!p.alive[i]) {
      deliver_to_unplaced(m, i);
      return;
    }
    std::size_t q = npos;
    if (p.provider[i] != engine::kNoAgent) {
      q = static_cast<std::size_t>(m.provider_row(p.provider[i]));
      deliver_to_person(m, i, q);
      pay_for_person(m, i, q, tally);
    } else {
      deliver_to_unplaced(m, i);
    }
    count_care_gap(m, i, tally);
    update_wellbeing(m, outcomes, i, q);
    count_person(m, i, q, tally.people);
  });
  m.tally[static_cast<std::size_t>(c)] = tally;
}

}  // namespace cm
