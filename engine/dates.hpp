#pragma once
// Calendar dates of a simulation clock whose steps are weeks: a date is a std::chrono
// year_month_day; the date of step s is the start date plus 7·s days. ISO text (YYYY-MM-DD) in and out.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

namespace engine {

using Date = std::chrono::year_month_day;

// "YYYY-MM-DD" (exactly: four digits, two, two) as a valid date, or nothing.
inline std::optional<Date> parse_iso_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  int parts[3] = {0, 0, 0};
  const std::size_t begin[3] = {0, 5, 8}, length[3] = {4, 2, 2};
  for (int k = 0; k < 3; ++k)
    for (std::size_t i = begin[k]; i < begin[k] + length[k]; ++i) {
      if (text[i] < '0' || text[i] > '9') return std::nullopt;
      parts[k] = parts[k] * 10 + (text[i] - '0');
    }
  const Date date{std::chrono::year{parts[0]}, std::chrono::month{static_cast<unsigned>(parts[1])},
                  std::chrono::day{static_cast<unsigned>(parts[2])}};
  if (!date.ok()) return std::nullopt;
  return date;
}

inline std::string iso_date(const Date& date) {
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                static_cast<unsigned>(date.day()));
  return text;
}

// The date `days` days after `from`.
inline Date add_days(const Date& from, std::int64_t days) {
  return Date{std::chrono::sys_days{from} + std::chrono::days{days}};
}

// The date of step `step` of a clock of weeks starting on `start`.
inline Date date_of_step(const Date& start, std::int64_t step) { return add_days(start, 7 * step); }

// Days from `from` to `to` (negative when `to` comes first).
inline std::int64_t days_between(const Date& from, const Date& to) {
  return (std::chrono::sys_days{to} - std::chrono::sys_days{from}).count();
}

// The first step dated on or after `date` (a change dated between two steps takes effect at the
// later one); negative when `date` comes before the start.
inline std::int64_t first_step_on_or_after(const Date& start, const Date& date) {
  const std::int64_t days = days_between(start, date);
  return days >= 0 ? (days + 6) / 7 : -((-days) / 7);
}

}  // namespace engine
