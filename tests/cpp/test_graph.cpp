// The CSR graph and its shortest paths (Boost.Graph underneath).
#include <gtest/gtest.h>

#include <cmath>

#include "engine/graph.hpp"

TEST(Graph, ShortestPathsOnASmallGraph) {
  // 0 -5- 1 -5- 2, and a long direct road 0 -20- 2; 3 is isolated.
  engine::SparseGraph g(4, {{0, 1, 5}, {1, 2, 5}, {0, 2, 20}});
  EXPECT_EQ(g.vertex_count(), 4u);
  EXPECT_EQ(g.edge_count(), 3u);
  const auto d = g.distances_from(0);
  EXPECT_FLOAT_EQ(d[0], 0);
  EXPECT_FLOAT_EQ(d[1], 5);
  EXPECT_FLOAT_EQ(d[2], 10);
  EXPECT_TRUE(std::isinf(d[3]));
  const auto all = g.all_pairs_distances();
  EXPECT_FLOAT_EQ(all[2 * 4 + 0], 10);  // symmetric
}

TEST(Graph, RejectsBadEdges) {
  EXPECT_THROW(engine::SparseGraph(2, {{0, 2, 1}}), std::out_of_range);
  EXPECT_THROW(engine::SparseGraph(2, {{0, 1, -1}}), std::invalid_argument);
}
