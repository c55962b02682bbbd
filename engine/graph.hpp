#pragma once
// Weighted undirected graphs stored as compressed sparse rows (Boost.Graph), with shortest-path
// distances. Used for the locality graph (weights = travel minutes) and for social networks.
#include <cstdint>
#include <vector>

namespace engine {

struct WeightedEdge {
  std::uint32_t from;
  std::uint32_t to;
  float weight;
};

class SparseGraph {
 public:
  SparseGraph() = default;
  // Builds an undirected graph: every edge is stored in both directions.
  SparseGraph(std::uint32_t vertices, const std::vector<WeightedEdge>& edges);

  std::uint32_t vertex_count() const noexcept { return vertices_; }
  std::size_t edge_count() const noexcept { return targets_.size() / 2; }
  // Neighbours of v as [begin, end) offsets into targets()/weights().
  std::uint32_t neighbours_begin(std::uint32_t v) const { return offsets_[v]; }
  std::uint32_t neighbours_end(std::uint32_t v) const { return offsets_[v + 1]; }
  const std::vector<std::uint32_t>& targets() const noexcept { return targets_; }
  const std::vector<float>& weights() const noexcept { return weights_; }

  // Shortest-path distance from `source` to every vertex (Dijkstra); +inf when unreachable.
  std::vector<float> distances_from(std::uint32_t source) const;
  // Dense all-pairs distance matrix, row-major; meant for small graphs (a council's localities).
  std::vector<float> all_pairs_distances() const;

 private:
  std::uint32_t vertices_ = 0;
  std::vector<std::uint32_t> offsets_;
  std::vector<std::uint32_t> targets_;
  std::vector<float> weights_;
};

}  // namespace engine
