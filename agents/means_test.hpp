#pragma once
// MODEL.md §18 — the means test over time. People pay for their care each week from income and
// capital: self-funders the full price, council-funded people (managed or direct payment) an
// assessed contribution, income_contribution from income plus tariff income on capital between
// the limits (charging income). What comes from capital is spent down; a person whose capital
// crosses a limit, or whose spending reaches the cap, goes back to the means test
// (eligibility.hpp) in the next week's need phase, as does everyone when a schedule moves the limits
// or the cap. A cap's meter counts spending on eligible care while a cap is in force.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "agents/market.hpp"

namespace cm {

class PlacementBook;

struct MeansTestState {
  // One per council, each on cache lines of its own: councils run on different threads.
  struct alignas(64) Council {
    // The people to assess again (capital left its band, or spending reached the cap): the first
    // `listed` entries of `due`. The weekly charge writes into room made before its pass (room_for),
    // so the pass over everyone served calls nothing that could move memory under it.
    std::vector<engine::AgentId> due;
    std::size_t listed = 0;
    void list(engine::AgentId id) { due[listed++] = id; }
    // Room to list each of `people` once more.
    void room_for(std::size_t people) {
      if (due.size() < listed + people) due.resize(listed + people);
    }
    void clear() { listed = 0; }
    // Notes the limits and cap in force as those the council's people are assessed under; true
    // when they differ from those noted before.
    bool note_limits(const ScenarioSpec::Eligibility& el) {
      const bool changed = el.capital_upper != upper || el.capital_lower != lower || el.care_cap != cap;
      upper = el.capital_upper;
      lower = el.capital_lower;
      cap = el.care_cap;
      return changed;
    }
    double upper = -1, lower = -1, cap = -1;  // the limits and cap last noted
  };
  explicit MeansTestState(int councils) : councils(static_cast<std::size_t>(councils)) {}
  std::vector<Council> councils;
};

// The means test's limits and rates as the weekly charge reads them, taken from the parameters once
// per council and week (the charge runs for every person served).
struct MeansTestRates {
  explicit MeansTestRates(const ScenarioSpec::Eligibility& el)
      : lower(el.capital_lower),
        income(el.income_contribution),
        tariff_per_250(el.tariff_income_per_250),
        cap(el.care_cap),
        floor_of_band{-1.0, el.capital_lower, el.capital_upper},
        cap_on(el.care_cap > 0),
        eligible_band(static_cast<std::uint8_t>(el.eligible_band)) {}
  double lower, income, tariff_per_250, cap;
  double floor_of_band[3];  // capital at or below which a person leaves their capital band
  bool cap_on;
  std::uint8_t eligible_band;
};

// Tariff income: tariff_income_per_250 a week for every GBP 250, or part of it, of capital above
// the lower limit (Care and Support (Charging and Assessment of Resources) Regulations 2014, reg. 25).
inline double tariff_income(const MeansTestRates& r, float capital) {
  const double above = static_cast<double>(capital) - r.lower;
  return above > 0 ? std::ceil(above / 250.0) * r.tariff_per_250 : 0.0;
}

// Takes `amount` (> 0) from person i's capital (never below 0), listing them when it leaves their band.
inline void spend_capital(People& p, std::size_t i, double amount, const MeansTestRates& r, MeansTestState::Council& s,
                          WeekCounts& counts) {
  const float before = p.capital[i];
  const float after = static_cast<float>(std::max(0.0, static_cast<double>(before) - amount));
  p.capital[i] = after;
  const double floor = r.floor_of_band[p.capital_band[i]];
  if (after <= floor && before > floor) {  // left the band this week: assessed again next week
    s.list(p.id[i]);
    counts.reached_upper_limit += p.capital_band[i] == 2;
  }
}

// The cap's meter: what an eligible person paid this week adds to it; the week they reach the cap
// they are listed to be assessed again (a person whose capital left its band the same week is
// listed twice: the second assessment changes nothing).
inline void count_towards_cap(People& p, std::size_t i, double own, const MeansTestRates& r, MeansTestState::Council& s,
                              WeekCounts& counts) {
  if (p.need_band[i] < r.eligible_band || own <= 0) return;
  const bool capped = p.care_spend[i] >= r.cap;
  p.care_spend[i] = static_cast<float>(static_cast<double>(p.care_spend[i]) + own);
  if (!capped && p.care_spend[i] >= r.cap) {
    s.list(p.id[i]);
    counts.reached_cap += 1;
  }
}

// What person i pays this week towards care that cost `paid` (> 0), and what of it comes from
// capital: a self-funder the whole cost, income_contribution from income and the rest from capital;
// a council-funded person (managed or direct payment) income_contribution plus tariff income, at
// most the cost, the tariff from capital; nothing once past the cap. route: theirs (not none: the
// person was placed and served). Capital that leaves its band at the last assessment lists the
// person to be assessed again. Runs for every person served each week: the common cases come first.
inline void charge_person(People& p, std::size_t i, Route route, double paid, const MeansTestRates& r,
                          MeansTestState::Council& s, WeekCounts& counts) {
  if (route == Route::self_funder) {
    counts.self_funder_spend += paid;
    if (paid > r.income) spend_capital(p, i, paid - r.income, r, s, counts);
    if (r.cap_on) count_towards_cap(p, i, paid, r, s, counts);
    return;
  }
  if (r.cap_on && p.care_spend[i] >= r.cap) return;  // past the cap, the council pays in full
  // Most council-funded people were last assessed at or below the lower limit (band 0: their capital
  // only fell since, and moved limits reassess everyone before this) and pay from income alone.
  const double own = std::min(paid, p.capital_band[i] == 0 ? r.income : r.income + tariff_income(r, p.capital[i]));
  counts.charging_income += own;
  if (own > r.income) spend_capital(p, i, own - r.income, r, s, counts);
  if (r.cap_on) count_towards_cap(p, i, own, r, s, counts);
}

// Need phase, after the need reviews: assesses again the people due, and everyone in the council
// when the limits or the cap changed since its last assessment. Those whose route changes are
// withdrawn from matching's book first (matching reviews them this week).
void reassess_means(Market& m, MeansTestState& s, PlacementBook& placements, int c);

// Notes the limits and cap in force as those every council's people were assessed under (the
// opening assesses everyone).
void note_means_test_limits(const Market& m, MeansTestState& s);

}  // namespace cm
