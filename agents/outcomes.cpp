// MODEL.md §3.9 — outcomes: wellbeing moves toward a target set by unmet need, continuity,
// relational care and social ties. Providers' observed quality (used in tenders and choice)
// follows their clients' wellbeing and continuity and their own staff turnover.
#include <algorithm>

#include "agents/market.hpp"

namespace cm {

void apply_outcomes(Market& m, int c) {
  auto& p = m.people;
  auto& pr = m.providers;
  const auto& o = m.spec.outcomes;
  auto& wellbeing_sum = m.scratch.provider_a;  // this council's rows only
  auto& continuity_sum = m.scratch.provider_b;
  m.for_council_providers(c, [&](std::size_t q) { wellbeing_sum[q] = continuity_sum[q] = 0; });
  m.for_council_people(c, [&](std::size_t i) {
    if (!p.alive[i]) return;
    const double unmet = p.need_hours[i] > 0 ? std::max(0.0, 1.0 - p.hours_received[i] / p.need_hours[i]) : 0.0;
    double relational = 0;
    std::size_t q = 0;
    const bool placed = p.provider[i] != engine::kNoAgent;
    if (placed) {
      q = static_cast<std::size_t>(m.provider_row(p.provider[i]));
      relational = m.spec.providers.of(static_cast<Archetype>(pr.archetype[q])).relational;
    }
    const double ties = p.ties[i] / (p.ties[i] + 2.0);
    const double target = std::clamp(o.base - o.unmet_weight * unmet + o.continuity_weight * p.continuity[i] +
                                         o.relational_weight * relational + o.ties_weight * ties,
                                     0.0, 1.0);
    p.wellbeing[i] += static_cast<float>(o.rate * (target - p.wellbeing[i]));
    if (placed) {
      wellbeing_sum[q] += p.wellbeing[i];
      continuity_sum[q] += p.continuity[i];
    }
  });
  m.for_council_providers(c, [&](std::size_t q) {
    if (!pr.alive[q] || pr.clients[q] == 0) return;
    const double n = pr.clients[q];
    const double observed = 0.4 * continuity_sum[q] / n + 0.4 * wellbeing_sum[q] / n +
                            0.2 * (1 - std::min(1.0, static_cast<double>(pr.leaver_rate[q]) * 52.0));
    pr.quality[q] += static_cast<float>(0.02 * (observed - pr.quality[q]));
  });
}

}  // namespace cm
