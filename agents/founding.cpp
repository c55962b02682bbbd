// MODEL.md §6 — community micro-enterprise founding: a weekly Poisson process per council whose
// rate grows with the support programme (coordinators, each able to support a limited number of
// enterprises) and with private demand (direct payments and self-funders). About a third of
// founders come from outside care; the rest leave an employer.
#include <algorithm>
#include <cmath>

#include <boost/random/poisson_distribution.hpp>

#include "agents/founding.hpp"

namespace cm {
namespace {

// How people buying care would rate a micro-enterprise against an agency: the ratio of their logit
// weights (matching.cpp) at the archetypes' starting quality, visit model and private price.
double micro_appeal(const Market& m) {
  const auto& choice = m.spec.choice;
  auto utility = [&](Archetype arch) {
    const auto& a = m.spec.providers.of(arch);
    const double price = m.asking_price(arch, m.cost_per_hour(arch, a.wage)) * (1 + a.private_markup);
    return choice.quality_weight * a.quality + choice.relational_weight * a.relational - choice.price_weight * price;
  };
  return std::exp(utility(Archetype::micro) - utility(Archetype::agency));
}

}  // namespace

void list_council_workers(const Market& m, int c, std::vector<std::uint32_t>& rows) {
  m.for_council_workers(c, [&](std::size_t k) {
    if (engine::indexed(m.workers, k)) rows.push_back(static_cast<std::uint32_t>(k));
  });
}

std::int64_t draw_worker_to_found(Market& m, int c, const std::vector<std::uint32_t>& rows, engine::Stream& stream) {
  auto& w = m.workers;
  auto& pr = m.providers;
  const auto count = static_cast<std::uint32_t>(rows.size());
  if (count == 0) return -1;
  for (int attempt = 0; attempt < 20; ++attempt) {
    const std::size_t wk = rows[stream.below(count)];
    if (!w.alive[wk] || w.employer[wk] == engine::kNoAgent) continue;
    const auto q = static_cast<std::size_t>(m.provider_row(w.employer[wk]));
    if (m.spec.providers.of(static_cast<Archetype>(pr.archetype[q])).owner_worker) continue;
    pr.staff[q] -= 1;
    w.employer[wk] = engine::kNoAgent;  // joins the new provider when the pending agents join
    m.counts[static_cast<std::size_t>(c)].count_leaver(w.wage[wk], m.spec.labour.nlw);
    return static_cast<std::int64_t>(wk);
  }
  return -1;
}

namespace {

void found_in_council(Market& m, const MatchingDemand& matched, int c) {
  const auto& f = m.spec.founding;
  auto& w = m.workers;
  auto& pr = m.providers;
  double micros = 0;
  m.for_council_providers(
      c, [&](std::size_t q) { micros += pr.alive[q] && static_cast<Archetype>(pr.archetype[q]) == Archetype::micro; });
  // Counted in matching's pass over people (routes and needs have not changed since).
  const double people = matched.people_with_route, private_people = matched.people_buying_privately;
  const double supported = f.coordinators * f.per_coordinator_per_year *
                           std::max(0.0, 1 - micros / std::max(1.0, f.coordinators * f.coordinator_capacity));
  // Demand relative to a reference private share (40%: self-funders about 30% plus direct payments);
  // the floor of 1% keeps the rate above zero where almost nobody buys privately.
  const double demand =
      people > 0 ? std::pow(std::max(private_people / people, 0.01) / f.reference_private_share, f.demand_elasticity)
                 : 0;
  // A would-be founder goes ahead when people would choose what a micro-enterprise offers: support
  // cannot make enterprises that nobody wants (MODEL.md §11).
  const double appeal = std::min(1.0, micro_appeal(m) / f.reference_appeal);
  const double base = f.base_per_100k_adults * m.spec.councils[static_cast<std::size_t>(c)].adults_thousands / 100.0;
  const double per_week = (base + supported) * demand * appeal / 52.0;
  auto stream = m.rng.stream(static_cast<std::uint64_t>(m.week), static_cast<std::uint64_t>(c), kFounding);
  boost::random::poisson_distribution<int, double> foundings(std::max(per_week, 1e-12));
  const int n = foundings(stream);
  auto& pend = m.pending[static_cast<std::size_t>(c)];
  const auto first = m.geography.first_locality(c);
  const auto nloc = static_cast<std::uint32_t>(m.geography.locality_count(c));
  thread_local std::vector<std::uint32_t> council_rows;
  council_rows.clear();
  if (n > 0) list_council_workers(m, c, council_rows);
  for (int k = 0; k < n; ++k) {
    engine::AgentId founder = engine::kNoAgent;
    std::int32_t locality = first + static_cast<std::int32_t>(stream.below(nloc));
    if (!stream.bernoulli(f.outside_care_share)) {
      // A care worker leaves an employer to found (its pending provider names it: founder_worker).
      if (const auto wk = draw_worker_to_found(m, c, council_rows, stream); wk >= 0) {
        founder = w.id[static_cast<std::size_t>(wk)];
        locality = w.locality[static_cast<std::size_t>(wk)];
      }
    }
    const auto index = static_cast<std::int32_t>(pend.providers.size());
    pend.providers.push_back(
        {Archetype::micro, locality, -1, founder == engine::kNoAgent, founder, ProviderEventKind::founding});
    if (founder == engine::kNoAgent) pend.workers.push_back({locality, index, engine::kNoAgent, true});
    m.counts[static_cast<std::size_t>(c)].founded += 1;
  }
}

// People buying care privately take on personal assistants: new ones start, alone and from outside
// care, at founding.personal_assistants_per_1000 a year per 1,000 such people. No draw at rate 0.
void start_personal_assistants(Market& m, const MatchingDemand& matched, int c) {
  const double per_week =
      m.spec.founding.personal_assistants_per_1000 * matched.people_buying_privately / 1000.0 / 52.0;
  if (per_week <= 0) return;
  auto stream = m.rng.stream(static_cast<std::uint64_t>(m.week), static_cast<std::uint64_t>(c), kPersonalAssistant);
  boost::random::poisson_distribution<int, double> starts(per_week);
  const int n = starts(stream);
  auto& pend = m.pending[static_cast<std::size_t>(c)];
  const auto first = m.geography.first_locality(c);
  const auto nloc = static_cast<std::uint32_t>(m.geography.locality_count(c));
  for (int k = 0; k < n; ++k) {
    const std::int32_t locality = first + static_cast<std::int32_t>(stream.below(nloc));
    const auto index = static_cast<std::int32_t>(pend.providers.size());
    pend.providers.push_back(
        {Archetype::personal_assistant, locality, -1, true, engine::kNoAgent, ProviderEventKind::founding});
    pend.workers.push_back({locality, index, engine::kNoAgent, true});  // the assistant, its owner
  }
}

}  // namespace

void apply_founding(Market& m, const MatchingDemand& demand, int c) {
  found_in_council(m, demand, c);
  start_personal_assistants(m, demand, c);
}

}  // namespace cm
