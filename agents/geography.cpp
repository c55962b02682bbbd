#include "agents/geography.hpp"

#include "agents/types.hpp"

namespace cm {

Geography::Geography(const ScenarioSpec& spec, const engine::RngRoot& rng) {
  const auto& g = spec.geography;
  for (std::size_t c = 0; c < spec.councils.size(); ++c) {
    const auto n = static_cast<std::uint32_t>(spec.councils[c].localities);
    first_.push_back(total_);
    count_.push_back(static_cast<std::int32_t>(n));
    for (std::uint32_t i = 0; i < n; ++i) council_of_.push_back(static_cast<int>(c));
    total_ += static_cast<std::int32_t>(n);
    // A ring of neighbouring localities plus random chords: connected, with short and long trips.
    auto stream = rng.stream(0, c, kBuildGeography);
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
    roads_.emplace_back(n, edges);
    travel_.push_back(roads_.back().all_pairs_distances());
  }
}

}  // namespace cm
