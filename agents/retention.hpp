#pragma once
// MODEL.md §3.7 and §7 — retention, the part for one worker (retention.cpp has the rest). Inline,
// because model.cpp runs it in the one weekly pass over a council's workers (workers_week.cpp).
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>

#include "agents/market.hpp"

namespace cm {

// The weekly quit hazard base × exp(exponent) × zero-hours × stress × underemployment × autonomy
// factors, multiplied in that order.
inline double quit_hazard(double base, double exponent, double zero_hours, double stress, double under, double autonomy) {
  return base * std::exp(exponent) * zero_hours * stress * under * autonomy;
}
// An upper bound of quit_hazard() that needs no exp(): the same product with exp() replaced by 1,
// when exp() can only shrink it (exponent <= 0) and no factor is negative (floating-point products
// are monotone); otherwise infinity. Most draws are far above the hazard, and one above this
// bound decides without calling exp().
inline double quit_hazard_bound(double base, double exponent, double zero_hours, double stress, double under, double autonomy) {
  if (exponent <= 0 && base >= 0 && zero_hours >= 0 && stress >= 0 && under >= 0 && autonomy >= 0)
    return base * zero_hours * stress * under * autonomy;
  return std::numeric_limits<double>::infinity();
}

// The parts of stress and of the quit hazard that every worker of a provider shares: their
// workload is their contact hours (as pay_worker stores them), from prepare_pay(), which has run
// for the council.
inline void retention_begin_week(Market& m, int c) {
  const auto& r = m.spec.retention;
  const auto& pr = m.providers;
  auto& s = m.scratch;
  m.for_council_providers(c, [&](std::size_t q) {
    s.leavers[q] = 0;
    const auto& a = m.spec.providers.of(static_cast<Archetype>(pr.archetype[q]));
    const double load = static_cast<float>(s.contact_hours[q]) / a.contracted_hours;
    s.stress_target[q] = r.stress_base + r.stress_workload * std::max(0.0, load - 1) + r.stress_task * (1 - a.relational);
    s.underemployment_factor[q] = 1 + r.underemployment_factor * std::max(0.0, 1 - load);
    s.autonomy_factor[q] = 1 - a.autonomy;
  });
}

// Stress moves with workload and visit model; the worker quits with a weekly hazard
// base × exp(−s·(effective pay − NLW)) × zero-hours × (1 + stress) × (1 + underemployment) ×
// (1 − autonomy), and then looks for another care job or leaves care. q: the employer's row.
// A leaver counts in scratch.leavers[q]; the provider's staff count drops in retention_end_week(),
// so every worker of the pass sees the same staff. Returns whether the worker is still employed.
inline bool retain_worker(Market& m, std::size_t k, std::size_t q, const engine::RngRoot::StepStreams& streams,
                          WeekTally& tally) {
  auto& w = m.workers;
  const auto& r = m.spec.retention;
  const double nlw = m.spec.labour.nlw;
  double target = m.scratch.stress_target[q];
  if (w.is_founder[k]) target *= 0.7;  // owners control their work (NEF 2020)
  w.stress[k] += static_cast<float>(r.stress_rate * (std::clamp(target, 0.0, 1.0) - w.stress[k]));
  w.tenure_weeks[k] += 1;
  if (w.is_founder[k]) return true;  // an owner leaves only when the enterprise closes
  const double base = r.base_quit_per_year / 52.0;
  const double exponent = -r.wage_sensitivity * (w.effective_pay[k] - nlw);
  const double zero_hours = w.zero_hours[k] ? r.zero_hours_factor : 1.0;
  const double stress = 1 + r.stress_factor * w.stress[k];
  const double under = m.scratch.underemployment_factor[q], autonomy = m.scratch.autonomy_factor[q];
  auto stream = streams.stream(static_cast<std::uint64_t>(w.id[k]), kQuit);
  const double u = stream.uniform();
  if (u >= quit_hazard_bound(base, exponent, zero_hours, stress, under, autonomy)) return true;
  if (u >= quit_hazard(base, exponent, zero_hours, stress, under, autonomy)) return true;
  // A leaver looks for another care job, or leaves care.
  const bool leaves_care = !stream.bernoulli(m.spec.labour.move_share);
  m.scratch.leavers[q] += 1;
  tally.count_leaver(w.wage[k], nlw);
  w.employer[k] = engine::kNoAgent;
  w.weeks_searching[k] = 0;
  w.tenure_weeks[k] = 0;
  if (leaves_care) w.alive[k] = 0;
  return false;
}

// Leavers leave their provider's staff; the provider's leaver rate (a moving average) follows.
inline void retention_end_week(Market& m, int c) {
  auto& pr = m.providers;
  const auto& leavers = m.scratch.leavers;
  m.for_council_providers(c, [&](std::size_t q) {
    pr.staff[q] -= static_cast<std::int32_t>(leavers[q]);
    const double before = pr.staff[q] + leavers[q];
    const double rate = before > 0 ? leavers[q] / before : 0.0;
    pr.leaver_rate[q] += static_cast<float>(0.05 * (rate - pr.leaver_rate[q]));
  });
}

}  // namespace cm
