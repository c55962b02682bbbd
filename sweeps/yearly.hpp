#pragma once
// Yearly outcomes of one run: the mean of each headline outcome (MODEL.md §16) over the weeks of
// each financial year (1 April to 31 March) the run covers, region values as the index's other
// outcomes. Read back from the run's output file, so a run that went on from a checkpoint or a
// state counts every week it recorded.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace cm::sweeps {

struct YearlyOutcomes {
  std::int32_t first_year = 0;  // the calendar year in which the first financial year starts
  // One row per financial year from first_year: the weeks of the run in it, then the mean of each
  // headline outcome, in headline_outcomes() order.
  std::vector<double> rows;
  std::size_t years() const;
};

// The width of a row of YearlyOutcomes::rows.
std::size_t yearly_row_width();
// The financial year (by its starting calendar year) of a date: 2026-03-31 is in 2025, 2026-04-01 in 2026.
std::int32_t financial_year_of(int year, unsigned month);
// Throws std::runtime_error naming the file when it cannot be read.
YearlyOutcomes yearly_outcomes(const std::filesystem::path& run_file);

// The headline outcomes of each council of a run (means over its last 52 weeks, or fewer when
// shorter), or of each English region when there are more than a dozen councils and all have one
// (England), each as region values over the place's councils. Empty for a one-council run, or a
// file before format 1.13 with more than a dozen councils.
struct PlaceOutcomes {
  std::vector<std::string> places;
  bool regions = false;
  std::vector<double> values;  // places × headline_outcomes(), row-major
};
PlaceOutcomes place_outcomes(const std::filesystem::path& run_file);

}  // namespace cm::sweeps
