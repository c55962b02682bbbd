#include "engine/graph.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <utility>

#include <boost/graph/compressed_sparse_row_graph.hpp>
#include <boost/graph/dijkstra_shortest_paths.hpp>

namespace engine {
namespace {
struct EdgeProps {
  float minutes;
};
using Csr = boost::compressed_sparse_row_graph<boost::directedS, boost::no_property, EdgeProps, boost::no_property,
                                               std::uint32_t, std::uint32_t>;
}  // namespace

SparseGraph::SparseGraph(std::uint32_t vertices, const std::vector<WeightedEdge>& edges) : vertices_(vertices) {
  std::vector<std::pair<std::uint32_t, std::uint32_t>> pairs;
  std::vector<EdgeProps> props;
  pairs.reserve(edges.size() * 2);
  props.reserve(edges.size() * 2);
  for (const auto& e : edges) {
    if (e.from >= vertices || e.to >= vertices) throw std::out_of_range("SparseGraph: edge endpoint out of range");
    if (!(e.weight >= 0)) throw std::invalid_argument("SparseGraph: negative or NaN edge weight");
    pairs.emplace_back(e.from, e.to);
    props.push_back({e.weight});
    pairs.emplace_back(e.to, e.from);
    props.push_back({e.weight});
  }
  Csr csr(boost::edges_are_unsorted_multi_pass, pairs.begin(), pairs.end(), props.begin(), vertices);
  offsets_.assign(vertices + 1, 0);
  targets_.reserve(pairs.size());
  weights_.reserve(pairs.size());
  for (std::uint32_t v = 0; v < vertices; ++v) {
    offsets_[v] = static_cast<std::uint32_t>(targets_.size());
    auto [begin, end] = boost::out_edges(v, csr);
    for (auto it = begin; it != end; ++it) {
      targets_.push_back(static_cast<std::uint32_t>(boost::target(*it, csr)));
      weights_.push_back(csr[*it].minutes);
    }
  }
  offsets_[vertices] = static_cast<std::uint32_t>(targets_.size());
}

std::vector<float> SparseGraph::distances_from(std::uint32_t source) const {
  if (source >= vertices_) throw std::out_of_range("SparseGraph: source out of range");
  std::vector<std::pair<std::uint32_t, std::uint32_t>> pairs;
  std::vector<EdgeProps> props;
  pairs.reserve(targets_.size());
  props.reserve(targets_.size());
  for (std::uint32_t v = 0; v < vertices_; ++v)
    for (std::uint32_t k = offsets_[v]; k < offsets_[v + 1]; ++k) {
      pairs.emplace_back(v, targets_[k]);
      props.push_back({weights_[k]});
    }
  Csr csr(boost::edges_are_sorted, pairs.begin(), pairs.end(), props.begin(), vertices_);
  std::vector<float> dist(vertices_, std::numeric_limits<float>::infinity());
  boost::dijkstra_shortest_paths(
      csr, source,
      boost::weight_map(boost::get(&EdgeProps::minutes, csr))
          .distance_map(boost::make_iterator_property_map(dist.begin(), boost::get(boost::vertex_index, csr)))
          .distance_inf(std::numeric_limits<float>::infinity()));
  return dist;
}

std::vector<float> SparseGraph::all_pairs_distances() const {
  std::vector<float> matrix(static_cast<std::size_t>(vertices_) * vertices_);
  for (std::uint32_t s = 0; s < vertices_; ++s) {
    const auto row = distances_from(s);
    std::copy(row.begin(), row.end(), matrix.begin() + static_cast<std::ptrdiff_t>(s) * vertices_);
  }
  return matrix;
}

}  // namespace engine
