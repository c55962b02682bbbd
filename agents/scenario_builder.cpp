// Builds the starting market of a scenario: geography, providers, people and the commissioners'
// lots; opening.cpp then places people and staffs providers so the run starts from a working market.
#include <algorithm>
#include <cmath>

#include <boost/random/poisson_distribution.hpp>

#include "agents/market.hpp"
#include "agents/price_setting.hpp"

namespace cm {

Market::Market(const ScenarioSpec& s, std::uint64_t seed, std::uint64_t replicate)
    : spec(s), rng(seed, replicate), warmup_weeks(static_cast<std::int32_t>(s.run.warmup_weeks)), geography(s, rng) {
  const auto n = static_cast<std::size_t>(councils());
  commissioners.resize(n);
  counts.resize(n);
  pending.resize(n);
  departed.resize(n);
  council_tenders.resize(n);
  council_bids.resize(n);
  council_provider_events.resize(n);
  next_serial = {std::vector<std::int32_t>(n, 0), std::vector<std::int32_t>(n, 0), std::vector<std::int32_t>(n, 0)};
  // Group ids for chains are shared across councils (branches of one company), so they live in
  // a range of their own above every provider id a run can reach.
  next_group = 0;
  need_tables = make_need_tables(spec);
  // Tables sized once for the starting market, with room for a year of growth.
  std::size_t start_people = 0, start_workers = 0, start_providers = 0;
  for (const auto& cs : spec.councils) {
    start_people += static_cast<std::size_t>(cs.people);
    start_workers += static_cast<std::size_t>(cs.workers);
    start_providers += static_cast<std::size_t>(cs.chains + cs.agencies + cs.micro_enterprises + cs.cooperatives +
                                                cs.council_run + cs.personal_assistants);
  }
  engine::reserve_rows(people, start_people + start_people / 8 + 1024);
  engine::reserve_rows(workers, start_workers + start_workers / 4 + 1024);
  engine::reserve_rows(providers, start_providers + start_providers / 4 + 1024);
  // Lots are runs of lot_size consecutive localities of a council.
  for (int c = 0; c < councils(); ++c)
    for (std::int32_t l = 0; l < geography.locality_count(c); ++l) {
      const auto locality = static_cast<std::size_t>(geography.first_locality(c) + l);
      if (locality_lot.size() <= locality) locality_lot.resize(locality + 1);
      locality_lot[locality] = l / static_cast<std::int32_t>(spec.commissioning.lot_size);
    }

  for (int c = 0; c < councils(); ++c) {
    const auto& cs = spec.councils[static_cast<std::size_t>(c)];
    auto& com = commissioners[static_cast<std::size_t>(c)];
    const auto& policy = spec.commissioning;
    com.weekly_budget = weekly_care_budget(spec, static_cast<std::size_t>(c));
    com.reference_rate = cs.reference_rate > 0 ? cs.reference_rate : policy.reference_rate;
    com.uplift_cost = hour_cost(*this, c);
    com.lots = static_cast<std::int32_t>((cs.localities + policy.lot_size - 1) / policy.lot_size);
    com.lot_tender_week.assign(static_cast<std::size_t>(com.lots), 0);
    com.lot_relet.assign(static_cast<std::size_t>(com.lots), 0);
    com.lot_in_house.assign(static_cast<std::size_t>(com.lots), 0);

    auto stream = rng.stream(0, static_cast<std::uint64_t>(c), kBuildCouncil);
    const std::int32_t first = geography.first_locality(c);
    const auto nloc = static_cast<std::uint32_t>(geography.locality_count(c));
    auto random_locality = [&] { return first + static_cast<std::int32_t>(stream.below(nloc)); };

    // Providers first, with a provisional capacity shared by size weights (a chain branch
    // chain_start_weight, an agency 1) so that the first tenders and placements can run; staff are
    // hired afterwards to match the placements (below).
    std::vector<double> weight;
    for (std::int64_t k = 0; k < cs.chains; ++k) {
      const std::int32_t group =
          cs.chain_groups > 0 ? kChainGroupBase + static_cast<std::int32_t>(k % cs.chain_groups) : -1;
      add_provider(c, Archetype::chain, random_locality(), group);
      weight.push_back(spec.providers.chain_start_weight);
    }
    for (std::int64_t k = 0; k < cs.agencies; ++k) {
      add_provider(c, Archetype::agency, random_locality(), -1);
      weight.push_back(1.0);
    }
    for (std::int64_t k = 0; k < cs.micro_enterprises; ++k) {
      add_provider(c, Archetype::micro, random_locality(), -1);
      weight.push_back(0.0);
    }
    // The other kinds after these three, so a scenario without them draws as before. A provider
    // run by its owner starts at its intended size (weight 0); any other at an agency's weight.
    for (auto [kind, count] :
         {std::pair{Archetype::cooperative, cs.cooperatives}, std::pair{Archetype::council_run, cs.council_run},
          std::pair{Archetype::personal_assistant, cs.personal_assistants}})
      for (std::int64_t k = 0; k < count; ++k) {
        add_provider(c, kind, random_locality(), -1);
        weight.push_back(spec.providers.of(kind).owner_worker ? 0.0 : 1.0);
      }
    double total_weight = 0;
    for (double w : weight) total_weight += w;
    std::size_t first_row = providers.id.size() - weight.size();
    for (std::size_t i = 0; i < weight.size(); ++i) {
      const auto p = first_row + i;
      const auto& a = spec.providers.of(static_cast<Archetype>(providers.archetype[p]));
      const double staff = weight[i] > 0 ? static_cast<double>(cs.workers) * weight[i] / total_weight
                                         : static_cast<double>(providers.intended_staff[p]);
      providers.capacity_hours[p] = static_cast<float>(staff * a.contracted_hours);
    }
  }
  // The starting people, council by council (their own table, so after every council's
  // providers gives the same rows and ids), set up in parallel.
  std::vector<std::int32_t> start_counts;
  for (const auto& cs : spec.councils) start_counts.push_back(static_cast<std::int32_t>(cs.people));
  append_people(start_counts, [&](int c, std::int32_t k, std::size_t row) {
    auto ps = rng.stream(0, (static_cast<std::uint64_t>(c) << 32) | static_cast<std::uint64_t>(k), kBuildPerson);
    const auto loc = geography.first_locality(c) +
                     static_cast<std::int32_t>(ps.below(static_cast<std::uint32_t>(geography.locality_count(c))));
    make_person(row, c, loc, ps, false);
  });
  group_by_council();
}

// The starting workforce follows the starting placements: each provider gets the staff its
// clients need (plus the vacancy buffer), scaled so that each council's total is its workers;
// providers run by their owner (micro-enterprises, personal assistants) have their owner and the
// staff they intend to have.
void Market::hire_starting_staff() {
  // Each council's hires in the order they join (owner-run providers' owners and staff first),
  // worked out for every council in parallel, then added in one batch.
  struct Hire {
    std::int32_t locality;
    engine::AgentId employer;
    bool founder;
  };
  std::vector<std::vector<Hire>> hires(static_cast<std::size_t>(councils()));
  each_council(*this, [&](int c) {
    const auto& cs = spec.councils[static_cast<std::size_t>(c)];
    auto& hired = hires[static_cast<std::size_t>(c)];
    double wanted_total = 0;
    std::int64_t owner_run_staff = 0;
    for_council_providers(c, [&](std::size_t p) {
      const auto arch = static_cast<Archetype>(providers.archetype[p]);
      if (spec.providers.of(arch).owner_worker) {
        owner_run_staff += providers.intended_staff[p];
        return;
      }
      wanted_total +=
          providers.allocated_hours[p] * (1 + spec.labour.vacancy_buffer) / spec.providers.of(arch).contracted_hours;
    });
    // Shares of the workforce not in owner-run providers by wanted staff, rounded by largest
    // remainder so that the council starts with exactly its declared number of workers.
    const double to_share = static_cast<double>(std::max<std::int64_t>(0, cs.workers - owner_run_staff));
    std::vector<std::size_t> rows;
    std::vector<std::int64_t> staff;
    std::vector<double> remainder;
    std::int64_t assigned = 0;
    for_council_providers(c, [&](std::size_t p) {
      const auto arch = static_cast<Archetype>(providers.archetype[p]);
      if (spec.providers.of(arch).owner_worker) return;
      const double wanted =
          providers.allocated_hours[p] * (1 + spec.labour.vacancy_buffer) / spec.providers.of(arch).contracted_hours;
      const double exact = wanted_total > 0 ? to_share * wanted / wanted_total : 0.0;
      rows.push_back(p);
      staff.push_back(static_cast<std::int64_t>(exact));
      remainder.push_back(exact - std::floor(exact));
      assigned += staff.back();
    });
    std::vector<std::size_t> order(rows.size());
    for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return remainder[a] > remainder[b]; });
    for (std::size_t k = 0; k < order.size() && assigned < static_cast<std::int64_t>(to_share); ++k, ++assigned)
      staff[order[k]] += 1;
    for_council_providers(c, [&](std::size_t p) {
      if (!spec.providers.of(static_cast<Archetype>(providers.archetype[p])).owner_worker) return;
      hired.push_back({providers.home_locality[p], providers.id[p], true});
      for (std::int64_t w = 1; w < providers.intended_staff[p]; ++w)
        hired.push_back({providers.home_locality[p], providers.id[p], false});
    });
    for (std::size_t k = 0; k < rows.size(); ++k)
      for (std::int64_t w = 0; w < std::min<std::int64_t>(staff[k], providers.intended_staff[rows[k]]); ++w)
        hired.push_back({providers.home_locality[rows[k]], providers.id[rows[k]], false});
  });
  std::vector<std::int32_t> counts;
  for (const auto& hired : hires) counts.push_back(static_cast<std::int32_t>(hired.size()));
  // Councils in parallel: a worker's employer is in their own council.
  append_workers(counts, [&](int c, std::int32_t k, std::size_t row) {
    const auto& h = hires[static_cast<std::size_t>(c)][static_cast<std::size_t>(k)];
    const auto q = static_cast<std::size_t>(make_worker(row, h.locality, h.employer, h.founder));
    providers.staff[q] += 1;
    if (h.founder) providers.founder[q] = workers.id[row];
  });
  // The council keeps its own services at the size they start with (insourcing.cpp grows them).
  for (int c = 0; c < councils(); ++c)
    for_council_providers(c, [&](std::size_t p) {
      const auto& a = spec.providers.of(static_cast<Archetype>(providers.archetype[p]));
      if (!a.owner_worker && a.in_house()) providers.intended_staff[p] = static_cast<std::int16_t>(providers.staff[p]);
    });
  group_by_council();
}

}  // namespace cm
