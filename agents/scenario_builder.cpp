// Builds the starting market of a scenario: geography, providers, their staff, people, and the
// commissioners' first contracts, then places people so the run starts from a working market.
#include <algorithm>
#include <cmath>

#include <boost/random/poisson_distribution.hpp>

#include "agents/market.hpp"

namespace cm {

Market::Market(const ScenarioSpec& s, std::uint64_t seed, std::uint64_t replicate)
    : spec(s), rng(seed, replicate), geography(s, rng) {
  const auto n = static_cast<std::size_t>(councils());
  commissioners.resize(n);
  tally.resize(n);
  pending.resize(n);
  council_tenders.resize(n);
  council_bids.resize(n);
  council_provider_events.resize(n);
  // Group ids for chains are shared across councils (branches of one company), so they live in
  // a range of their own above every provider id a run can reach.
  constexpr std::int32_t kChainGroupBase = 1 << 30;
  next_group = 0;

  for (int c = 0; c < councils(); ++c) {
    const auto& cs = spec.councils[static_cast<std::size_t>(c)];
    auto& com = commissioners[static_cast<std::size_t>(c)];
    const auto& policy = spec.commissioning;
    com.weekly_budget = cs.budget_million * 1e6 * policy.budget_multiplier * (1 - policy.prevention_share) / 52.0;
    com.lots = static_cast<std::int32_t>((cs.localities + policy.lot_size - 1) / policy.lot_size);
    com.lot_tender_week.assign(static_cast<std::size_t>(com.lots), 0);
    com.lot_relet.assign(static_cast<std::size_t>(com.lots), 0);

    auto stream = rng.stream(0, static_cast<std::uint64_t>(c), kBuildProvider);
    const std::int32_t first = geography.first_locality(c);
    const auto nloc = static_cast<std::uint32_t>(geography.locality_count(c));
    auto random_locality = [&] { return first + static_cast<std::int32_t>(stream.below(nloc)); };

    // Providers first, then their staff: weights set how the starting workforce is shared.
    std::vector<std::size_t> rows;
    std::vector<double> weight;
    for (std::int64_t k = 0; k < cs.chains; ++k) {
      const std::int32_t group = cs.chain_groups > 0 ? kChainGroupBase + static_cast<std::int32_t>(k % cs.chain_groups) : -1;
      rows.push_back(add_provider(c, Archetype::chain, random_locality(), group));
      weight.push_back(2.5);
    }
    for (std::int64_t k = 0; k < cs.agencies; ++k) {
      rows.push_back(add_provider(c, Archetype::agency, random_locality(), -1));
      weight.push_back(1.0);
    }
    std::int64_t workers_left = cs.workers;
    for (std::int64_t k = 0; k < cs.micro_enterprises; ++k) {
      const auto r = add_provider(c, Archetype::micro, random_locality(), -1);
      const auto founder = add_worker(c, providers.home_locality[r], providers.id[r], true);
      providers.founder[r] = workers.id[founder];
      boost::random::poisson_distribution<int, double> extra(0.6);
      const auto staff = std::min<std::int64_t>(extra(stream), spec.providers.micro.max_workers - 1);
      for (std::int64_t w = 0; w < staff; ++w) add_worker(c, providers.home_locality[r], providers.id[r], false);
      workers_left -= 1 + staff;
    }
    double total_weight = 0;
    for (double w : weight) total_weight += w;
    for (std::size_t i = 0; i < rows.size() && workers_left > 0; ++i) {
      const auto p = rows[i];
      const auto cap = spec.providers.of(static_cast<Archetype>(providers.archetype[p])).max_workers;
      const auto share = static_cast<std::int64_t>(std::llround(static_cast<double>(cs.workers) * weight[i] / total_weight));
      const auto staff = std::min({share, cap, workers_left});
      for (std::int64_t w = 0; w < staff; ++w) add_worker(c, providers.home_locality[p], providers.id[p], false);
      workers_left -= staff;
    }

    for (std::int64_t k = 0; k < cs.people; ++k) {
      auto ps = rng.stream(0, (static_cast<std::uint64_t>(c) << 32) | static_cast<std::uint64_t>(k), kBuildPerson);
      const auto loc = first + static_cast<std::int32_t>(ps.below(nloc));
      add_person(c, loc, ps);
    }
  }
  rebuild_rows();
  // Workers' first week: rostered hours as contact hours, so the first quit hazard is not that of
  // an idle workforce.
  for (std::size_t w = 0; w < workers.id.size(); ++w) {
    const auto p = static_cast<std::size_t>(provider_row(workers.employer[w]));
    const auto& a = spec.providers.of(static_cast<Archetype>(providers.archetype[p]));
    workers.contact_hours[w] = workers.paid_hours[w] = static_cast<float>(a.contracted_hours);
  }
  for (std::size_t p = 0; p < providers.id.size(); ++p) {
    const auto& a = spec.providers.of(static_cast<Archetype>(providers.archetype[p]));
    providers.capacity_hours[p] = static_cast<float>(providers.staff[p] * a.contracted_hours);
  }
  apply_eligibility(*this);
  apply_commissioning(*this);
  apply_matching(*this);
  apply_delivery(*this);
  merge_event_logs();
  for (auto& t : tally) t = WeekTally{};
}

}  // namespace cm
