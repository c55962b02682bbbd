// Tables kept grouped by a key: sorting a table built in any order, runs appended in key order,
// visiting order, and the regroup that folds runs in and drops dead rows.
#include <gtest/gtest.h>

#include <vector>

#include "engine/grouped_rows.hpp"

namespace {
struct Things {
  std::vector<engine::AgentId> id;
  std::vector<std::int16_t> group;
  std::vector<float> value;
  template <class F>
  void for_each_column(F&& f) {
    f("id", id);
    f("group", group);
    f("value", value);
  }
};

std::size_t add(Things& t, engine::IdIndex& index, std::int16_t group, float value) {
  const auto row = engine::append_row(t, index);
  t.group[row] = group;
  t.value[row] = value;
  return row;
}

std::vector<float> values_of(const Things& t, const engine::GroupedRows& rows, int g) {
  std::vector<float> out;
  rows.for_each(g, [&](std::size_t row) { out.push_back(t.value[row]); });
  return out;
}
}  // namespace

TEST(GroupedRows, GroupByKeySortsStablyAndKeepsIds) {
  Things t, spare;
  engine::IdIndex index;
  const std::vector<std::int16_t> groups{2, 0, 1, 0, 2, 1};
  for (std::size_t k = 0; k < groups.size(); ++k) add(t, index, groups[k], static_cast<float>(k));
  engine::GroupedRows rows;
  engine::group_by_key(t, spare, t.group, 3, index, rows);
  EXPECT_EQ(t.group, (std::vector<std::int16_t>{0, 0, 1, 1, 2, 2}));
  EXPECT_EQ(values_of(t, rows, 0), (std::vector<float>{1, 3}));
  EXPECT_EQ(values_of(t, rows, 1), (std::vector<float>{2, 5}));
  EXPECT_EQ(values_of(t, rows, 2), (std::vector<float>{0, 4}));
  for (std::size_t row = 0; row < t.id.size(); ++row)
    EXPECT_EQ(index.row_of(t.id[row]), static_cast<std::int32_t>(row));
}

TEST(GroupedRows, AppendedRunsAreVisitedAfterTheBodyThenRegroupedInOrder) {
  Things t, spare;
  engine::IdIndex index;
  for (std::int16_t g = 0; g < 3; ++g)
    for (int k = 0; k < 2; ++k) add(t, index, g, static_cast<float>(10 * g + k));
  engine::GroupedRows rows;
  engine::group_by_key(t, spare, t.group, 3, index, rows);
  // One batch: one row for group 0, none for 1, two for group 2.
  const auto first = t.id.size();
  add(t, index, 0, 2);
  add(t, index, 2, 22);
  add(t, index, 2, 23);
  rows.append_run(first, {1, 0, 2});
  EXPECT_EQ(rows.appended_runs(), 1u);
  EXPECT_EQ(values_of(t, rows, 0), (std::vector<float>{0, 1, 2}));
  EXPECT_EQ(values_of(t, rows, 1), (std::vector<float>{10, 11}));
  EXPECT_EQ(values_of(t, rows, 2), (std::vector<float>{20, 21, 22, 23}));
  EXPECT_EQ(rows.appended_rows(), 3u);

  // Drop the rows with values 1 and 22; the rest keep their order within each group.
  std::vector<std::uint8_t> keep(t.id.size(), 1);
  const auto dropped_a = t.id[1], dropped_b = t.id[7];
  keep[1] = 0;
  keep[7] = 0;
  EXPECT_EQ(engine::regroup(t, spare, keep, index, rows), 2u);
  EXPECT_EQ(rows.appended_runs(), 0u);
  EXPECT_EQ(t.value, (std::vector<float>{0, 2, 10, 11, 20, 21, 23}));
  EXPECT_EQ(t.group, (std::vector<std::int16_t>{0, 0, 1, 1, 2, 2, 2}));
  EXPECT_EQ(index.row_of(dropped_a), -1);
  EXPECT_EQ(index.row_of(dropped_b), -1);
  for (std::size_t row = 0; row < t.id.size(); ++row)
    EXPECT_EQ(index.row_of(t.id[row]), static_cast<std::int32_t>(row));
  // New ids continue after the old ones, never reused.
  EXPECT_EQ(t.id[engine::append_row(t, index)], 9);
}

TEST(GroupedRows, ForgetDroppedUnindexesWithoutMovingAndMarksSeparateBatches) {
  Things t, spare;
  engine::IdIndex index;
  for (std::int16_t g = 0; g < 2; ++g)
    for (int k = 0; k < 3; ++k) add(t, index, g, static_cast<float>(10 * g + k));
  engine::GroupedRows rows;
  engine::group_by_key(t, spare, t.group, 2, index, rows);
  auto first = t.id.size();
  add(t, index, 1, 13);
  rows.append_run(first, {0, 1});
  const auto mark = rows.mark();
  first = t.id.size();
  add(t, index, 0, 3);
  rows.append_run(first, {1, 0});
  std::vector<float> since_mark;
  for (int g = 0; g < 2; ++g)
    rows.for_each_appended_since(mark, g, [&](std::size_t row) { since_mark.push_back(t.value[row]); });
  EXPECT_EQ(since_mark, (std::vector<float>{3}));

  std::vector<std::uint8_t> keep(t.id.size(), 1);
  keep[1] = keep[6] = 0;  // values 1 and 13
  const auto before = t.value;
  const auto forgotten_a = t.id[1], forgotten_b = t.id[6];
  EXPECT_EQ(engine::forget_dropped(t, keep, index, rows), 2u);
  EXPECT_EQ(t.value, before);  // no row moved
  EXPECT_FALSE(engine::indexed(t, 1));
  EXPECT_FALSE(engine::indexed(t, 6));
  EXPECT_EQ(index.row_of(forgotten_a), -1);
  EXPECT_EQ(index.row_of(forgotten_b), -1);
  for (std::size_t row : {0u, 2u, 3u, 4u, 5u, 7u}) {
    EXPECT_TRUE(engine::indexed(t, row)) << row;
    EXPECT_EQ(index.row_of(t.id[row]), static_cast<std::int32_t>(row));
  }
  EXPECT_EQ(engine::forget_dropped(t, keep, index, rows), 2u);  // forgetting again changes nothing
  // The regroup that follows drops the same rows and keeps the visiting order.
  EXPECT_EQ(engine::regroup(t, spare, keep, index, rows), 2u);
  EXPECT_EQ(t.value, (std::vector<float>{0, 2, 3, 10, 11, 12}));
  for (std::size_t row = 0; row < t.id.size(); ++row)
    EXPECT_EQ(index.row_of(t.id[row]), static_cast<std::int32_t>(row));
}

TEST(GroupedRows, RegroupOfAGroupedTableWithNothingToDropChangesNothing) {
  Things t, spare;
  engine::IdIndex index;
  for (std::int16_t g = 0; g < 2; ++g) add(t, index, g, g);
  engine::GroupedRows rows;
  engine::group_by_key(t, spare, t.group, 2, index, rows);
  EXPECT_EQ(engine::regroup(t, spare, std::vector<std::uint8_t>(2, 1), index, rows), 0u);
  EXPECT_EQ(t.value, (std::vector<float>{0, 1}));
}

TEST(GroupedRows, RejectsBadInput) {
  Things t, spare;
  engine::IdIndex index;
  add(t, index, 5, 0);
  engine::GroupedRows rows;
  EXPECT_THROW(engine::group_by_key(t, spare, t.group, 3, index, rows), std::logic_error);
  EXPECT_THROW(rows.append_run(0, {1}), std::logic_error);
  t.group[0] = 0;
  engine::group_by_key(t, spare, t.group, 1, index, rows);
  EXPECT_THROW(rows.append_run(1, {1, 1}), std::logic_error);
  EXPECT_THROW(engine::regroup(t, spare, std::vector<std::uint8_t>(3, 1), index, rows), std::logic_error);
}

// forget_dropped skips eight kept rows at a time: every dropped row must still be found, wherever
// it sits against those blocks and the group boundaries, and any nonzero flag means "kept".
TEST(GroupedRows, ForgetDroppedFindsEveryDroppedRowOfLongGroups) {
  Things t, spare;
  engine::IdIndex index;
  const std::int16_t groups = 3;
  for (std::int16_t g = 0; g < groups; ++g)
    for (int k = 0; k < 100 + 7 * g; ++k) add(t, index, g, static_cast<float>(k));
  engine::GroupedRows rows;
  engine::group_by_key(t, spare, t.group, groups, index, rows);
  const auto first = t.id.size();
  for (std::int16_t g = 0; g < groups; ++g)
    for (int k = 0; k < 11; ++k) add(t, index, g, 1000.0f + static_cast<float>(k));
  rows.append_run(first, {11, 11, 11});
  std::vector<std::uint8_t> keep(t.id.size());
  std::size_t expected = 0;
  for (std::size_t row = 0; row < keep.size(); ++row) {
    // Dropped rows at irregular places (first and last rows, block edges, neighbours).
    const bool drop = row == 0 || row % 13 == 7 || row % 29 == 8 || row + 1 == keep.size() || row == 100 || row == 101;
    keep[row] = drop ? 0 : static_cast<std::uint8_t>(1 + row % 255);
    expected += drop;
  }
  const auto ids = t.id;
  EXPECT_EQ(engine::forget_dropped(t, keep, index, rows), expected);
  for (std::size_t row = 0; row < keep.size(); ++row) {
    EXPECT_EQ(engine::indexed(t, row), keep[row] != 0) << "row " << row;
    EXPECT_EQ(index.row_of(ids[row]), keep[row] ? static_cast<std::int32_t>(row) : -1) << "row " << row;
  }
}

// copy_runs copies short runs in whole 64-byte blocks that may spill into the next runs' rows (and
// past the last kept row), and a run near the end of the source exactly. Every row must end up
// as a plain row-by-row copy would leave it, for every column width, whatever the run lengths.
TEST(GroupedRows, CopyingRunsInBlocksEqualsCopyingRowByRow) {
  auto check = [](auto value_of, std::size_t n, std::uint32_t seed, int keep_one_in) {
    using T = decltype(value_of(std::size_t{0}));
    std::vector<T> in(n);
    for (std::size_t i = 0; i < n; ++i) in[i] = value_of(i);
    std::vector<engine::detail::RowRun> runs;
    std::vector<T> expected;
    std::uint32_t state = seed;
    for (std::size_t i = 0; i < n; ++i) {
      state = state * 1664525u + 1013904223u;  // a small LCG: the test needs no quality
      if ((state >> 16) % static_cast<std::uint32_t>(keep_one_in) == 0) continue;  // dropped
      engine::detail::add_to_runs(runs, static_cast<std::int32_t>(i), static_cast<std::int32_t>(expected.size()));
      expected.push_back(in[i]);
    }
    std::vector<T> out(3, T{});  // a spare with rows of its own, as a regroup's is
    out.reserve(expected.size() + 1024);
    engine::detail::copy_runs(in, out, runs, expected.size());
    EXPECT_EQ(out, expected) << "width " << sizeof(T) << ", n " << n << ", one in " << keep_one_in << " dropped";
  };
  for (std::size_t n : {0, 1, 5, 63, 64, 65, 200, 5000})
    for (int one_in : {2, 3, 16, 100000}) {
      check([](std::size_t i) { return static_cast<std::uint8_t>(i * 7); }, n, 1u, one_in);
      check([](std::size_t i) { return static_cast<std::int16_t>(i * 13); }, n, 2u, one_in);
      check([](std::size_t i) { return static_cast<float>(i) * 0.5f; }, n, 3u, one_in);
      check([](std::size_t i) { return static_cast<double>(i) * 0.25; }, n, 4u, one_in);
    }
}
