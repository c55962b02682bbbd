#include "agents/model.hpp"

#include "agents/need.hpp"

namespace cm {

Model::Model(const ScenarioSpec& spec, std::uint64_t seed, std::uint64_t replicate)
    : market_(spec, seed, replicate), metrics_state_(market_.councils()) {
  metrics_state_.compute(market_, metrics_);
}

void Model::step() {
  Market& m = market_;
  m.week += 1;  // the step being computed: its streams, events and metrics row share this number
  m.people_mark = m.rows.people.mark();
  // The order of MODEL.md §3. Agents a rule creates wait in m.pending until the next flush.
  each_council(m, [&](int c) {
    m.tally[static_cast<std::size_t>(c)] = WeekTally{};
    m.need_reviewed[static_cast<std::size_t>(c)] = 0;
    add_need_arrivals(m, c);  // need.cpp; the reviews of need run in commissioning or matching
  });
  m.flush_pending();  // new people are assessed and matched this week
  each_council(m, [&](int c) {
    assess_new_people(m, c);  // the others are assessed when their need is reviewed
    apply_commissioning(m, c);  // reviews need first if it lets a lot
    apply_matching(m, c);       // otherwise reviews need in its first pass
    apply_labour_market(m, c);
    apply_founding(m, c);
  });
  m.flush_pending();  // new micro-enterprises and recruits deliver this week
  metrics_state_.begin_week(m, metrics_);
  each_council(m, [&](int c) {
    apply_delivery(m, c);
    serve_people(m, c);   // each person's part of delivery, finance, entry and outcomes
    serve_workers(m, c);  // each worker's pay, quitting and wage bill
    apply_finance(m, c);
    apply_entry_exit(m, c);
    apply_outcomes(m, c);
    metrics_state_.compute_council(m, c, metrics_, &m.tally[static_cast<std::size_t>(c)]);
  });
  m.flush_pending();  // entrants join after the metrics: they have no clients or staff this week
  m.merge_event_logs();
  m.end_week();
}

double Model::metric_total(Metric metric) const {
  double total = 0;
  const auto nc = static_cast<std::size_t>(councils());
  for (std::size_t c = 0; c < nc; ++c) total += metrics_[metric * nc + c];
  return total;
}

}  // namespace cm
