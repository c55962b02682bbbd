// MODEL.md §3.7 and §7 — workers: stress moves with workload and visit model; each worker quits
// with a weekly hazard  base × exp(−s·(effective pay − NLW)) × zero-hours × (1 + stress) ×
// (1 + underemployment) × (1 − autonomy). Leavers look for another care job or leave the sector.
// The rule for one worker is in retention.hpp.
#include "agents/retention.hpp"
#include "agents/contract_terms.hpp"
#include "agents/delivery.hpp"

namespace cm {

void start_quit_clock(Market& m, std::size_t k, std::size_t q, const engine::RngRoot::StepStreams& streams) {
  // Hired since the last pass: the clock starts with this week as its first trial.
  auto clock = streams.stream(Market::stream_key(m.workers, k), kQuitClock);
  set_quit_clock(m, k, q, static_cast<std::int32_t>(m.week), clock.open_uniform(), -1);
}

bool test_quit(Market& m, RetentionState& s, std::size_t k, std::size_t q, const engine::RngRoot::StepStreams& streams,
               WeekCounts& counts) {
  auto& w = m.workers;
  const auto& r = m.spec.retention;
  const double nlw = m.spec.labour.nlw;
  const auto week = static_cast<std::int32_t>(m.week);
  const double base = r.base_quit_per_year / 52.0;
  const double exponent = -r.wage_sensitivity * (w.effective_pay[k] - nlw);
  // A contract guaranteeing hours takes its holder's staff off zero hours (contract_terms.hpp); the
  // clock's bound took the worker's own contract, which is never lower.
  const double zero_hours = on_zero_hours(m, k, q) ? r.zero_hours_factor : 1.0;
  const double stress = 1 + r.stress_factor * w.stress[k];
  const double under = s.underemployment_factor[q], autonomy = s.autonomy_factor[q];
  auto stream = streams.stream(Market::stream_key(w, k), kQuit);
  // Uniform on [0, B): below the hazard with chance hazard / B.
  const double u = stream.uniform() * w.quit_review_chance[k];
  if (u >= quit_hazard_bound(base, exponent, zero_hours, stress, under, autonomy) ||
      u >= quit_hazard(base, exponent, zero_hours, stress, under, autonomy)) {
    set_quit_clock(m, k, q, week, stream.open_uniform(), 0);
    return true;
  }
  // A leaver looks for another care job, or leaves care.
  const bool leaves_care = !stream.bernoulli(m.spec.labour.move_share);
  s.leavers[q] += 1;
  counts.count_leaver(w.wage[k], nlw);
  w.employer[k] = engine::kNoAgent;
  w.weeks_searching[k] = 0;
  w.tenure_weeks[k] = 0;
  if (leaves_care) m.depart_worker(w.council[k], k);
  return false;
}

void apply_retention(Market& m, DeliveryState& delivery, RetentionState& s, int c) {
  const auto streams = m.rng.at_step(static_cast<std::uint64_t>(m.week));
  auto& counts = m.counts[static_cast<std::size_t>(c)];
  prepare_pay(m, delivery, c);  // the contact hours retention_begin_week() reads
  retention_begin_week(m, delivery, s, c);
  m.for_council_workers(c, [&](std::size_t k) {
    if (!m.workers.alive[k] || m.workers.employer[k] == engine::kNoAgent) return;
    retain_worker(m, s, k, static_cast<std::size_t>(m.provider_row(m.workers.employer[k])), streams, counts);
  });
  retention_end_week(m, s, c);
}

}  // namespace cm
