#include "agents/geography.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "agents/types.hpp"
#include "engine/graph.hpp"

namespace cm {

double great_circle_km(double lat1, double lon1, double lat2, double lon2) {
  constexpr double kEarthRadiusKm = 6371.0088;  // IUGG mean radius
  constexpr double kRadians = std::numbers::pi / 180.0;
  const double dlat = (lat2 - lat1) * kRadians, dlon = (lon2 - lon1) * kRadians;
  const double h = std::sin(dlat / 2) * std::sin(dlat / 2) +
                   std::cos(lat1 * kRadians) * std::cos(lat2 * kRadians) * std::sin(dlon / 2) * std::sin(dlon / 2);
  return 2 * kEarthRadiusKm * std::asin(std::min(1.0, std::sqrt(h)));
}

namespace {

// The speed of a council of `density` adults per km2: the rural speed at or below rural_density,
// the urban one at or above urban_density, log-linear in density between them.
double speed_at(const ScenarioSpec::Geography& g, double density) {
  const double lo = std::log(g.rural_density), hi = std::log(g.urban_density);
  const double t = std::clamp((std::log(std::max(density, 1e-9)) - lo) / (hi - lo), 0.0, 1.0);
  return g.rural_speed_kmh + t * (g.urban_speed_kmh - g.rural_speed_kmh);
}

// A ring of neighbouring localities plus random chords: connected, with short and long trips.
std::vector<float> ring_travel(const ScenarioSpec::Geography& g, std::uint32_t n, engine::Stream& stream) {
  auto minutes = [&] {
    return static_cast<float>(g.edge_minutes_min + stream.uniform() * (g.edge_minutes_max - g.edge_minutes_min));
  };
  std::vector<engine::WeightedEdge> edges;
  if (n > 1)
    for (std::uint32_t i = 0; i < n; ++i) {
      if (n == 2 && i == 1) break;
      edges.push_back({i, (i + 1) % n, minutes()});
    }
  const auto extra = static_cast<std::uint32_t>(g.extra_edges_per_locality * n);
  const auto chord_factor = static_cast<float>(g.chord_length_factor);
  for (std::uint32_t e = 0; e < extra && n > 3; ++e) {
    const std::uint32_t a = stream.below(n), b = stream.below(n);
    if (a != b) edges.push_back({a, b, minutes() * chord_factor});
  }
  return engine::SparseGraph(n, edges).all_pairs_distances();
}

}  // namespace

Geography::Geography(const ScenarioSpec& spec, const engine::RngRoot& rng) {
  const auto& g = spec.geography;
  for (std::size_t c = 0; c < spec.councils.size(); ++c) {
    const auto& cs = spec.councils[c];
    const auto n = static_cast<std::uint32_t>(cs.localities);
    first_.push_back(total_);
    count_.push_back(static_cast<std::int32_t>(n));
    for (std::uint32_t i = 0; i < n; ++i) council_of_.push_back(static_cast<int>(c));
    total_ += static_cast<std::int32_t>(n);
    auto stream = rng.stream(0, c, kBuildGeography);
    if (cs.areas.empty()) {
      travel_.push_back(ring_travel(g, n, stream));
      local_trip_.push_back(0);
      speed_.push_back(0);
      continue;
    }
    // By distance. Each small area is taken as a square of the council's area over its areas; two
    // visits within one are the mean distance between two points of a square apart (0.5214 of its
    // side), and no trip between areas is shorter than that.
    const double speed = speed_at(g, cs.adults_thousands * 1000 / cs.area_km2);
    const double minutes_per_km = g.road_factor * 60.0 / speed;
    const auto local = static_cast<float>(0.5214 * std::sqrt(cs.area_km2 / n) * minutes_per_km);
    std::vector<float> travel(static_cast<std::size_t>(n) * n);
    for (std::uint32_t a = 0; a < n; ++a)
      for (std::uint32_t b = 0; b < n; ++b) {
        const double km = a == b ? 0.0
                                 : great_circle_km(cs.area_latitudes[a], cs.area_longitudes[a], cs.area_latitudes[b],
                                                   cs.area_longitudes[b]);
        travel[static_cast<std::size_t>(a) * n + b] = std::max(local, static_cast<float>(km * minutes_per_km));
      }
    travel_.push_back(std::move(travel));
    local_trip_.push_back(local);
    speed_.push_back(speed);
  }
}

}  // namespace cm
