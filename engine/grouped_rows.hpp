#pragma once
// Rows of a table grouped by a small integer key (a region, a market, ...), kept contiguous.
//
// After regroup() the table is sorted by key, each group a run of rows [begin, end), so a loop
// over one group reads memory in order and needs no row list. Rows appended since (append_run,
// one run per batch, each batch itself sorted by key) are visited after the group's body, so
// rows of a group are always visited in ascending row order. regroup() folds the appended runs
// in and drops dead rows in one gather, keeping every group's rows in the same relative order.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <type_traits>
#include <vector>

#include <tbb/task_group.h>

#include "engine/columns.hpp"
#include "engine/parallel.hpp"

namespace engine {

class GroupedRows {
 public:
  // Offsets of a table already sorted by key: group g owns rows [offsets[g], offsets[g+1]).
  void reset(std::vector<std::int32_t> offsets) {
    runs_.clear();
    runs_.push_back(std::move(offsets));
  }
  // Rows appended as one batch in key order: counts[g] rows of group g, starting at row `first`.
  void append_run(std::size_t first, const std::vector<std::int32_t>& counts) {
    if (runs_.empty()) throw std::logic_error("GroupedRows: append_run before reset");
    if (counts.size() + 1 != runs_.front().size())
      throw std::logic_error("GroupedRows: append_run with the wrong group count");
    std::int32_t total = 0;
    for (auto n : counts) total += n;
    if (total == 0) return;
    std::vector<std::int32_t> offsets(counts.size() + 1);
    offsets[0] = static_cast<std::int32_t>(first);
    for (std::size_t g = 0; g < counts.size(); ++g) offsets[g + 1] = offsets[g] + counts[g];
    runs_.push_back(std::move(offsets));
  }

  // Its state, for checkpoints (engine/archive.hpp).
  template <class A>
  void archive(A& a) {
    a(runs_);
  }

  int groups() const noexcept { return runs_.empty() ? 0 : static_cast<int>(runs_.front().size()) - 1; }
  // Runs appended since the last regroup.
  std::size_t appended_runs() const noexcept { return runs_.empty() ? 0 : runs_.size() - 1; }

  // Calls fn(row) for every row of group g, in ascending row order.
  template <class Fn>
  void for_each(int g, Fn&& fn) const {
    const auto gi = static_cast<std::size_t>(g);
    for (const auto& run : runs_)
      for (auto row = run[gi]; row < run[gi + 1]; ++row) fn(static_cast<std::size_t>(row));
  }
  // Calls fn(begin, end) for every range of consecutive rows of group g, in ascending row order.
  template <class Fn>
  void for_each_range(int g, Fn&& fn) const {
    const auto gi = static_cast<std::size_t>(g);
    for (const auto& run : runs_)
      if (run[gi] < run[gi + 1]) fn(static_cast<std::size_t>(run[gi]), static_cast<std::size_t>(run[gi + 1]));
  }
  // Runs appended so far, for for_each_appended_since: a mark taken before some appends.
  std::size_t mark() const noexcept { return appended_runs(); }
  // Calls fn(row) for the rows of group g appended after `mark` (a value of mark()), in row order.
  template <class Fn>
  void for_each_appended_since(std::size_t mark, int g, Fn&& fn) const {
    const auto gi = static_cast<std::size_t>(g);
    for (std::size_t r = 1 + mark; r < runs_.size(); ++r)
      for (auto row = runs_[r][gi]; row < runs_[r][gi + 1]; ++row) fn(static_cast<std::size_t>(row));
  }
  // Rows of all groups appended since the last regroup.
  std::size_t appended_rows() const noexcept {
    std::size_t n = 0;
    for (std::size_t r = 1; r < runs_.size(); ++r) n += static_cast<std::size_t>(runs_[r].back() - runs_[r].front());
    return n;
  }

 private:
  std::vector<std::vector<std::int32_t>> runs_;  // runs_[0] is the sorted body
};

namespace detail {
// A block of consecutive rows moving together: rows [from, from + length) go to [to, to + length).
struct RowRun {
  std::int32_t from, to, length;
};

// Appends `row` (going to `to`) to runs, extending the last run when both sides are consecutive.
inline void add_to_runs(std::vector<RowRun>& runs, std::int32_t row, std::int32_t to) {
  if (!runs.empty()) {
    auto& last = runs.back();
    if (last.from + last.length == row && last.to + last.length == to) {
      ++last.length;
      return;
    }
  }
  runs.push_back({row, to, 1});
}

// Copies one column's runs from `in` to `out` (the runs' destinations consecutive from row 0, in
// order; out has kept rows). Most runs are short: at a regroup, the rows between two dead ones, a
// few dozen. A call to memmove for each would cost more than the copying, so runs are copied in
// blocks of 64 bytes, the last of which may run past the run's end: into rows the next runs then
// overwrite (each run writes only at and after its own first row), and past `kept` into room
// made for it. A run too near the end of `in` for a whole block is copied exactly.
template <class T>
void copy_runs(const std::vector<T>& in, std::vector<T>& out, const std::vector<RowRun>& runs, std::size_t kept) {
  static_assert(std::is_trivially_copyable_v<T>, "columns hold plain values");
  constexpr std::size_t kBlock = sizeof(T) >= 64 ? 1 : 64 / sizeof(T);  // elements
  out.resize(kept + kBlock);
  const T* source = in.data();
  T* target = out.data();
  for (const auto& r : runs) {
    const auto from = static_cast<std::size_t>(r.from), to = static_cast<std::size_t>(r.to);
    const auto length = static_cast<std::size_t>(r.length);
    if (from + length + kBlock <= in.size()) {
      for (std::size_t k = 0; k < length; k += kBlock)
        std::memcpy(target + to + k, source + from + k, kBlock * sizeof(T));
    } else {
      std::copy(source + from, source + from + length, target + to);
    }
  }
  out.resize(kept);
}

// Replaces the table by `kept` rows moved as the runs say, and points the index at them. Runs are
// copied a block at a time (most rows move in long runs: a council's block between two removed
// rows). The rows go into `spare` (a table of the same type whose columns keep their capacity from
// one call to the next), which then swaps with the table: no allocation in steady state.
template <class Table>
void gather_rows(Table& table, Table& spare, const std::vector<RowRun>& runs, std::size_t kept, IdIndex& index) {
  std::vector<void*> spare_columns;
  spare.for_each_column([&](const char*, auto& column) { spare_columns.push_back(&column); });
  // Columns are independent: gather them in parallel.
  tbb::task_group group;
  std::size_t k = 0;
  table.for_each_column([&](const char*, auto& column) {
    auto* gathered = static_cast<std::remove_reference_t<decltype(column)>*>(spare_columns[k++]);
    group.run([&column, gathered, &runs, kept] {
      // Room for the rows the next step appends, so appending never moves a column to new pages
      // (fresh pages are expensive: a page fault each). A spare too small is replaced, not grown
      // (growing would copy its old rows, which nobody wants), with a quarter more room again, so
      // that a table that keeps growing (real England's people) is not given new columns at every
      // regroup, each written twice (zeroed, then gathered into).
      const std::size_t room = kept + kept / 8 + 1024;
      if (gathered->capacity() < room) {
        std::remove_reference_t<decltype(column)> fresh;
        fresh.reserve(room + room / 4);
        gathered->swap(fresh);
      }
      copy_runs(column, *gathered, runs, kept);
      column.swap(*gathered);
    });
  });
  group.wait();
  parallel_for_rows(
      kept, [&](std::size_t row) { index.set_row(table.id[row], static_cast<std::int32_t>(row)); }, 16384);
}
}  // namespace detail

// Sorts a table by group (stably) and drops the rows whose keep flag is 0, in one gather through
// `spare` (see gather_rows); updates the id index and the grouping. `keep` is read before any row
// moves, so it may be one of the table's own columns. Returns the number of rows removed.
template <class Table>
std::size_t regroup(Table& table, Table& spare, const std::vector<std::uint8_t>& keep, IdIndex& index,
                    GroupedRows& rows) {
  const std::size_t n = row_count(table);
  if (keep.size() != n) throw std::logic_error("regroup: keep mask length differs from table length");
  const int groups = rows.groups();
  const auto ng = static_cast<std::size_t>(groups);
  // Kept rows per group, then each group's first new row.
  std::vector<std::int32_t> offsets(ng + 1, 0);
  parallel_for_rows(
      ng,
      [&](std::size_t g) {
        std::int32_t kept = 0;
        rows.for_each(static_cast<int>(g), [&](std::size_t row) { kept += keep[row] != 0; });
        offsets[g + 1] = kept;
      },
      1);
  for (std::size_t g = 0; g < ng; ++g) offsets[g + 1] += offsets[g];
  const auto kept = static_cast<std::size_t>(offsets[ng]);
  if (kept == n && rows.appended_runs() == 0) return 0;  // already grouped, nothing to drop

  std::vector<std::vector<detail::RowRun>> group_runs(ng);
  parallel_for_rows(
      ng,
      [&](std::size_t g) {
        auto to = offsets[g];
        rows.for_each(static_cast<int>(g), [&](std::size_t row) {
          if (keep[row])
            detail::add_to_runs(group_runs[g], static_cast<std::int32_t>(row), to++);
          else
            index.erase(table.id[row]);  // ids are distinct: no two groups touch the same slot (or kNoAgent: forgotten)
        });
      },
      1);
  std::vector<detail::RowRun> runs;
  for (const auto& r : group_runs) runs.insert(runs.end(), r.begin(), r.end());
  detail::gather_rows(table, spare, runs, kept, index);
  rows.reset(std::move(offsets));
  return n - kept;
}

// Forgets the ids of the rows whose keep flag is 0 (row_of returns -1 for them, as after a
// regroup) without moving any row: the rows stay, skipped by loops that test the flag, until a
// regroup drops them. Much cheaper than a regroup, which copies every column. A forgotten row's
// id becomes kNoAgent, so a later call passes it without a look-up in the index. Returns the
// number of rows whose keep flag is 0.
// Forgets the ids of the listed rows (rows whose keep flag was set to 0 since the last call, as
// forget_dropped would find them, without scanning the table). A row may be listed twice, or be
// forgotten already. Returns the number of rows newly forgotten.
template <class Table>
std::size_t forget_rows(Table& table, const std::vector<std::uint32_t>& rows, IdIndex& index) {
  std::size_t n = 0;
  for (const auto row : rows) {
    if (table.id[row] == kNoAgent) continue;
    index.erase(table.id[row]);
    table.id[row] = kNoAgent;
    ++n;
  }
  return n;
}

template <class Table>
std::size_t forget_dropped(Table& table, const std::vector<std::uint8_t>& keep, IdIndex& index,
                           const GroupedRows& rows) {
  const auto ng = static_cast<std::size_t>(rows.groups());
  std::vector<std::size_t> dropped(ng, 0);
  parallel_for_rows(
      ng,
      [&](std::size_t g) {
        std::size_t n = 0;
        rows.for_each_range(static_cast<int>(g), [&](std::size_t begin, std::size_t end) {
          for (std::size_t row = begin; row < end;) {
            // Most rows are kept: eight flags at a time, skipped when none is zero.
            if (row + 8 <= end) {
              std::uint64_t flags;
              std::memcpy(&flags, keep.data() + row, sizeof flags);
              if (((flags - 0x0101010101010101ULL) & ~flags & 0x8080808080808080ULL) == 0) {
                row += 8;
                continue;
              }
            }
            if (!keep[row]) {
              ++n;
              // ids are distinct: no two groups touch the same slot
              if (table.id[row] != kNoAgent) {
                index.erase(table.id[row]);
                table.id[row] = kNoAgent;
              }
            }
            ++row;
          }
        });
        dropped[g] = n;
      },
      1);
  std::size_t total = 0;
  for (auto n : dropped) total += n;
  return total;
}

// Whether a row is still indexed: false once forget_dropped has removed its id.
template <class Table>
bool indexed(const Table& table, std::size_t row) {
  return table.id[row] != kNoAgent;
}

// Sorts a whole table by its group key column (stably, every row kept) and starts its grouping:
// for a table built in any order.
template <class Table, class Key>
void group_by_key(Table& table, Table& spare, const std::vector<Key>& key, int groups, IdIndex& index,
                  GroupedRows& rows) {
  const auto ng = static_cast<std::size_t>(groups);
  std::vector<std::int32_t> offsets(ng + 1, 0);
  for (auto k : key) {
    if (k < 0 || static_cast<std::size_t>(k) >= ng) throw std::logic_error("group_by_key: group key out of range");
    ++offsets[static_cast<std::size_t>(k) + 1];
  }
  for (std::size_t g = 0; g < ng; ++g) offsets[g + 1] += offsets[g];
  if (std::is_sorted(key.begin(), key.end())) {  // already grouped (built group by group): nothing moves
    rows.reset(std::move(offsets));
    return;
  }
  std::vector<std::int32_t> source(key.size());
  std::vector<std::int32_t> cursor(offsets.begin(), offsets.end() - 1);
  for (std::size_t row = 0; row < key.size(); ++row)
    source[static_cast<std::size_t>(cursor[static_cast<std::size_t>(key[row])]++)] = static_cast<std::int32_t>(row);
  std::vector<detail::RowRun> runs;
  for (std::size_t to = 0; to < source.size(); ++to)
    detail::add_to_runs(runs, source[to], static_cast<std::int32_t>(to));
  detail::gather_rows(table, spare, runs, source.size(), index);
  rows.reset(std::move(offsets));
}

}  // namespace engine
