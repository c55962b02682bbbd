#include "agents/model.hpp"

namespace cm {

Model::Model(const ScenarioSpec& spec, std::uint64_t seed, std::uint64_t replicate)
    : market_(spec, seed, replicate), metrics_state_(market_.councils()) {
  metrics_state_.compute(market_, metrics_);
}

void Model::step() {
  Market& m = market_;
  for (auto& t : m.tally) t = WeekTally{};
  m.week += 1;  // the step being computed: its streams, events and metrics row share this number
  apply_need(m);
  m.flush_pending();
  apply_eligibility(m);
  apply_commissioning(m);
  apply_matching(m);
  apply_labour_market(m);
  apply_founding(m);
  m.flush_pending();
  apply_delivery(m);
  apply_retention(m);
  apply_finance(m);
  apply_entry_exit(m);
  apply_outcomes(m);
  metrics_state_.compute(m, metrics_);
  m.flush_pending();  // entrants join after the metrics: they have no clients or staff this week
  m.merge_event_logs();
  m.compact_dead();
}

double Model::metric_total(Metric metric) const {
  double total = 0;
  const auto nc = static_cast<std::size_t>(councils());
  for (std::size_t c = 0; c < nc; ++c) total += metrics_[metric * nc + c];
  return total;
}

}  // namespace cm
