#pragma once
// Event logs (struct of arrays). Rules append to per-council logs; the step merges them in council
// order, so the merged log is the same for any thread count.
#include <cstdint>
#include <type_traits>
#include <vector>

#include "engine/columns.hpp"

namespace cm {

enum class ProviderEventKind : std::uint8_t { entry = 0, exit = 1, founding = 2, closure = 3, handback = 4 };

struct TenderLog {
  std::vector<std::int32_t> week, council, lot, bids;
  std::vector<engine::AgentId> winner;
  std::vector<std::uint8_t> winner_archetype;
  std::vector<float> lowest_bid, winning_bid, price;
  template <class F>
  void for_each_column(F&& f) {
    f("week", week);
    f("council", council);
    f("lot", lot);
    f("bids", bids);
    f("winner", winner);
    f("winner_archetype", winner_archetype);
    f("lowest_bid", lowest_bid);
    f("winning_bid", winning_bid);
    f("price", price);
  }
  std::size_t size() const { return week.size(); }
};

struct BidLog {
  std::vector<std::int32_t> tender;  // row of the tender in TenderLog
  std::vector<engine::AgentId> provider;
  std::vector<std::uint8_t> archetype;
  std::vector<std::uint8_t> won;    // 1 when the bid won a contract (frameworks have several winners)
  std::vector<float> amount, cost;  // GBP/h
  template <class F>
  void for_each_column(F&& f) {
    f("tender", tender);
    f("provider", provider);
    f("archetype", archetype);
    f("won", won);
    f("amount", amount);
    f("cost", cost);
  }
  std::size_t size() const { return tender.size(); }
};

struct ProviderEventLog {
  std::vector<std::int32_t> week, council;
  std::vector<engine::AgentId> provider;
  std::vector<std::uint8_t> archetype, kind;
  template <class F>
  void for_each_column(F&& f) {
    f("week", week);
    f("council", council);
    f("provider", provider);
    f("archetype", archetype);
    f("kind", kind);
  }
  std::size_t size() const { return week.size(); }
};

// Appends every column of `from` to `into` and clears `from` (both walk columns in declared order).
template <class Log>
void drain_into(Log& into, Log& from) {
  std::vector<void*> targets;
  into.for_each_column([&](const char*, auto& column) { targets.push_back(&column); });
  std::size_t i = 0;
  from.for_each_column([&](const char*, auto& column) {
    auto& target = *static_cast<std::remove_reference_t<decltype(column)>*>(targets[i++]);
    target.insert(target.end(), column.begin(), column.end());
    column.clear();
  });
}

}  // namespace cm
