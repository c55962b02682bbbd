#pragma once
// Struct-of-arrays agent tables with stable ids.
//
// A table is a struct of std::vector columns, one of them `id`, with a member template
// `for_each_column(F f)` that calls f(name, column) for every column. Rows move when dead agents
// are removed (engine/grouped_rows.hpp, regroup); ids never change and are never reused, and an
// IdIndex maps id -> row. (A dead agent's row waiting for removal may have lost its id:
// forget_dropped sets it to kNoAgent.)
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
  AgentId allocate() { return allocate_many(1); }
  void set_row(AgentId id, std::int32_t row) { rows_[static_cast<std::size_t>(id)] = row; }
  void erase(AgentId id) {
    if (id != kNoAgent) rows_[static_cast<std::size_t>(id)] = -1;
  }
  // Row of an agent, or -1 when it was removed (or the id is kNoAgent).
  std::int32_t row_of(AgentId id) const noexcept {
    return id < 0 || static_cast<std::size_t>(id) >= rows_.size() ? -1 : rows_[static_cast<std::size_t>(id)];
  }
  // Issues `n` consecutive ids at once (each unplaced until set_row); returns the first.
  AgentId allocate_many(std::size_t n) {
    const auto first = static_cast<AgentId>(rows_.size());
    rows_.resize(rows_.size() + n, -1);
    return first;
  }
  std::size_t ids_issued() const noexcept { return rows_.size(); }
  // Its state, for checkpoints (engine/archive.hpp).
  template <class A>
  void archive(A& a) {
    a(rows_);
  }

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

// Appends `n` default rows to every column and gives them consecutive fresh ids; returns the
// first new row.
template <class Table>
std::size_t append_rows(Table& table, IdIndex& index, std::size_t n) {
  const std::size_t first_row = row_count(table);
  // Many rows at once (a week's new people, a region's starting people) resize the columns in
  // parallel: writing the new rows' default values is most of the cost.
  constexpr std::size_t kParallelFrom = 4096;
  if (n >= kParallelFrom) {
    tbb::task_group group;
    table.for_each_column([&group, size = first_row + n](const char*, auto& column) {
      group.run([&column, size] { column.resize(size); });
    });
    group.wait();
  } else {
    table.for_each_column([n, first_row](const char*, auto& column) { column.resize(first_row + n); });
  }
  const AgentId first_id = index.allocate_many(n);
  for (std::size_t k = 0; k < n; ++k) {
    table.id[first_row + k] = first_id + static_cast<AgentId>(k);
    index.set_row(first_id + static_cast<AgentId>(k), static_cast<std::int32_t>(first_row + k));
  }
  return first_row;
}

// Appends one default row to every column and gives it a fresh id; returns the new row.
template <class Table>
std::size_t append_row(Table& table, IdIndex& index) {
  return append_rows(table, index, 1);
}

}  // namespace engine
