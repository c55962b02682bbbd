#pragma once
// Struct-of-arrays agent tables with stable ids.
//
// A table is a struct of std::vector columns, one of them `id`, with a member template
// `for_each_column(F f)` that calls f(name, column) for every column. Rows move when dead agents
// are compacted away; ids never change and are never reused, and an IdIndex maps id -> row.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include <tbb/task_group.h>

namespace engine {

using AgentId = std::int32_t;
inline constexpr AgentId kNoAgent = -1;

class IdIndex {
 public:
  AgentId allocate() {
    rows_.push_back(-1);
    return static_cast<AgentId>(rows_.size() - 1);
  }
  void set_row(AgentId id, std::int32_t row) { rows_[static_cast<std::size_t>(id)] = row; }
  void erase(AgentId id) { rows_[static_cast<std::size_t>(id)] = -1; }
  // Row of an agent, or -1 when it was removed (or the id is kNoAgent).
  std::int32_t row_of(AgentId id) const noexcept {
    return id < 0 || static_cast<std::size_t>(id) >= rows_.size() ? -1 : rows_[static_cast<std::size_t>(id)];
  }
  std::size_t ids_issued() const noexcept { return rows_.size(); }

 private:
  std::vector<std::int32_t> rows_;
};

// Number of rows of a table (the length of its id column).
template <class Table>
std::size_t row_count(const Table& table) {
  return table.id.size();
}

// Makes room for `rows` rows in every column, so that appending up to there moves no column.
template <class Table>
void reserve_rows(Table& table, std::size_t rows) {
  table.for_each_column([rows](const char*, auto& column) { column.reserve(rows); });
}

// Appends one default row to every column and gives it a fresh id; returns the new row.
template <class Table>
std::size_t append_row(Table& table, IdIndex& index) {
  const std::size_t row = row_count(table);
  table.for_each_column([](const char*, auto& column) { column.emplace_back(); });
  const AgentId id = index.allocate();
  table.id[row] = id;
  index.set_row(id, static_cast<std::int32_t>(row));
  return row;
}

// Removes the rows whose keep flag is 0, preserving the order of the others, and updates the index.
// Returns the number of rows removed.
template <class Table>
std::size_t compact(Table& table, const std::vector<std::uint8_t>& keep, IdIndex& index) {
  const std::size_t n = row_count(table);
  if (keep.size() != n) throw std::logic_error("compact: keep mask length differs from table length");
  std::size_t kept = 0;
  for (std::size_t row = 0; row < n; ++row) kept += keep[row] != 0;
  if (kept == n) return 0;
  for (std::size_t row = 0; row < n; ++row)
    if (!keep[row]) index.erase(table.id[row]);
  // Columns are independent: compact them in parallel (each column's result is the same).
  tbb::task_group group;
  table.for_each_column([&](const char*, auto& column) {
    group.run([&column, &keep, n] {
      std::size_t out = 0;
      for (std::size_t row = 0; row < n; ++row) {
        if (keep[row]) {
          if (out != row) column[out] = std::move(column[row]);
          ++out;
        }
      }
      column.resize(out);
    });
  });
  group.wait();
  for (std::size_t row = 0; row < kept; ++row) index.set_row(table.id[row], static_cast<std::int32_t>(row));
  return n - kept;
}

}  // namespace engine
