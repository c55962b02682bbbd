// MODEL.md §11 — each April the council uplifts what it pays. Councils set their fee uplifts once
// a year for the financial year from April; the usual rule follows the growth of providers' costs
// (chiefly the National Living Wage and employer on-costs) as far as the budget allows. A contract
// keeps its price otherwise until it is let again; a price below cost leads to hand-backs.
#include "agents/price_setting.hpp"

#include <algorithm>
#include <chrono>

namespace cm {

double hour_cost(const Market& m, int c) {
  const double wage = std::max(m.archetype_wage(Archetype::agency, c), m.spec.labour.nlw);
  return m.cost_per_hour(Archetype::agency, wage);
}

bool starts_financial_year(const ScenarioSpec& spec, std::int64_t step) {
  if (step <= 0) return false;
  const auto date = engine::date_of_step(spec.run.start_date, step);
  const engine::Date april{date.year(), std::chrono::April, std::chrono::day{1}};
  return engine::date_of_step(spec.run.start_date, step - 1) < april && april <= date;
}

double uplift(const Market& m, int c) {
  const auto& com = m.commissioners[static_cast<std::size_t>(c)];
  const auto& policy = m.spec.commissioning;
  const double cost = hour_cost(m, c);
  switch (static_cast<UpliftRule>(policy.uplift_rule)) {
    case UpliftRule::none: return 0.0;
    case UpliftRule::fixed: return std::max(0.0, policy.uplift_fixed);
    case UpliftRule::fair_cost: {
      const double fair = m.asking_price(Archetype::agency, cost);
      return com.reference_rate > 0 ? std::max(0.0, fair / com.reference_rate - 1) : 0.0;
    }
    case UpliftRule::cost: {
      const double growth = com.uplift_cost > 0 ? cost / com.uplift_cost - 1 : 0.0;
      const double room = com.committed > 0 ? com.weekly_budget / com.committed - 1 : growth;
      return std::max(0.0, std::min(growth, room));
    }
  }
  return 0.0;
}

void apply_price_setting(Market& m, int c) {
  if (!starts_financial_year(m.spec, m.reported_week())) return;  // none in the warm-up
  auto& com = m.commissioners[static_cast<std::size_t>(c)];
  const double u = uplift(m, c);
  com.uplift_cost = hour_cost(m, c);
  if (u <= 0) return;
  const double factor = 1 + u;
  com.reference_rate *= factor;
  for (auto& contract : com.contracts) contract.price = static_cast<float>(contract.price * factor);
  m.for_council_providers(c, [&](std::size_t q) {
    m.providers.contract_price[q] = static_cast<float>(m.providers.contract_price[q] * factor);
  });
  auto& p = m.people;
  m.for_council_people(c, [&](std::size_t i) {
    const auto placement = static_cast<Placement>(p.placement[i]);
    if (p.alive[i] &&
        (placement == Placement::contract || placement == Placement::spot || placement == Placement::in_house))
      p.price[i] = static_cast<float>(p.price[i] * factor);
  });
}

}  // namespace cm
