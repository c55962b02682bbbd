#include "agents/metrics.hpp"

#include <algorithm>
#include <map>
#include <numeric>

#include "engine/parallel.hpp"

namespace cm {
namespace {
// The median wage from penny bins above the NLW (MetricsState::count_wage): the wage of the middle
// worker (the mean of the two middle ones when their number is even), to the nearest penny.
double median(const MetricsState::WageBins& bins, std::int64_t staff, double nlw) {
  if (staff == 0) return 0;
  auto nth = [&](std::int64_t rank) {  // the wage of the worker of this rank (0-based) by wage
    std::int64_t seen = 0;
    for (std::size_t b = 0; b < bins.size(); ++b) {
      seen += bins[b];
      if (seen > rank) return nlw + static_cast<double>(b) / 100;
    }
    return nlw + static_cast<double>(bins.size() - 1) / 100;
  };
  const double upper = nth(staff / 2);
  return staff % 2 == 1 ? upper : (nth(staff / 2 - 1) + upper) / 2;
}
}  // namespace

const std::array<MetricInfo, kMetricCount>& metric_catalogue() {
  static const std::array<MetricInfo, kMetricCount> catalogue{{
      {"people_needing_care", "people", "people with formal care needs"},
      {"people_served", "people", "people receiving some formal care this week"},
      {"people_waiting", "people", "people eligible or paying for care with no provider"},
      {"people_self_funded", "people", "people on the self-funder route"},
      {"people_council_managed", "people", "people whose care the council arranges"},
      {"people_direct_payment", "people", "people holding a direct payment"},
      {"hours_needed", "h/week", "formal care hours needed (eligible or paying)"},
      {"hours_delivered", "h/week", "formal care hours delivered"},
      {"hours_unmet", "h/week", "formal care hours needed but not delivered"},
      {"workers", "workers", "care workers employed"},
      {"vacancies", "posts", "vacancies posted"},
      {"vacancy_rate", "1", "vacancies / (workers + vacancies)"},
      {"turnover_rate", "1/year", "leavers over the last 52 weeks / mean staff"},
      {"turnover_rate_nlw", "1/year", "turnover of staff paid at or below the National Living Wage"},
      {"turnover_rate_nlw_plus_150", "1/year", "turnover of staff paid at least GBP 1.50 above the NLW"},
      {"mean_wage", "GBP/h", "mean hourly wage of employed workers"},
      {"mean_effective_pay", "GBP/h", "mean pay per hour worked, unpaid travel included"},
      {"zero_hours_share", "1", "share of employed workers on zero-hours contracts"},
      {"hires", "workers/week", "workers hired this week"},
      {"hires_from_care_share", "1", "share of this week's hires who came from another care job"},
      {"providers_chain", "providers", "chain branches operating"},
      {"providers_agency", "providers", "local agencies operating"},
      {"micro_enterprises", "providers", "community micro-enterprises operating"},
      {"micro_enterprises_founded", "providers/week", "micro-enterprises founded this week"},
      {"micro_enterprises_closed", "providers/week", "micro-enterprises closed this week"},
      {"micro_enterprise_jobs", "workers", "workers in micro-enterprises, owners included"},
      {"micro_enterprise_clients", "people", "people supported by micro-enterprises"},
      {"provider_entries", "providers/week", "agencies and chain branches entering this week"},
      {"provider_exits", "providers/week", "providers exiting this week (micro-enterprise closures included)"},
      {"handbacks", "contracts/week", "council contracts handed back this week"},
      {"tenders", "lots/week", "lots tendered this week"},
      {"chain_share_council_hours", "1", "chains' share of council-managed hours delivered"},
      {"hhi_council_hours", "1", "Herfindahl-Hirschman index of council-managed hours by provider group (0..10000)"},
      {"council_spend", "GBP/week",
       "council spend: contracts, spot, direct payments, programme, prevention, reablement"},
      {"price_per_hour", "GBP/h", "mean price the council pays per council-managed hour"},
      {"extraction", "GBP/week", "money leaving the region as profit, rent and interest"},
      {"local_retained", "GBP/week", "wages plus the surplus of local providers"},
      {"mean_wellbeing", "1", "mean wellbeing (ASCOT score / 24) of everyone with need; the same as wellbeing_all"},
      {"continuity", "1", "mean share of visits by the usual worker, people served"},
      {"mean_stress", "1", "mean stress of employed workers (0..1)"},
      {"hours_needed_all", "h/week", "formal care hours needed by everyone with need, refused people included"},
      {"hours_unmet_all", "h/week", "formal care hours needed by everyone with need and not delivered"},
      {"people_refused", "people", "people with formal need refused by eligibility (no route to care)"},
      {"people_waiting_budget", "people", "people a provider would take, held back this week by the council's budget"},
      {"budget_used", "1", "council-funded placements' weekly cost / the weekly care budget"},
      {"spot_share_council_hours", "1", "share of council-managed placed hours bought spot"},
      {"share_paid_at_nlw", "1", "share of employed workers paid at or below the National Living Wage"},
      {"cost_per_hour_delivered", "GBP/h", "providers' wage bills and overheads per hour delivered"},
      {"median_wage", "GBP/h", "median hourly wage of employed workers"},
      {"hours_needed_band_1", "h/week", "formal care hours needed by everyone with need in band 1 (lowest)"},
      {"hours_needed_band_2", "h/week", "formal care hours needed by everyone with need in band 2"},
      {"hours_needed_band_3", "h/week", "formal care hours needed by everyone with need in band 3"},
      {"hours_needed_band_4", "h/week", "formal care hours needed by everyone with need in band 4 (highest)"},
      {"hours_unmet_band_1", "h/week", "hours needed in band 1 and not delivered, everyone with need"},
      {"hours_unmet_band_2", "h/week", "hours needed in band 2 and not delivered, everyone with need"},
      {"hours_unmet_band_3", "h/week", "hours needed in band 3 and not delivered, everyone with need"},
      {"hours_unmet_band_4", "h/week", "hours needed in band 4 and not delivered, everyone with need"},
      {"wellbeing_served", "1", "mean social-care-related quality of life of people served (ASCOT score / 24)"},
      {"wellbeing_all", "1", "mean social-care-related quality of life of everyone with need (ASCOT score / 24)"},
      {"discharge_referrals", "people/week", "people referred from hospital needing care within days"},
      {"discharge_delayed", "people", "people ready to leave hospital waiting there for a care package"},
      {"discharge_delay_days", "days/week", "days spent in hospital this week waiting for a care package"},
      {"nhs_delay_cost", "GBP/week", "NHS cost of the days spent waiting in hospital for a care package"},
      {"reablement_people", "people", "people in the council's reablement service"},
      {"reablement_independent", "people/week", "people whose reablement ended with no need for formal care"},
      {"charging_income", "GBP/week", "what council-funded people paid towards their care (from income and capital)"},
      {"self_funder_spend", "GBP/week", "what self-funders paid for their care"},
      {"spent_down_to_upper_limit", "people/week",
       "self-funders whose capital fell to the upper limit this week (assessed again next week)"},
      {"reached_care_cap", "people/week", "people whose spending on eligible care reached the cap this week"},
      {"providers_cooperative", "providers", "care cooperatives operating"},
      {"providers_council_run", "providers", "the council's own home-care services operating"},
      {"providers_personal_assistant", "providers", "self-employed personal assistants working"},
      {"cooperatives_founded", "providers/week", "cooperatives founded this week (cooperative development programme)"},
      {"in_house_share_council_hours", "1", "share of council-managed hours delivered by the council's own services"},
      {"commuters_in", "workers/week", "care-job seekers from other councils of the zone hired here this week"},
      {"commuters_out", "workers/week", "care-job seekers of this council hired in another council of its zone"},
      {"unpaid_travel_minutes", "min/h",
       "travel between visits per contact hour, mean over providers weighted by hours delivered"},
  }};
  return catalogue;
}

Metric region_weight(Metric metric) {
  switch (metric) {
    case kVacancyRate:
    case kTurnoverRate:
    case kTurnoverRateNlw:
    case kTurnoverRateNlw150:
    case kMeanWage:
    case kMeanEffectivePay:
    case kZeroHoursShare:
    case kMeanStress:
    case kSharePaidAtNlw:
    case kMedianWage: return kWorkers;  // the region's: the councils' medians weighted by staff
    case kHiresFromCareShare: return kHires;
    case kChainShareCouncilHours:
    case kHhiCouncilHours:
    case kPricePerHour:
    case kSpotShareCouncilHours:
    case kInHouseShareCouncilHours: return kPeopleCouncilManaged;
    case kBudgetUsed: return kCouncilSpend;
    case kCostPerHourDelivered:
    case kUnpaidTravelMinutes: return kHoursDelivered;
    case kMeanWellbeing: return kPeopleNeedingCare;
    case kContinuity:
    case kWellbeingServed: return kPeopleServed;
    case kWellbeingAll: return kPeopleNeedingCare;
    default: return kMetricCount;
  }
}

std::vector<double> region_values(const std::vector<double>& values, int councils) {
  std::vector<int> all(static_cast<std::size_t>(councils));
  for (int c = 0; c < councils; ++c) all[static_cast<std::size_t>(c)] = c;
  return group_values(values, councils, all);
}

std::vector<double> group_values(const std::vector<double>& values, int councils, const std::vector<int>& members) {
  const auto nc = static_cast<std::size_t>(councils);
  std::vector<double> out(kMetricCount, 0.0);
  for (std::size_t k = 0; k < kMetricCount; ++k) {
    const Metric weight = region_weight(static_cast<Metric>(k));
    double sum = 0, total = 0;
    for (const int member : members) {
      const auto c = static_cast<std::size_t>(member);
      const double w = weight == kMetricCount ? 1.0 : values[weight * nc + c];
      sum += values[k * nc + c] * w;
      total += w;
    }
    out[k] = weight == kMetricCount ? sum : (total > 0 ? sum / total : 0.0);
  }
  return out;
}

MetricsState::MetricsState(int councils)
    : windows_(static_cast<std::size_t>(councils)),
      counted_people_(static_cast<std::size_t>(councils)),
      wage_bins_(static_cast<std::size_t>(councils)) {}

void MetricsState::compute(const Market& m, std::vector<double>& values) {
  begin_week(m, values);
  engine::parallel_for_rows(
      static_cast<std::size_t>(m.councils()), [&](std::size_t c) { compute_council(m, static_cast<int>(c), values); },
      1);
}

void MetricsState::begin_week(const Market& m, std::vector<double>& values) {
  values.assign(kMetricCount * static_cast<std::size_t>(m.councils()), 0.0);
  slot_ = cursor_;
  cursor_ = (cursor_ + 1) % kWindow;
  filled_ = std::min(filled_ + 1, kWindow);
}

void MetricsState::compute_council(const Market& m, int council, std::vector<double>& values,
                                   const PeopleCounts* people, const WorkerCounts* workers) {
  const auto nc = static_cast<std::size_t>(m.councils());
  const double nlw = m.spec.labour.nlw;
  const int slot = slot_;
  const auto c = static_cast<std::size_t>(council);
  // Accumulate in a local row, written out at the end: neighbouring councils' values share cache
  // lines, and councils run on different threads.
  std::array<double, kMetricCount> local{};
  auto v = [&](Metric k) -> double& { return local[k]; };
  const auto& t = m.counts[c];
  const auto& p = m.people;
  PeopleCounts own;
  if (!people) {
    m.for_council_people(council, [&](std::size_t i) {
      if (!p.alive[i]) return;
      const auto q = p.provider[i] == engine::kNoAgent ? static_cast<std::size_t>(-1)
                                                       : static_cast<std::size_t>(m.provider_row(p.provider[i]));
      count_person(m, i, q, own);
    });
  }
  const PeopleCounts& n = people ? *people : own;
  const double wellbeing = n.wellbeing, continuity = n.continuity;
  v(kPeopleNeedingCare) = static_cast<double>(n.needing());
  v(kPeopleSelfFunded) = static_cast<double>(n.by_route[static_cast<std::size_t>(Route::self_funder)]);
  v(kPeopleCouncilManaged) = static_cast<double>(n.by_route[static_cast<std::size_t>(Route::council_managed)]);
  v(kPeopleDirectPayment) = static_cast<double>(n.by_route[static_cast<std::size_t>(Route::direct_payment)]);
  v(kHoursNeeded) = n.hours_needed;
  v(kHoursDelivered) = n.hours_delivered;
  v(kPeopleServed) = static_cast<double>(n.served);
  v(kPeopleWaiting) = static_cast<double>(n.waiting);
  v(kMicroEnterpriseClients) = static_cast<double>(n.micro_clients);
  v(kHoursUnmet) = std::max(0.0, v(kHoursNeeded) - v(kHoursDelivered));
  v(kMeanWellbeing) = v(kPeopleNeedingCare) > 0 ? wellbeing / v(kPeopleNeedingCare) : 0;
  v(kContinuity) = v(kPeopleServed) > 0 ? continuity / v(kPeopleServed) : 0;
  v(kWellbeingServed) = v(kPeopleServed) > 0 ? n.wellbeing_served / v(kPeopleServed) : 0;
  v(kWellbeingAll) = v(kMeanWellbeing);
  // Matching counts these in its pass over the council's people (MatchingDemand).
  const auto& t_people = m.counts[c];
  v(kHoursNeededAll) = n.hours_needed + t_people.refused_hours;  // people with a route, and the refused
  v(kHoursUnmetAll) = std::max(0.0, v(kHoursNeededAll) - n.hours_delivered);
  v(kPeopleRefused) = t_people.refused;
  for (std::size_t b = 0; b < 4; ++b) {
    v(static_cast<Metric>(kHoursNeededBand1 + b)) = n.needed_by_band[b];
    v(static_cast<Metric>(kHoursUnmetBand1 + b)) = n.unmet_by_band[b];
  }

  const auto& w = m.workers;
  WorkerCounts own_workers;
  auto& wage_bins = wage_bins_[c];
  if (!workers) {
    wage_bins.fill(0);
    m.for_council_workers(council, [&](std::size_t k) {
      if (!w.alive[k] || w.employer[k] == engine::kNoAgent) return;
      count_worker(m, k, static_cast<std::size_t>(m.provider_row(w.employer[k])), nlw, own_workers);
      count_wage(wage_bins, w.wage[k], nlw);
    });
  }
  const WorkerCounts& nw = workers ? *workers : own_workers;
  const double wage = nw.wage, pay = nw.effective_pay, stress = nw.stress;
  const std::int64_t employed = nw.employed, zero = nw.zero_hours, staff_nlw = nw.at_nlw, staff_150 = nw.nlw_plus_150,
                     micro_jobs = nw.micro_jobs;
  v(kWorkers) = static_cast<double>(employed);
  v(kMicroEnterpriseJobs) = static_cast<double>(micro_jobs);
  const double staff = v(kWorkers);
  v(kMeanWage) = staff > 0 ? wage / staff : 0;
  v(kMeanEffectivePay) = staff > 0 ? pay / staff : 0;
  v(kZeroHoursShare) = staff > 0 ? static_cast<double>(zero) / staff : 0;
  v(kMeanStress) = staff > 0 ? stress / staff : 0;
  v(kSharePaidAtNlw) = staff > 0 ? static_cast<double>(staff_nlw) / staff : 0;
  v(kMedianWage) = median(wage_bins, employed, nlw);

  const auto& pr = m.providers;
  std::vector<std::pair<std::int32_t, double>> group_hours;
  double council_hours = 0, chain_hours = 0, in_house_hours = 0, travel_hours = 0, delivered = 0;
  std::array<double, kArchetypes> by_archetype{};
  m.for_council_providers(council, [&](std::size_t q) {
    if (!pr.alive[q]) return;
    const auto arch = static_cast<Archetype>(pr.archetype[q]);
    by_archetype[pr.archetype[q]] += 1;
    travel_hours += static_cast<double>(pr.travel_minutes[q]) * pr.delivered_hours[q];
    delivered += pr.delivered_hours[q];
    v(kVacancies) += pr.vacancies[q];
    if (pr.council_hours[q] > 0) {
      group_hours.emplace_back(pr.group[q], pr.council_hours[q]);
      council_hours += pr.council_hours[q];
      if (arch == Archetype::chain) chain_hours += pr.council_hours[q];
      if (m.spec.providers.of(arch).in_house()) in_house_hours += pr.council_hours[q];
    }
  });
  constexpr std::array<Metric, kArchetypes> kProvidersOf{kProvidersChain,      kProvidersAgency,
                                                         kMicroEnterprises,    kProvidersCooperative,
                                                         kProvidersCouncilRun, kProvidersPersonalAssistant};
  for (std::size_t k = 0; k < kArchetypes; ++k) v(kProvidersOf[k]) = by_archetype[k];
  v(kVacancyRate) = staff + v(kVacancies) > 0 ? v(kVacancies) / (staff + v(kVacancies)) : 0;
  v(kChainShareCouncilHours) = council_hours > 0 ? chain_hours / council_hours : 0;
  v(kInHouseShareCouncilHours) = council_hours > 0 ? in_house_hours / council_hours : 0;
  v(kUnpaidTravelMinutes) = delivered > 0 ? travel_hours / delivered : 0;
  std::sort(group_hours.begin(), group_hours.end());
  double hhi = 0;
  for (std::size_t k = 0; k < group_hours.size();) {
    double sum = 0;
    const auto g = group_hours[k].first;
    for (; k < group_hours.size() && group_hours[k].first == g; ++k) sum += group_hours[k].second;
    hhi += (sum / council_hours) * (sum / council_hours);
  }
  v(kHhiCouncilHours) = council_hours > 0 ? hhi * 10000 : 0;

  v(kMicroEnterprisesFounded) = t.founded;
  v(kMicroEnterprisesClosed) = t.closed;
  v(kProviderEntries) = t.entries;
  v(kProviderExits) = t.exits;
  v(kHandbacks) = t.handbacks;
  v(kTenders) = t.tenders;
  v(kHires) = t.hires;
  v(kHiresFromCareShare) = t.hires > 0 ? t.hires_from_care / t.hires : 0;
  v(kCouncilSpend) = t.spend + t.reablement_spend;
  v(kDischargeReferrals) = t.discharge_referrals;
  v(kDischargeDelayed) = t.discharge_delayed;
  v(kDischargeDelayDays) = 7 * t.discharge_delayed;  // each of them waited the whole week
  v(kNhsDelayCost) = v(kDischargeDelayDays) * m.spec.discharge.bed_day_cost;
  v(kReablementPeople) = t.reablement_people;
  v(kReablementIndependent) = t.reablement_independent;
  v(kChargingIncome) = t.charging_income;
  v(kSelfFunderSpend) = t.self_funder_spend;
  v(kSpentDownToUpperLimit) = t.reached_upper_limit;
  v(kReachedCareCap) = t.reached_cap;
  v(kCooperativesFounded) = t.cooperatives_founded;
  v(kCommutersIn) = t.commuters_in;
  v(kCommutersOut) = t.commuters_out;
  v(kPricePerHour) = t.council_hours > 0 ? t.council_payment / t.council_hours : 0;
  v(kExtraction) = t.extraction;
  v(kLocalRetained) = t.local_retained;
  v(kPeopleWaitingBudget) = t.waiting_for_budget;
  const auto& com = m.commissioners[c];
  v(kBudgetUsed) = com.weekly_budget > 0 ? com.committed / com.weekly_budget : 0;
  v(kSpotShareCouncilHours) = t.council_placed_hours > 0 ? t.spot_placed_hours / t.council_placed_hours : 0;
  v(kCostPerHourDelivered) = t.delivered_hours > 0 ? t.provider_costs / t.delivered_hours : 0;

  auto& win = windows_[c];
  win.leavers[static_cast<std::size_t>(slot)] = t.leavers;
  win.leavers_nlw[static_cast<std::size_t>(slot)] = t.leavers_nlw;
  win.leavers_150[static_cast<std::size_t>(slot)] = t.leavers_nlw150;
  win.staff[static_cast<std::size_t>(slot)] = staff;
  win.staff_nlw[static_cast<std::size_t>(slot)] = static_cast<double>(staff_nlw);
  win.staff_150[static_cast<std::size_t>(slot)] = static_cast<double>(staff_150);
  auto rate = [&](const std::array<double, kWindow>& leavers, const std::array<double, kWindow>& heads) {
    const double l = std::accumulate(leavers.begin(), leavers.begin() + filled_, 0.0);
    const double h = std::accumulate(heads.begin(), heads.begin() + filled_, 0.0) / filled_;
    return h > 0 ? l / h * (static_cast<double>(kWindow) / filled_) : 0.0;
  };
  v(kTurnoverRate) = rate(win.leavers, win.staff);
  v(kTurnoverRateNlw) = rate(win.leavers_nlw, win.staff_nlw);
  v(kTurnoverRateNlw150) = rate(win.leavers_150, win.staff_150);
  for (std::size_t k = 0; k < kMetricCount; ++k) values[k * nc + c] = local[k];
}

}  // namespace cm
