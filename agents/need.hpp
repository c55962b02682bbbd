#pragma once
// MODEL.md §3.1 and §4 — need, the part for one person (need.cpp has the rest). The model runs the
// week's reviews inside matching's first pass over people, so that each person is read once
// instead of twice; in a week its council lets a lot, commissioning reads people's need and
// runs them before (review_need). Either way every person is reviewed before anything reads
// their need, in row order, as in a pass of its own.
#include <cstddef>
#include <cstdint>

#include "agents/market.hpp"

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

// Draws a new person's first review week (make_person).
void schedule_first_need_review(Market& m, std::size_t person_row);
// The council's reviews of this week, unless they have run (Market::need_reviewed).
void review_need(Market& m, int c);
// Draws the week's new people of the council; they join at the next flush.
void add_need_arrivals(Market& m, int c);

}  // namespace cm
