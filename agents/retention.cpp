// MODEL.md §3.7 and §7 — workers: stress moves with workload and visit model; each worker quits
// with a weekly hazard  base × exp(−s·(effective pay − NLW)) × zero-hours × (1 + stress) ×
// (1 + underemployment) × (1 − autonomy). Leavers look for another care job or leave the sector.
#include <algorithm>
#include <cmath>

#include "agents/market.hpp"

namespace cm {

void apply_retention(Market& m, int c) {
  auto& w = m.workers;
  auto& pr = m.providers;
  const auto& r = m.spec.retention;
  const double nlw = m.spec.labour.nlw;
  const auto streams = m.rng.at_step(static_cast<std::uint64_t>(m.week));
  auto& leavers = m.scratch.provider_a;
  auto& tally = m.tally[static_cast<std::size_t>(c)];
  m.for_council_providers(c, [&](std::size_t q) { leavers[q] = 0; });
  m.for_council_workers(c, [&](std::size_t k) {
    if (!w.alive[k] || w.employer[k] == engine::kNoAgent) return;
    const auto q = static_cast<std::size_t>(m.provider_row(w.employer[k]));
    const auto& a = m.spec.providers.of(static_cast<Archetype>(pr.archetype[q]));
    const double load = w.contact_hours[k] / a.contracted_hours;
    double target = r.stress_base + r.stress_workload * std::max(0.0, load - 1) + r.stress_task * (1 - a.relational);
    if (w.is_founder[k]) target *= 0.7;  // owners control their work (NEF 2020)
    w.stress[k] += static_cast<float>(r.stress_rate * (std::clamp(target, 0.0, 1.0) - w.stress[k]));
    w.tenure_weeks[k] += 1;
    if (w.is_founder[k]) return;  // an owner leaves only when the enterprise closes
    const double under = std::max(0.0, 1 - load);
    const double hazard = r.base_quit_per_year / 52.0 * std::exp(-r.wage_sensitivity * (w.effective_pay[k] - nlw)) *
                          (w.zero_hours[k] ? r.zero_hours_factor : 1.0) * (1 + r.stress_factor * w.stress[k]) *
                          (1 + r.underemployment_factor * under) * (1 - a.autonomy);
    auto stream = streams.stream(static_cast<std::uint64_t>(w.id[k]), kQuit);
    if (stream.uniform() >= hazard) return;
    // A leaver looks for another care job, or leaves care.
    const bool leaves_care = !stream.bernoulli(m.spec.labour.move_share);
    leavers[q] += 1;
    pr.staff[q] -= 1;
    tally.count_leaver(w.wage[k], nlw);
    w.employer[k] = engine::kNoAgent;
    w.weeks_searching[k] = 0;
    w.tenure_weeks[k] = 0;
    if (leaves_care) w.alive[k] = 0;
  });
  m.for_council_providers(c, [&](std::size_t q) {
    const double before = pr.staff[q] + leavers[q];
    const double rate = before > 0 ? leavers[q] / before : 0.0;
    pr.leaver_rate[q] += static_cast<float>(0.05 * (rate - pr.leaver_rate[q]));
  });
}

}  // namespace cm
