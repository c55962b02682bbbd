#include "agents/changes.hpp"

#include "agents/chain_groups.hpp"

#include <algorithm>

#include "agents/contract_terms.hpp"
#include "agents/need.hpp"
#include "agents/provider_entry_exit.hpp"
#include "agents/retention.hpp"
#include "agents/week.hpp"
#include "engine/parallel.hpp"

namespace cm {
namespace {

// The need tables of `next`, keeping each review bound that would fall: a clock drawn with the
// old bound runs on, and a review divides by the bound its clock ran with. `rose` marks the cells
// whose bound rises: their clocks are drawn again.
NeedTables next_need_tables(const NeedTables& now, const ScenarioSpec& next, std::array<std::array<bool, 3>, 4>& rose) {
  NeedTables tables = make_need_tables(next);
  for (std::size_t band = 0; band < 4; ++band)
    for (std::size_t age = 0; age < 3; ++age) {
      rose[band][age] = tables.review_per_week[band][age] > now.review_per_week[band][age];
      if (!rose[band][age]) {
        tables.review_per_week[band][age] = now.review_per_week[band][age];
        tables.log_no_review[band][age] = now.log_no_review[band][age];
      }
    }
  return tables;
}

bool any_of(const std::array<std::array<bool, 3>, 4>& cells) {
  return std::any_of(cells.begin(), cells.end(),
                     [](const auto& row) { return std::any_of(row.begin(), row.end(), [](bool b) { return b; }); });
}

// Whether a quit clock's bound (quit_review_chance) can be higher under `next`: it reads the
// retention parameters, the NLW, and the archetypes' travel and autonomy.
bool quit_bounds_may_rise(const ScenarioSpec& before, const ScenarioSpec& next) {
  const auto& a = before.retention;
  const auto& b = next.retention;
  if (a.base_quit_per_year != b.base_quit_per_year || a.wage_sensitivity != b.wage_sensitivity ||
      a.zero_hours_factor != b.zero_hours_factor || a.stress_factor != b.stress_factor ||
      a.underemployment_factor != b.underemployment_factor || before.labour.nlw != next.labour.nlw)
    return true;
  for (std::size_t k = 0; k < kArchetypes; ++k) {
    const auto &x = before.providers.kinds[k], &y = next.providers.kinds[k];
    if (x.unpaid_travel_minutes != y.unpaid_travel_minutes || x.autonomy != y.autonomy ||
        x.reference_trip_minutes != y.reference_trip_minutes)
      return true;
  }
  return false;
}

// No one is paid below the legal minimum or a sector pay floor: providers below a higher one raise their base wage to
// it, and their staff's wages follow (base plus each worker's premium).
void raise_wages_to(Market& m, double nlw) {
  auto& pr = m.providers;
  auto& w = m.workers;
  bool raised = false;
  for (std::size_t q = 0; q < pr.id.size(); ++q)
    if (pr.alive[q] && pr.wage[q] < nlw) {
      pr.wage[q] = static_cast<float>(nlw);
      pr.cost_per_hour[q] = static_cast<float>(provider_cost_per_hour(m, q, nlw));
      raised = true;
    }
  if (!raised) return;
  engine::parallel_for_rows(w.id.size(), [&](std::size_t k) {
    if (!w.alive[k] || w.employer[k] == engine::kNoAgent) return;
    const auto q = static_cast<std::size_t>(m.provider_row(w.employer[k]));
    w.wage[k] = std::max(w.wage[k], pr.wage[q] + w.pay_premium[k]);
  });
}

// Quit clocks whose bound is now below the worker's highest hazard are drawn again, with this
// week as their first trial.
void redraw_quit_clocks(Market& m) {
  auto& w = m.workers;
  const auto week = static_cast<std::int32_t>(m.week);
  const auto streams = m.rng.at_step(static_cast<std::uint64_t>(week));
  engine::parallel_for_rows(w.id.size(), [&](std::size_t k) {
    if (!w.alive[k] || w.employer[k] == engine::kNoAgent || w.is_founder[k] || w.quit_review_week[k] == 0) return;
    const auto q = static_cast<std::size_t>(m.provider_row(w.employer[k]));
    if (quit_review_chance(m, k, q) <= static_cast<double>(w.quit_review_chance[k])) return;
    auto stream = streams.stream(Market::stream_key(w, k), kQuitClockRedraw);
    set_quit_clock(m, k, q, week, stream.open_uniform(), -1);
  });
}

}  // namespace

void ChangesState::start(std::vector<ParameterChange> run_changes) {
  changes = std::move(run_changes);
  next = 0;
  applied.clear();
  for (std::size_t k = 0; k < changes.size() && changes[k].step <= 0; ++k) {
    applied.insert(applied.end(), changes[k].records.begin(), changes[k].records.end());
    if (!changes[k].after_warmup) next = k + 1;  // in the starting parameters already
  }
}

void end_warmup(Market& m, NeedCalendar& need, ChangesState& s) {
  if (s.next >= s.changes.size() || !s.changes[s.next].after_warmup) return;
  const auto& change = s.changes[s.next++];
  change_parameters(m, need, change.spec, change.failing_groups);
}

void ChangesState::replace(std::vector<ParameterChange> run_changes, std::int32_t from_step) {
  changes = std::move(run_changes);
  next = 0;
  while (next < changes.size() && changes[next].step < from_step) ++next;
}

void change_parameters(Market& m, NeedCalendar& need, const ScenarioSpec& next,
                       const std::vector<std::int32_t>& failing_groups) {
  const bool quit_check = quit_bounds_may_rise(m.spec, next);
  const double minimum_before = pay_minimum(m.spec);
  const double reference_rate_before = m.spec.commissioning.reference_rate;
  std::vector<double> own_rate_before;
  for (const auto& c : m.spec.councils) own_rate_before.push_back(c.reference_rate);
  m.spec = next;
  m.spec_version += 1;
  std::array<std::array<bool, 3>, 4> rose{};
  m.need_tables = next_need_tables(m.need_tables, next, rose);
  if (any_of(rose)) need.redraw_clocks(m, rose);
  const bool new_rate = next.commissioning.reference_rate != reference_rate_before;
  for (int c = 0; c < m.councils(); ++c) {
    auto& com = m.commissioners[static_cast<std::size_t>(c)];
    com.weekly_budget = weekly_care_budget(next, static_cast<std::size_t>(c));
    // A schedule sets the usual rate: the council's own (councils[].reference_rate) where it has or
    // gets one, else the region's; a council keeping its own rate keeps it when the region's moves.
    const double own = next.councils[static_cast<std::size_t>(c)].reference_rate;
    if (own != own_rate_before[static_cast<std::size_t>(c)])
      com.reference_rate = own > 0 ? own : next.commissioning.reference_rate;
    else if (new_rate && own <= 0)
      com.reference_rate = next.commissioning.reference_rate;
  }
  if (pay_minimum(next) > minimum_before) raise_wages_to(m, pay_minimum(next));  // the NLW or a sector floor
  if (quit_check) redraw_quit_clocks(m);
  for (const auto group : failing_groups) fail_group(m, group);
}

void apply_due_change(Week& w) {
  auto& s = w.changes;
  // In the warm-up (reported weeks up to 0) nothing changes: Model::end_warmup puts step 0's in force.
  if (s.next >= s.changes.size() || s.changes[s.next].step != w.market.reported_week() || w.market.reported_week() <= 0)
    return;
  const auto& change = s.changes[s.next++];
  change_parameters(w.market, w.need, change.spec, change.failing_groups);
  s.applied.insert(s.applied.end(), change.records.begin(), change.records.end());
}

}  // namespace cm
