// MODEL.md §3.8 and §8 — finance: income from council contracts, spot purchases, direct payments
// and self-funders; wages with on-costs; overheads; extraction leaving the region (chains); the
// surplus; council spend; local money retained (wages plus the surplus of local providers).
// A provider whose contract price stays below its cost for handback_weeks hands the contract back.
#include <algorithm>

#include "agents/contract_terms.hpp"
#include "agents/finance.hpp"

namespace cm {

void apply_finance(Market& m, FinanceState& s, int c) {
  auto& pr = m.providers;
  const auto& spec = m.spec;
  // The price-to-cost ratio each holder accepted for its contract (as contract_price, that of the
  // last contract it holds): a loss leader's contract is in trouble when it falls handback_loss below
  // the loss its holder chose, not below cost. Otherwise every strategic bid at the floor was
  // handed back at the first rise in cost, and quality-weighted letting, whose losing chains bid
  // strategically, handed back 2.7 times the baseline's contracts under the NLW's yearly rises.
  auto& accepted = s.accepted_ratio;
  m.for_council_providers(c, [&](std::size_t q) { accepted[q] = 1.0; });
  for (const auto& k : m.commissioners[static_cast<std::size_t>(c)].contracts) {
    const auto row = m.provider_row(k.provider);
    if (row >= 0) accepted[static_cast<std::size_t>(row)] = k.accepted_ratio;
  }
  // Income and council hours were summed in the pass over people, the wage bill in the pass over
  // workers (pay_for_person and add_to_wage_bill, finance.hpp).
  const auto& wage_bill = s.wage_bill;
  auto& counts = m.counts[static_cast<std::size_t>(c)];
  const double smoothing = spec.providers.margin_smoothing;
  m.for_council_providers(c, [&](std::size_t q) {
    if (!pr.alive[q]) return;
    const auto arch = static_cast<Archetype>(pr.archetype[q]);
    const auto& a = spec.providers.of(arch);
    double income = pr.income[q];
    // What leaves the region is a share of the surplus (dividends, group charges, rent and interest
    // to owners elsewhere), not a share of income priced into bids (MODEL.md §11).
    double operating_surplus = income - wage_bill[q] - a.overhead_per_hour * pr.delivered_hours[q];
    // The council funds its own service at cost: what its placements' prices (the service's cost of
    // the hours delivered, uplifted each April) leave uncovered, staff it employs while it builds up
    // included, is council spending too, and what they pay above its costs comes back.
    if (a.in_house()) {
      counts.spend -= operating_surplus;
      income -= operating_surplus;
      pr.income[q] = static_cast<float>(income);
      operating_surplus = 0;
    }
    const double extraction = a.extraction * std::max(0.0, operating_surplus);
    const double surplus = operating_surplus - extraction;
    pr.surplus[q] = static_cast<float>(surplus);
    // The week's margin on its takings or, at a loss, on its costs: between -1 and 1, so a start-up's
    // first weeks (wages, few clients) are a full loss, not minus its costs over one pound (which
    // kept the average below 0 for exit_loss_weeks and closed almost every entrant).
    const double turnover = std::max({income, income - surplus, 1.0});
    if (income > 0 || wage_bill[q] > 0)
      pr.margin_average[q] += static_cast<float>(smoothing * (surplus / turnover - pr.margin_average[q]));
    pr.loss_weeks[q] = pr.margin_average[q] < 0 ? static_cast<std::int16_t>(pr.loss_weeks[q] + 1) : std::int16_t{0};
    pr.cost_per_hour[q] = static_cast<float>(provider_cost_per_hour(m, q, pr.wage[q]));
    pr.private_price[q] = static_cast<float>(m.asking_price(arch, pr.cost_per_hour[q]) * (1 + a.private_markup));
    // A contract is in trouble when its price does not cover cost (a provider carries a small loss,
    // a loss leader, but not a large one) or when its holder cannot staff it: it leaves more than
    // handback_shortfall of its clients' hours undelivered (MODEL.md §11), and more than one
    // worker's rostered week, since a provider short by less is recruiting (matching lets it take
    // up to a worker's worth beyond its staff), not failing: without it the support arm's
    // enterprises of one or two workers handed back about 700 contracts in ten years (Somerset,
    // seeds 1-10, calibration.md at 6221c14) against the baseline's 8.
    // Half a penny of slack: prices and costs are held as floats, and a price exactly at the
    // threshold rounds to a float a millionth of a pound either side of it.
    constexpr double kPriceSlack = 0.005;
    const bool loss = pr.contract_price[q] + kPriceSlack < m.handback_price(accepted[q] * pr.cost_per_hour[q]);
    const double undelivered = static_cast<double>(pr.allocated_hours[q]) - pr.delivered_hours[q];
    const bool unstaffed =
        pr.delivered_hours[q] < pr.allocated_hours[q] * (1 - spec.commissioning.handback_shortfall) &&
        undelivered > a.contracted_hours;
    if (pr.contract_price[q] > 0 && (loss || unstaffed))
      pr.contract_loss_weeks[q] = static_cast<std::int16_t>(pr.contract_loss_weeks[q] + 1);
    else
      pr.contract_loss_weeks[q] = 0;
    if (pr.contract_loss_weeks[q] >= spec.commissioning.handback_weeks) pr.handing_back[q] = 1;
    pr.age_weeks[q] += 1;
    counts.extraction += extraction;
    counts.provider_costs += wage_bill[q] + a.overhead_per_hour * pr.delivered_hours[q];
    counts.delivered_hours += pr.delivered_hours[q];
    // Extraction is what leaves; wages and the surplus after extraction stay in the region.
    counts.local_retained += wage_bill[q] / (1 + spec.providers.on_cost) + std::max(0.0, surplus);
  });
  const auto& cs = spec.councils[static_cast<std::size_t>(c)];
  counts.spend +=
      spec.founding.coordinators * spec.founding.coordinator_cost / 52.0 +
      spec.founding.cooperative_developers * spec.founding.developer_cost / 52.0 +
      cs.budget_million * 1e6 * spec.commissioning.budget_multiplier * spec.commissioning.prevention_share / 52.0;
}

}  // namespace cm
