// MODEL.md §11 — providers set wages. A provider's price from the council is what it bid (or the
// council's spot rate, or a price floor); what it asks at its base wage covers its costs, extraction
// and margin. Today's wages (the scenario's archetype wages, Skills for Care's distribution) go
// with today's fees, up to the council's going rate (its spot price). When the council pays more
// than that and more than the provider asks, a share (wages.pass_through, an assumption: councils'
// fair-cost-of-care uplifts are commonly conditioned on pay) of the difference goes to pay, so a
// price floor or a generous uplift reaches care workers; the rest is the provider's. The share is
// of the difference at the provider's floor, not at its current wage, so a raise does not feed the
// next one. A chain branch or agency with many vacancies open (wages.vacancy_trigger) also matches
// what its rivals in its home locality pay, as far as its income per hour delivered allows: this is
// how a provider that cannot recruit competes for staff. Wages are sticky: a review never cuts a wage.
// Each archetype's wage_rule says which of these it follows (types.hpp): a micro-enterprise only the
// pass-through; a cooperative's members also take what the income affords; a council's service
// keeps its public pay scale.
#include "agents/wage_setting.hpp"

#include <algorithm>

#include "agents/contract_terms.hpp"

namespace cm {

namespace {

// Provider q's asking price at `wage` (its hour cost under the terms it is bound by, its margin).
double asking_at(const Market& m, std::size_t q, double wage) {
  return m.asking_price(static_cast<Archetype>(m.providers.archetype[q]), provider_cost_per_hour(m, q, wage));
}

}  // namespace

double reviewed_wage(const Market& m, std::size_t q, double council_price) {
  const auto& pr = m.providers;
  const auto arch = static_cast<Archetype>(pr.archetype[q]);
  const double current = pr.wage[q];
  // The archetype's wage is at least the NLW (the loader raises it); a contract's wage floor binds
  // its holder.
  double floor = m.archetype_wage(arch, pr.council[q]);
  if (pr.contract_price[q] > 0) floor = std::max(floor, m.spec.commissioning.wage_floor);
  const double asking = asking_at(m, q, floor);
  // Today's wages are those of today's fees: what a price above the council's going rate (its spot
  // price) and above the provider's asking price brings is what can reach pay.
  const auto& policy = m.spec.commissioning;
  const double going_rate =
      m.commissioners[static_cast<std::size_t>(pr.council[q])].reference_rate * (1 + policy.spot_premium);
  const double excess = council_price - std::max(asking, going_rate);
  // What £1/h more wage adds to the asking price (on-costs, paid travel, margin).
  const double price_per_wage = asking_at(m, q, floor + 1.0) - asking;
  const double target = floor + m.spec.wages.pass_through * std::max(0.0, excess) / price_per_wage;
  return std::max(current, target);
}

namespace {

// The staff-weighted mean base wage of the chain branches and agencies other than q that serve q's
// home locality; 0 when none has staff.
double rival_wage(const Market& m, int c, std::size_t q) {
  const auto& pr = m.providers;
  double staff = 0, bill = 0;
  m.for_council_providers(c, [&](std::size_t r) {
    if (r == q || !pr.alive[r] || pr.staff[r] <= 0 ||
        m.spec.providers.of(static_cast<Archetype>(pr.archetype[r])).wage_rule != static_cast<int>(WageRule::market))
      return;
    if (!m.serves(r, pr.home_locality[q])) return;
    staff += pr.staff[r];
    bill += static_cast<double>(pr.staff[r]) * pr.wage[r];
  });
  return staff > 0 ? bill / staff : 0.0;
}

// The highest base wage a price per hour pays with q's costs and target margin (the asking price
// is linear in the wage).
double affordable_at(const Market& m, std::size_t q, double price) {
  const double at_zero = asking_at(m, q, 0.0);
  const double per_pound = asking_at(m, q, 1.0) - at_zero;
  return (price - at_zero) / per_pound;
}

// What q's income per hour delivered affords; 0 when it delivered nothing.
double affordable_wage(const Market& m, std::size_t q) {
  const auto& pr = m.providers;
  return pr.delivered_hours[q] > 0 ? affordable_at(m, q, pr.income[q] / pr.delivered_hours[q]) : 0.0;
}

}  // namespace

void apply_wage_setting(Market& m, int c) {
  const auto every = m.spec.wages.review_weeks;
  if (every <= 0) return;
  auto& pr = m.providers;
  m.for_council_providers(c, [&](std::size_t q) {
    if (!pr.alive[q] || (m.week + pr.serial[q]) % every != 0) return;
    const auto rule = static_cast<WageRule>(m.spec.providers.of(static_cast<Archetype>(pr.archetype[q])).wage_rule);
    // A public pay scale moves with the scale (the archetype's wage, raised with the legal minimum
    // by changes.cpp), not with prices or rivals.
    if (rule == WageRule::public_scale) {
      // ... or with the council's own floor.
      const double floor = m.spec.councils[static_cast<std::size_t>(pr.council[q])].pay_floor;
      if (floor > pr.wage[q]) {
        pr.wage[q] = static_cast<float>(floor);
        pr.wage_raised[q] = 1;
        pr.cost_per_hour[q] = static_cast<float>(provider_cost_per_hour(m, q, floor));
      }
      return;
    }
    double wage =
        pr.council_hours[q] > 0 ? reviewed_wage(m, q, pr.council_income[q] / pr.council_hours[q]) : pr.wage[q];
    if (rule == WageRule::market && pr.vacancies[q] > m.spec.wages.vacancy_trigger * pr.staff[q])
      wage = std::max(wage, std::min(rival_wage(m, c, q), affordable_wage(m, q)));
    // Members set their own pay: what the council's price per hour affords after costs and the
    // margin the cooperative keeps as a reserve. The council's price, not all income: self-funders
    // pay a markup on the cost, so pay set from their price would raise the price it is set from.
    if (rule == WageRule::members && pr.council_hours[q] > 0)
      wage = std::max(wage, affordable_at(m, q, pr.council_income[q] / pr.council_hours[q]));
    if (wage <= pr.wage[q]) return;
    pr.wage[q] = static_cast<float>(wage);
    pr.wage_raised[q] = 1;
    pr.cost_per_hour[q] = static_cast<float>(provider_cost_per_hour(m, q, wage));
  });
}

}  // namespace cm
