#include "agents/market.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include <tbb/task_group.h>
#include <boost/random/poisson_distribution.hpp>

namespace cm {

namespace {
template <class Shares>
std::size_t pick_band(double u, const Shares& shares) {
  double cumulative = 0;
  for (std::size_t i = 0; i < shares.size(); ++i) {
    cumulative += shares[i];
    if (u < cumulative) return i;
  }
  return shares.size() - 1;
}
}  // namespace

void Market::group_by_council() {
  engine::group_by_key(people, spare.people, people.council, councils(), people_index, rows.people);
  engine::group_by_key(workers, spare.workers, workers.council, councils(), workers_index, rows.workers);
  engine::group_by_key(providers, spare.providers, providers.council, councils(), providers_index, rows.providers);
}

void Market::make_person(std::size_t r, int council, std::int32_t locality, engine::Stream& stream, bool entrant) {
  const auto& need = spec.need;
  people.council[r] = static_cast<std::int16_t>(council);
  people.locality[r] = locality;
  // A council with its population by age has its own age mix of people with needs.
  const auto& ages = spec.councils[static_cast<std::size_t>(council)].age_thousands;
  if (ages.size() == 3) {
    std::array<double, 3> mix{};
    double sum = 0;
    for (std::size_t b = 0; b < 3; ++b) sum += mix[b] = ages[b] * need.prevalence_per_1000[b];
    for (auto& share : mix) share = sum > 0 ? share / sum : 1.0 / 3;
    people.age_band[r] = static_cast<std::uint8_t>(pick_band(stream.uniform(), mix));
  } else {
    people.age_band[r] = static_cast<std::uint8_t>(pick_band(stream.uniform(), need.age_band_shares));
  }
  people.need_band[r] = static_cast<std::uint8_t>(
      1 + pick_band(stream.uniform(), entrant ? need.entry_band_shares : need.initial_band_shares));
  const double u = stream.uniform();
  const auto& el = spec.eligibility;
  const double above = entrant ? el.entrant_share_above_upper : el.share_above_upper;
  const double between = entrant ? el.entrant_share_between : el.share_between;
  people.capital_band[r] = u < above ? 2 : u < above + between ? 1 : 0;
  boost::random::poisson_distribution<int, double> ties(std::max(need.mean_ties, 1e-9));
  people.ties[r] = static_cast<std::uint8_t>(std::min(ties(stream), static_cast<int>(need.max_ties)));
  // The amount within the band of the distribution (its split amounts, not the limits in force: a
  // policy that moves the limits does not move people's wealth). Above the upper split it is
  // exponential: spending down at a steady rate leaves those still above it with the same
  // distribution (it has no memory), so the people at the start, years into their care, draw it as
  // the newcomers do.
  const double v = stream.uniform();
  const double upper = el.capital_split_upper, lower = el.capital_split_lower;
  const double capital = people.capital_band[r] == 2   ? upper - std::log1p(-v) * el.capital_mean_excess
                         : people.capital_band[r] == 1 ? lower + v * (upper - lower)
                                                       : v * lower;
  people.capital[r] = static_cast<float>(capital);
  people.capital_band[r] = el.capital_band(people.capital[r]);  // the amount's (a draw on a limit falls below it)
  people.care_spend[r] = 0;
  people.alive[r] = 1;
  people.need_hours[r] = formal_need(people.need_band[r], people.ties[r]);
  people.wellbeing[r] = static_cast<float>(spec.outcomes.initial_wellbeing);
  people.provider[r] = engine::kNoAgent;  // need_review_week: the need rule files newcomers (NeedCalendar)
}

std::size_t Market::add_worker(int council, std::int32_t locality, engine::AgentId employer, bool founder) {
  const std::size_t r = engine::append_row(workers, workers_index);
  workers.council[r] = static_cast<std::int16_t>(council);
  workers.serial[r] = next_serial.workers[static_cast<std::size_t>(council)]++;
  if (const auto prow = make_worker(r, locality, employer, founder); prow >= 0)
    providers.staff[static_cast<std::size_t>(prow)] += 1;
  return r;
}

std::int32_t Market::make_worker(std::size_t r, std::int32_t locality, engine::AgentId employer, bool founder) {
  workers.locality[r] = locality;
  workers.employer[r] = employer;
  workers.alive[r] = 1;
  workers.is_founder[r] = founder;
  const auto prow = provider_row(employer);
  auto stream = rng.stream(static_cast<std::uint64_t>(week), stream_key(workers, r), kBuildWorker);
  // Some care workers (1 - pay_premium_share, half by default) are paid their employer's base
  // rate; the rest earn a premium (seniority, senior carer roles) drawn from an exponential distribution.
  workers.pay_premium[r] = stream.bernoulli(1.0 - spec.labour.pay_premium_share)
                               ? 0.0f
                               : static_cast<float>(-std::log(1 - stream.uniform()) * spec.labour.pay_premium_mean);
  if (prow >= 0) {
    const auto arch = static_cast<Archetype>(providers.archetype[static_cast<std::size_t>(prow)]);
    workers.wage[r] = providers.wage[static_cast<std::size_t>(prow)] + workers.pay_premium[r];
    workers.zero_hours[r] = !founder && stream.bernoulli(spec.providers.of(arch).zero_hours_share);
  }
  workers.stress[r] = static_cast<float>(spec.retention.stress_base);
  workers.effective_pay[r] = workers.wage[r];
  return prow;
}

std::size_t Market::add_provider(int council, Archetype archetype, std::int32_t locality, std::int32_t group) {
  const std::size_t r = engine::append_row(providers, providers_index);
  const auto& a = spec.providers.of(archetype);
  providers.council[r] = static_cast<std::int16_t>(council);
  providers.serial[r] = next_serial.providers[static_cast<std::size_t>(council)]++;
  providers.home_locality[r] = locality;
  providers.archetype[r] = static_cast<std::uint8_t>(archetype);
  providers.alive[r] = 1;
  providers.group[r] = group >= 0 ? group : next_group++;
  providers.founder[r] = engine::kNoAgent;
  // The council's own pay floor binds every provider in its area (wage_setting.cpp at reviews).
  const double wage = archetype_wage(archetype, council);
  providers.wage[r] = static_cast<float>(wage);
  providers.travel_minutes[r] = static_cast<float>(a.unpaid_travel_minutes);
  providers.cost_per_hour[r] = static_cast<float>(cost_per_hour(archetype, wage));
  providers.private_price[r] =
      static_cast<float>(asking_price(archetype, providers.cost_per_hour[r]) * (1 + a.private_markup));
  providers.quality[r] = static_cast<float>(a.quality);
  // A council's own service is the size the council sets (insourcing.cpp; at the start, the staff
  // it is given); any other provider may grow to its archetype's largest.
  providers.intended_staff[r] = static_cast<std::int16_t>(std::min<std::int64_t>(a.max_workers, 30000));
  if (a.owner_worker) {
    // Most micro-enterprises stay very small by choice (about one job each in Somerset); a
    // personal assistant works alone (max_workers 1).
    auto stream = rng.stream(static_cast<std::uint64_t>(week), stream_key(providers, r), kBuildProvider);
    boost::random::poisson_distribution<int, double> extra(std::max(spec.founding.mean_extra_staff, 1e-9));
    providers.intended_staff[r] = static_cast<std::int16_t>(std::min<std::int64_t>(1 + extra(stream), a.max_workers));
  }
  return r;
}

double Market::most_travel(Archetype archetype, int council) const {
  const auto& a = spec.providers.of(archetype);
  if (!geography.by_distance(council)) return a.unpaid_travel_minutes;
  return a.unpaid_travel_minutes * std::max(1.0, geography.local_trip(council) / a.reference_trip_minutes);
}

double Market::archetype_wage(Archetype archetype, int council) const {
  const auto& cs = spec.councils[static_cast<std::size_t>(council)];
  double wage = spec.providers.of(archetype).wage;
  if (cs.wage > 0) wage = std::max(pay_minimum(spec), wage + cs.wage - spec.providers.of(Archetype::agency).wage);
  return std::max(wage, cs.pay_floor);
}

double Market::cost_per_hour(Archetype archetype, double wage, bool all_travel_paid, double travel_minutes) const {
  const auto& a = spec.providers.of(archetype);
  if (travel_minutes < 0) travel_minutes = a.unpaid_travel_minutes;
  // Guaranteed-hours staff are paid for travel; zero-hours staff are not (MODEL.md §7), unless a
  // contract pays it.
  const double paid_share = all_travel_paid ? 1.0 : 1 - a.zero_hours_share;
  const double paid_travel = paid_share * travel_minutes / 60.0;
  return wage * (1 + spec.providers.on_cost) * (1 + paid_travel) + a.overhead_per_hour;
}

double Market::asking_price(Archetype archetype, double cost) const {
  const auto& a = spec.providers.of(archetype);
  return cost * (1 + a.target_margin);  // extraction comes out of the surplus (finance.cpp), not the price
}

bool Market::serves(std::size_t p, std::int32_t locality) const {
  if (geography.council_of(locality) != providers.council[p]) return false;
  const auto arch = static_cast<Archetype>(providers.archetype[p]);
  return geography.minutes(providers.home_locality[p], locality) <= spec.providers.of(arch).radius_minutes;
}

void Market::flush_pending() {
  const auto nc = static_cast<std::size_t>(councils());
  const std::size_t first_person = people.id.size(), first_worker = workers.id.size(),
                    first_provider = providers.id.size();
  std::vector<std::int32_t> new_people(nc, 0), new_workers(nc, 0), new_providers(nc, 0);
  // Providers first, council by council (few, and each logs an event), with the workers who
  // found them.
  std::vector<std::vector<engine::AgentId>> new_provider_ids(nc);
  for (int c = 0; c < councils(); ++c) {
    const auto cu = static_cast<std::size_t>(c);
    auto& pend = pending[cu];
    new_people[cu] = static_cast<std::int32_t>(pend.people.size());
    new_workers[cu] = static_cast<std::int32_t>(pend.workers.size());
    new_providers[cu] = static_cast<std::int32_t>(pend.providers.size());
    for (const auto& np : pend.providers) {
      const auto r = add_provider(c, np.archetype, np.locality, np.group);
      if (np.set_size >= 0) providers.intended_staff[r] = static_cast<std::int16_t>(np.set_size);
      new_provider_ids[cu].push_back(providers.id[r]);
      log_provider_event(c, r, np.event);
      if (np.founder_worker != engine::kNoAgent) {
        const auto wr = static_cast<std::size_t>(workers_index.row_of(np.founder_worker));
        workers.employer[wr] = providers.id[r];
        workers.is_founder[wr] = 1;
        workers.zero_hours[wr] = 0;
        workers.wage[wr] = providers.wage[r] + workers.pay_premium[wr];
        workers.tenure_weeks[wr] = 0;
        workers.weeks_searching[wr] = 0;
        providers.staff[r] += 1;
        providers.founder[r] = np.founder_worker;
      }
    }
  }
  // New workers in council order (the rows, ids and serials that adding them one by one would
  // give), set up in parallel: each reads only its employer's wage and kind, which nothing here
  // changes. An employer may be in another council (a commuter's), so staff are counted after.
  auto employer_of = [&](std::size_t c, const NewWorker& nw) {
    return nw.employer_pending >= 0 ? new_provider_ids[c][static_cast<std::size_t>(nw.employer_pending)] : nw.employer;
  };
  append_workers(new_workers, [&](int c, std::int32_t k, std::size_t row) {
    const auto cu = static_cast<std::size_t>(c);
    const auto& nw = pending[cu].workers[static_cast<std::size_t>(k)];
    make_worker(row, nw.locality, employer_of(cu, nw), nw.founder);
  });
  for (std::size_t wr = first_worker; wr < workers.id.size(); ++wr) {
    const auto q = provider_row(workers.employer[wr]);
    if (q < 0) continue;
    providers.staff[static_cast<std::size_t>(q)] += 1;
    if (workers.is_founder[wr]) providers.founder[static_cast<std::size_t>(q)] = workers.id[wr];
  }
  // Workers joining a cooperative founded this week.
  for (std::size_t c = 0; c < nc; ++c) {
    auto& pend = pending[c];
    for (const auto& joining : pend.members) {
      const auto wr = static_cast<std::size_t>(workers_index.row_of(joining.worker));
      const auto r = static_cast<std::size_t>(
          provider_row(new_provider_ids[c][static_cast<std::size_t>(joining.provider_pending)]));
      workers.employer[wr] = providers.id[r];
      workers.zero_hours[wr] = 0;  // a member is not on a zero-hours contract of their own cooperative
      workers.wage[wr] = providers.wage[r] + workers.pay_premium[wr];
      workers.tenure_weeks[wr] = 0;
      workers.weeks_searching[wr] = 0;
      workers.quit_review_week[wr] = 0;  // a new employer: the quit clock starts again
      providers.staff[r] += 1;
    }
    pend.workers.clear();
    pend.providers.clear();
    pend.members.clear();
  }
  // People last, in council order as before, but set up in parallel: they depend on nothing the
  // providers and workers above changed.
  append_people(new_people, [&](int c, std::int32_t k, std::size_t row) {
    const auto& np = pending[static_cast<std::size_t>(c)].people[static_cast<std::size_t>(k)];
    auto stream = rng.stream(static_cast<std::uint64_t>(week), np.draw_key, kNewPerson);
    make_person(row, c, np.locality, stream, true);
    people.hospital[row] = static_cast<std::uint8_t>(np.from_hospital ? Hospital::awaiting_package : Hospital::home);
  });
  for (auto& pend : pending) pend.people.clear();
  rows.people.append_run(first_person, new_people);
  rows.workers.append_run(first_worker, new_workers);
  rows.providers.append_run(first_provider, new_providers);
}

void Market::log_provider_event(int council, std::size_t p, ProviderEventKind kind) {
  auto& log = council_provider_events[static_cast<std::size_t>(council)];
  log.week.push_back(reported_week());
  log.council.push_back(council);
  log.provider.push_back(providers.id[p]);
  log.archetype.push_back(providers.archetype[p]);
  log.kind.push_back(static_cast<std::uint8_t>(kind));
}

void Market::merge_event_logs() {
  for (int c = 0; c < councils(); ++c) {
    auto& t = council_tenders[static_cast<std::size_t>(c)];
    auto& b = council_bids[static_cast<std::size_t>(c)];
    // Bids refer to tenders by their row in the council log; shift to the merged log's rows.
    const auto base = static_cast<std::int32_t>(tenders.size());
    for (auto& row : b.tender) row += base;
    drain_into(tenders, t);
    drain_into(bids, b);
    drain_into(provider_events, council_provider_events[static_cast<std::size_t>(c)]);
  }
}

namespace {
// Regroups a table whose dead rows (already forgotten by the index) and rows appended since its
// last regroup make up more than a sixteenth of it: a regroup copies every column, so it waits
// until there is enough to fold in. The many appended runs of a long wait are cheap to visit.
// departed: each council's departures, of which `left` lists this table's rows (they are
// forgotten, then the lists cleared); dead: the table's dead rows since its last regroup.
template <class Table>
void regroup_if_due(Table& table, Table& spare, engine::IdIndex& index, engine::GroupedRows& rows,
                    std::vector<Departures>& departed, std::vector<std::uint32_t> Departures::*left,
                    std::size_t& dead) {
  for (auto& d : departed) {
    dead += engine::forget_rows(table, d.*left, index);
    (d.*left).clear();
  }
  if ((dead + rows.appended_rows()) * 16 > engine::row_count(table) || rows.appended_runs() > 48) {
    engine::regroup(table, spare, table.alive, index, rows);
    dead = 0;
  }
}
}  // namespace

void Market::begin_week() {
  week += 1;
  people_mark = rows.people.mark();
  for (auto& t : counts) t = WeekCounts{};
}

void Market::end_week() {
  tbb::task_group group;
  group.run([&] {
    regroup_if_due(people, spare.people, people_index, rows.people, departed, &Departures::people, dead_people);
  });
  group.run([&] {
    regroup_if_due(workers, spare.workers, workers_index, rows.workers, departed, &Departures::workers, dead_workers);
  });
  engine::regroup(providers, spare.providers, providers.alive, providers_index, rows.providers);
  group.wait();
}

void Market::settle() {
  tbb::task_group group;
  group.run([this] { engine::regroup(people, spare.people, people.alive, people_index, rows.people); });
  group.run([this] { engine::regroup(workers, spare.workers, workers.alive, workers_index, rows.workers); });
  engine::regroup(providers, spare.providers, providers.alive, providers_index, rows.providers);
  group.wait();
  dead_people = dead_workers = 0;
  for (auto& d : departed) {
    d.people.clear();
    d.workers.clear();
  }
}

bool Market::settled() const noexcept {
  auto all_alive = [](const std::vector<std::uint8_t>& alive) {
    return std::all_of(alive.begin(), alive.end(), [](auto a) { return a != 0; });
  };
  return rows.people.appended_runs() == 0 && rows.workers.appended_runs() == 0 && rows.providers.appended_runs() == 0 &&
         all_alive(people.alive) && all_alive(workers.alive) && all_alive(providers.alive);
}

}  // namespace cm
