// MODEL.md §3.1 and §4 — need: new people develop need, bands progress or improve, people leave
// (death, a move to residential care, recovery). Prevention and social ties slow progression;
// unmet need speeds it.
//
// A person's need changes in a week with a chance of about 1%, so drawing for everyone every week
// would spend nearly all draws on weeks where nothing happens. Instead each person carries the
// week of their next review: weeks between reviews are geometric with the band's highest weekly
// chance of change (review_per_week), and a review accepts each outcome with its chance that week
// divided by that bound (thinning; Lewis & Shedler 1979). Every week therefore still changes a
// person's need with exactly the chances of MODEL.md §4, whatever their unmet need that week.
#include <algorithm>
#include <cmath>
#include <limits>

#include <boost/random/poisson_distribution.hpp>

#include "agents/eligibility.hpp"
#include "agents/need.hpp"

namespace cm {

namespace {

std::size_t age_column(std::uint8_t age_band) { return age_band == 2 ? 2 : age_band == 0 ? 0 : 1; }

// Draws the week of the person's next review after `week`, from the next number of `stream`:
// 1 + Geometric(review_per_week) weeks on. A band whose need never changes is never reviewed.
void schedule_next_review(Market& m, std::size_t i, std::int32_t week, engine::Stream& stream) {
  auto& p = m.people;
  const std::size_t band = p.need_band[i] - 1u, age = age_column(p.age_band[i]);
  constexpr double kNever = 1 << 30;
  const double gap = engine::trials_to_first_success(
      m.need_tables.review_per_week[band][age], m.need_tables.log_no_review[band][age], stream.open_uniform(), kNever);
  p.need_review_week[i] = static_cast<std::int32_t>(week + gap);
}

}  // namespace

NeedTables make_need_tables(const ScenarioSpec& spec) {
  const auto& need = spec.need;
  NeedTables t;
  const auto bands = std::min<std::size_t>(4, need.exit_per_year.size());
  for (std::size_t band = 0; band < bands; ++band) {
    // The oldest leave (die, move to residential care) more often, the youngest less.
    const auto& age_factor = need.exit_age_factors;
    for (std::size_t age = 0; age < 3 && age < age_factor.size(); ++age)
      t.exit_per_week[band][age] = need.exit_per_year[band] * age_factor[age] / 52.0;
    if (band < need.progression_per_year.size()) t.progression_per_week[band] = need.progression_per_year[band] / 52.0;
    if (band < need.improvement_per_year.size()) t.improvement_per_week[band] = need.improvement_per_year[band] / 52.0;
    // The bound takes all of last week's need as unmet and no protection from ties or prevention.
    // Prevention is left out on purpose: a policy that changes it then keeps everyone's review
    // weeks, so policy arms compare on common random numbers.
    for (std::size_t age = 0; age < 3; ++age) {
      const double bound = t.exit_per_week[band][age] + t.progression_per_week[band] * (1 + need.unmet_effect) +
                           t.improvement_per_week[band];
      t.review_per_week[band][age] = std::min(1.0, bound);
      t.log_no_review[band][age] = bound < 1 ? std::log1p(-bound) : -std::numeric_limits<double>::infinity();
    }
  }
  for (std::size_t ties = 0; ties < 256; ++ties) {
    t.ties_share[ties] = static_cast<double>(ties) / (static_cast<double>(ties) + need.ties_half_saturation);
    for (std::size_t band = 1; band < 5 && band - 1 < need.hours_by_band.size(); ++band) {
      const double hours = need.hours_by_band[band - 1];
      const double informal =
          std::min(hours * need.informal_max_share, static_cast<double>(ties) * need.informal_hours_per_tie);
      t.formal_need[band][ties] = static_cast<float>(hours - informal);
    }
  }
  return t;
}

NeedReviews::NeedReviews(const Market& m)
    : week_(static_cast<std::int32_t>(m.week)),
      prevention_(1 - m.spec.need.prevention_effect *
                          std::min(1.0, m.spec.commissioning.prevention_share / m.spec.need.prevention_full_share)),
      streams_(m.rng.at_step(static_cast<std::uint64_t>(m.week))),
      routes_(m.rng.at_step(0)) {}

void NeedReviews::review(Market& m, std::size_t i) const {
  const auto& need = m.spec.need;
  auto& p = m.people;
  const auto& tables = m.need_tables;
  auto stream = streams_.stream(Market::stream_key(p, i), kNeed);
  const std::size_t band = p.need_band[i] - 1u, age = age_column(p.age_band[i]);
  // One uniform on [0, bound): each outcome's share of it is its chance this week.
  const double u = stream.uniform() * tables.review_per_week[band][age];
  const double exit = tables.exit_per_week[band][age];
  if (u < exit) {
    m.depart_person(p.council[i], i);
    return;
  }
  const double unmet = p.need_hours[i] > 0 ? std::max(0.0, 1.0 - p.hours_received[i] / p.need_hours[i]) : 0.0;
  const double ties = tables.ties_share[p.ties[i]];
  const double progress =
      tables.progression_per_week[band] * (1 + need.unmet_effect * unmet) * (1 - need.ties_effect * ties) * prevention_;
  const double improve = tables.improvement_per_week[band];
  if (u < exit + progress) {
    p.need_band[i] = static_cast<std::uint8_t>(std::min<std::size_t>(band + 2, 4));
  } else if (u < exit + progress + improve) {
    if (band == 0) {
      m.depart_person(p.council[i], i);  // recovered: leaves the population needing care
      return;
    }
    p.need_band[i] = static_cast<std::uint8_t>(band);
  }
  schedule_next_review(m, i, week_, stream);
  // Hours depend on the band alone (ties are fixed), so they change only here; so may the route (the
  // means test also reassesses those whose capital or limits change: means_test.hpp).
  // (A person in reablement has theirs set back to 0 by end_reablement, later in the need phase.)
  p.need_hours[i] = m.formal_need(p.need_band[i], p.ties[i]);
  assess_route(m, i, routes_);  // eligibility, in the same step
}

NeedCalendar::NeedCalendar(int councils) : councils_(static_cast<std::size_t>(councils)) {}

void NeedCalendar::file_newcomers(Market& m) {
  const auto issued = static_cast<engine::AgentId>(m.people_index.ids_issued());
  auto& p = m.people;
  // Each newcomer's first review week. Nobody is reviewed in the week they arrive (the week's need
  // phase has run), so that week's need stream is free for the first clock draw.
  const auto week = static_cast<std::int32_t>(m.week);
  engine::parallel_for_rows(static_cast<std::size_t>(issued - next_unfiled_), [&](std::size_t k) {
    const auto row = m.people_index.row_of(next_unfiled_ + static_cast<engine::AgentId>(k));
    if (row < 0 || !p.alive[static_cast<std::size_t>(row)]) return;
    const auto i = static_cast<std::size_t>(row);
    auto stream = m.rng.stream(static_cast<std::uint64_t>(week), Market::stream_key(p, i), kNeed);
    schedule_next_review(m, i, week, stream);
  });
  // Filed councils in parallel, each council's newcomers in id order: sorted by council first
  // (a stable counting sort).
  auto newcomer_row = [&](engine::AgentId id) -> std::int32_t {
    const auto row = m.people_index.row_of(id);
    return row >= 0 && p.alive[static_cast<std::size_t>(row)] ? row : -1;
  };
  std::vector<std::size_t> first(councils_.size() + 1, 0);
  for (auto id = next_unfiled_; id < issued; ++id)
    if (const auto row = newcomer_row(id); row >= 0)
      ++first[static_cast<std::size_t>(p.council[static_cast<std::size_t>(row)]) + 1];
  for (std::size_t c = 0; c < councils_.size(); ++c) first[c + 1] += first[c];
  std::vector<std::int32_t> rows(first.back());
  auto cursor = first;
  for (auto id = next_unfiled_; id < issued; ++id)
    if (const auto row = newcomer_row(id); row >= 0)
      rows[cursor[static_cast<std::size_t>(p.council[static_cast<std::size_t>(row)])]++] = row;
  engine::parallel_for_rows(
      councils_.size(),
      [&](std::size_t c) {
        for (std::size_t k = first[c]; k < first[c + 1]; ++k) {
          const auto r = static_cast<std::size_t>(rows[k]);
          councils_[c].calendar.file(p.need_review_week[r], p.id[r]);
        }
      },
      1);
  next_unfiled_ = issued;
}

namespace {
// Asks for the columns a review reads, a few people ahead: the people due are about one in a
// hundred, far apart in the columns, so without this nearly every read waits for memory.
void prefetch_review(const People& p, std::size_t i) {
  __builtin_prefetch(&p.need_review_week[i]);
  __builtin_prefetch(&p.alive[i]);
  __builtin_prefetch(&p.need_band[i]);
  __builtin_prefetch(&p.age_band[i]);
  __builtin_prefetch(&p.ties[i]);
  __builtin_prefetch(&p.need_hours[i]);
  __builtin_prefetch(&p.hours_received[i]);
  __builtin_prefetch(&p.serial[i]);
  __builtin_prefetch(&p.route[i]);
  __builtin_prefetch(&p.capital_band[i]);
  __builtin_prefetch(&p.capital[i]);
  __builtin_prefetch(&p.id[i]);
  // What withdrawing the person from matching's book reads.
  __builtin_prefetch(&p.provider[i]);
  __builtin_prefetch(&p.placement[i]);
  __builtin_prefetch(&p.price[i]);
}
}  // namespace

void NeedCalendar::review_due(Market& m, int c, PlacementBook& placements) {
  auto& council = councils_[static_cast<std::size_t>(c)];
  council.calendar.take(m.week, council.due);
  // The rows of those due, in row order (the columns are read front to back).
  auto& rows = council.rows;
  rows.clear();
  for (const auto id : council.due)
    if (const auto row = m.people_index.row_of(id); row >= 0) rows.push_back(row);  // else left since filed
  std::sort(rows.begin(), rows.end());
  const NeedReviews reviews(m);
  auto& p = m.people;
  constexpr std::size_t kAhead = 8;
  for (std::size_t k = 0; k < rows.size(); ++k) {
    if (k + kAhead < rows.size()) prefetch_review(p, static_cast<std::size_t>(rows[k + kAhead]));
    const auto i = static_cast<std::size_t>(rows[k]);
    // An entry whose clock was drawn again since it was filed is stale: the person is filed under
    // their new week already.
    if (p.need_review_week[i] != m.week || !p.alive[i]) continue;
    placements.withdraw(m, i);
    reviews(m, i);
    if (p.alive[i]) council.calendar.file(p.need_review_week[i], p.id[i]);
  }
}

void NeedCalendar::redraw_clocks(Market& m, const std::array<std::array<bool, 3>, 4>& cells) {
  auto& p = m.people;
  const auto week = static_cast<std::int32_t>(m.week);
  const auto streams = m.rng.at_step(static_cast<std::uint64_t>(week));
  engine::parallel_for_rows(
      councils_.size(),
      [&](std::size_t c) {
        m.for_council_people(static_cast<int>(c), [&](std::size_t i) {
          if (!p.alive[i] || !cells[p.need_band[i] - 1u][age_column(p.age_band[i])]) return;
          auto stream = streams.stream(Market::stream_key(p, i), kNeedClockRedraw);
          schedule_next_review(m, i, week - 1, stream);  // this week is the first it may name
          councils_[c].calendar.file(p.need_review_week[i], p.id[i]);
        });
      },
      1);
}

void add_need_arrivals(Market& m, int c) {
  // People developing need this week join at the next flush.
  const auto& need = m.spec.need;
  const auto& cs = m.spec.councils[static_cast<std::size_t>(c)];
  auto stream = m.rng.stream(static_cast<std::uint64_t>(m.week), static_cast<std::uint64_t>(c), kIncidence);
  boost::random::poisson_distribution<int, double> arrivals(
      std::max(1e-12, cs.adults_thousands * need.incidence_per_1000_adults / 52.0));
  const int n = arrivals(stream);
  const auto first = m.geography.first_locality(c);
  const auto nloc = static_cast<std::uint32_t>(m.geography.locality_count(c));
  for (int k = 0; k < n; ++k)
    m.pending[static_cast<std::size_t>(c)].people.push_back(
        {first + static_cast<std::int32_t>(stream.below(nloc)),
         (static_cast<std::uint64_t>(c) << 32) | static_cast<std::uint64_t>(k)});
}

}  // namespace cm
