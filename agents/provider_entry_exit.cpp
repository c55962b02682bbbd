// MODEL.md §3.8 — provider exit and entry: providers close after sustained losses or by a base
// hazard (about one agency in seven a year); a micro-enterprise closes more readily when its
// owner's income is below their reservation income or the owner is burnt out. New agencies and
// chain branches enter where people wait for care. Clients of a closed provider are re-placed
// (matching, next week) and lose continuity; its staff look for other care jobs.
#include <algorithm>
#include <cmath>

#include <boost/random/poisson_distribution.hpp>

#include "agents/provider_entry_exit.hpp"

namespace cm {

void close_provider(Market& m, int c, std::size_t q) {
  auto& pr = m.providers;
  pr.alive[q] = 0;
  auto& counts = m.counts[static_cast<std::size_t>(c)];
  counts.exits += 1;
  // An owner-run provider closes; a firm exits the market.
  const bool owner_run = m.spec.providers.of(static_cast<Archetype>(pr.archetype[q])).owner_worker;
  if (static_cast<Archetype>(pr.archetype[q]) == Archetype::micro) counts.closed += 1;
  m.log_provider_event(c, q, owner_run ? ProviderEventKind::closure : ProviderEventKind::exit);
  const auto id = pr.id[q];
  m.for_council_workers(c, [&](std::size_t k) {
    if (m.workers.employer[k] != id) return;
    m.workers.employer[k] = engine::kNoAgent;
    m.workers.weeks_searching[k] = 0;
    counts.count_leaver(m.workers.wage[k], m.spec.labour.nlw);
    if (m.workers.is_founder[k]) {  // the owner of a closed owner-run provider leaves care
      m.depart_worker(c, k);
    }
  });
}

namespace {

void entry_exit_council(Market& m, const CareGap& gap, const MatchingDemand& demand, int c,
                        const ChainGroupsState& groups) {
  auto& pr = m.providers;
  const auto& spec = m.spec;
  const auto& f = spec.founding;
  double established = 0, margins = 0;
  m.for_council_providers(c, [&](std::size_t q) {
    if (!pr.alive[q]) return;
    const auto arch = static_cast<Archetype>(pr.archetype[q]);
    const auto& a = spec.providers.of(arch);
    auto stream = m.rng.stream(static_cast<std::uint64_t>(m.week), Market::stream_key(pr, q), kClosure);
    double hazard = a.closure_per_year / 52.0;
    if (a.owner_worker) {
      const auto founder = m.workers_index.row_of(pr.founder[q]);
      const double owner_stress = founder >= 0 ? m.workers.stress[static_cast<std::size_t>(founder)] : 0.0;
      const double owner_income =
          pr.surplus[q] + (founder >= 0 ? m.workers.paid_hours[static_cast<std::size_t>(founder)] *
                                              m.workers.wage[static_cast<std::size_t>(founder)]
                                        : 0.0);
      if (owner_income < f.reservation_income) hazard *= f.low_income_factor;
      hazard *= 1 + f.burnout_factor * owner_stress;
      // A founder who has found no client by launch_weeks gives up (MODEL.md §11: with support but
      // no demand, many close).
      if (pr.age_weeks[q] >= f.launch_weeks && pr.clients[q] == 0) hazard = 1;
      if (founder < 0) hazard = 1;  // no owner, no enterprise
    } else if (a.closes_on_losses) {
      // A chain group is one firm (MODEL.md §14): while it makes money across the region it carries
      // a losing branch twice as long; while it loses money, a branch losing money closes once the
      // group's losses have lasted as long as a provider's would.
      const auto weeks = spec.providers.exit_loss_weeks;
      const std::int32_t group = pr.group[q];
      const bool grouped = group >= kChainGroupBase;
      const bool losing_group = groups.losing(group);
      if (!grouped || losing_group ? pr.loss_weeks[q] >= weeks : pr.loss_weeks[q] >= 2 * weeks) hazard = 1;
      if (grouped && groups.losing_for(group, weeks) && pr.margin_average[q] < 0) hazard = 1;
    }
    if (stream.uniform() < hazard) {
      close_provider(m, c, q);
      return;
    }
    if (a.closes_on_losses) {
      established += 1;
      margins += pr.margin_average[q];
    }
  });

  // Entry responds to the care that buyers would pay for but do not get: hours of placed people
  // not delivered, and people waiting for a provider (not those the budget cannot fund), relative
  // to a reference gap. Relative, not absolute, so that the same rule holds at every scale; its
  // base is the market's size (people needing care), not the providers already there, so entry
  // does not compound; and no one enters a market whose providers lose money on average
  // (MODEL.md §11). Counted in the pass over people (count_care_gap, provider_entry_exit.hpp).
  const double needing = gap.needing, needed_hours = gap.needed_hours, delivered_hours = gap.delivered_hours;
  const double waiting = std::max(0.0, gap.waiting - demand.waiting_for_budget);
  const double relative_gap =
      (needing > 0 ? waiting / needing : 0.0) + (needed_hours > 0 ? 1 - delivered_hours / needed_hours : 0.0);
  const double attractiveness =
      std::min(spec.providers.entry_attractiveness_max, relative_gap / spec.providers.entry_reference_gap);
  const double scale = std::max(needing / spec.providers.entry_people_per_provider, 1.0);
  const bool profitable = established == 0 || margins / established >= 0;
  const double per_week = profitable ? spec.providers.entry_per_year / 52.0 * scale * attractiveness : 0.0;
  auto stream = m.rng.stream(static_cast<std::uint64_t>(m.week), static_cast<std::uint64_t>(c), kEntry);
  boost::random::poisson_distribution<int, double> entrants(std::max(per_week, 1e-12));
  const int n = entrants(stream);
  auto& pend = m.pending[static_cast<std::size_t>(c)];
  const auto first = m.geography.first_locality(c);
  const auto nloc = static_cast<std::uint32_t>(m.geography.locality_count(c));
  for (int k = 0; k < n; ++k) {
    const bool chain = stream.bernoulli(spec.providers.chain_entry_share);
    const auto locality = first + static_cast<std::int32_t>(stream.below(nloc));
    // A chain entering opens a branch of a group already present in the council when it can.
    std::int32_t group = -1;
    if (chain) {
      std::vector<std::int32_t> groups;
      m.for_council_providers(c, [&](std::size_t q) {
        if (pr.alive[q] && static_cast<Archetype>(pr.archetype[q]) == Archetype::chain) groups.push_back(pr.group[q]);
      });
      if (!groups.empty()) group = groups[stream.below(static_cast<std::uint32_t>(groups.size()))];
    }
    const auto index = static_cast<std::int32_t>(pend.providers.size());
    pend.providers.push_back({chain ? Archetype::chain : Archetype::agency, locality, group, false, engine::kNoAgent,
                              ProviderEventKind::entry});
    for (std::int64_t s = 0; s < spec.providers.entrant_workers; ++s)
      pend.workers.push_back({locality, index, engine::kNoAgent, false});
    m.counts[static_cast<std::size_t>(c)].entries += 1;
  }
}

}  // namespace

void apply_entry_exit(Market& m, const CareGap& gap, const MatchingDemand& demand, int c,
                      const ChainGroupsState& groups) {
  entry_exit_council(m, gap, demand, c, groups);
}

}  // namespace cm
