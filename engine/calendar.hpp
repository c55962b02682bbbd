#pragma once
// Agents due at future steps, so a rule that acts on few agents a step (about one person in a
// hundred has a need review in a week) touches only those, not every row. Ids are filed under a
// step and taken when that step comes: those filed within the horizon in the order filed, then
// those re-filed from the list of later steps (an order fixed by the calls made, so the same
// whatever the thread count; a rule that needs another order sorts what it takes).
//
// Steps up to `horizon` after the last step taken sit in a ring of buckets; later ones wait in a
// list that is re-filed every horizon / 2 steps, before any of them can fall due.
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "engine/columns.hpp"

namespace engine {

class Calendar {
 public:
  explicit Calendar(std::int64_t horizon = 1024) : horizon_(horizon), buckets_(static_cast<std::size_t>(horizon)) {
    assert(horizon >= 2 && horizon % 2 == 0);
  }

  // Files `id` under `step`, which must come after the last step taken.
  void file(std::int64_t step, AgentId id) {
    assert(step > now_);
    if (step <= now_ + horizon_)
      buckets_[bucket(step)].push_back(id);
    else
      later_.emplace_back(step, id);
  }

  // Takes the ids filed under `step` (the step after the last one taken) into `due`, replacing its contents.
  void take(std::int64_t step, std::vector<AgentId>& due) {
    assert(step == now_ + 1);
    now_ = step;
    due.clear();
    std::swap(due, buckets_[bucket(step)]);  // the bucket keeps due's old capacity
    if (step % (horizon_ / 2) == 0) refile_later();
  }

  // Its state, for checkpoints (engine/archive.hpp): ids in the order filed.
  template <class A>
  void archive(A& a) {
    a(horizon_, now_, buckets_, later_);
  }

  // Ids filed and not yet taken.
  std::size_t size() const noexcept {
    std::size_t n = later_.size();
    for (const auto& b : buckets_) n += b.size();
    return n;
  }

 private:
  std::size_t bucket(std::int64_t step) const noexcept { return static_cast<std::size_t>(step % horizon_); }
  void refile_later() {
    std::size_t kept = 0;
    for (const auto& [step, id] : later_) {
      if (step <= now_ + horizon_)
        buckets_[bucket(step)].push_back(id);
      else
        later_[kept++] = {step, id};
    }
    later_.resize(kept);
  }

  std::int64_t horizon_;
  std::int64_t now_ = 0;
  std::vector<std::vector<AgentId>> buckets_;
  std::vector<std::pair<std::int64_t, AgentId>> later_;
};

}  // namespace engine
