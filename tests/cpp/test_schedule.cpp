// engine/schedule.hpp on a toy model: the order in which phases and hooks run, fused and not,
// and that a block of row phases reads each table once per group.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/schedule.hpp"

namespace {

// Two groups, each with rows of two tables; the context records every call.
struct Toy {
  std::vector<std::vector<int>> a{{0, 1, 2}, {3, 4}};  // table A: rows of each group
  std::vector<std::vector<int>> b{{0, 1}, {2}};        // table B
  std::vector<double> a_values = std::vector<double>(5, 1.0);
  std::vector<double> b_values = std::vector<double>(3, 1.0);
  std::vector<std::string> log;  // only written with one thread
  int a_loops = 0, b_loops = 0;
};

struct TableA {
  template <class Fn>
  static void for_each(Toy& t, int g, Fn&& fn) {
    ++t.a_loops;
    for (int row : t.a[static_cast<std::size_t>(g)]) fn(static_cast<std::size_t>(row));
  }
  static std::size_t view(const Toy&, std::size_t row) { return row; }
};
struct TableB {
  template <class Fn>
  static void for_each(Toy& t, int g, Fn&& fn) {
    ++t.b_loops;
    for (int row : t.b[static_cast<std::size_t>(g)]) fn(static_cast<std::size_t>(row));
  }
  static std::size_t view(const Toy&, std::size_t row) { return row; }
};

// A hook that doubles its table's values and sums them in its state, logging each call.
template <class TableTag, char Name>
struct Hook {
  using Table = TableTag;
  struct State {
    double sum = 0;
  };
  State begin(Toy& t, int g) const {
    t.log.push_back(std::string("begin ") + Name + std::to_string(g));
    return {};
  }
  void row(Toy& t, State& s, std::size_t row) const {
    auto& values = std::is_same_v<Table, TableA> ? t.a_values : t.b_values;
    values[row] *= 2;
    s.sum += values[row];
    t.log.push_back(std::string("row ") + Name + std::to_string(row));
  }
  void end(Toy& t, int g, State& s) const {
    t.log.push_back(std::string("end ") + Name + std::to_string(g) + "=" + std::to_string(static_cast<int>(s.sum)));
  }
};

constexpr engine::Schedule kToy{
    engine::step("first", [](Toy& t) { t.log.push_back("step first"); }),
    engine::group("market", [](Toy& t, int g) { t.log.push_back("market " + std::to_string(g)); }),
    engine::rows("x", Hook<TableA, 'x'>{}),
    engine::rows("y", Hook<TableB, 'y'>{}),
    engine::rows("z", Hook<TableA, 'z'>{}),
    engine::step("last", [](Toy& t) { t.log.push_back("step last"); }),
};

std::vector<std::string> run(bool fused) {
  engine::ThreadLimit one(1);  // the log is written from one thread
  Toy toy;
  if (fused)
    kToy.run(toy, 2);
  else
    kToy.run_reference(toy, 2);
  return toy.log;
}

}  // namespace

TEST(Schedule, ReferenceRunsEachPhaseForEveryGroupAsWritten) {
  const std::vector<std::string> expected{"step first", "market 0", "market 1", "begin x0", "row x0",   "row x1",
                                          "row x2",     "end x0=6", "begin x1", "row x3",   "row x4",   "end x1=4",
                                          "begin y0",   "row y0",   "row y1",   "end y0=4", "begin y1", "row y2",
                                          "end y1=2",   "begin z0", "row z0",   "row z1",   "row z2",   "end z0=12",
                                          "begin z1",   "row z3",   "row z4",   "end z1=8", "step last"};
  EXPECT_EQ(run(false), expected);
}

TEST(Schedule, FusedBlockRunsBeginsThenOneLoopPerTableThenEnds) {
  // Group by group; within a group: the market phase, then every begin, table A's loop with hooks
  // x and z on each row, table B's loop, then every end.
  const std::vector<std::string> expected{"step first", "market 0", "begin x0", "begin y0",  "begin z0", "row x0",
                                          "row z0",     "row x1",   "row z1",   "row x2",    "row z2",   "row y0",
                                          "row y1",     "end x0=6", "end y0=4", "end z0=12", "market 1", "begin x1",
                                          "begin y1",   "begin z1", "row x3",   "row z3",    "row x4",   "row z4",
                                          "row y2",     "end x1=4", "end y1=2", "end z1=8",  "step last"};
  EXPECT_EQ(run(true), expected);
}

TEST(Schedule, FusedBlockReadsEachTableOncePerGroup) {
  engine::ThreadLimit one(1);
  Toy fused, reference;
  kToy.run(fused, 2);
  kToy.run_reference(reference, 2);
  EXPECT_EQ(fused.a_loops, 2);  // x and z share one loop per group
  EXPECT_EQ(fused.b_loops, 2);
  EXPECT_EQ(reference.a_loops, 4);                // one per hook per group
  EXPECT_EQ(fused.a_values, reference.a_values);  // hooks on one row commute with other rows' hooks here
  EXPECT_EQ(fused.b_values, reference.b_values);
}

TEST(Schedule, DescribesItsPhases) {
  const auto phases = kToy.describe();
  ASSERT_EQ(phases.size(), 6u);
  EXPECT_EQ(phases[0].first, "first");
  EXPECT_EQ(phases[0].second, "step");
  EXPECT_EQ(phases[1].second, "group");
  EXPECT_EQ(phases[2].second, "rows");
}
