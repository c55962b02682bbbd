// MODEL.md §3.3 and §5 — commissioning: each council lets its lots by tender when contracts end
// or are handed back, scoring bids by its mode (lowest_price, quality_weighted, collaborative),
// with a price floor and a wage floor in contracts. Budgets and spot purchasing act in matching.
#include <algorithm>
#include <cassert>
#include <cmath>

#include "agents/contract_terms.hpp"
#include "agents/insourcing.hpp"
#include "agents/tendering.hpp"

namespace cm {
namespace {

struct Bid {
  std::size_t row;
  double bid;
  double cost;
};

// The bid of one provider for one lot: its asking price (cost at the contract's wage floor,
// margin). A provider with a small share of council hours bids strategically: it
// undercuts by a random fraction of its archetype's `undercut`, sometimes below what the contract
// will cost it (opportunistic underbidding, Fiorino et al. 2018). No provider has a share at the
// first letting (legacy contracts), so none bids strategically there.
Bid make_bid(const Market& m, const ChainGroupsState& groups, std::size_t p, std::int32_t lot,
             double council_hours_total) {
  const auto arch = static_cast<Archetype>(m.providers.archetype[p]);
  const auto& a = m.spec.providers.of(arch);
  const double wage = std::max<double>(m.providers.wage[p], m.spec.commissioning.wage_floor);
  // Costed under the contract's terms (contract_terms.hpp), which bind the winner.
  const double cost = m.cost_per_hour(arch, wage, contract_pays_all_travel(m), m.providers.travel_minutes[p]);
  double bid = m.asking_price(arch, cost);
  // A chain branch's share is its group's across the region (MODEL.md §14: one firm): branches of a
  // large group do not bid as small players. Any other provider's is its own in the council.
  double share = groups.regional_share(m.providers.group[p]);
  if (share < 0) {
    double own_hours = 0;
    m.for_council_providers(m.providers.council[p], [&](std::size_t q) {
      if (m.providers.group[q] == m.providers.group[p]) own_hours += m.providers.council_hours[q];
    });
    share = council_hours_total > 0 ? own_hours / council_hours_total : 0.0;
  }
  if (m.week > 0 && share < m.spec.commissioning.strategic_share) {
    auto stream = m.rng.stream(static_cast<std::uint64_t>(m.week),
                               (Market::stream_key(m.providers, p) << 16) | static_cast<std::uint64_t>(lot), kTender);
    bid *= 1 - a.undercut * stream.uniform();
    // Never below the loss it would hand the contract back for (commissioning.handback_loss): a loss
    // leader, not a contract it means to return. Without this floor, quality-weighted letting,
    // which leaves chains small shares, drew bids it then saw handed back (twice the baseline's
    // hand-backs in ten years).
    bid = std::max(bid, m.handback_price(cost));
  }
  return {p, bid, cost};
}

// pledged: capacity each provider (row) has already committed to council work, so that a provider
// counted towards covering one lot is not counted again in the next.
void let_lot(Market& m, const ChainGroupsState& groups, int c, std::int32_t lot, double council_hours_total,
             std::vector<double>& pledged) {
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
    if (!m.spec.providers.of(arch).takes_council_work(policy.accredit_micro)) return;
    bool covers = false;
    for (auto l = first; l < last && !covers; ++l) covers = m.serves(p, l);
    if (covers) bids.push_back(make_bid(m, groups, p, lot, council_hours_total));
  });

  std::vector<std::size_t> winners;
  std::vector<Bid> qualified;
  for (const auto& b : bids)
    if (m.providers.quality[b.row] >= policy.quality_threshold) qualified.push_back(b);
  if (qualified.empty()) qualified = bids;  // better a weak provider than none
  double lowest = 0;
  if (!qualified.empty()) {
    lowest = std::min_element(qualified.begin(), qualified.end(), [](const Bid& a, const Bid& b) {
               return a.bid < b.bid;
             })->bid;
    if (mode == CommissioningMode::collaborative) {
      for (std::size_t k = 0; k < qualified.size(); ++k) winners.push_back(k);
    } else {
      // A ranked framework: bidders in order of score win places until their capacity covers the
      // lot's council-managed hours (a single branch rarely can). Ties keep row order.
      auto score = [&](const Bid& b) {
        return tender_score(mode, policy.price_weight, lowest, b.bid, m.providers.quality[b.row]);
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
        const auto row = qualified[k].row;
        const double available = std::max(0.0, m.providers.capacity_hours[row] - pledged[row]);
        if (available <= 0 && !winners.empty()) continue;
        winners.push_back(k);
        const double take = std::min(available, demand - covered);
        covered += take;
        pledged[row] += take;
      }
    }
  }

  const auto contract_weeks = static_cast<std::int32_t>(std::lround(policy.contract_years * 52));
  // The first letting staggers end dates so that re-tendering spreads over the contract length.
  const std::int32_t length =
      m.week == 0 ? std::max<std::int32_t>(1, contract_weeks * (lot + 1) / com.lots) : contract_weeks;
  auto& log = m.council_tenders[static_cast<std::size_t>(c)];
  auto& bid_log = m.council_bids[static_cast<std::size_t>(c)];
  const auto tender_row = static_cast<std::int32_t>(log.size());
  for (const auto& b : bids) {
    bid_log.tender.push_back(tender_row);
    bid_log.provider.push_back(m.providers.id[b.row]);
    bid_log.archetype.push_back(m.providers.archetype[b.row]);
    bid_log.won.push_back(0);
    bid_log.amount.push_back(static_cast<float>(b.bid));
    bid_log.cost.push_back(static_cast<float>(b.cost));
  }
  for (auto k : winners) {
    const auto& b = qualified[k];
    for (std::size_t r = bid_log.tender.size() - bids.size(); r < bid_log.tender.size(); ++r)
      if (bid_log.provider[r] == m.providers.id[b.row]) bid_log.won[r] = 1;
    const double price = std::max(b.bid, policy.price_floor);
    com.contracts.push_back({lot, m.providers.id[b.row], static_cast<float>(price), m.week + length,
                             static_cast<float>(std::min(1.0, price / b.cost))});
    m.providers.contract_price[b.row] = static_cast<float>(price);
    if (policy.wage_floor > m.providers.wage[b.row]) {
      m.providers.wage[b.row] = static_cast<float>(policy.wage_floor);
      com.raised_wages = true;
      m.providers.cost_per_hour[b.row] = static_cast<float>(b.cost);
    }
  }
  log.week.push_back(m.reported_week());
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
  m.counts[static_cast<std::size_t>(c)].tenders += 1;
  // No bidder: spot purchase covers the lot; try again after retender_weeks (a quarter).
  com.lot_tender_week[static_cast<std::size_t>(lot)] =
      won ? m.week + length : m.week + static_cast<std::int32_t>(policy.retender_weeks);
  com.lot_relet[static_cast<std::size_t>(lot)] = 1;
}

// Insourcing (insourcing.cpp): a lot due for letting is kept by the council, not tendered, when it
// has a service of its own and keeping the lot brings the share of council-managed hours in the
// lots it keeps (lot_hours: by lot) nearer commissioning.insourcing_share; the lot's people under
// contract move to the service. A lot it keeps stays its own until the policy ends. Returns
// whether the council keeps the lot.
bool keep_lot_in_house(Market& m, int c, std::int32_t lot, const std::vector<double>& lot_hours) {
  auto& com = m.commissioners[static_cast<std::size_t>(c)];
  auto& kept = com.lot_in_house[static_cast<std::size_t>(lot)];
  if (m.spec.commissioning.insourcing_share <= 0) {
    com.lots_in_house -= kept;
    kept = 0;
    return false;
  }
  if (kept) return true;
  const auto service = council_service(m, c);
  if (service < 0) return false;
  double total = 0, in_house = 0;
  for (std::size_t l = 0; l < lot_hours.size(); ++l) {
    total += lot_hours[l];
    if (com.lot_in_house[l]) in_house += lot_hours[l];
  }
  // Kept when keeping it brings the kept share nearer the policy's: lots are whole, so the share is
  // met as nearly as the lots allow.
  const double share = m.spec.commissioning.insourcing_share;
  const double lot_share = lot_hours[static_cast<std::size_t>(lot)] / std::max(total, 1e-9);
  if (total <= 0 || std::abs(in_house / total + lot_share - share) >= std::abs(in_house / total - share)) return false;
  kept = 1;
  com.lots_in_house += 1;
  transfer_lot_to_service(m, c, lot, static_cast<std::size_t>(service));
  return true;
}

}  // namespace

void apply_commissioning(Market& m, CommissioningState& s, const ChainGroupsState& groups, int c) {
  auto& com = m.commissioners[static_cast<std::size_t>(c)];
  std::fill(com.lot_relet.begin(), com.lot_relet.end(), 0);
  com.raised_wages = false;
  // Hand-backs and contracts of providers that have gone: the lot is let again now.
  std::vector<Contract> kept;
  for (const auto& k : com.contracts) {
    const auto row = m.provider_row(k.provider);
    const bool gone = row < 0 || !m.providers.alive[static_cast<std::size_t>(row)];
    const bool handed_back = !gone && m.providers.handing_back[static_cast<std::size_t>(row)];
    const bool expired = k.end_week <= m.week;
    // Its lot is let again this week (below), so matching names its people (name_changed_contracts).
    assert(!expired || com.lot_tender_week[static_cast<std::size_t>(k.lot)] <= m.week);
    if (handed_back) {
      m.counts[static_cast<std::size_t>(c)].handbacks += 1;
      m.log_provider_event(c, static_cast<std::size_t>(row), ProviderEventKind::handback);
    }
    if (gone || handed_back || expired) {
      // A partner leaving early does not end the others' contracts; the lot is let again now
      // only when nobody is left holding it.
      if (gone || handed_back) {
        const bool others = std::any_of(com.contracts.begin(), com.contracts.end(), [&](const Contract& o) {
          const auto r = m.provider_row(o.provider);
          return o.lot == k.lot && o.provider != k.provider && r >= 0 &&
                 m.providers.alive[static_cast<std::size_t>(r)] &&
                 !m.providers.handing_back[static_cast<std::size_t>(r)];
        });
        if (!others) com.lot_tender_week[static_cast<std::size_t>(k.lot)] = m.week;
      }
      if (!gone) {
        m.providers.contract_price[static_cast<std::size_t>(row)] = 0;
        m.providers.contract_loss_weeks[static_cast<std::size_t>(row)] = 0;
      }
      continue;
    }
    kept.push_back(k);
  }
  com.contracts_changed = kept.size() != com.contracts.size();
  com.contracts.swap(kept);
  double council_hours_total = 0;
  m.for_council_providers(c, [&](std::size_t p) { council_hours_total += m.providers.council_hours[p]; });
  auto& pledged = s.pledged;  // this council's rows only
  m.for_council_providers(c, [&](std::size_t p) { pledged[p] = m.providers.council_hours[p]; });
  // Council-managed hours needed by lot, when the council may keep lots (insourcing).
  thread_local std::vector<double> lot_hours;
  lot_hours.assign(static_cast<std::size_t>(com.lots), 0.0);
  const bool due = std::any_of(com.lot_tender_week.begin(), com.lot_tender_week.end(),
                               [&](std::int32_t week) { return week <= m.week; });
  if (due && (m.spec.commissioning.insourcing_share > 0 || com.lots_in_house > 0))
    m.for_council_people(c, [&](std::size_t i) {
      if (m.people.alive[i] && static_cast<Route>(m.people.route[i]) == Route::council_managed)
        lot_hours[static_cast<std::size_t>(m.lot_of(m.people.locality[i]))] += m.people.need_hours[i];
    });
  const auto contract_weeks = static_cast<std::int32_t>(std::lround(m.spec.commissioning.contract_years * 52));
  for (std::int32_t lot = 0; lot < com.lots; ++lot) {
    if (com.lot_tender_week[static_cast<std::size_t>(lot)] > m.week) continue;
    // Contracts still running in the lot end now (collaborative frameworks are re-let whole).
    std::erase_if(com.contracts, [&](const Contract& k) { return k.lot == lot; });
    com.contracts_changed = true;
    if (keep_lot_in_house(m, c, lot, lot_hours)) {
      com.lot_tender_week[static_cast<std::size_t>(lot)] = m.week + contract_weeks;  // looked at again then
      com.lot_relet[static_cast<std::size_t>(lot)] = 1;
      continue;
    }
    let_lot(m, groups, c, lot, council_hours_total, pledged);
  }
  // A provider's contract price is that of the contract it holds (0 when none).
  m.for_council_providers(c, [&](std::size_t p) { m.providers.contract_price[p] = 0; });
  for (const auto& k : com.contracts) {
    const auto row = m.provider_row(k.provider);
    if (row >= 0) m.providers.contract_price[static_cast<std::size_t>(row)] = k.price;
  }
}

}  // namespace cm
