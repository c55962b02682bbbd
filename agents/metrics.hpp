#pragma once
// The declared time series of MODEL.md §10, computed per council each week. Names, units and
// meanings are listed here once; docs/output-format.md mirrors this table.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "agents/contract_terms.hpp"
#include "agents/market.hpp"
#include "agents/week.hpp"
#include "engine/schedule.hpp"

namespace cm {

struct MetricInfo {
  const char* name;
  const char* units;
  const char* long_name;
};

enum Metric : std::size_t {
  kPeopleNeedingCare,
  kPeopleServed,
  kPeopleWaiting,
  kPeopleSelfFunded,
  kPeopleCouncilManaged,
  kPeopleDirectPayment,
  kHoursNeeded,
  kHoursDelivered,
  kHoursUnmet,
  kWorkers,
  kVacancies,
  kVacancyRate,
  kTurnoverRate,
  kTurnoverRateNlw,
  kTurnoverRateNlw150,
  kMeanWage,
  kMeanEffectivePay,
  kZeroHoursShare,
  kHires,
  kHiresFromCareShare,
  kProvidersChain,
  kProvidersAgency,
  kMicroEnterprises,
  kMicroEnterprisesFounded,
  kMicroEnterprisesClosed,
  kMicroEnterpriseJobs,
  kMicroEnterpriseClients,
  kProviderEntries,
  kProviderExits,
  kHandbacks,
  kTenders,
  kChainShareCouncilHours,
  kHhiCouncilHours,
  kCouncilSpend,
  kPricePerHour,
  kExtraction,
  kLocalRetained,
  kMeanWellbeing,
  kContinuity,
  kMeanStress,
  // Model version 2 (MODEL.md §16), format 1.5.
  kHoursNeededAll,
  kHoursUnmetAll,
  kPeopleRefused,
  kPeopleWaitingBudget,
  kBudgetUsed,
  kSpotShareCouncilHours,
  kSharePaidAtNlw,
  kCostPerHourDelivered,
  // Format 1.6: the wage distribution's middle, and need by band (1 lowest .. 4 highest) of everyone
  // with need, refused people included.
  kMedianWage,
  kHoursNeededBand1,
  kHoursNeededBand2,
  kHoursNeededBand3,
  kHoursNeededBand4,
  kHoursUnmetBand1,
  kHoursUnmetBand2,
  kHoursUnmetBand3,
  kHoursUnmetBand4,
  // Format 1.7: the headline outcome "wellbeing of people served" (MODEL.md §16).
  kWellbeingServed,
  // Format 1.8: wellbeing of everyone with need, under the name MODEL.md §16 gives it (mean_wellbeing
  // holds the same value for readers of 1.0-1.7 and goes in format 2.0).
  kWellbeingAll,
  // Format 1.9: hospital discharge and reablement (MODEL.md §18).
  kDischargeReferrals,
  kDischargeDelayed,
  kDischargeDelayDays,
  kNhsDelayCost,
  kReablementPeople,
  kReablementIndependent,
  // Format 1.10: the means test over time (MODEL.md §18).
  kChargingIncome,
  kSelfFunderSpend,
  kSpentDownToUpperLimit,
  kReachedCareCap,
  // Format 1.12: every kind of provider (MODEL.md §13).
  kProvidersCooperative,
  kProvidersCouncilRun,
  kProvidersPersonalAssistant,
  kCooperativesFounded,
  kInHouseShareCouncilHours,
  kCommutersIn,
  kCommutersOut,
  kUnpaidTravelMinutes,
  kMetricCount
};

const std::array<MetricInfo, kMetricCount>& metric_catalogue();

// How a metric adds up over councils: counts and money are summed; rates, shares and means are
// averaged weighted by the count they describe (kMetricCount when summed).
Metric region_weight(Metric metric);
// Region values of one week's metrics (values[metric * councils + council]), one per metric.
std::vector<double> region_values(const std::vector<double>& values, int councils);
// The same over some of the councils (a group of them: an English region, say).
std::vector<double> group_values(const std::vector<double>& values, int councils, const std::vector<int>& members);

// The people metrics of one council for one week (count_person).
struct PeopleCounts {
  double wellbeing = 0, wellbeing_served = 0, continuity = 0, hours_needed = 0, hours_delivered = 0;
  // People needing care by route (Route: none, self-funder, council-managed, direct payment): one
  // counter a person, the needing total their sum (the pass over people runs a million rows a week).
  std::array<std::int64_t, 4> by_route{};
  std::int64_t served = 0, waiting = 0, micro_clients = 0;
  // Hours needed and not delivered by need band (band - 1), everyone with need.
  std::array<double, 4> needed_by_band{}, unmet_by_band{};
  std::int64_t needing() const { return by_route[0] + by_route[1] + by_route[2] + by_route[3]; }
};

// The workforce metrics of one council for one week (count_worker).
struct WorkerCounts {
  double wage = 0, effective_pay = 0, stress = 0;
  std::int64_t employed = 0, zero_hours = 0, at_nlw = 0, nlw_plus_150 = 0, micro_jobs = 0;
};

// Adds one living person to the people metrics (needing care, routes, hours, served, waiting,
// micro-enterprise clients, wellbeing and continuity sums). q: the provider's row, or npos.
// Inline, because model.cpp runs it in the one weekly pass over a council's people.
inline void count_person(const Market& m, std::size_t i, std::size_t q, PeopleCounts& n) {
  const auto& p = m.people;
  if (p.need_band[i] == 0) return;
  const auto route = static_cast<Route>(p.route[i]);
  n.by_route[static_cast<std::size_t>(route) & 3u] += 1;
  n.wellbeing += p.wellbeing[i];
  const std::size_t band = (p.need_band[i] - 1u) & 3u;
  n.needed_by_band[band] += p.need_hours[i];
  // Most people get all their hours: the branch skips a dependent add for them.
  if (p.hours_received[i] < p.need_hours[i]) n.unmet_by_band[band] += p.need_hours[i] - p.hours_received[i];
  if (route == Route::none) return;
  n.hours_needed += p.need_hours[i];
  n.hours_delivered += p.hours_received[i];
  if (p.hours_received[i] > 0) {
    n.served += 1;
    n.wellbeing_served += p.wellbeing[i];
    n.continuity += p.continuity[i];
  }
  if (q == static_cast<std::size_t>(-1)) {
    if (p.need_hours[i] > 0) n.waiting += 1;
  } else {
    n.micro_clients += static_cast<Archetype>(m.providers.archetype[q]) == Archetype::micro;
  }
}

// Adds an employed worker to the workforce metrics of their council. q: the employer's row.
inline void count_worker(const Market& m, std::size_t k, std::size_t q, double nlw, WorkerCounts& n) {
  const auto& w = m.workers;
  n.employed += 1;
  n.wage += w.wage[k];
  n.effective_pay += w.effective_pay[k];
  n.zero_hours += on_zero_hours(m, k, q);
  n.stress += w.stress[k];
  n.at_nlw += w.wage[k] <= nlw + 0.005;
  n.nlw_plus_150 += w.wage[k] >= nlw + 1.5;
  n.micro_jobs += static_cast<Archetype>(m.providers.archetype[q]) == Archetype::micro;
}

// Rolling 52-week windows for turnover, per council.
class MetricsState {
 public:
  explicit MetricsState(int councils);
  // Its state, for checkpoints (agents/checkpoint.cpp).
  template <class A>
  void archive(A& a) {
    a(windows_, counted_people_, wage_bins_, filled_, cursor_, slot_);
  }
  // Fills values[metric * councils + council] for the week just stepped.
  void compute(const Market& m, std::vector<double>& values);
  // The same in parts: begin_week() once, then compute_council() for every council (in any order,
  // in parallel).
  void begin_week(const Market& m, std::vector<double>& values);
  // people, workers: the council's counts from the week's passes over people and workers (CountPeople,
  // CountWorkers); null to count them here.
  void compute_council(const Market& m, int c, std::vector<double>& values, const PeopleCounts* people = nullptr,
                       const WorkerCounts* workers = nullptr);
  // The council's people as the week's pass over people counted them (CountPeople).
  PeopleCounts& counted_people(int c) { return counted_people_[static_cast<std::size_t>(c)]; }
  // The wages of the council's employed workers, as the week's pass over workers found them
  // (CountWorkers), counted in penny bins above the NLW for the median: a count a worker, kept
  // between weeks, so the pass neither allocates nor sorts.
  static constexpr std::size_t kWageBins = 1024;  // NLW to NLW + GBP 10.23; higher wages in the last
  using WageBins = std::array<std::int32_t, kWageBins>;
  WageBins& wage_bins(int c) { return wage_bins_[static_cast<std::size_t>(c)]; }
  static void count_wage(WageBins& bins, double wage, double nlw) {
    // Rounded half up to the penny: wages are at least the NLW, so the sum is not negative and a
    // truncating conversion rounds it, without a call to lround() for every worker every week.
    const auto pennies = static_cast<std::int64_t>((wage - nlw) * 100 + 0.5);  // NOLINT(bugprone-incorrect-roundings)
    bins[static_cast<std::size_t>(std::clamp<std::int64_t>(pennies, 0, kWageBins - 1))] += 1;
  }

 private:
  static constexpr int kWindow = 52;
  struct Window {
    std::array<double, kWindow> leavers{}, leavers_nlw{}, leavers_150{}, staff{}, staff_nlw{}, staff_150{};
  };
  std::vector<Window> windows_;
  std::vector<PeopleCounts> counted_people_;
  std::vector<WageBins> wage_bins_;
  int filled_ = 0;
  int cursor_ = 0;
  int slot_ = 0;  // the window slot of the week being computed
};

// The metrics phase: people and workers counted in the week's passes, then the council's row of
// metrics (MetricsState::compute_council).
struct CountPeople {
  using Table = PeopleRows;
  struct State {
    PeopleCounts counts;
  };
  State begin(Week&, int) const { return {}; }
  void row(Week& w, State& s, const PersonRow& r) const {
    if (r.alive) count_person(w.market, r.i, r.provider, s.counts);
  }
  void end(Week& w, int c, State& s) const { w.metrics.counted_people(c) = s.counts; }
};
struct CountWorkers {
  using Table = WorkerRows;
  struct State {
    WorkerCounts counts;
    MetricsState::WageBins* wage_bins;
  };
  State begin(Week& w, int c) const {
    auto& bins = w.metrics.wage_bins(c);
    bins.fill(0);
    return {{}, &bins};
  }
  void row(Week& w, State& s, const WorkerRow& r) const {
    // Still employed after retention (which may have run on this row already in the same pass).
    if (r.employer != kNoRow && w.market.workers.employer[r.k] != engine::kNoAgent) {
      const double nlw = w.market.spec.labour.nlw;
      count_worker(w.market, r.k, r.employer, nlw, s.counts);
      MetricsState::count_wage(*s.wage_bins, w.market.workers.wage[r.k], nlw);
    }
  }
  void end(Week& w, int c, State& s) const {
    // A provider that closed this week (entry and exit, in the pass over people) let its staff go,
    // perhaps after this pass counted them: then they are counted again.
    const bool closures = w.market.counts[static_cast<std::size_t>(c)].exits > 0;
    w.metrics.compute_council(w.market, c, w.values, &w.metrics.counted_people(c), closures ? nullptr : &s.counts);
  }
};

}  // namespace cm
