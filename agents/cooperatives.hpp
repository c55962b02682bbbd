#pragma once
// MODEL.md §13 — the cooperative development programme (policy cooperative_support): development
// workers help groups of care workers found worker-owned cooperatives (cooperatives.cpp).
#include "agents/market.hpp"

namespace cm {

// Founds the council's cooperatives of the week: a Poisson number at the rate
// founding.cooperative_developers × founding.cooperatives_per_developer a year, each with
// founding.cooperative_members members. No draw at all without developers.
void apply_cooperative_founding(Market& m, int c);

}  // namespace cm
