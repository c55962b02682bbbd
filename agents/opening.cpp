// The opening week (set-up, week 0): the rules that let the first contracts and place the starting
// people run once, each with working space of its own for this once (the Model's rules keep theirs
// from week to week); then providers are staffed for the clients they got, and deliver and pay.
#include "agents/opening.hpp"

#include "agents/delivery.hpp"
#include "agents/matching.hpp"
#include "agents/tendering.hpp"

namespace cm {

Market open_market(const ScenarioSpec& spec, std::uint64_t seed, std::uint64_t replicate) {
  Market m(spec, seed, replicate);
  CommissioningState commissioning;
  MatchingState matching(m.councils());
  DeliveryState delivery;
  commissioning.fit(m.providers.id.size());
  matching.fit(m);
  for_each_council(m, apply_eligibility);
  // No group has books yet, and no bid at the first letting is strategic.
  const ChainGroupsState no_books;
  each_council(m, [&](int c) { apply_commissioning(m, commissioning, no_books, c); });
  each_council(m, [&](int c) { apply_matching(m, matching, c); });
  m.hire_starting_staff();
  delivery.fit(m.providers.id.size(), static_cast<std::size_t>(m.councils()));
  for_each_council(m, apply_delivery);
  each_council(m, [&](int c) { deliver_to_people(m, delivery, c); });
  each_council(m, [&](int c) { pay_workers(m, delivery, c); });
  m.merge_event_logs();
  return m;
}

}  // namespace cm
