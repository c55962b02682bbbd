#pragma once
// MODEL.md §3.4 — matching: people placed with providers (matching.cpp).
#include <cstddef>
#include <cstdint>
#include <vector>

#include "agents/market.hpp"
#include "agents/placement_book.hpp"
#include "agents/week.hpp"

namespace cm {

// What matching tells later rules about one council's week: the private demand that draws
// micro-enterprise founders (founding.cpp), and the people the budget could not fund, who draw
// no entrants (provider_entry_exit.cpp). Counted before matching places anyone new.
struct MatchingDemand {
  double people_with_route = 0;        // people needing care with a route
  double people_buying_privately = 0;  // of them, those buying care themselves (self-funders, direct payments)
  double waiting_for_budget = 0;       // people a provider would take but the budget cannot fund
  // For the metrics: the people refused (need, no route) and their need hours, and the need hours of
  // council-managed placements, all and spot (after placing).
  double refused = 0, refused_hours = 0, council_placed_hours = 0, spot_placed_hours = 0;
};

// Matching's state: its working space per provider row (a council uses only its own rows, so
// councils share it) and its output per council.
struct MatchingState {
  explicit MatchingState(int councils)
      : demand(static_cast<std::size_t>(councils)),
        has_in_house(static_cast<std::size_t>(councils)),
        book(councils),
        serving(static_cast<std::size_t>(councils)) {}
  // The working space sized to the market's tables.
  void fit(const Market& m) {
    const std::size_t providers = m.providers.id.size();
    provider_slot.resize(providers);
    logit_weight.resize(providers);
    intake_limit.resize(providers);
    start_now_limit.resize(providers);
    buyers.resize(providers);
    book.fit(m);
  }
  std::vector<std::int32_t> provider_slot;  // a provider's first contract in the council's list
  std::vector<double> logit_weight;         // private buyers' weight of a provider
  std::vector<double> intake_limit;         // hours a provider will take on
  std::vector<double> start_now_limit;      // ... for a package that starts now: staff it has (hospital)
  // Who a provider's archetype lets buy from it (kCouncilBuys | kInHouse | kDirectPaymentBuys |
  // kSelfFunderBuys), as this week's parameters have it.
  std::vector<std::uint8_t> buyers;
  static constexpr std::uint8_t kCouncilBuys = 1, kInHouse = 2, kDirectPaymentBuys = 4, kSelfFunderBuys = 8;
  std::vector<MatchingDemand> demand;      // per council: this week's
  std::vector<std::uint8_t> has_in_house;  // per council: it has a service of its own taking clients
  PlacementBook book;                      // the standing placements, kept from week to week
  // Per council: the providers serving each locality, as the last matching listed them
  // (list_serving_providers), kept while the council's providers and the parameters stay as they
  // were. Not saved in a checkpoint: an empty list is built again.
  struct alignas(64) ServingLists {        // on cache lines of its own: councils run on different threads
    bool kept = false;                     // listed for a council whose providers were one block of rows
    std::uint64_t spec_version = 0;        // Market::spec_version when listed
    std::int32_t first_row = -1;           // the council's first provider row when listed
    std::vector<engine::AgentId> ids;      // its providers then, in row order (kNoAgent: closed)
    std::vector<std::int32_t> offsets;     // locality l's providers: candidates[offsets[l] .. offsets[l + 1])
    std::vector<std::int32_t> candidates;  // provider rows
  };
  std::vector<ServingLists> serving;
  // Forgets the serving lists: the next matching lists every council's afresh (the market may
  // not be the one they were listed for).
  void forget_serving_lists() {
    for (auto& lists : serving) lists.kept = false;
  }
  // Forgets all that matching keeps from week to week, its book and its serving lists: the next
  // matching reviews every placement and lists every council's providers afresh, as it must for a
  // market it did not leave so (a rule test's or a benchmark's hand-set one).
  void forget_kept() {
    book.forget();
    forget_serving_lists();
  }
  // Review every placement every week rather than those the book names (the reference week,
  // Model::step_reference, does: the two must give the same market).
  bool review_every_placement = false;
};

// Matching's per-row hook, after outcomes: the private clients whose wellbeing is now below the
// switch threshold. They may switch provider at next week's review, which the book has them in.
struct NoteDissatisfied {
  using Table = PeopleRows;
  struct State {
    std::vector<engine::AgentId>* dissatisfied;
    double threshold;  // outcomes.switch_threshold
  };
  State begin(Week& w, int c) const;
  void row(Week& w, State& s, const PersonRow& r) const {
    const auto& p = w.market.people;
    // One branch, rarely taken, rather than three: whether a person is placed, and privately,
    // follows no pattern from one row to the next (so the conditions are ints, joined by a bitwise &).
    const int placed = r.provider != kNoRow;
    const int buys_privately = static_cast<Placement>(p.placement[r.i]) == Placement::private_purchase;
    const int below_threshold = p.wellbeing[r.i] < s.threshold;
    if (placed & buys_privately & below_threshold) s.dissatisfied->push_back(p.id[r.i]);
  }
  void end(Week&, int, State&) const {}
};

// Reviews the council's placements, then places those waiting; s.demand[c] is this week's.
void apply_matching(Market& m, MatchingState& s, int c);

}  // namespace cm
