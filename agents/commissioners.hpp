#pragma once
// One commissioner per council: its budget, contracts and lots, and the week's tallies.
#include <cstdint>
#include <vector>

#include "engine/columns.hpp"

namespace cm {

struct Contract {
  std::int32_t lot;
  engine::AgentId provider;
  float price;  // GBP/h
  std::int32_t end_week;
};

// Cache-line aligned: councils run on different threads and write their own commissioner and tally.
struct alignas(64) Commissioner {
  double weekly_budget = 0;  // GBP a week for care (prevention and programme excluded)
  std::int32_t lots = 0;
  std::vector<Contract> contracts;
  std::vector<std::int32_t> lot_tender_week;  // week each lot is next let
  std::vector<std::uint8_t> lot_relet;        // lot changed hands this week
  double committed = 0;                       // weekly cost of council-funded placements
  bool raised_wages = false;                  // a wage floor raised a provider's wage this week
  bool contracts_changed = true;              // a contract ended or was let this week
};

// The people metrics of one council for one week (metrics.hpp, count_person).
struct PeopleCounts {
  double wellbeing = 0, continuity = 0, hours_needed = 0, hours_delivered = 0;
  std::int64_t needing = 0, self_funded = 0, council_managed = 0, direct_payment = 0, served = 0, waiting = 0,
               micro_clients = 0;
};

// The workforce metrics of one council for one week (metrics.hpp, count_worker).
struct WorkerCounts {
  double wage = 0, effective_pay = 0, stress = 0;
  std::int64_t employed = 0, zero_hours = 0, at_nlw = 0, nlw_plus_150 = 0, micro_jobs = 0;
};

// Counters of one council for one week, reset at the start of each step.
struct alignas(64) WeekTally {
  // Counts a leaver in the overall and the pay-band turnover (at or below NLW; GBP 1.50 above it).
  void count_leaver(double wage, double nlw) {
    leavers += 1;
    if (wage <= nlw + 0.005) leavers_nlw += 1;
    if (wage >= nlw + 1.5) leavers_nlw150 += 1;
  }
  double leavers = 0, leavers_nlw = 0, leavers_nlw150 = 0;
  double hires = 0, hires_from_care = 0;
  double waiting_for_budget = 0;  // people a provider would take but the budget cannot fund
  double founded = 0, closed = 0, entries = 0, exits = 0, handbacks = 0, tenders = 0;
  double spend = 0, extraction = 0, local_retained = 0, council_hours = 0, council_payment = 0;
  // The care gap that draws entrants (provider_entry_exit.hpp), counted in the pass over people.
  double gap_needing = 0, gap_waiting = 0, gap_needed_hours = 0, gap_delivered_hours = 0;
  PeopleCounts people;                         // counted in the pass over people, after outcomes
  WorkerCounts workers;                        // counted in the pass over workers, after retention
  bool staff_left_after_workers_pass = false;  // a provider closed since: workers must be counted again
  // Private demand that draws micro-enterprise founders (founding.cpp), counted in matching: people
  // needing care with a route, and those of them buying care themselves (self-funders, direct payments).
  double people_with_route = 0, people_buying_privately = 0;
};

}  // namespace cm
