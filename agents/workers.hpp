#pragma once
// Care workers (struct of arrays). A worker with employer -1 is between care jobs, searching.
#include <cstdint>
#include <vector>

#include "engine/columns.hpp"

namespace cm {

struct Workers {
  std::vector<engine::AgentId> id;
  std::vector<std::int16_t> council;
  // The agent's number among those of its kind created in its council (0, 1, ...): with the
  // council, the key of its random streams (stream_key), which no other council's agents change.
  std::vector<std::int32_t> serial;
  std::vector<std::int32_t> locality;
  std::vector<engine::AgentId> employer;  // provider id, or -1 while searching
  std::vector<std::uint8_t> zero_hours;
  std::vector<std::uint8_t> is_founder;
  std::vector<std::uint8_t> alive;
  std::vector<float> wage;                 // GBP per paid hour: the employer's wage plus pay_premium
  std::vector<float> pay_premium;          // GBP/h above the employer's wage (seniority, role)
  std::vector<float> contact_hours;        // this week
  std::vector<float> paid_hours;           // this week
  std::vector<float> effective_pay;        // GBP per hour worked, unpaid travel included
  std::vector<float> stress;               // 0..1
  std::vector<std::int32_t> tenure_weeks;  // with the current employer
  std::vector<std::int16_t> weeks_searching;
  // The quit clock (retention.hpp): the next week the quit hazard is tested (0: not yet set since
  // the worker was hired), and the weekly chance of a test, a bound of the hazard until then.
  std::vector<std::int32_t> quit_review_week;
  std::vector<float> quit_review_chance;

  template <class F>
  void for_each_column(F&& f) {
    f("id", id);
    f("council", council);
    f("serial", serial);
    f("locality", locality);
    f("employer", employer);
    f("zero_hours", zero_hours);
    f("is_founder", is_founder);
    f("alive", alive);
    f("wage", wage);
    f("pay_premium", pay_premium);
    f("contact_hours", contact_hours);
    f("paid_hours", paid_hours);
    f("effective_pay", effective_pay);
    f("stress", stress);
    f("tenure_weeks", tenure_weeks);
    f("weeks_searching", weeks_searching);
    f("quit_review_week", quit_review_week);
    f("quit_review_chance", quit_review_chance);
  }
  template <class F>
  void for_each_column(F&& f) const {
    const_cast<Workers*>(this)->for_each_column([&](const char* name, const auto& column) { f(name, column); });
  }
};

}  // namespace cm
