#pragma once
// MODEL.md §3.5 and §7 — labour market: vacancies and hiring (labour_market.cpp).
#include "agents/market.hpp"

namespace cm {

// Providers post vacancies; seekers from care and recruits from outside fill them.
void apply_labour_market(Market& m, int c);

// MODEL.md §14 — the region's labour market across council borders: the seekers each council sent
// to look in another council of its commuting zone (labour.commute_share), in council order and in
// row order within it, so the result is the same for any thread count. Each tries one provider
// with a vacancy left in a partner council drawn at random, and takes the job when it pays at
// least labour.commute_pay_gap more than their last wage; they then join that council's workforce.
void apply_commuting(Market& m);

}  // namespace cm
