#pragma once
// Matching's book of standing placements (MODEL.md §3.4): what its review of placements adds up
// (each provider's clients and their need, the council's committed spend and council-managed
// hours, the demand founding reads) kept from one week to the next. In a week in which nothing
// changed many placements at once, matching reviews only the people whose placement may have
// changed: those whose need was reviewed (they are withdrawn from the book first), the new, those
// left waiting, the dissatisfied private clients, the clients of providers that closed and, in a
// week contracts changed, the contract placements of lots let again and of providers handing
// back; everyone else's placement stands as booked.
//
// The sums are exact (hours are floats added in double; money is counted in whole units of
// 2^-16 GBP), so the book holds, bit for bit, what a review of every placement would add up,
// whatever the order in which people came, went and were reviewed: a week reviewed in full and one
// reviewed from the book give the same market (tests/cpp/test_week.cpp checks every week).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "agents/market.hpp"

namespace cm {

class PlacementBook {
 public:
  // Money in the book: whole units of 2^-16 GBP (an hour's price times its need rounded once).
  static constexpr double kUnitsPerPound = 65536.0;
  static std::int64_t money_units(float hours, float price) {
    return std::llround(static_cast<double>(hours) * static_cast<double>(price) * kUnitsPerPound);
  }

  // What one council's people and placements add up to.
  struct Sums {
    // Demand: people needing care (alive, need > 0) by route.
    std::int64_t with_route = 0, buying_privately = 0, refused = 0;
    double refused_hours = 0;
    // Placements standing.
    std::int64_t placed = 0;
    std::int64_t committed_units = 0;  // need × price of the placements the council pays for
    double council_placed_hours = 0, spot_placed_hours = 0;
  };
  // One per council, each on cache lines of its own: councils run on different threads.
  struct alignas(64) Council {
    Sums sums;
    bool valid = false;                         // the book holds the council's placements (after its first review)
    std::uint64_t spec_version = 0;             // Market::spec_version at the last review
    std::vector<std::int32_t> withdrawn;        // rows withdrawn since the last review
    std::vector<engine::AgentId> waiting;       // people the last matching left unplaced
    std::vector<engine::AgentId> dissatisfied;  // private clients below the switch threshold
    std::vector<engine::AgentId> providers_with_clients;  // after the last matching
    std::int64_t full_reviews = 0, partial_reviews = 0;
  };

  explicit PlacementBook(int councils) : councils(static_cast<std::size_t>(councils)) {}
  // The space per provider id and per people row, sized to the market.
  void fit(const Market& m) {
    provider_hours.resize(m.providers_index.ids_issued(), 0.0);
    provider_clients.resize(m.providers_index.ids_issued(), 0);
    // Never shrunk: rows withdrawn this week keep their flags until matching clears them.
    if (is_withdrawn.size() < m.people.id.size()) is_withdrawn.resize(m.people.id.size(), 0);
  }
  // Forget every council's book: the next matching reviews everyone (after a test set columns by hand).
  void forget() {
    for (auto& c : councils) c.valid = false;
  }

  // Takes person i out of the book before a rule changes their need, route or life (need reviews):
  // matching reviews them this week.
  void withdraw(const Market& m, std::size_t i) {
    if (is_withdrawn[i]) return;
    is_withdrawn[i] = 1;
    auto& council = councils[static_cast<std::size_t>(m.people.council[i])];
    council.withdrawn.push_back(static_cast<std::int32_t>(i));
    take_out(m, i, council.sums);
  }
  // Takes person i's part (demand and placement, as booked) out of the sums.
  void take_out(const Market& m, std::size_t i, Sums& s) {
    add_demand(m, i, s, -1);
    add_placement(m, i, s, -1);
  }

  // Person i's part as one of the people needing care (sign -1 takes it out).
  static void add_demand(const Market& m, std::size_t i, Sums& s, int sign) {
    const auto& p = m.people;
    if (!p.alive[i] || p.need_hours[i] <= 0) return;
    const auto route = static_cast<Route>(p.route[i]);
    const std::int64_t n = sign;
    s.with_route += n * (route != Route::none);
    s.buying_privately += n * (route == Route::self_funder || route == Route::direct_payment);
    if (route == Route::none) {
      s.refused += sign;
      s.refused_hours += sign * static_cast<double>(p.need_hours[i]);
    }
  }
  // Person i's placement, if they have one (sign -1 takes it out).
  void add_placement(const Market& m, std::size_t i, Sums& s, int sign) {
    const auto& p = m.people;
    if (!p.alive[i] || p.provider[i] == engine::kNoAgent) return;
    const auto id = static_cast<std::size_t>(p.provider[i]);
    const double need = p.need_hours[i];
    provider_hours[id] += sign * need;
    provider_clients[id] += sign;
    s.placed += sign;
    if (static_cast<Route>(p.route[i]) != Route::self_funder)
      s.committed_units += sign * money_units(p.need_hours[i], p.price[i]);
    const auto placement = static_cast<Placement>(p.placement[i]);
    if (placement != Placement::private_purchase) {  // council-managed: contract, spot or in-house
      s.council_placed_hours += sign * need;
      if (placement == Placement::spot) s.spot_placed_hours += sign * need;
    }
  }

  std::vector<Council> councils;
  std::vector<double> provider_hours;          // by provider id: the need of its clients
  std::vector<std::int32_t> provider_clients;  // by provider id
  std::vector<std::uint8_t> is_withdrawn;      // by people row: withdrawn since the last review
};

}  // namespace cm
