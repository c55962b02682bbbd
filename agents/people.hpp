#pragma once
// People needing care: one column per variable (struct of arrays). See docs/output-format.md
// for the snapshot columns and docs/ODD.md for their meaning.
#include <cstdint>
#include <vector>

#include "engine/columns.hpp"

namespace cm {

struct People {
  std::vector<engine::AgentId> id;
  std::vector<std::int16_t> council;
  // The agent's number among those of its kind created in its council (0, 1, ...): with the
  // council, the key of its random streams (stream_key), which no other council's agents change.
  std::vector<std::int32_t> serial;
  std::vector<std::int32_t> locality;      // region-wide locality index
  std::vector<std::uint8_t> age_band;      // 0: 18-64, 1: 65-84, 2: 85+
  std::vector<std::uint8_t> need_band;     // 0 none .. 4 critical
  std::vector<std::uint8_t> capital_band;  // at the last means test: 0 below lower limit, 1 between, 2 above upper
  std::vector<std::uint8_t> ties;          // social ties able to give informal care
  std::vector<std::uint8_t> route;         // Route
  std::vector<std::uint8_t> placement;     // Placement
  std::vector<std::uint8_t> alive;
  std::vector<float> need_hours;               // formal hours needed a week, after informal care
  std::vector<float> hours_received;           // formal hours delivered this week
  std::vector<float> price;                    // GBP per hour paid for this person's care
  std::vector<float> wellbeing;                // 0..1
  std::vector<float> continuity;               // share of visits by the usual worker
  std::vector<engine::AgentId> provider;       // provider id or -1
  std::vector<std::int16_t> weeks_waiting;     // weeks needing care with no provider
  std::vector<std::int32_t> need_review_week;  // week of the next draw that may change need (need.cpp)
  std::vector<std::uint8_t> hospital;          // Hospital: referred from hospital and not yet home with care
  std::vector<float> capital;                  // GBP counted by the means test (the home is disregarded)
  std::vector<float> care_spend;               // GBP spent on eligible care while a cap is in force (its meter)

  template <class F>
  void for_each_column(F&& f) {
    f("id", id);
    f("council", council);
    f("serial", serial);
    f("locality", locality);
    f("age_band", age_band);
    f("need_band", need_band);
    f("capital_band", capital_band);
    f("ties", ties);
    f("route", route);
    f("placement", placement);
    f("alive", alive);
    f("need_hours", need_hours);
    f("hours_received", hours_received);
    f("price", price);
    f("wellbeing", wellbeing);
    f("continuity", continuity);
    f("provider", provider);
    f("weeks_waiting", weeks_waiting);
    f("need_review_week", need_review_week);
    f("hospital", hospital);
    f("capital", capital);
    f("care_spend", care_spend);
  }
  template <class F>
  void for_each_column(F&& f) const {
    const_cast<People*>(this)->for_each_column([&](const char* name, const auto& column) { f(name, column); });
  }
};

}  // namespace cm
