#pragma once
// MODEL.md §11 — providers set their wages: at each review a provider paid by the council above
// what it asks at its base wage passes a share of the difference to its base wage (fees reach
// pay). Legal and contract floors bind from below; wages are not cut. wage_setting.cpp has the rule.
#include "agents/market.hpp"

namespace cm {

// The wage a provider pays after a review: its floor (the archetype's wage, at least the NLW, and
// the contract wage floor if it holds a contract) plus pass_through of the council's price above
// the higher of its asking price at that floor and the council's going rate (reference_rate ·
// (1 + spot_premium)), turned into wage through what £1/h of wage adds to its asking price; never
// below its current wage. `council_price`: its council income per council hour.
double reviewed_wage(const Market& m, std::size_t q, double council_price);

// The providers of council c due for their review this week (every wages.review_weeks weeks,
// staggered by their serial) set their base wage; their staff's wages follow from the next pass
// over workers (delivery).
void apply_wage_setting(Market& m, int c);

}  // namespace cm
