// MODEL.md §3.5, §7 and §11 — labour market: providers post vacancies for the hours they must
// deliver and for the packages they were offered and had no room for;
// workers who left a care job look for another (most recruits come from elsewhere in care); the
// rest of the vacancies fill from outside care with a weekly chance that rises with the wage.
#include <algorithm>
#include <cmath>

#include "agents/labour_market.hpp"

namespace cm {
namespace {

// Whether council c shares its commuting zone with another council.
bool has_zone_partners(const Market& m, int c) {
  const auto& zone = m.spec.councils[static_cast<std::size_t>(c)].commuting_zone;
  if (zone.empty() || m.spec.labour.commute_share <= 0) return false;
  for (std::size_t t = 0; t < m.spec.councils.size(); ++t)
    if (static_cast<int>(t) != c && m.spec.councils[t].commuting_zone == zone) return true;
  return false;
}

void hire_council(Market& m, int c, std::vector<std::int32_t>& open) {
  auto& w = m.workers;
  auto& pr = m.providers;
  const auto& lab = m.spec.labour;
  auto& counts = m.counts[static_cast<std::size_t>(c)];
  const auto tolerance = static_cast<float>(lab.acceptance_tolerance);
  const double attraction_min = lab.fill_attraction_min, attraction_max = lab.fill_attraction_max;

  // Wages follow the employer's after a wage floor in a new contract. Every other way a wage is set
  // (hire, founding) already gives the employer's wage plus the premium, so only a raise needs the pass.
  if (m.commissioners[static_cast<std::size_t>(c)].raised_wages)
    m.for_council_workers(c, [&](std::size_t k) {
      if (!w.alive[k] || w.employer[k] == engine::kNoAgent) return;
      w.wage[k] = pr.wage[static_cast<std::size_t>(m.provider_row(w.employer[k]))] + w.pay_premium[k];
    });

  open.clear();
  m.for_council_providers(c, [&](std::size_t q) {
    pr.vacancies[q] = 0;
    if (!pr.alive[q]) return;
    const auto& a = m.spec.providers.of(static_cast<Archetype>(pr.archetype[q]));
    // An owner-run provider is small by choice, but one offered at least a worker's worth of packages it
    // had no room for takes on one more worker, at most once a wage-review period, up to its
    // archetype's size limit (MODEL.md §11: it grows as it gains clients).
    const auto every = std::max<std::int64_t>(1, m.spec.wages.review_weeks);
    if (a.owner_worker && pr.offered_hours[q] >= 0.5 * a.contracted_hours && pr.intended_staff[q] < a.max_workers &&
        (m.week + pr.serial[q]) % every == 0)
      pr.intended_staff[q] = static_cast<std::int16_t>(pr.intended_staff[q] + 1);
    // Staff for the clients it has and for the packages it was offered and had no room for (a
    // council's own service up to the size the council set, insourcing.hpp).
    const double wanted = (pr.allocated_hours[q] + pr.offered_hours[q]) * (1 + lab.vacancy_buffer);
    const auto needed = static_cast<std::int32_t>(std::ceil(wanted / a.contracted_hours - 1e-9));
    const auto room = static_cast<std::int32_t>(pr.intended_staff[q]) - pr.staff[q];
    pr.vacancies[q] = std::max(0, std::min(needed - pr.staff[q], room));
    if (pr.vacancies[q] > 0) open.push_back(static_cast<std::int32_t>(q));
  });

  // Job seekers from care: each tries one provider with a vacancy, drawn at random, and takes the
  // job unless it pays clearly less than the job they left. In a council with a commuting zone, a
  // share of them look across the border instead (apply_commuting, after every council's own).
  const bool commuting = has_zone_partners(m, c);
  auto& commuters = m.pending[static_cast<std::size_t>(c)].commuters;
  commuters.clear();
  m.for_council_workers(c, [&](std::size_t k) {
    // (A worker leaving to found an enterprise is between jobs only from founding to the join that
    // follows it, after this phase: never a seeker here.)
    if (!w.alive[k] || w.employer[k] != engine::kNoAgent) return;
    if (commuting) {
      auto look = m.rng.stream(static_cast<std::uint64_t>(m.week), Market::stream_key(w, k), kCommute);
      if (look.bernoulli(lab.commute_share)) {
        commuters.push_back(static_cast<std::uint32_t>(k));
        return;
      }
    }
    auto stream = m.rng.stream(static_cast<std::uint64_t>(m.week), Market::stream_key(w, k), kSeek);
    bool hired = false;
    if (!open.empty()) {
      const auto q = static_cast<std::size_t>(open[stream.below(static_cast<std::uint32_t>(open.size()))]);
      if (pr.vacancies[q] > 0 && pr.wage[q] + w.pay_premium[k] >= w.wage[k] - tolerance) {
        const auto& a = m.spec.providers.of(static_cast<Archetype>(pr.archetype[q]));
        w.employer[k] = pr.id[q];
        w.locality[k] = pr.home_locality[q];
        w.wage[k] = pr.wage[q] + w.pay_premium[k];
        w.zero_hours[k] = stream.bernoulli(a.zero_hours_share);
        w.tenure_weeks[k] = 0;
        w.weeks_searching[k] = 0;
        w.is_founder[k] = 0;
        w.quit_review_week[k] = 0;  // a new employer: the quit clock starts again
        pr.vacancies[q] -= 1;
        pr.staff[q] += 1;
        counts.hires += 1;
        counts.hires_from_care += 1;
        hired = true;
      }
    }
    if (!hired && ++w.weeks_searching[k] >= lab.search_weeks) m.depart_worker(c, k);  // leaves the sector
  });

  // Outside recruits: each open vacancy fills with a weekly chance rising with the wage offered.
  auto& pending = m.pending[static_cast<std::size_t>(c)].workers;
  for (auto q32 : open) {
    const auto q = static_cast<std::size_t>(q32);
    auto stream = m.rng.stream(static_cast<std::uint64_t>(m.week), Market::stream_key(pr, q), kHire);
    const double attraction =
        std::clamp(1 + lab.fill_wage_sensitivity * (pr.wage[q] - lab.outside_wage), attraction_min, attraction_max);
    const double reach = m.spec.providers.of(static_cast<Archetype>(pr.archetype[q])).recruitment;
    // Recruits from abroad come on top (a sponsored visa: labour.overseas_fill_per_week).
    const double chance = std::min(1.0, (lab.fill_per_week * attraction + lab.overseas_fill_per_week) * reach);
    const std::int32_t open_posts = pr.vacancies[q];
    for (std::int32_t v = 0; v < open_posts; ++v) {
      if (!stream.bernoulli(chance)) continue;
      pending.push_back({pr.home_locality[q], -1, pr.id[q], false});
      pr.vacancies[q] -= 1;
      counts.hires += 1;
    }
  }
}

}  // namespace

void apply_labour_market(Market& m, int c) {
  thread_local std::vector<std::int32_t> open;
  hire_council(m, c, open);
}

void apply_commuting(Market& m) {
  const auto& lab = m.spec.labour;
  const auto nc = static_cast<std::size_t>(m.councils());
  bool any = false;
  for (const auto& pend : m.pending) any |= !pend.commuters.empty();
  if (!any) return;
  auto& w = m.workers;
  auto& pr = m.providers;
  // Each council's providers with a vacancy left after its own hiring, and its zone partners.
  std::vector<std::vector<std::int32_t>> open(nc);
  for (std::size_t t = 0; t < nc; ++t)
    m.for_council_providers(static_cast<int>(t), [&](std::size_t q) {
      if (pr.alive[q] && pr.vacancies[q] > 0) open[t].push_back(static_cast<std::int32_t>(q));
    });
  std::vector<std::int32_t> partners;
  for (std::size_t c = 0; c < nc; ++c) {
    auto& commuters = m.pending[c].commuters;
    if (commuters.empty()) continue;
    partners.clear();
    for (std::size_t t = 0; t < nc; ++t)
      if (t != c && m.spec.councils[t].commuting_zone == m.spec.councils[c].commuting_zone)
        partners.push_back(static_cast<std::int32_t>(t));
    for (const auto k : commuters) {
      // The seeker's stream of the week for this purpose, past the draw that sent them here.
      auto stream = m.rng.stream(static_cast<std::uint64_t>(m.week), Market::stream_key(w, k), kCommute);
      stream.uniform();
      const auto t = static_cast<std::size_t>(partners[stream.below(static_cast<std::uint32_t>(partners.size()))]);
      bool hired = false;
      if (!open[t].empty()) {
        const auto q = static_cast<std::size_t>(open[t][stream.below(static_cast<std::uint32_t>(open[t].size()))]);
        if (pr.vacancies[q] > 0 && pr.wage[q] + w.pay_premium[k] >= w.wage[k] + lab.commute_pay_gap) {
          // They join the other council's workforce (a new record there, as a recruit), and leave
          // their own council's.
          m.pending[t].workers.push_back({pr.home_locality[q], -1, pr.id[q], false});
          m.depart_worker(static_cast<int>(c), k);
          pr.vacancies[q] -= 1;
          m.counts[t].hires += 1;
          m.counts[t].hires_from_care += 1;
          m.counts[t].commuters_in += 1;
          m.counts[c].commuters_out += 1;
          hired = true;
        }
      }
      if (!hired && ++w.weeks_searching[k] >= lab.search_weeks) m.depart_worker(static_cast<int>(c), k);
    }
    commuters.clear();
  }
}

}  // namespace cm
