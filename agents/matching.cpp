// MODEL.md §3.4 — matching: council-managed people go to contract holders of their lot with room,
// then to spot purchase; direct-payment holders and self-funders choose among the providers that
// serve their locality by a logit on quality, relational care and price. Dissatisfied private
// clients switch with a small weekly probability. Council-funded placements respect the budget;
// whoever cannot be placed waits.
#include <algorithm>
#include <cmath>
#include <limits>

#include "agents/matching.hpp"

#include "agents/price_setting.hpp"

namespace cm {
namespace {

// The council's direct-payment rate per hour (MODEL.md §11): its usual rate, which follows the
// April uplifts, times dp_rate_factor.
double dp_rate(const Market& m, int c) {
  return m.commissioners[static_cast<std::size_t>(c)].reference_rate * m.spec.commissioning.dp_rate_factor;
}

// What person i, buying care, pays provider q per hour: a self-funder its private price; a
// direct-payment holder the council's DP rate (dp_rate, passed in so a pass computes it once).
double private_price(const Market& m, std::size_t i, std::size_t q, double council_dp_rate) {
  return static_cast<Route>(m.people.route[i]) == Route::direct_payment ? council_dp_rate
                                                                        : m.providers.private_price[q];
}

// Hours a provider will take on: its capacity plus overbooking while it recruits (one worker's
// worth for a provider with no staff yet, so it can start); never beyond its intended size.
double intake_limit(const Market& m, std::size_t p) {
  const auto& a = m.spec.providers.of(static_cast<Archetype>(m.providers.archetype[p]));
  const double start_up = m.providers.staff[p] == 0 ? a.contracted_hours : 0.0;
  const double limit = m.providers.capacity_hours[p] * (1 + m.spec.providers.overbook) + start_up;
  return std::min(limit, static_cast<double>(m.providers.intended_staff[p]) * a.contracted_hours);
}

// The intake limit of a provider that takes clients this week; -infinity for one that does not
// (closed, or handing back its contracts). Fixed while the council matches.
double room_limit(const Market& m, std::size_t p) {
  return m.providers.alive[p] && !m.providers.handing_back[p] ? intake_limit(m, p)
                                                              : -std::numeric_limits<double>::infinity();
}

// The same for a package that must start within days (someone waiting in hospital): the hours its
// staff can deliver now, with no overbooking while it recruits.
double start_now_limit(const Market& m, std::size_t p) {
  if (!m.providers.alive[p] || m.providers.handing_back[p]) return -std::numeric_limits<double>::infinity();
  const auto& a = m.spec.providers.of(static_cast<Archetype>(m.providers.archetype[p]));
  return std::min(static_cast<double>(m.providers.capacity_hours[p]),
                  static_cast<double>(m.providers.intended_staff[p]) * a.contracted_hours);
}

// limit: the provider's room_limit().
inline bool can_take(const Market& m, std::size_t p, double hours, const std::vector<double>& limit) {
  return m.providers.allocated_hours[p] + hours <= limit[p];
}

// How the council ranks a provider for council-managed care, under its commissioning mode: the
// cheapest, the best observed quality, or (collaborative) a Gumbel-max draw, which picks with logit
// probabilities on outcomes in one pass.
double council_score(const Market& m, std::size_t q, double price, engine::Stream& stream) {
  const auto& pr = m.providers;
  switch (static_cast<CommissioningMode>(m.spec.commissioning.mode)) {
    case CommissioningMode::lowest_price: return -price;
    case CommissioningMode::quality_weighted: return pr.quality[q];
    case CommissioningMode::collaborative: {
      const auto& a = m.spec.providers.of(static_cast<Archetype>(pr.archetype[q]));
      return m.spec.choice.quality_weight * pr.quality[q] + m.spec.choice.relational_weight * a.relational -
             std::log(-std::log(stream.uniform() + 1e-300));
    }
  }
  return 0;
}

void unplace(Market& m, std::size_t i) {
  m.people.provider[i] = engine::kNoAgent;
  m.people.placement[i] = static_cast<std::uint8_t>(Placement::none);
  m.people.price[i] = 0;
}

// Each provider's contracts as a list threaded through the council's contracts, in their order,
// so a look-up walks one provider's few contracts rather than all of the council's.
class ContractIndex {
 public:
  ContractIndex(Market& m, int c, std::vector<std::int32_t>& first, std::vector<std::int32_t>& next)
      : contracts_(m.commissioners[static_cast<std::size_t>(c)].contracts), first_(first), next_(next) {
    m.for_council_providers(c, [&](std::size_t q) { first_[q] = -1; });  // this council's rows only
    next_.resize(contracts_.size());
    for (auto k = static_cast<std::int32_t>(contracts_.size()) - 1; k >= 0; --k) {
      const auto row = m.provider_row(contracts_[static_cast<std::size_t>(k)].provider);
      if (row < 0) continue;
      next_[static_cast<std::size_t>(k)] = first_[static_cast<std::size_t>(row)];
      first_[static_cast<std::size_t>(row)] = k;
    }
  }
  // Price of the first contract the provider (row) holds for the lot; -1 when it holds none.
  double price(std::size_t row, std::int32_t lot) const {
    for (auto k = first_[row]; k >= 0; k = next_[static_cast<std::size_t>(k)])
      if (contracts_[static_cast<std::size_t>(k)].lot == lot)
        return static_cast<double>(contracts_[static_cast<std::size_t>(k)].price);
    return -1.0;
  }

 private:
  const std::vector<Contract>& contracts_;
  std::vector<std::int32_t>& first_;
  std::vector<std::int32_t>& next_;
};

// One person's placement reviewed: it no longer holds when the provider is gone, the need ended,
// the lot was re-let to someone else, or a dissatisfied private client switches. The person's
// demand and a placement that holds go into the book; the people to place go to `unplaced`.
struct Review {
  PlacementBook::Sums& sums;
  Market& m;
  PlacementBook& book;
  const ContractIndex& contracts;
  std::vector<std::int32_t>& unplaced;
  double council_dp_rate;
  bool contracts_changed;
  const std::vector<std::uint8_t>& lot_relet;

  // Inlined into the pass over everyone (a call per person costs more than most reviews).
  [[gnu::always_inline]] void operator()(std::size_t i) const {
    auto& p = m.people;
    const auto& pr = m.providers;
    if (!p.alive[i]) return;
    PlacementBook::add_demand(m, i, sums, +1);
    if (p.provider[i] == engine::kNoAgent) {
      // Only people with a route and a need are placed; the others wait for nothing (place()
      // would only reset their wait).
      if (p.need_hours[i] > 0 && static_cast<Route>(p.route[i]) != Route::none)
        unplaced.push_back(static_cast<std::int32_t>(i));
      else if (p.weeks_waiting[i] != 0)
        p.weeks_waiting[i] = 0;
      return;
    }
    const auto row = m.provider_row(p.provider[i]);
    const auto placement = static_cast<Placement>(p.placement[i]);
    bool drop = row < 0 || !pr.alive[static_cast<std::size_t>(row)] || p.need_hours[i] <= 0 ||
                static_cast<Route>(p.route[i]) == Route::none;
    if (!drop && placement == Placement::contract && contracts_changed) {
      // The provider no longer holds the lot (re-let to others, handed back): the person is re-placed.
      // In a week commissioning left every contract as it was, every contract placement still holds
      // at its price, so the look-up is skipped.
      const auto lot = m.lot_of(p.locality[i]);
      const double price = contracts.price(static_cast<std::size_t>(row), lot);
      drop = price < 0;
      if (!drop && lot_relet[static_cast<std::size_t>(lot)]) p.price[i] = static_cast<float>(price);
    }
    if (!drop && placement == Placement::private_purchase) {
      // A direct payment pays the council's rate (a self-funder pays the provider's price of the
      // week: finance sets it). Written only when it changed, so the column's memory is not
      // dirtied for the many whose price stands.
      if (static_cast<Route>(p.route[i]) == Route::direct_payment && p.price[i] != static_cast<float>(council_dp_rate))
        p.price[i] = static_cast<float>(council_dp_rate);
      if (p.wellbeing[i] < m.spec.outcomes.switch_threshold) {
        auto stream = m.rng.stream(static_cast<std::uint64_t>(m.week), Market::stream_key(p, i), kSwitch);
        drop = stream.bernoulli(m.spec.outcomes.switch_per_week);
      }
    }
    if (drop) {
      unplace(m, i);
      p.continuity[i] = 0;
      unplaced.push_back(static_cast<std::int32_t>(i));
      return;
    }
    book.add_placement(m, i, sums, +1);
  }
};

// Does the book still hold the council's placements as a review of everyone would find them, but
// for the people the partial review names? Not in its first week, after a change of parameters,
// when prices were uplifted (each April) or when the council took lots into its own service this
// week (insourcing moves their people without withdrawing them from the book): each can change
// many placements at once, and the review then looks at everyone. (Contracts that changed name
// their people: name_changed_contracts.)
bool book_holds(const Market& m, const PlacementBook& book, int c) {
  const auto& council = book.councils[static_cast<std::size_t>(c)];
  const auto& com = m.commissioners[static_cast<std::size_t>(c)];
  return council.valid && council.spec_version == m.spec_version && !(com.contracts_changed && com.lots_in_house > 0) &&
         !starts_financial_year(m.spec, m.reported_week());
}

// Adds to `named`, in a week the council's contracts changed, the contract placements that may no
// longer hold: those in a lot let again this week (its contracts ended, early or on time, and its
// price may have moved) and those with a provider handing its contracts back (its contracts end
// whether or not the lot is let again). Every other contract still stands at its price, so a
// review of everyone would keep its placement as booked. (Clients of providers that closed are
// named by name_clients_of.) A contract that expires is always in a lot let again that week: a
// letting sets the lot's next letting week and its contracts' end week the same length ahead, and
// after it only a hand-back moves the letting, and only earlier (apply_commissioning asserts it).
void name_changed_contracts(const Market& m, int c, std::vector<std::int32_t>& named) {
  const auto& p = m.people;
  const auto& pr = m.providers;
  const auto& relet = m.commissioners[static_cast<std::size_t>(c)].lot_relet;
  bool handing_back = false;
  m.for_council_providers(c, [&](std::size_t q) { handing_back |= pr.handing_back[q] != 0; });
  m.for_council_people(c, [&](std::size_t i) {
    if (!p.alive[i] || static_cast<Placement>(p.placement[i]) != Placement::contract) return;
    bool changed = relet[static_cast<std::size_t>(m.lot_of(p.locality[i]))] != 0;
    if (!changed && handing_back) {
      const auto row = m.provider_row(p.provider[i]);
      changed = row >= 0 && pr.handing_back[static_cast<std::size_t>(row)] != 0;
    }
    if (changed) named.push_back(static_cast<std::int32_t>(i));
  });
}

// The providers that had clients after the last matching and have closed since (left the table,
// or in it closed) with clients still booked to them.
void list_closed_with_clients(const Market& m, const PlacementBook& book, int c, std::vector<engine::AgentId>& gone) {
  gone.clear();
  for (const auto id : book.councils[static_cast<std::size_t>(c)].providers_with_clients) {
    const auto row = m.provider_row(id);
    if ((row < 0 || !m.providers.alive[static_cast<std::size_t>(row)]) &&
        book.provider_clients[static_cast<std::size_t>(id)] > 0)
      gone.push_back(id);
  }
}

// Adds to `named` the council's people placed with one of the providers `gone`: a pass over one
// column, as providers close most weeks somewhere and have few clients.
void name_clients_of(const Market& m, int c, const std::vector<engine::AgentId>& gone,
                     std::vector<std::int32_t>& named) {
  const auto* provider = m.people.provider.data();
  m.rows.people.for_each_range(c, [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) {
      bool with_gone = false;
      for (const auto id : gone) with_gone |= provider[i] == id;
      if (with_gone) named.push_back(static_cast<std::int32_t>(i));
    }
  });
}

// The placements that no longer hold, in the council's book and in `unplaced` (in row order) the
// people to place. Everyone is reviewed when the book may not hold (book_holds); otherwise only
// the people the book names: withdrawn by their need review, waiting since last week,
// dissatisfied private clients, clients of providers that closed, contract placements whose
// contract changed, and the people new this week.
void review_placements(Market& m, MatchingState& s, int c, const ContractIndex& contracts,
                       std::vector<std::int32_t>& unplaced, std::vector<std::int32_t>& named,
                       std::vector<engine::AgentId>& gone) {
  auto& book = s.book;
  auto& council = book.councils[static_cast<std::size_t>(c)];
  auto& com = m.commissioners[static_cast<std::size_t>(c)];
  auto& pr = m.providers;
  unplaced.clear();
  m.for_council_providers(c, [&](std::size_t q) { pr.offered_hours[q] = 0; });
  const bool everyone = s.review_every_placement || !book_holds(m, book, c);
  // A review of everyone adds up from zero, in a local the compiler keeps in registers; one from
  // the book adjusts the council's sums.
  PlacementBook::Sums fresh;
  const Review review{everyone ? fresh : council.sums,
                      m,
                      book,
                      contracts,
                      unplaced,
                      dp_rate(m, c),
                      com.contracts_changed,
                      com.lot_relet};
  if (everyone) {
    m.for_council_providers(c, [&](std::size_t q) {
      const auto id = static_cast<std::size_t>(pr.id[q]);
      book.provider_hours[id] = 0;
      book.provider_clients[id] = 0;
    });
    m.for_council_people(c, review);
    council.sums = fresh;
    council.full_reviews += 1;
  } else {
    named.assign(council.withdrawn.begin(), council.withdrawn.end());
    for (const auto* ids : {&council.waiting, &council.dissatisfied})
      for (const auto id : *ids)
        if (const auto row = m.people_index.row_of(id); row >= 0) named.push_back(row);
    list_closed_with_clients(m, book, c, gone);
    if (!gone.empty()) name_clients_of(m, c, gone, named);
    if (com.contracts_changed) name_changed_contracts(m, c, named);
    std::sort(named.begin(), named.end());
    named.erase(std::unique(named.begin(), named.end()), named.end());
    for (const auto row : named) {
      const auto i = static_cast<std::size_t>(row);
      // In the book as last reviewed (unless withdrawn this week): taken out, reviewed again.
      if (!book.is_withdrawn[i]) book.take_out(m, i, council.sums);
      review(i);
    }
    // The week's new people, after every other row of the council.
    m.rows.people.for_each_appended_since(m.people_mark, c, review);
    council.partial_reviews += 1;
  }
  for (const auto row : council.withdrawn) book.is_withdrawn[static_cast<std::size_t>(row)] = 0;
  council.withdrawn.clear();
  council.valid = true;
  council.spec_version = m.spec_version;
}

// A provider's load, and the council's committed spend, as the book has them: where the rest of
// matching and later rules read them.
void publish_load(Market& m, const PlacementBook& book, std::size_t q) {
  const auto id = static_cast<std::size_t>(m.providers.id[q]);
  m.providers.allocated_hours[q] = static_cast<float>(book.provider_hours[id]);
  m.providers.clients[q] = book.provider_clients[id];
}
void publish_committed(Market& m, const PlacementBook& book, int c) {
  m.commissioners[static_cast<std::size_t>(c)].committed =
      static_cast<double>(book.councils[static_cast<std::size_t>(c)].sums.committed_units) /
      PlacementBook::kUnitsPerPound;
}

// Providers serving each locality of the council, as CSR lists in row order: locality l's are
// candidates[offsets[l] .. offsets[l + 1]). Built provider by provider from each one's row of
// travel times (Market::serves for a whole council at once): count, then fill. A provider serves
// the same localities every week (its home and its kind's radius do not move), so the lists of
// the last matching stand while the council's providers are those it listed, open and closed
// alike, in one block of rows, and no parameter changed; the weekly regroup of providers may
// only have moved the block, and the rows with it.
void list_serving_providers(const Market& m, int c, MatchingState::ServingLists& lists,
                            std::vector<std::int32_t>& cursor) {
  const auto& pr = m.providers;
  std::int32_t first_row = -1, blocks = 0;
  m.rows.providers.for_each_range(c, [&](std::size_t begin, std::size_t) {
    first_row = static_cast<std::int32_t>(begin);
    ++blocks;
  });
  auto listed_id = [&](std::size_t q) { return pr.alive[q] ? pr.id[q] : engine::kNoAgent; };
  if (lists.kept && blocks == 1 && lists.spec_version == m.spec_version) {
    bool same = true;
    std::size_t k = 0;
    m.for_council_providers(c, [&](std::size_t q) {
      same = same && k < lists.ids.size() && lists.ids[k] == listed_id(q);
      ++k;
    });
    if (same && k == lists.ids.size()) {
      if (const auto shift = first_row - lists.first_row; shift != 0)
        for (auto& q : lists.candidates) q += shift;
      lists.first_row = first_row;
      return;
    }
  }
  const auto nloc = static_cast<std::size_t>(m.geography.locality_count(c));
  auto& offsets = lists.offsets;
  auto& candidates = lists.candidates;
  offsets.assign(nloc + 1, 0);
  auto for_each_served = [&](auto&& visit) {
    m.for_council_providers(c, [&](std::size_t q) {
      if (!pr.alive[q]) return;
      const float* minutes = m.geography.minutes_from(pr.home_locality[q]);
      const double radius = m.spec.providers.of(static_cast<Archetype>(pr.archetype[q])).radius_minutes;
      for (std::size_t l = 0; l < nloc; ++l)
        if (static_cast<double>(minutes[l]) <= radius) visit(q, l);
    });
  };
  for_each_served([&](std::size_t, std::size_t l) { ++offsets[l + 1]; });
  for (std::size_t l = 0; l < nloc; ++l) offsets[l + 1] += offsets[l];
  candidates.resize(static_cast<std::size_t>(offsets[nloc]));
  cursor.assign(offsets.begin(), offsets.end() - 1);
  for_each_served([&](std::size_t q, std::size_t l) {
    candidates[static_cast<std::size_t>(cursor[l]++)] = static_cast<std::int32_t>(q);
  });
  // Kept for next week only when the council's providers are one block of rows, which a shift maps.
  lists.kept = blocks == 1;
  lists.spec_version = m.spec_version;
  lists.first_row = first_row;
  lists.ids.clear();
  m.for_council_providers(c, [&](std::size_t q) { lists.ids.push_back(listed_id(q)); });
}

// Private buyers' logit weight of each provider, and its room: neither changes while the council
// matches.
void prepare_choice(const Market& m, int c, MatchingState& s) {
  const auto& pr = m.providers;
  const auto& choice = m.spec.choice;
  auto& logit_weight = s.logit_weight;  // this council's rows only
  auto& limit = s.intake_limit;
  const bool someone_in_hospital = m.commissioners[static_cast<std::size_t>(c)].people_in_hospital > 0;
  const bool accredited = m.spec.commissioning.accredit_micro;
  bool in_house = false;
  m.for_council_providers(c, [&](std::size_t q) {
    limit[q] = room_limit(m, q);
    if (someone_in_hospital) s.start_now_limit[q] = start_now_limit(m, q);
    const auto& a = m.spec.providers.of(static_cast<Archetype>(pr.archetype[q]));
    s.buyers[q] = static_cast<std::uint8_t>((a.takes_council_work(accredited) ? MatchingState::kCouncilBuys : 0) |
                                            (a.in_house() ? MatchingState::kInHouse : 0) |
                                            (a.serves_direct_payments ? MatchingState::kDirectPaymentBuys : 0) |
                                            (a.serves_self_funders ? MatchingState::kSelfFunderBuys : 0));
    in_house |= a.in_house() && pr.alive[q];
    logit_weight[q] = std::exp(choice.quality_weight * pr.quality[q] + choice.relational_weight * a.relational -
                               choice.price_weight * pr.private_price[q]);
  });
  s.has_in_house[static_cast<std::size_t>(c)] = in_house;
}

struct Choice {
  std::int32_t provider = -1;  // row, or -1 when none
  double price = 0;
  Placement placement = Placement::none;
};
using Candidates = std::vector<std::int32_t>::const_iterator;

// The room providers have for person i: a package for someone waiting in hospital must start
// now, from staff the provider has (MODEL.md §18); anyone else's may wait for a recruit.
const std::vector<double>& person_limit(const Market& m, const MatchingState& s, std::size_t i) {
  const bool in_hospital = m.commissioners[static_cast<std::size_t>(m.people.council[i])].people_in_hospital > 0 &&
                           static_cast<Hospital>(m.people.hospital[i]) == Hospital::awaiting_package;
  return in_hospital ? s.start_now_limit : s.intake_limit;
}

// The price of a spot purchase: the council's usual rate plus the spot premium, at least the floor.
double spot_price(const Market& m, int c) {
  const auto& policy = m.spec.commissioning;
  return std::max(m.commissioners[static_cast<std::size_t>(c)].reference_rate * (1 + policy.spot_premium),
                  policy.price_floor);
}

// The lowest price per hour the council could pay for a council-managed person this week: its
// lowest contract price, its own services' lowest cost and the spot price (choose_for_council pays
// one of them). Fixed while the council matches.
double lowest_council_managed_price(const Market& m, const MatchingState& s, int c) {
  double lowest = spot_price(m, c);
  for (const auto& contract : m.commissioners[static_cast<std::size_t>(c)].contracts)
    if (contract.price > 0) lowest = std::min(lowest, static_cast<double>(contract.price));
  if (s.has_in_house[static_cast<std::size_t>(c)])
    m.for_council_providers(c, [&](std::size_t q) {
      if (s.buyers[q] & MatchingState::kInHouse)
        lowest = std::min(
            lowest, m.asking_price(static_cast<Archetype>(m.providers.archetype[q]), m.providers.cost_per_hour[q]));
    });
  return lowest;
}

// A council-managed person: the council's own service with room, at its cost (the service the
// council ranks first, among several), where it serves; failing that, among the lot's contract holders with room,
// the one the council ranks first; failing that, a spot purchase scored as the council scores its
// tenders. first_fit: the first provider the council could choose, unscored and without a price
// (when only whether there is one matters).
Choice choose_for_council(const Market& m, const MatchingState& s, std::size_t i, double need, Candidates begin,
                          Candidates end, const ContractIndex& contracts, bool first_fit) {
  const auto& pr = m.providers;
  const auto& limit = person_limit(m, s, i);
  Choice chosen;
  const auto lot = m.lot_of(m.people.locality[i]);
  double best_score = -1e300;
  auto stream = m.rng.stream(static_cast<std::uint64_t>(m.week), Market::stream_key(m.people, i), kMatch);
  // The council's own services come first in the lots it keeps for them (insourcing.cpp), or
  // everywhere when it keeps none (services a scenario starts with serve the whole council).
  const auto& com = m.commissioners[static_cast<std::size_t>(m.people.council[i])];
  if (s.has_in_house[static_cast<std::size_t>(m.people.council[i])] &&
      (com.lots_in_house == 0 || com.lot_in_house[static_cast<std::size_t>(lot)])) {
    for (auto it = begin; it != end; ++it) {
      const auto q = static_cast<std::size_t>(*it);
      if (!(s.buyers[q] & MatchingState::kInHouse) || !can_take(m, q, need, limit)) continue;
      if (first_fit) return {*it, 0, Placement::in_house};
      const double cost = m.asking_price(static_cast<Archetype>(pr.archetype[q]), pr.cost_per_hour[q]);
      const double score = council_score(m, q, cost, stream);
      if (score > best_score) {
        best_score = score;
        chosen.provider = *it;
        chosen.price = cost;
      }
    }
    if (chosen.provider >= 0) {
      chosen.placement = Placement::in_house;
      return chosen;
    }
  }
  for (auto it = begin; it != end; ++it) {
    const auto q = static_cast<std::size_t>(*it);
    if (!can_take(m, q, need, limit)) continue;
    const double k = contracts.price(q, lot);
    if (k <= 0) continue;
    if (first_fit) return {*it, 0, Placement::contract};
    const double score = council_score(m, q, k, stream);
    if (score > best_score) {
      best_score = score;
      chosen.provider = *it;
      chosen.price = k;
    }
  }
  chosen.placement = Placement::contract;
  if (chosen.provider < 0) {
    for (auto it = begin; it != end; ++it) {
      const auto q = static_cast<std::size_t>(*it);
      const auto arch = static_cast<Archetype>(pr.archetype[q]);
      if (!(s.buyers[q] & MatchingState::kCouncilBuys) || !can_take(m, q, need, limit)) continue;
      if (first_fit) return {*it, 0, Placement::spot};
      const double score = council_score(m, q, m.asking_price(arch, pr.cost_per_hour[q]), stream);
      if (score > best_score) {
        best_score = score;
        chosen.provider = *it;
      }
    }
    chosen.price = spot_price(m, m.people.council[i]);
    chosen.placement = Placement::spot;
  }
  return chosen;
}

// A self-funder or direct-payment holder: a logit choice over the providers with room. first_fit:
// the first provider the choice could fall on, without a price (when only whether there is one
// matters): logit weights are exp() of a finite number, never negative, so the choice falls on
// someone exactly when one of them offers with a weight above 0.
Choice choose_privately(const Market& m, const MatchingState& s, std::size_t i, double need, Candidates begin,
                        Candidates end, bool first_fit) {
  const auto& limit = person_limit(m, s, i);
  const auto& logit_weight = s.logit_weight;
  auto stream = m.rng.stream(static_cast<std::uint64_t>(m.week), Market::stream_key(m.people, i), kMatch);
  // The providers this buyer may buy from (a council's own service serves neither kind of buyer).
  const auto may_buy = static_cast<Route>(m.people.route[i]) == Route::direct_payment
                           ? MatchingState::kDirectPaymentBuys
                           : MatchingState::kSelfFunderBuys;
  auto offers = [&](std::size_t q) { return (s.buyers[q] & may_buy) && can_take(m, q, need, limit); };
  if (first_fit) {
    for (auto it = begin; it != end; ++it)
      if (offers(static_cast<std::size_t>(*it)) && logit_weight[static_cast<std::size_t>(*it)] > 0)
        return {*it, 0, Placement::private_purchase};
    return {-1, 0, Placement::private_purchase};
  }
  double total = 0;
  for (auto it = begin; it != end; ++it) {
    const auto q = static_cast<std::size_t>(*it);
    if (offers(q)) total += logit_weight[q];
  }
  Choice chosen;
  double u = stream.uniform() * total;
  for (auto it = begin; it != end && total > 0; ++it) {
    if (!offers(static_cast<std::size_t>(*it))) continue;
    u -= logit_weight[static_cast<std::size_t>(*it)];
    chosen.provider = *it;
    if (u <= 0) break;
  }
  if (chosen.provider >= 0)
    chosen.price = private_price(m, i, static_cast<std::size_t>(chosen.provider), dp_rate(m, m.people.council[i]));
  chosen.placement = Placement::private_purchase;
  return chosen;
}

// The hours of the people no provider had room for (not those the budget held back), by locality
// of the council: council-managed people's apart, since unaccredited micro-enterprises cannot take
// them. Offered after the council's placements to every provider that could have taken them
// (serves the locality and takes clients this week), shared equally: the labour market posts
// vacancies for them. Summed per locality, so a long waiting list costs one pass over each
// locality's providers, not one per person.
struct UnplacedHours {
  std::vector<double> council_managed, others;  // [locality of the council]
  // Council-managed hours bought spot because the lot's contract holders had no room: offered to
  // those holders, so they recruit for the work their contract promised them.
  std::vector<double> contract_overflow;
  void reset(std::size_t localities) {
    council_managed.assign(localities, 0.0);
    others.assign(localities, 0.0);
    contract_overflow.assign(localities, 0.0);
  }
};

void offer_packages(Market& m, const MatchingState& s, const UnplacedHours& hours,
                    const std::vector<std::int32_t>& offsets, const std::vector<std::int32_t>& candidates,
                    const ContractIndex& contracts, int c) {
  auto& pr = m.providers;
  // Takes clients this week (room_limit: -infinity for a provider that does not).
  auto takes = [&](std::size_t q) { return s.intake_limit[q] > -std::numeric_limits<double>::infinity(); };
  for (std::size_t l = 0; l < hours.contract_overflow.size(); ++l) {
    if (hours.contract_overflow[l] <= 0) continue;
    const auto lot = m.lot_of(m.geography.first_locality(c) + static_cast<std::int32_t>(l));
    const auto begin = candidates.begin() + offsets[l], end = candidates.begin() + offsets[l + 1];
    // In a lot the council keeps, its own services stand where contract holders would.
    const bool kept = m.commissioners[static_cast<std::size_t>(c)].lot_in_house[static_cast<std::size_t>(lot)];
    auto holds = [&](std::size_t q) {
      return takes(q) && (kept ? (s.buyers[q] & MatchingState::kInHouse) != 0 : contracts.price(q, lot) > 0);
    };
    int holders = 0;
    for (auto it = begin; it != end; ++it) holders += holds(static_cast<std::size_t>(*it));
    for (auto it = begin; it != end && holders > 0; ++it)
      if (holds(static_cast<std::size_t>(*it)))
        pr.offered_hours[static_cast<std::size_t>(*it)] += static_cast<float>(hours.contract_overflow[l] / holders);
  }
  for (std::size_t l = 0; l < hours.others.size(); ++l) {
    if (hours.council_managed[l] <= 0 && hours.others[l] <= 0) continue;
    const auto begin = candidates.begin() + offsets[l], end = candidates.begin() + offsets[l + 1];
    // The council's own services are offered the hours of the lots they serve (matching's order).
    const auto& com = m.commissioners[static_cast<std::size_t>(c)];
    const bool in_house_here =
        com.lots_in_house == 0 || com.lot_in_house[static_cast<std::size_t>(
                                      m.lot_of(m.geography.first_locality(c) + static_cast<std::int32_t>(l)))];
    const std::uint8_t council_buyers =
        MatchingState::kCouncilBuys | (in_house_here ? MatchingState::kInHouse : std::uint8_t{0});
    auto takes_council = [&](std::size_t q) { return takes(q) && (s.buyers[q] & council_buyers); };
    auto takes_others = [&](std::size_t q) {
      return takes(q) && (s.buyers[q] & (MatchingState::kDirectPaymentBuys | MatchingState::kSelfFunderBuys));
    };
    int n_all = 0, n_council = 0;
    for (auto it = begin; it != end; ++it) {
      n_all += takes_others(static_cast<std::size_t>(*it));
      n_council += takes_council(static_cast<std::size_t>(*it));
    }
    for (auto it = begin; it != end; ++it) {
      const auto q = static_cast<std::size_t>(*it);
      double offered = 0;
      if (n_all > 0 && takes_others(q)) offered += hours.others[l] / n_all;
      if (n_council > 0 && takes_council(q)) offered += hours.council_managed[l] / n_council;
      pr.offered_hours[q] += static_cast<float>(offered);
    }
  }
}

// Places the people of `unplaced` in row order, within the council's budget for those it pays for;
// those left unplaced wait (the book lists them for next week's review).
void place(Market& m, MatchingState& s, int c, const std::vector<std::int32_t>& unplaced,
           const std::vector<std::int32_t>& offsets, const std::vector<std::int32_t>& candidates,
           const ContractIndex& contracts, MatchingDemand& demand, UnplacedHours& waiting_hours) {
  auto& p = m.people;
  auto& pr = m.providers;
  auto& com = m.commissioners[static_cast<std::size_t>(c)];
  auto& council = s.book.councils[static_cast<std::size_t>(c)];
  council.waiting.clear();
  const auto first = m.geography.first_locality(c);
  // The lowest price the council could pay for each of the people it pays for: a direct-payment
  // holder's is the council's rate, whoever they choose.
  const double lowest_council_managed = lowest_council_managed_price(m, s, c);
  const double direct_payment_rate = dp_rate(m, c);
  for (const auto row : unplaced) {
    const auto i = static_cast<std::size_t>(row);
    const auto route = static_cast<Route>(p.route[i]);
    const double need = p.need_hours[i];
    if (route == Route::none || need <= 0) {
      p.weeks_waiting[i] = 0;
      continue;
    }
    const auto l = static_cast<std::size_t>(p.locality[i] - first);
    const auto begin = candidates.begin() + offsets[l];
    const auto end = candidates.begin() + offsets[l + 1];
    const bool council_pays = route != Route::self_funder;
    // When even the lowest price the council could pay would take it over its budget, the person
    // waits for the budget whoever the choice falls on (committed + need × price only grows with
    // the price, in floating point too): whether anyone has room decides only why they wait, which
    // the first provider with room answers. A long waiting list is mostly such people.
    const double lowest_price = route == Route::council_managed ? lowest_council_managed : direct_payment_rate;
    const bool over_budget = council_pays && com.committed + need * lowest_price > com.weekly_budget;
    Choice chosen = route == Route::council_managed
                        ? choose_for_council(m, s, i, need, begin, end, contracts, over_budget)
                        : choose_privately(m, s, i, need, begin, end, over_budget);
    const bool waits_for_budget = chosen.provider >= 0 && council_pays &&
                                  (over_budget || com.committed + need * chosen.price > com.weekly_budget);
    if (waits_for_budget) {
      chosen.provider = -1;
      demand.waiting_for_budget += 1;
    }
    if (chosen.provider < 0) {
      p.weeks_waiting[i] = static_cast<std::int16_t>(std::min(p.weeks_waiting[i] + 1, 30000));
      if (!waits_for_budget)
        (route == Route::council_managed ? waiting_hours.council_managed : waiting_hours.others)[l] += need;
      council.waiting.push_back(p.id[i]);
      continue;
    }
    if (chosen.placement == Placement::spot) waiting_hours.contract_overflow[l] += need;
    const auto q = static_cast<std::size_t>(chosen.provider);
    p.provider[i] = pr.id[q];
    p.placement[i] = static_cast<std::uint8_t>(chosen.placement);
    p.price[i] = static_cast<float>(chosen.price);
    p.weeks_waiting[i] = 0;
    p.continuity[i] = 0;
    s.book.add_placement(m, i, council.sums, +1);
    publish_load(m, s.book, q);
    if (council_pays) publish_committed(m, s.book, c);
  }
}

}  // namespace

void apply_matching(Market& m, MatchingState& s, int c) {
  thread_local std::vector<std::int32_t> cursor, next_contract, unplaced, named;
  thread_local std::vector<engine::AgentId> gone;
  thread_local UnplacedHours waiting_hours;
  auto& demand = s.demand[static_cast<std::size_t>(c)];
  demand = {};
  const ContractIndex contracts(m, c, s.provider_slot, next_contract);
  review_placements(m, s, c, contracts, unplaced, named, gone);
  m.for_council_providers(c, [&](std::size_t q) { publish_load(m, s.book, q); });
  publish_committed(m, s.book, c);
  // The demand founding reads is counted before anyone new is placed (routes and needs do not
  // change until then).
  const auto& sums = s.book.councils[static_cast<std::size_t>(c)].sums;
  demand.people_with_route = static_cast<double>(sums.with_route);
  demand.people_buying_privately = static_cast<double>(sums.buying_privately);
  demand.refused = static_cast<double>(sums.refused);
  demand.refused_hours = sums.refused_hours;
  auto& serving = s.serving[static_cast<std::size_t>(c)];
  list_serving_providers(m, c, serving, cursor);
  const auto& offsets = serving.offsets;
  const auto& candidates = serving.candidates;
  prepare_choice(m, c, s);
  waiting_hours.reset(static_cast<std::size_t>(m.geography.locality_count(c)));
  // People waiting in hospital for a package come first (MODEL.md §18), in row order as the others.
  auto in_hospital = [&](std::int32_t row) {
    return static_cast<Hospital>(m.people.hospital[static_cast<std::size_t>(row)]) == Hospital::awaiting_package;
  };
  // With nobody in hospital (no discharge stream) the column is not read.
  if (m.commissioners[static_cast<std::size_t>(c)].people_in_hospital > 0 &&
      std::any_of(unplaced.begin(), unplaced.end(), in_hospital))
    std::stable_partition(unplaced.begin(), unplaced.end(), in_hospital);
  place(m, s, c, unplaced, offsets, candidates, contracts, demand, waiting_hours);
  demand.council_placed_hours = sums.council_placed_hours;
  demand.spot_placed_hours = sums.spot_placed_hours;
  auto& with_clients = s.book.councils[static_cast<std::size_t>(c)].providers_with_clients;
  with_clients.clear();
  m.for_council_providers(c, [&](std::size_t q) {
    if (m.providers.clients[q] > 0) with_clients.push_back(m.providers.id[q]);
  });
  offer_packages(m, s, waiting_hours, offsets, candidates, contracts, c);
  auto& counts = m.counts[static_cast<std::size_t>(c)];
  counts.waiting_for_budget = demand.waiting_for_budget;
  counts.refused_hours = demand.refused_hours;
  counts.refused = demand.refused;
  counts.council_placed_hours = demand.council_placed_hours;
  counts.spot_placed_hours = demand.spot_placed_hours;
  // Hand-backs are done: a provider that handed back takes no new clients this week, and may bid
  // again at the next letting.
  m.for_council_providers(c, [&](std::size_t q) { m.providers.handing_back[q] = 0; });
}

NoteDissatisfied::State NoteDissatisfied::begin(Week& w, int c) const {
  auto& list = w.matching.book.councils[static_cast<std::size_t>(c)].dissatisfied;
  list.clear();
  return {&list, w.market.spec.outcomes.switch_threshold};
}

}  // namespace cm
