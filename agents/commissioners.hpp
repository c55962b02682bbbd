#pragma once
// One commissioner per council: its budget, contracts and lots; and what the rules report to the
// week's metrics.
#include <cstdint>
#include <vector>

#include "engine/columns.hpp"

namespace cm {

struct Contract {
  std::int32_t lot;
  engine::AgentId provider;
  float price;  // GBP/h
  std::int32_t end_week;
  // The price over the holder's cost when it won, at most 1: below 1 for a loss leader's strategic
  // bid. The holder hands the contract back when it falls handback_loss below this (finance.cpp).
  float accepted_ratio = 1;
};

// Cache-line aligned: councils run on different threads and write their own commissioner.
struct alignas(64) Commissioner {
  double weekly_budget = 0;   // GBP a week for care (prevention and programme excluded)
  double reference_rate = 0;  // GBP/h, the council's usual rate (base of its spot price), uplifted each April
  double uplift_cost = 0;     // the hour cost (price_setting.hpp) at the last uplift
  std::int32_t lots = 0;
  std::vector<Contract> contracts;
  std::vector<std::int32_t> lot_tender_week;  // week each lot is next let
  std::vector<std::uint8_t> lot_relet;        // lot changed hands this week
  std::vector<std::uint8_t> lot_in_house;     // the council keeps the lot for its own services (insourcing)
  std::int32_t lots_in_house = 0;             // how many it keeps
  double committed = 0;                       // weekly cost of council-funded placements
  bool raised_wages = false;                  // a wage floor raised a provider's wage this week
  bool contracts_changed = true;              // a contract ended or was let this week
  std::int64_t people_in_hospital = 0;        // discharge.cpp: awaiting a package there (matching places them first)
};

// What the rules report to the metrics of one council for one week: events counted (hires,
// leavers, tenders, ...) and money. Each rule adds to its own fields; MetricsState reads them all.
// Reset at the start of each step (Market::begin_week). Rules pass nothing to each other here:
// what one rule needs from another is a named output of that rule (MatchingDemand, CareGap).
struct alignas(64) WeekCounts {
  // Counts a leaver in the overall and the pay-band turnover (at or below NLW; GBP 1.50 above it).
  void count_leaver(double wage, double nlw) {
    leavers += 1;
    if (wage <= nlw + 0.005) leavers_nlw += 1;
    if (wage >= nlw + 1.5) leavers_nlw150 += 1;
  }
  double leavers = 0, leavers_nlw = 0, leavers_nlw150 = 0;  // retention, founding, closures
  double hires = 0, hires_from_care = 0;                    // labour market
  double commuters_in = 0, commuters_out = 0;               // labour market: seekers crossing the border
  double founded = 0, cooperatives_founded = 0;             // founding, the cooperative programme
  double closed = 0, entries = 0, exits = 0;                // entry and exit
  double handbacks = 0, tenders = 0;                        // commissioning
  double spend = 0, extraction = 0, local_retained = 0, council_hours = 0, council_payment = 0;  // finance
  double provider_costs = 0, delivered_hours = 0;  // finance: wage bills and overheads; hours delivered
  double waiting_for_budget = 0;                   // matching: people a provider would take, held back by the budget
  // matching: the people refused and their need hours, and council-managed placed hours (all, spot)
  double refused = 0, refused_hours = 0, council_placed_hours = 0, spot_placed_hours = 0;
  // discharge: referrals from hospital this week, people waiting there for a package after matching,
  // people in reablement, those it returned to independence this week, and its cost (GBP this week)
  double discharge_referrals = 0, discharge_delayed = 0, reablement_people = 0, reablement_independent = 0,
         reablement_spend = 0;
  // means test: what council-funded people paid towards their care, what self-funders paid for
  // theirs, and the people whose capital fell to the upper limit or whose spending reached the cap
  double charging_income = 0, self_funder_spend = 0, reached_upper_limit = 0, reached_cap = 0;
};

}  // namespace cm
