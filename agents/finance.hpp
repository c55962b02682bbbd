#pragma once
// MODEL.md §3.8 — finance: the week's per-row hooks (PayForCare, AddToWageBill) and the parts for
// one person or worker they call; finance.cpp has the providers' part (apply_finance).
#include <cstddef>
#include <vector>

#include "agents/market.hpp"
#include "agents/means_test.hpp"
#include "agents/week.hpp"
#include "engine/schedule.hpp"

namespace cm {

// What finance works out per provider row for the week (a council uses only its own rows, so
// councils share it): its wage bill, on-costs included, summed in the pass over workers.
struct FinanceState {
  void fit(std::size_t providers) {
    wage_bill.resize(providers);
    accepted_ratio.resize(providers);
  }
  std::vector<double> wage_bill;
  std::vector<double> accepted_ratio;  // of the contract each provider (row) holds, from the council's contracts
};

// Providers' surplus, extraction and hand-back decisions, from the week's income and wage bill.
void apply_finance(Market& m, FinanceState& s, int c);

// The provider's income and council hours, and its wage bill, start the week's passes at zero.
inline void finance_begin_week(Market& m, FinanceState& s, int c) {
  m.for_council_providers(c, [&](std::size_t q) {
    m.providers.income[q] = 0;
    m.providers.council_hours[q] = 0;
    m.providers.council_income[q] = 0;
    s.wage_bill[q] = 0;
  });
}

// A worker still employed after retention adds their pay, with on-costs, to the employer's wage
// bill. q: the employer's row.
inline void add_to_wage_bill(const Market& m, FinanceState& s, std::size_t k, std::size_t q) {
  s.wage_bill[q] += static_cast<double>(m.workers.paid_hours[k]) * m.workers.wage[k] * (1 + m.spec.providers.on_cost);
}

// What is paid for the person's care this week: the provider's income, the council's spend (all
// but self-funders; gross of what people pay towards it), its council-managed hours, and what the
// person pays (means_test.hpp). q: the provider's row (the person is placed).
inline void pay_for_person(Market& m, std::size_t i, std::size_t q, const MeansTestRates& rates,
                           MeansTestState::Council& means, WeekCounts& counts) {
  auto& p = m.people;
  auto& pr = m.providers;
  const auto route = static_cast<Route>(p.route[i]);
  // A self-funder pays the provider's price of the week (written only when it changed).
  if (route == Route::self_funder && p.price[i] != pr.private_price[q]) p.price[i] = pr.private_price[q];
  const double paid = static_cast<double>(p.hours_received[i]) * p.price[i];
  pr.income[q] += static_cast<float>(paid);
  if (route != Route::self_funder) counts.spend += paid;
  if (route == Route::council_managed) {
    pr.council_hours[q] += p.hours_received[i];
    pr.council_income[q] += static_cast<float>(paid);
    counts.council_hours += p.hours_received[i];
    counts.council_payment += paid;
  }
  if (paid > 0) charge_person(p, i, route, paid, rates, means, counts);
}

// The finance phase for people: what is paid for each person's care. The council's sums gather in
// a local copy of its counts (a local's sums stay in registers), written back at the end.
struct PayForCare {
  using Table = PeopleRows;
  struct State {
    WeekCounts counts;
    MeansTestRates rates;
    MeansTestState::Council* means;
  };
  State begin(Week& w, int c) const {
    finance_begin_week(w.market, w.finance, c);
    auto& means = w.means_test.councils[static_cast<std::size_t>(c)];
    std::size_t people = 0;
    w.market.rows.people.for_each_range(c, [&](std::size_t first, std::size_t end) { people += end - first; });
    means.room_for((w.market.spec.eligibility.care_cap > 0 ? 2 : 1) * people);  // once for capital, once for the cap
    return {w.market.counts[static_cast<std::size_t>(c)], MeansTestRates(w.market.spec.eligibility), &means};
  }
  void row(Week& w, State& s, const PersonRow& r) const {
    if (r.provider != kNoRow) pay_for_person(w.market, r.i, r.provider, s.rates, *s.means, s.counts);
  }
  void end(Week& w, int c, State& s) const {
    auto& counts = w.market.counts[static_cast<std::size_t>(c)];
    counts.spend = s.counts.spend;
    counts.council_hours = s.counts.council_hours;
    counts.council_payment = s.counts.council_payment;
    counts.charging_income = s.counts.charging_income;
    counts.self_funder_spend = s.counts.self_funder_spend;
    counts.reached_upper_limit = s.counts.reached_upper_limit;
    counts.reached_cap = s.counts.reached_cap;
  }
};

// The finance phase for workers and providers: each worker still employed after retention adds
// to the wage bill; then providers' surplus, extraction and hand-back decisions (apply_finance).
struct AddToWageBill {
  using Table = WorkerRows;
  engine::NoState begin(Week&, int) const { return {}; }
  void row(Week& w, engine::NoState&, const WorkerRow& r) const {
    if (r.employer != kNoRow && w.market.workers.employer[r.k] != engine::kNoAgent)
      add_to_wage_bill(w.market, w.finance, r.k, r.employer);
  }
  void end(Week& w, int c, engine::NoState&) const { apply_finance(w.market, w.finance, c); }
};

}  // namespace cm
