#pragma once
// MODEL.md §11 — the council sets its prices: at the start of each financial year (the first step
// dated on or after 1 April) it uplifts its usual rate (the base of its spot price), its contract
// prices and the prices of its standing placements, by its rule (commissioning.uplift_rule).
// price_setting.cpp has the rule.
#include "agents/market.hpp"

namespace cm {

// The cost of an hour of home care that the councils' uplift follows: a local agency's cost per
// hour (wage, on-costs, paid travel, overheads) in council c, at its going wage there (the
// council's own wage, when it sets one) or the NLW, whichever is higher.
double hour_cost(const Market& m, int c);

// True when step `step` is the first dated on or after a 1 April (step 0 never is).
bool starts_financial_year(const ScenarioSpec& spec, std::int64_t step);

// The uplift (a share: 0.03 is 3%) council c gives this April under its rule: `cost`, the growth of
// hour_cost() since the last April, capped by the room its budget leaves (budget over committed
// spend); `fixed`, commissioning.uplift_fixed; `fair_cost`, up to the fair cost of an hour (an
// agency's asking price at its hour cost); `none`, 0. Never negative.
double uplift(const Market& m, int c);

// At the first step of a financial year: council c uplifts its usual rate, contract prices and
// standing contract and spot placements by uplift(); and remembers the hour cost it uplifted from.
void apply_price_setting(Market& m, int c);

}  // namespace cm
