#pragma once
// MODEL.md §3.1 and §4 — need, the first phase of the week: the people due for a review of their
// need (about one in a hundred a week) are taken from a calendar, so the phase touches only them;
// then the week's new people are drawn. need.cpp has the rule.
#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "agents/market.hpp"
#include "agents/placement_book.hpp"
#include "engine/calendar.hpp"

namespace cm {

// The need reviews of the market's current week.
class NeedReviews {
 public:
  explicit NeedReviews(const Market& m);
  // Reviews person i if this is their review week: exit, a band up or down, then hours and route.
  void operator()(Market& m, std::size_t i) const {
    if (m.people.need_review_week[i] == week_ && m.people.alive[i]) review(m, i);
  }

 private:
  void review(Market& m, std::size_t i) const;  // out of line: about one person in a hundred a week
  std::int32_t week_;
  double prevention_;
  engine::RngRoot::StepStreams streams_, routes_;
};

// Draws the week's new people of the council; they join at the next flush.
void add_need_arrivals(Market& m, int c);

// Who is due for a review of their need, per council: the need rule's own state. A person is
// filed under the week their clock names (people.need_review_week) when they join, and again
// after each review. The order of reviews within a week does not matter: each person's review
// reads and writes only that person, with that person's streams.
class NeedCalendar {
 public:
  explicit NeedCalendar(int councils);
  // Draws the first review week of the people who joined since the last call (in the week they
  // joined: call it right after they join) and files them under it. A whole-step phase: new ids
  // are issued in council order across the region, so one pass over them serves every council.
  void file_newcomers(Market& m);
  // Reviews the council's people due this week, and files each under their next review. Each is
  // withdrawn from matching's book of placements first: a review may change their need, route or life.
  void review_due(Market& m, int c, PlacementBook& placements);
  // After a parameter change raised the bound of some [band - 1][age band] cells (need tables):
  // the clocks of their people are drawn again from this week on (this week's redraw streams),
  // so thinning stays exact. Their old calendar entries are skipped when they come up.
  void redraw_clocks(Market& m, const std::array<std::array<bool, 3>, 4>& cells);
  // Its state, for checkpoints (agents/checkpoint.cpp).
  template <class A>
  void archive(A& a) {
    for (auto& c : councils_) a(c.calendar, c.due, c.rows);
    a(next_unfiled_);
  }

 private:
  // One per council, each on cache lines of its own: councils run on different threads.
  struct alignas(64) Council {
    engine::Calendar calendar;
    std::vector<engine::AgentId> due;  // reused from week to week
    std::vector<std::int32_t> rows;    // the rows of those due, ascending
  };
  std::vector<Council> councils_;
  engine::AgentId next_unfiled_ = 0;
};

}  // namespace cm
