#pragma once
// Councils made of localities; localities joined by roads with travel-minute weights (a Boost.Graph
// CSR graph per council), and the travel-time matrix that bounds which providers serve whom.
#include <cstdint>
#include <vector>

#include "agents/parameters.hpp"
#include "engine/graph.hpp"
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
  // Travel minutes between two localities of the same council.
  float minutes(std::int32_t a, std::int32_t b) const {
    const int c = council_of(a);
    const auto n = static_cast<std::size_t>(count_[static_cast<std::size_t>(c)]);
    const auto ia = static_cast<std::size_t>(a - first_[static_cast<std::size_t>(c)]);
    const auto ib = static_cast<std::size_t>(b - first_[static_cast<std::size_t>(c)]);
    return travel_[static_cast<std::size_t>(c)][ia * n + ib];
  }
  // Travel minutes from a locality to every locality of its council, in their order.
  const float* minutes_from(std::int32_t a) const {
    const int c = council_of(a);
    const auto n = static_cast<std::size_t>(count_[static_cast<std::size_t>(c)]);
    return travel_[static_cast<std::size_t>(c)].data() +
           static_cast<std::size_t>(a - first_[static_cast<std::size_t>(c)]) * n;
  }
  const engine::SparseGraph& roads(int council) const { return roads_[static_cast<std::size_t>(council)]; }

 private:
  std::int32_t total_ = 0;
  std::vector<std::int32_t> first_, count_;
  std::vector<int> council_of_;
  std::vector<engine::SparseGraph> roads_;
  std::vector<std::vector<float>> travel_;
};

}  // namespace cm
