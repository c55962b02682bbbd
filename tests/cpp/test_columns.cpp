// Struct-of-arrays tables: appending and stable ids (removal that keeps order: test_grouped_rows.cpp).
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

TEST(Columns, RowOfUnknownIdsIsMinusOne) {
  engine::IdIndex index;
  EXPECT_EQ(index.row_of(engine::kNoAgent), -1);
  EXPECT_EQ(index.row_of(12345), -1);
}
