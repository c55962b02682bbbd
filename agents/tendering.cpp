// MODEL.md §3.3 and §5 — commissioning: each council lets its lots by tender when contracts end
// or are handed back, scoring bids by its mode (lowest_price, quality_weighted, collaborative),
// with a price floor and a wage floor in contracts. Budgets and spot purchasing act in matching.
#include <algorithm>
#include <cmath>

#include "agents/market.hpp"

namespace cm {
namespace {

struct Bid {
  std::size_t row;
  double bid;
  double cost;
};

// The bid of one provider for one lot: cost (at the contract's wage floor) plus margin, with a
// strategic undercut when its share of council hours is small — possibly below cost.
Bid make_bid(const Market& m, std::size_t p, double council_hours_total) {
  const auto arch = static_cast<Archetype>(m.providers.archetype[p]);
  const auto& a = m.spec.providers.of(arch);
  const double wage = std::max<double>(m.providers.wage[p], m.spec.commissioning.wage_floor);
  const double cost = m.cost_per_hour(arch, wage);
  double bid = m.asking_price(arch, cost);
  const double share = council_hours_total > 0 ? m.providers.council_hours[p] / council_hours_total : 0.0;
  if (share < 0.05) bid *= 1 - a.undercut;
  return {p, bid, cost};
}

void let_lot(Market& m, int c, std::int32_t lot, double council_hours_total) {
  auto& com = m.commissioners[static_cast<std::size_t>(c)];
  const auto& policy = m.spec.commissioning;
  const auto mode = static_cast<CommissioningMode>(policy.mode);
  const auto first = m.geography.first_locality(c) + lot * static_cast<std::int32_t>(policy.lot_size);
  const auto last = std::min(first + static_cast<std::int32_t>(policy.lot_size),
                             m.geography.first_locality(c) + m.geography.locality_count(c));
  std::vector<Bid> bids;
  m.for_council_providers(c, [&](std::size_t p) {
    if (!m.providers.alive[p] || m.providers.handing_back[p]) return;
    const auto arch = static_cast<Archetype>(m.providers.archetype[p]);
    if (arch == Archetype::micro && !policy.accredit_micro) return;
    bool covers = false;
    for (auto l = first; l < last && !covers; ++l) covers = m.serves(p, l);
    if (covers) bids.push_back(make_bid(m, p, council_hours_total));
  });

  std::vector<std::size_t> winners;
  std::vector<Bid> qualified;
  for (const auto& b : bids)
    if (m.providers.quality[b.row] >= policy.quality_threshold) qualified.push_back(b);
  if (qualified.empty()) qualified = bids;  // better a weak provider than none
  double lowest = 0;
  if (!qualified.empty()) {
    lowest = std::min_element(qualified.begin(), qualified.end(), [](const Bid& a, const Bid& b) { return a.bid < b.bid; })->bid;
    if (mode == CommissioningMode::collaborative) {
      for (std::size_t k = 0; k < qualified.size(); ++k) winners.push_back(k);
    } else {
      // A ranked framework: bidders in order of score win places until their capacity covers the
      // lot's council-managed hours (a single branch rarely can). Ties keep row order.
      auto score = [&](const Bid& b) {
        return mode == CommissioningMode::lowest_price
                   ? lowest / b.bid
                   : policy.price_weight * lowest / b.bid + (1 - policy.price_weight) * m.providers.quality[b.row];
      };
      std::vector<std::size_t> order(qualified.size());
      for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
      std::stable_sort(order.begin(), order.end(),
                       [&](std::size_t a, std::size_t b) { return score(qualified[a]) > score(qualified[b]); });
      double demand = 0;
      m.for_council_people(c, [&](std::size_t i) {
        if (m.people.alive[i] && static_cast<Route>(m.people.route[i]) == Route::council_managed &&
            m.lot_of(m.people.locality[i]) == lot)
          demand += m.people.need_hours[i];
      });
      double covered = 0;
      for (auto k : order) {
        if (!winners.empty() && covered >= demand) break;
        winners.push_back(k);
        covered += m.providers.capacity_hours[qualified[k].row];
      }
    }
  }

  const auto contract_weeks = static_cast<std::int32_t>(std::lround(policy.contract_years * 52));
  // The first letting staggers end dates so that re-tendering spreads over the contract length.
  const std::int32_t length = m.week == 0 ? std::max<std::int32_t>(1, contract_weeks * (lot + 1) / com.lots) : contract_weeks;
  auto& log = m.council_tenders[static_cast<std::size_t>(c)];
  auto& bid_log = m.council_bids[static_cast<std::size_t>(c)];
  const auto tender_row = static_cast<std::int32_t>(log.size());
  for (const auto& b : bids) {
    bid_log.tender.push_back(tender_row);
    bid_log.provider.push_back(m.providers.id[b.row]);
    bid_log.archetype.push_back(m.providers.archetype[b.row]);
    bid_log.amount.push_back(static_cast<float>(b.bid));
    bid_log.cost.push_back(static_cast<float>(b.cost));
  }
  for (auto k : winners) {
    const auto& b = qualified[k];
    const double price = std::max(b.bid, policy.price_floor);
    com.contracts.push_back({lot, m.providers.id[b.row], static_cast<float>(price), m.week + length});
    m.providers.contract_price[b.row] = static_cast<float>(price);
    if (policy.wage_floor > m.providers.wage[b.row]) {
      m.providers.wage[b.row] = static_cast<float>(policy.wage_floor);
      m.providers.cost_per_hour[b.row] = static_cast<float>(b.cost);
    }
  }
  log.week.push_back(m.week);
  log.council.push_back(c);
  log.lot.push_back(lot);
  log.bids.push_back(static_cast<std::int32_t>(bids.size()));
  const bool won = !winners.empty();
  const auto& first_winner = won ? qualified[winners.front()] : Bid{0, 0, 0};
  log.winner.push_back(won ? m.providers.id[first_winner.row] : engine::kNoAgent);
  log.winner_archetype.push_back(won ? m.providers.archetype[first_winner.row] : 255);
  log.lowest_bid.push_back(static_cast<float>(lowest));
  log.winning_bid.push_back(static_cast<float>(first_winner.bid));
  log.price.push_back(won ? static_cast<float>(std::max(first_winner.bid, policy.price_floor)) : 0.0f);
  m.tally[static_cast<std::size_t>(c)].tenders += 1;
  // No bidder: spot purchase covers the lot; try again in a quarter.
  com.lot_tender_week[static_cast<std::size_t>(lot)] = won ? m.week + length : m.week + 13;
  com.lot_relet[static_cast<std::size_t>(lot)] = 1;
}

}  // namespace

void apply_commissioning(Market& m) {
  std::vector<int> councils(static_cast<std::size_t>(m.councils()));
  for (int c = 0; c < m.councils(); ++c) {
    auto& com = m.commissioners[static_cast<std::size_t>(c)];
    std::fill(com.lot_relet.begin(), com.lot_relet.end(), 0);
    // Hand-backs and contracts of providers that have gone: the lot is let again now.
    std::vector<Contract> kept;
    for (const auto& k : com.contracts) {
      const auto row = m.provider_row(k.provider);
      const bool gone = row < 0 || !m.providers.alive[static_cast<std::size_t>(row)];
      const bool handed_back = !gone && m.providers.handing_back[static_cast<std::size_t>(row)];
      const bool expired = k.end_week <= m.week;
      if (handed_back) {
        m.tally[static_cast<std::size_t>(c)].handbacks += 1;
        m.log_provider_event(c, static_cast<std::size_t>(row), ProviderEventKind::handback);
      }
      if (gone || handed_back || expired) {
        if (gone || handed_back) com.lot_tender_week[static_cast<std::size_t>(k.lot)] = m.week;
        if (!gone) {
          m.providers.contract_price[static_cast<std::size_t>(row)] = 0;
          m.providers.contract_loss_weeks[static_cast<std::size_t>(row)] = 0;
        }
        continue;
      }
      kept.push_back(k);
    }
    com.contracts.swap(kept);
    m.for_council_providers(c, [&](std::size_t p) { m.providers.handing_back[p] = 0; });
    double council_hours_total = 0;
    m.for_council_providers(c, [&](std::size_t p) { council_hours_total += m.providers.council_hours[p]; });
    for (std::int32_t lot = 0; lot < com.lots; ++lot) {
      if (com.lot_tender_week[static_cast<std::size_t>(lot)] > m.week) continue;
      // Contracts still running in the lot end now (collaborative frameworks are re-let whole).
      std::erase_if(com.contracts, [&](const Contract& k) { return k.lot == lot; });
      let_lot(m, c, lot, council_hours_total);
    }
    // A provider's contract price is that of the contract it holds (0 when none).
    m.for_council_providers(c, [&](std::size_t p) { m.providers.contract_price[p] = 0; });
    for (const auto& k : com.contracts) {
      const auto row = m.provider_row(k.provider);
      if (row >= 0) m.providers.contract_price[static_cast<std::size_t>(row)] = k.price;
    }
  }
}

}  // namespace cm
