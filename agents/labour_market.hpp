#pragma once
// MODEL.md §3.5 and §7 — labour market: vacancies and hiring (labour_market.cpp).
#include "agents/market.hpp"

namespace cm {

// Providers post vacancies; seekers from care and recruits from outside fill them.
void apply_labour_market(Market& m, int c);

}  // namespace cm
