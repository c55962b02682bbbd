#pragma once
// The whole state of a running market: the agent tables, their ids and grouping by council, the
// clock, the agents waiting to join, the event logs and what the rules report to the metrics; and
// the helpers every rule shares. Rules are free functions in their own files (need.cpp,
// eligibility.cpp, ...), each taking the Market and the state it keeps itself (DeliveryState,
// MatchingState, ...), and changing the columns it owns; model.cpp runs them in the order of
// MODEL.md §3.
#include <array>
#include <cstdint>
#include <vector>

#include "agents/commissioners.hpp"
#include "agents/events.hpp"
#include "agents/geography.hpp"
#include "agents/parameters.hpp"
#include "agents/people.hpp"
#include "agents/providers.hpp"
#include "agents/types.hpp"
#include "agents/workers.hpp"
#include "engine/grouped_rows.hpp"
#include "engine/parallel.hpp"
#include "engine/rng.hpp"

namespace cm {

// Rows of each agent kind grouped by council, so per-council markets touch only their own rows,
// in order: each table is kept sorted by council, with agents added during a step visited after
// their council's block until the end-of-step regroup folds them in.
struct CouncilRows {
  engine::GroupedRows people, workers, providers;
};
// Buffers the end-of-step regroup gathers into (they keep their capacity between steps).
struct SpareTables {
  People people;
  Workers workers;
  Providers providers;
};

// Values of the need rule per band, age band and number of ties, computed once from the
// parameters (need.cpp): the weekly loop over people looks them up instead of dividing.
struct NeedTables {
  std::array<std::array<double, 3>, 4> exit_per_week{};  // [band - 1][age band]
  std::array<double, 4> progression_per_week{}, improvement_per_week{};
  // The weekly chance that a person's need may change, at its highest over the weeks (all unmet,
  // no ties, no prevention), capped at 1, and log(1 - it): need.cpp draws only in the weeks a
  // geometric clock with this chance picks.
  std::array<std::array<double, 3>, 4> review_per_week{}, log_no_review{};  // [band - 1][age band]
  std::array<double, 256> ties_share{};                 // ties / (ties + ties_half_saturation): how much ties protect
  std::array<std::array<float, 256>, 5> formal_need{};  // [band][ties]: hours after informal care
};
NeedTables make_need_tables(const ScenarioSpec& spec);

// Agents a per-council phase wants to create; appended in council order after the phase.
struct NewProvider {
  Archetype archetype;
  std::int32_t locality;
  std::int32_t group;  // -1 = own group
  bool founded_by_outsider;
  engine::AgentId founder_worker;  // existing worker founding a micro-enterprise, or -1
  ProviderEventKind event;         // how it came: entry (the market, a council opening a service) or founding
  std::int32_t set_size = -1;      // the staff a council sets its new service to (-1: the archetype's rule)
};
// An employed worker who leaves their employer to join a provider not yet in the tables (a
// cooperative's founding members).
struct NewMember {
  engine::AgentId worker;
  std::int32_t provider_pending;  // index into the same council's pending providers
};
struct NewWorker {
  std::int32_t locality;
  std::int32_t employer_pending;  // index into the same council's pending providers, or -1
  engine::AgentId employer;       // existing provider, or -1
  bool founder;
};
struct NewPerson {
  std::int32_t locality;
  std::uint64_t draw_key;      // identifies the stream that sets its characteristics
  bool from_hospital = false;  // a referral from hospital (discharge.hpp)
};
struct Pending {
  std::vector<NewPerson> people;
  std::vector<NewWorker> workers;
  std::vector<NewProvider> providers;
  std::vector<NewMember> members;
  // Rows of the council's job seekers looking in another council of its commuting zone this week
  // (labour_market.cpp): the labour market's merge across councils takes them in council order.
  std::vector<std::uint32_t> commuters;
};
// Rows of one council's people and workers who left the market this week (Market::depart_*): the
// end of the week forgets their ids without scanning the tables.
struct alignas(64) Departures {
  std::vector<std::uint32_t> people, workers;
};

struct Market {
  // The starting agents of the scenario, grouped by council, nobody placed yet (scenario_builder.cpp);
  // open_market() (opening.hpp) makes it a working market.
  explicit Market(const ScenarioSpec& spec, std::uint64_t seed, std::uint64_t replicate);

  ScenarioSpec spec;
  // Counts the changes of `spec` during the run (changes.cpp): a rule that keeps sums from week to
  // week (matching's placement book) reviews them after a change.
  std::uint64_t spec_version = 0;
  engine::RngRoot rng;
  std::int32_t week = 0;  // steps completed, the warm-up's included: the clocks, streams and contracts count these
  // run.warmup_weeks: week `warmup_weeks` is reported step 0. Dates, financial years, changes and
  // the output count reported weeks (negative in the warm-up).
  std::int32_t warmup_weeks = 0;
  std::int32_t reported_week() const noexcept { return week - warmup_weeks; }
  Geography geography;
  People people;
  Workers workers;
  Providers providers;
  engine::IdIndex people_index, workers_index, providers_index;
  std::vector<Commissioner> commissioners;
  std::vector<WeekCounts> counts;  // per council: what the rules report to the week's metrics
  std::vector<Pending> pending;
  std::vector<Departures> departed;  // per council
  // Dead rows still in the tables (forgotten, awaiting a regroup).
  std::size_t dead_people = 0, dead_workers = 0;
  CouncilRows rows;
  SpareTables spare;
  TenderLog tenders;
  BidLog bids;
  ProviderEventLog provider_events;
  std::vector<TenderLog> council_tenders;
  std::vector<BidLog> council_bids;
  std::vector<ProviderEventLog> council_provider_events;
  std::int32_t next_group = 0;
  // Per council, the serial the next agent of each kind created there gets (People::serial).
  struct Serials {
    std::vector<std::int32_t> people, workers, providers;
  } next_serial;
  // The key of an agent's random streams: the council it was created in and its serial there, so
  // a change to one council (more people, fewer providers) leaves every other council's draws as
  // they were. Global ids would not: they are issued across the region in council order.
  template <class Table>
  static std::uint64_t stream_key(const Table& table, std::size_t row) noexcept {
    return (static_cast<std::uint64_t>(static_cast<std::uint16_t>(table.council[row])) << 32) |
           static_cast<std::uint32_t>(table.serial[row]);
  }
  std::size_t people_mark = 0;  // rows.people.mark() at the start of the step: this week's new people follow it

  int councils() const noexcept { return static_cast<int>(spec.councils.size()); }
  std::int32_t provider_row(engine::AgentId id) const noexcept { return providers_index.row_of(id); }
  // Calls fn(row) for every row of one council, in ascending row order.
  template <class Fn>
  void for_council_people(int c, Fn&& fn) const {
    rows.people.for_each(c, fn);
  }
  template <class Fn>
  void for_council_workers(int c, Fn&& fn) const {
    rows.workers.for_each(c, fn);
  }
  template <class Fn>
  void for_council_providers(int c, Fn&& fn) const {
    rows.providers.for_each(c, fn);
  }

  // Start of a step: the week number moves on (the step being computed: its streams, events and
  // metrics row share it), this week's new people will follow the current rows, the counts restart.
  void begin_week();
  // Set-up only: sorts every table by council and starts the grouping.
  void group_by_council();
  // Appends pending agents in council order; they join their council's rows.
  void flush_pending();
  void merge_event_logs();
  void log_provider_event(int council, std::size_t provider_row, ProviderEventKind kind);
  // End of a step: dead agents are removed from the id index (row_of returns -1 for them). Their
  // rows stay, skipped by every rule, until enough have gathered (or enough rows were added) to
  // be worth a regroup, which copies every column; so most weeks move no row. Providers, few, are
  // regrouped every week.
  void end_week();
  // Regroups every table now: no dead rows, every table sorted by council (before anyone reads
  // the tables as a whole: views, tests).
  void settle();
  // True when no table holds dead or appended rows.
  bool settled() const noexcept;
  // Set-up only: hires each provider the staff its starting clients need.
  void hire_starting_staff();

  // Sets up the new person in `row` (a row append_people made): characteristics drawn from
  // `stream`, entry-band shares for entrants and the starting shares otherwise.
  void make_person(std::size_t row, int council, std::int32_t locality, engine::Stream& stream, bool entrant);
  // Appends counts[c] people to every council c, in council order (the rows, ids and serials that
  // n calls of append_row would give), then has make(c, k, row) set up the k-th of council c,
  // councils in parallel. Returns the first new row.
  template <class Make>
  std::size_t append_people(const std::vector<std::int32_t>& counts, Make&& make) {
    return append_by_council(people, people_index, next_serial.people, counts, make);
  }
  // Sets up the new worker in `row` (a row append_workers made) of `council`, living in `locality`
  // and employed by `employer` (kNoAgent: looking for work): their pay premium and, employed, their
  // wage and contract, drawn from the worker's own stream. The employer's staff count is the
  // caller's to keep (workers of several councils may join one employer at once). Returns the
  // employer's row, or -1.
  std::int32_t make_worker(std::size_t row, std::int32_t locality, engine::AgentId employer, bool founder);
  // The same as append_people, for workers.
  template <class Make>
  std::size_t append_workers(const std::vector<std::int32_t>& counts, Make&& make) {
    return append_by_council(workers, workers_index, next_serial.workers, counts, make);
  }
  // A person or worker of council c leaves the market: alive 0, and listed for the end of the week.
  void depart_person(int c, std::size_t row) {
    people.alive[row] = 0;
    departed[static_cast<std::size_t>(c)].people.push_back(static_cast<std::uint32_t>(row));
  }
  void depart_worker(int c, std::size_t row) {
    workers.alive[row] = 0;
    departed[static_cast<std::size_t>(c)].workers.push_back(static_cast<std::uint32_t>(row));
  }
  // Adds one agent and returns its row. Values not given are the column's neutral value.
  std::size_t add_worker(int council, std::int32_t locality, engine::AgentId employer, bool founder);
  std::size_t add_provider(int council, Archetype archetype, std::int32_t locality, std::int32_t group);

  // Cost of one delivered hour for a provider paying `wage`, all costs included; all_travel_paid:
  // its zero-hours staff are paid for travel too (a contract's terms: contract_terms.hpp).
  // travel_minutes: its unpaid travel per contact hour (a provider's travel_minutes); < 0: its
  // kind's (unpaid_travel_minutes), which every provider starts with.
  double cost_per_hour(Archetype archetype, double wage, bool all_travel_paid = false,
                       double travel_minutes = -1) const;
  // The most unpaid travel per contact hour a provider of the kind can have in the council
  // (delivery.hpp, update_travel: at most one client per small area), for bounds.
  double most_travel(Archetype archetype, int council) const;
  // The going wage of a kind of provider in a council: its kind's, moved by the council's own going
  // wage ([[councils]] wage) and raised to the council's pay floor.
  double archetype_wage(Archetype archetype, int council) const;
  // The price a provider asks before strategy: cost grossed up for what it extracts (rent, debt,
  // dividends: MODEL.md §8) and its target margin.
  double asking_price(Archetype archetype, double cost) const;
  // The contract price below which a provider with this hour cost is losing enough to hand the
  // contract back (commissioning.handback_loss below cost): finance's test and bids' floor.
  double handback_price(double cost) const { return cost * (1 - spec.commissioning.handback_loss); }
  // Does the provider (row) serve a locality?
  bool serves(std::size_t provider_row, std::int32_t locality) const;
  // The council's tender lot of a locality.
  std::int32_t lot_of(std::int32_t locality) const { return locality_lot[static_cast<std::size_t>(locality)]; }
  std::vector<std::int32_t> locality_lot;  // set up with the geography
  NeedTables need_tables;
  // Sets the people's formal need from their band and ties.
  float formal_need(std::uint8_t band, std::uint8_t ties) const { return need_tables.formal_need[band][ties]; }

 private:
  // Appends counts[c] rows of `table` to every council c in council order, with the next serials
  // of each council, then has make(c, k, row) set up the k-th of council c, councils in parallel.
  template <class Table, class Make>
  static std::size_t append_by_council(Table& table, engine::IdIndex& index, std::vector<std::int32_t>& next_serials,
                                       const std::vector<std::int32_t>& counts, Make& make) {
    std::size_t total = 0;
    for (auto n : counts) total += static_cast<std::size_t>(n);
    const std::size_t first = engine::append_rows(table, index, total);
    std::vector<std::size_t> offsets(counts.size(), first);
    for (std::size_t c = 1; c < counts.size(); ++c)
      offsets[c] = offsets[c - 1] + static_cast<std::size_t>(counts[c - 1]);
    engine::parallel_for_rows(
        counts.size(),
        [&](std::size_t c) {
          const std::int32_t first_serial = next_serials[c];
          next_serials[c] += counts[c];
          for (std::int32_t k = 0; k < counts[c]; ++k) {
            const std::size_t row = offsets[c] + static_cast<std::size_t>(k);
            table.council[row] = static_cast<std::int16_t>(c);
            table.serial[row] = first_serial + k;
            make(static_cast<int>(c), k, row);
          }
        },
        1);
    return first;
  }
};

// The eligibility rule for whole councils (eligibility.cpp; eligibility.hpp has the rule for one
// person): at set-up, and for the people who joined this week (need.cpp assesses the others).
void apply_eligibility(Market& m, int c);
void assess_new_people(Market& m, int c);

// Runs body(c) for every council in parallel. Councils share no agents, so the rules of one
// council run one after another on its own rows while other councils run alongside.
template <class Body>
void each_council(const Market& m, Body&& body) {
  engine::parallel_for_rows(
      static_cast<std::size_t>(m.councils()), [&](std::size_t c) { body(static_cast<int>(c)); }, 1);
}
// Runs one rule for every council, in parallel (set-up, benchmarks).
inline void for_each_council(Market& m, void (*rule)(Market&, int)) {
  each_council(m, [&](int c) { rule(m, c); });
}

}  // namespace cm
