#include "agents/chain_groups.hpp"

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "agents/changes.hpp"
#include "agents/provider_entry_exit.hpp"

namespace cm {

void fail_group(Market& m, std::int32_t group) {
  for (int c = 0; c < m.councils(); ++c)
    m.for_council_providers(c, [&](std::size_t q) {
      if (m.providers.alive[q] && m.providers.group[q] == kChainGroupBase + group) close_provider(m, c, q);
    });
}

std::int32_t chain_group_count(const ScenarioSpec& spec) {
  std::int64_t groups = 0;
  for (const auto& c : spec.councils) groups = std::max(groups, c.chain_groups);
  return static_cast<std::int32_t>(groups);
}

void keep_group_books(const Market& m, ChainGroupsState& s) {
  const auto groups = static_cast<std::size_t>(chain_group_count(m.spec));
  s.council_hours.assign(groups, 0.0);
  s.margin.resize(groups, 0.0f);
  s.loss_weeks.resize(groups, 0);
  std::vector<double> surplus(groups, 0.0), turnover(groups, 0.0);
  s.region_council_hours = 0;
  const auto& pr = m.providers;
  for (int c = 0; c < m.councils(); ++c)
    m.for_council_providers(c, [&](std::size_t q) {
      if (!pr.alive[q]) return;
      s.region_council_hours += pr.council_hours[q];
      const auto g = static_cast<std::size_t>(pr.group[q] - kChainGroupBase);
      if (pr.group[q] < kChainGroupBase || g >= groups) return;
      s.council_hours[g] += pr.council_hours[q];
      surplus[g] += pr.surplus[q];
      // A branch's turnover as finance.cpp takes it for its own margin: its takings, or its costs at a loss.
      turnover[g] +=
          std::max({static_cast<double>(pr.income[q]), static_cast<double>(pr.income[q] - pr.surplus[q]), 1.0});
    });
  const double smoothing = m.spec.providers.margin_smoothing;
  for (std::size_t g = 0; g < groups; ++g) {
    if (turnover[g] <= 0) continue;  // no open branch: the books stand as they were
    s.margin[g] += static_cast<float>(smoothing * (surplus[g] / turnover[g] - s.margin[g]));
    s.loss_weeks[g] = s.margin[g] < 0 ? static_cast<std::int16_t>(s.loss_weeks[g] + 1) : std::int16_t{0};
  }
}

void fail_groups_at_random(Market& m, ChangesState& changes) {
  const double rate = m.spec.providers.chain_group_failure_per_year;
  const std::int32_t week = m.reported_week();
  if (!(rate > 0) || week <= 0) return;
  const std::int32_t groups = chain_group_count(m.spec);
  std::vector<std::uint8_t> open(static_cast<std::size_t>(groups), 0);
  const auto& pr = m.providers;
  for (std::size_t q = 0; q < pr.id.size(); ++q) {
    const auto g = pr.group[q] - kChainGroupBase;
    if (pr.alive[q] && g >= 0 && g < groups) open[static_cast<std::size_t>(g)] = 1;
  }
  const double weekly = std::min(1.0, rate / 52.0);
  const auto streams = m.rng.at_step(static_cast<std::uint64_t>(m.week));
  for (std::int32_t g = 0; g < groups; ++g) {
    if (!open[static_cast<std::size_t>(g)]) continue;
    auto stream = streams.stream(static_cast<std::uint64_t>(g), kGroupFailure);
    if (!stream.bernoulli(weekly)) continue;
    fail_group(m, g);
    std::ostringstream detail;
    detail << "providers.chain.group_failure_per_year = " << rate;
    changes.applied.push_back({week, "chain group " + std::to_string(g), "fails", "hazard", detail.str()});
  }
}

}  // namespace cm
