#pragma once
// Councils made of localities and the travel minutes between them, which bound whom a provider
// serves and set its unpaid travel. A council with small areas (real ones: MODEL.md §15) travels by
// distance: great-circle distance between centroids times a road factor, at a speed set by how
// rural the council is. A council without them is a synthetic ring of localities joined by roads
// with random travel times (a Boost.Graph CSR graph), shortest paths between them.
#include <cstdint>
#include <vector>

#include "agents/parameters.hpp"
#include "engine/rng.hpp"

namespace cm {

class Geography {
 public:
  Geography() = default;
  Geography(const ScenarioSpec& spec, const engine::RngRoot& rng);

  int councils() const noexcept { return static_cast<int>(first_.size()); }
  std::int32_t localities() const noexcept { return total_; }
  std::int32_t first_locality(int council) const { return first_[static_cast<std::size_t>(council)]; }
  std::int32_t locality_count(int council) const { return count_[static_cast<std::size_t>(council)]; }
  int council_of(std::int32_t locality) const { return council_of_[static_cast<std::size_t>(locality)]; }
  // Does the council travel by distance (it has small areas)?
  bool by_distance(int council) const { return local_trip_[static_cast<std::size_t>(council)] > 0; }
  // Minutes of a trip between two visits within one small area (0 for a ring council).
  float local_trip(int council) const { return local_trip_[static_cast<std::size_t>(council)]; }
  // Door-to-door speed between visits in the council, km/h (0 for a ring council).
  double speed_kmh(int council) const { return speed_[static_cast<std::size_t>(council)]; }
  // Travel minutes between two localities of the same council (a trip within a small area when
  // a == b in a council travelling by distance).
  float minutes(std::int32_t a, std::int32_t b) const { return minutes_from(a)[b - first_locality(council_of(a))]; }
  // Travel minutes from a locality to every locality of its council, in their order.
  const float* minutes_from(std::int32_t a) const {
    const int c = council_of(a);
    const auto n = static_cast<std::size_t>(count_[static_cast<std::size_t>(c)]);
    return travel_[static_cast<std::size_t>(c)].data() +
           static_cast<std::size_t>(a - first_[static_cast<std::size_t>(c)]) * n;
  }

 private:
  std::int32_t total_ = 0;
  std::vector<std::int32_t> first_, count_;
  std::vector<int> council_of_;
  std::vector<float> local_trip_;
  std::vector<double> speed_;
  std::vector<std::vector<float>> travel_;
};

// Great-circle distance in km between two points given in degrees (haversine, mean Earth radius).
double great_circle_km(double lat1, double lon1, double lat2, double lon2);

}  // namespace cm
