// MODEL.md §3.9 — outcomes: wellbeing moves toward a target set by unmet need, continuity,
// relational care and social ties. Providers' observed quality (used in tenders and choice)
// follows their clients' wellbeing and continuity and their own staff turnover.
#include <algorithm>

#include "agents/outcomes.hpp"

namespace cm {

void apply_outcomes(Market& m, const OutcomesState& s, int c) {
  auto& pr = m.providers;
  // Clients' wellbeing and continuity were summed in the pass over people (update_wellbeing).
  const auto& wellbeing_sum = s.wellbeing_sum;
  const auto& continuity_sum = s.continuity_sum;
  const auto& o = m.spec.outcomes;
  const double w_continuity = o.quality_continuity_weight, w_wellbeing = o.quality_wellbeing_weight;
  const double w_turnover = o.quality_turnover_weight, rate = o.quality_rate;
  m.for_council_providers(c, [&](std::size_t q) {
    if (!pr.alive[q] || pr.clients[q] == 0) return;
    const double n = pr.clients[q];
    const double observed = w_continuity * continuity_sum[q] / n + w_wellbeing * wellbeing_sum[q] / n +
                            w_turnover * (1 - std::min(1.0, static_cast<double>(pr.leaver_rate[q]) * 52.0));
    pr.quality[q] += static_cast<float>(rate * (observed - pr.quality[q]));
  });
}

}  // namespace cm
