#pragma once
// MODEL.md §6 — community micro-enterprise founding (founding.cpp).
#include "agents/market.hpp"
#include "agents/matching.hpp"

namespace cm {

// Founds the council's micro-enterprises of the week, at a rate set by the support programme and
// by the private demand matching counted (demand).
void apply_founding(Market& m, const MatchingDemand& demand, int c);

}  // namespace cm
