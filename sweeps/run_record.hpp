#pragma once
// What one run of a sweep came to: its status, its error, and its region outcomes. The journal
// stores records, the index shows them, MPI ranks send them to the coordinator.
#include <cstdint>
#include <string>
#include <vector>

#include "sweeps/yearly.hpp"

namespace cm::sweeps {

enum class RunStatus : std::uint8_t { pending = 0, done = 1, failed = 2 };

struct RunRecord {
  RunStatus status = RunStatus::pending;  // a run cancelled in flight stays pending
  std::string error;
  std::vector<double> final_outcomes;      // region value of every metric at the last week
  std::vector<double> last_year_outcomes;  // mean over the last 52 weeks
  YearlyOutcomes yearly;                   // headline outcomes by financial year
};

}  // namespace cm::sweeps
