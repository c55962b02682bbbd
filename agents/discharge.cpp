// MODEL.md §18 — hospital discharge and reablement (see discharge.hpp).
#include "agents/discharge.hpp"

#include <algorithm>
#include <cmath>

#include <boost/random/poisson_distribution.hpp>

#include "agents/placement_book.hpp"

namespace cm {

std::int64_t reablement_places(const Market& m, int c) {
  const auto& cs = m.spec.councils[static_cast<std::size_t>(c)];
  return std::llround(cs.adults_thousands * 1000.0 * m.spec.discharge.reablement_places_per_100k_adults / 1e5);
}

void end_reablement(Market& m, DischargeState& s, PlacementBook& placements, int c) {
  auto& episodes = s.councils[static_cast<std::size_t>(c)].reablement;
  auto& p = m.people;
  auto& counts = m.counts[static_cast<std::size_t>(c)];
  const auto week = static_cast<std::int32_t>(m.week);
  std::size_t kept = 0;
  for (const auto& e : episodes) {
    const auto row = m.people_index.row_of(e.person);
    if (row < 0 || !p.alive[static_cast<std::size_t>(row)]) continue;  // died or moved to residential care
    const auto i = static_cast<std::size_t>(row);
    if (e.end_week > week) {
      // The council's service meets their need until the episode ends: a need review this week
      // (which withdrew them from matching's book) set their formal need again.
      p.need_hours[i] = 0;
      episodes[kept++] = e;
      continue;
    }
    placements.withdraw(m, i);  // their need changes: matching reviews them this week
    p.hospital[i] = static_cast<std::uint8_t>(Hospital::home);
    auto stream = m.rng.stream(static_cast<std::uint64_t>(m.week), Market::stream_key(p, i), kReablement);
    if (stream.bernoulli(m.spec.discharge.reablement_success)) {
      counts.reablement_independent += 1;
      m.depart_person(c, i);  // independent again: no longer needs care
    } else {
      p.need_hours[i] = m.formal_need(p.need_band[i], p.ties[i]);  // a package at home, from matching
    }
  }
  episodes.resize(kept);
}

void add_discharge_referrals(Market& m, int c) {
  const double rate = m.spec.need.discharge_per_1000_adults;
  if (rate <= 0) return;  // no stream: no draw, so the other rules' numbers are as without it
  const auto& cs = m.spec.councils[static_cast<std::size_t>(c)];
  auto stream = m.rng.stream(static_cast<std::uint64_t>(m.week), static_cast<std::uint64_t>(c), kDischarge);
  boost::random::poisson_distribution<int, double> referrals(std::max(1e-12, cs.adults_thousands * rate / 52.0));
  const int n = referrals(stream);
  const auto first = m.geography.first_locality(c);
  const auto nloc = static_cast<std::uint32_t>(m.geography.locality_count(c));
  // Draw keys apart from those of the people developing need at home (need.cpp: council << 32 | k).
  constexpr std::uint64_t kReferralKey = std::uint64_t{1} << 31;
  for (int k = 0; k < n; ++k)
    m.pending[static_cast<std::size_t>(c)].people.push_back(
        {first + static_cast<std::int32_t>(stream.below(nloc)),
         (static_cast<std::uint64_t>(c) << 32) | kReferralKey | static_cast<std::uint64_t>(k), true});
  m.counts[static_cast<std::size_t>(c)].discharge_referrals += n;
}

void admit_referrals(Market& m, DischargeState& s, int c) {
  if (m.spec.need.discharge_per_1000_adults <= 0) return;
  auto& council = s.councils[static_cast<std::size_t>(c)];
  auto& p = m.people;
  const auto places = reablement_places(m, c);
  const auto weeks = static_cast<std::int32_t>(m.spec.discharge.reablement_weeks);
  m.rows.people.for_each_appended_since(m.people_mark, c, [&](std::size_t i) {
    if (!p.alive[i] || static_cast<Hospital>(p.hospital[i]) != Hospital::awaiting_package) return;
    if (static_cast<Route>(p.route[i]) == Route::none || p.need_hours[i] <= 0) {
      p.hospital[i] = static_cast<std::uint8_t>(Hospital::home);
      return;
    }
    if (static_cast<std::int64_t>(council.reablement.size()) < places) {
      // In reablement the council's own service meets their need: no package, not waiting.
      p.hospital[i] = static_cast<std::uint8_t>(Hospital::reablement);
      p.need_hours[i] = 0;
      council.reablement.push_back({p.id[i], static_cast<std::int32_t>(m.week) + weeks});
    } else {
      council.awaiting.push_back(p.id[i]);
    }
  });
  m.commissioners[static_cast<std::size_t>(c)].people_in_hospital = static_cast<std::int64_t>(council.awaiting.size());
}

void count_discharges(Market& m, DischargeState& s, int c) {
  auto& council = s.councils[static_cast<std::size_t>(c)];
  auto& p = m.people;
  auto& counts = m.counts[static_cast<std::size_t>(c)];
  std::size_t kept = 0;
  for (const auto& e : council.reablement) {
    const auto row = m.people_index.row_of(e.person);
    if (row >= 0 && p.alive[static_cast<std::size_t>(row)]) council.reablement[kept++] = e;
  }
  council.reablement.resize(kept);
  kept = 0;
  for (const auto id : council.awaiting) {
    const auto row = m.people_index.row_of(id);
    if (row < 0 || !p.alive[static_cast<std::size_t>(row)]) continue;
    const auto i = static_cast<std::size_t>(row);
    // Placed, or no longer in need of a package (their need or route changed): home.
    if (p.provider[i] != engine::kNoAgent || p.need_hours[i] <= 0 || static_cast<Route>(p.route[i]) == Route::none) {
      p.hospital[i] = static_cast<std::uint8_t>(Hospital::home);
      continue;
    }
    council.awaiting[kept++] = id;
  }
  council.awaiting.resize(kept);
  m.commissioners[static_cast<std::size_t>(c)].people_in_hospital = static_cast<std::int64_t>(kept);
  counts.discharge_delayed = static_cast<double>(kept);
  counts.reablement_people = static_cast<double>(council.reablement.size());
  counts.reablement_spend = counts.reablement_people * m.spec.discharge.reablement_cost_per_week;
}

}  // namespace cm
