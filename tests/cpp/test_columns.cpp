// Struct-of-arrays tables: appending, stable ids, compaction that keeps order.
#include <gtest/gtest.h>

#include <vector>

#include "engine/columns.hpp"

namespace {
struct Things {
  std::vector<engine::AgentId> id;
  std::vector<float> value;
  std::vector<std::uint8_t> flag;
  template <class F>
  void for_each_column(F&& f) {
    f("id", id);
    f("value", value);
    f("flag", flag);
  }
};
}  // namespace

TEST(Columns, AppendGivesFreshIdsAndRows) {
  Things t;
  engine::IdIndex index;
  for (int i = 0; i < 5; ++i) {
    const auto row = engine::append_row(t, index);
    EXPECT_EQ(row, static_cast<std::size_t>(i));
    t.value[row] = static_cast<float>(i * 10);
  }
  EXPECT_EQ(t.id.size(), 5u);
  EXPECT_EQ(t.value.size(), 5u);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(index.row_of(t.id[static_cast<std::size_t>(i)]), i);
}

TEST(Columns, CompactRemovesRowsKeepsOrderAndIds) {
  Things t;
  engine::IdIndex index;
  for (int i = 0; i < 6; ++i) t.value[engine::append_row(t, index)] = static_cast<float>(i);
  const std::vector<std::uint8_t> keep{1, 0, 1, 1, 0, 1};
  EXPECT_EQ(engine::compact(t, keep, index), 2u);
  ASSERT_EQ(t.id.size(), 4u);
  EXPECT_EQ(t.value, (std::vector<float>{0, 2, 3, 5}));
  EXPECT_EQ(index.row_of(1), -1);
  EXPECT_EQ(index.row_of(4), -1);
  EXPECT_EQ(index.row_of(5), 3);
  EXPECT_EQ(index.row_of(2), 1);
  // New ids continue after the old ones, never reused.
  const auto row = engine::append_row(t, index);
  EXPECT_EQ(t.id[row], 6);
}

TEST(Columns, CompactRejectsWrongMaskLength) {
  Things t;
  engine::IdIndex index;
  engine::append_row(t, index);
  EXPECT_THROW(engine::compact(t, std::vector<std::uint8_t>{1, 1}, index), std::logic_error);
}

TEST(Columns, RowOfUnknownIdsIsMinusOne) {
  engine::IdIndex index;
  EXPECT_EQ(index.row_of(engine::kNoAgent), -1);
  EXPECT_EQ(index.row_of(12345), -1);
}
