#pragma once
// MODEL.md §3.7 and §7 — retention: the week's per-row hook (RetainWorkers) and the rule for one
// worker it calls; retention.cpp runs the same rule as a pass of its own (set-up, benchmarks).
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <vector>

#include "agents/contract_terms.hpp"
#include "agents/delivery.hpp"
#include "agents/market.hpp"
#include "agents/week.hpp"
#include "engine/schedule.hpp"

namespace cm {

// What retention works out per provider row for the week (a council uses only its own rows, so
// councils share it): its leavers, the stress its workers move toward, and the factors of the quit
// hazard its workers share (underemployment, autonomy).
struct RetentionState {
  void fit(std::size_t providers) {
    for (auto* column : {&leavers, &stress_target, &underemployment_factor, &autonomy_factor})
      column->resize(providers);
  }
  std::vector<double> leavers, stress_target, underemployment_factor, autonomy_factor;
};

// Retention alone for one council, delivery's pay included (benchmarks, tests).
void apply_retention(Market& m, DeliveryState& delivery, RetentionState& s, int c);

// The weekly quit hazard base × exp(exponent) × zero-hours × stress × underemployment × autonomy
// factors, multiplied in that order.
inline double quit_hazard(double base, double exponent, double zero_hours, double stress, double under,
                          double autonomy) {
  return base * std::exp(exponent) * zero_hours * stress * under * autonomy;
}
// An upper bound of quit_hazard() that needs no exp(): the same product with exp() replaced by 1,
// when exp() can only shrink it (exponent <= 0) and no factor is negative (floating-point products
// are monotone); otherwise infinity. Most draws are far above the hazard, and one above this
// bound decides without calling exp().
inline double quit_hazard_bound(double base, double exponent, double zero_hours, double stress, double under,
                                double autonomy) {
  if (exponent <= 0 && base >= 0 && zero_hours >= 0 && stress >= 0 && under >= 0 && autonomy >= 0)
    return base * zero_hours * stress * under * autonomy;
  return std::numeric_limits<double>::infinity();
}

// The parts of stress and of the quit hazard that every worker of a provider shares: their
// workload is their contact hours (as pay_worker stores them), from delivery's prepare_pay(), which
// has run for the council.
inline void retention_begin_week(const Market& m, const DeliveryState& delivery, RetentionState& s, int c) {
  const auto& r = m.spec.retention;
  const auto& pr = m.providers;
  m.for_council_providers(c, [&](std::size_t q) {
    s.leavers[q] = 0;
    const auto& a = m.spec.providers.of(static_cast<Archetype>(pr.archetype[q]));
    const double load = static_cast<float>(delivery.contact_hours[q]) / a.contracted_hours;
    s.stress_target[q] = r.stress_base + r.stress_workload * std::max(0.0, load - 1) +
                         r.stress_task * (1 - a.relational) * task_stress_factor(m, q);
    s.underemployment_factor[q] = 1 + r.underemployment_factor * std::max(0.0, 1 - load);
    s.autonomy_factor[q] = 1 - a.autonomy;
  });
}

// The weekly chance of a quit test for worker k at employer q: an upper bound of the quit hazard
// over every week until the worker changes employer. Each factor is taken at its worst:
// effective pay at the wage less the most unpaid travel (the wage only ever rises, by wage floors), stress
// at 1, underemployment at no contact hours. Capped at 1.
inline double quit_review_chance(const Market& m, std::size_t k, std::size_t q) {
  const auto& w = m.workers;
  const auto& r = m.spec.retention;
  const auto& a = m.spec.providers.of(static_cast<Archetype>(m.providers.archetype[q]));
  // A tenth of a penny and a thousandth of stress cover the rounding of the float columns, and
  // the last factor the rounding of the product itself.
  const auto arch = static_cast<Archetype>(m.providers.archetype[q]);
  const double lowest_pay = w.wage[k] / (1 + m.most_travel(arch, m.providers.council[q]) / 60.0) - 1e-3;
  const double bound = quit_hazard(r.base_quit_per_year / 52.0, -r.wage_sensitivity * (lowest_pay - m.spec.labour.nlw),
                                   w.zero_hours[k] ? r.zero_hours_factor : 1.0, 1 + r.stress_factor * 1.001,
                                   1 + r.underemployment_factor, 1 - a.autonomy) *
                       (1 + 1e-9);
  return std::clamp(bound, 0.0, 1.0);
}

// Draws the worker's next quit test from v (uniform on (0, 1]): Geometric(chance) weeks after
// `week` + first_offset (first_offset -1 makes `week` itself the first trial). Stores the chance
// the clock ran with, which the test divides by.
inline void set_quit_clock(Market& m, std::size_t k, std::size_t q, std::int32_t week, double v,
                           std::int32_t first_offset) {
  auto& w = m.workers;
  // Stored as a float rounded up, so the stored chance is still a bound, and the test divides by
  // exactly the chance that set the clock.
  const double chance = quit_review_chance(m, k, q);
  auto stored = static_cast<float>(chance);
  if (static_cast<double>(stored) < chance) stored = std::nextafter(stored, 2.0f);
  w.quit_review_chance[k] = stored;
  constexpr double kNever = 1 << 30;
  const double trials = engine::trials_to_first_success(stored, std::log1p(-static_cast<double>(stored)), v, kNever);
  w.quit_review_week[k] = static_cast<std::int32_t>(week + first_offset + trials);
}

// Stress moves with workload and visit model; the worker quits with a weekly hazard
// base × exp(−s·(effective pay − NLW)) × zero-hours × (1 + stress) × (1 + underemployment) ×
// (1 − autonomy), and then looks for another care job or leaves care. q: the employer's row.
// A leaver counts in s.leavers[q]; the provider's staff count drops in retention_end_week(),
// so every worker of the pass sees the same staff. Returns whether the worker is still employed.
//
// The hazard is tested only in the weeks of the worker's quit clock: weeks between tests are
// geometric with a chance B that bounds the hazard until the worker changes employer
// (quit_review_chance), and a test quits with chance hazard / B, so every week the worker quits
// with chance exactly the hazard (thinning, as for need: docs/ODD.md §7.8).
// The two rare parts of retain_worker, out of line (retention.cpp) so the weekly loop over workers
// stays small: starting the quit clock of a worker hired since the last pass, and the quit test in
// the week the clock names (about one worker in a hundred a week).
void start_quit_clock(Market& m, std::size_t k, std::size_t q, const engine::RngRoot::StepStreams& streams);
bool test_quit(Market& m, RetentionState& s, std::size_t k, std::size_t q, const engine::RngRoot::StepStreams& streams,
               WeekCounts& counts);

inline bool retain_worker(Market& m, RetentionState& s, std::size_t k, std::size_t q,
                          const engine::RngRoot::StepStreams& streams, WeekCounts& counts) {
  auto& w = m.workers;
  const auto& r = m.spec.retention;
  double target = s.stress_target[q];
  if (w.is_founder[k]) target *= r.founder_stress_factor;  // owners control their work (NEF 2020)
  w.stress[k] += static_cast<float>(r.stress_rate * (std::clamp(target, 0.0, 1.0) - w.stress[k]));
  w.tenure_weeks[k] += 1;
  if (w.is_founder[k]) return true;  // an owner leaves only when the enterprise closes
  if (w.quit_review_week[k] == 0) start_quit_clock(m, k, q, streams);
  if (w.quit_review_week[k] != static_cast<std::int32_t>(m.week)) return true;
  return test_quit(m, s, k, q, streams, counts);
}

// Leavers leave their provider's staff; the provider's leaver rate (a moving average) follows.
inline void retention_end_week(Market& m, const RetentionState& s, int c) {
  auto& pr = m.providers;
  const auto& leavers = s.leavers;
  const double smoothing = m.spec.retention.leaver_rate_smoothing;
  m.for_council_providers(c, [&](std::size_t q) {
    pr.staff[q] -= static_cast<std::int32_t>(leavers[q]);
    const double before = pr.staff[q] + leavers[q];
    const double rate = before > 0 ? leavers[q] / before : 0.0;
    pr.leaver_rate[q] += static_cast<float>(smoothing * (rate - pr.leaver_rate[q]));
  });
}

// The workers phase: stress, the quit hazard and leaving. Staff counts drop and providers' leaver
// rates move once the council's workers are done (retention_end_week).
struct RetainWorkers {
  using Table = WorkerRows;
  struct State {
    engine::RngRoot::StepStreams streams;
    WeekCounts* counts;
  };
  State begin(Week& w, int c) const {
    retention_begin_week(w.market, w.delivery, w.retention, c);
    return {w.market.rng.at_step(static_cast<std::uint64_t>(w.market.week)),
            &w.market.counts[static_cast<std::size_t>(c)]};
  }
  void row(Week& w, State& s, const WorkerRow& r) const {
    if (r.employer != kNoRow) retain_worker(w.market, w.retention, r.k, r.employer, s.streams, *s.counts);
  }
  void end(Week& w, int c, State&) const { retention_end_week(w.market, w.retention, c); }
};

}  // namespace cm
