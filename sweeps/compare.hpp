#pragma once
// Policy comparison with paired replicates and common random numbers: both arms run the same
// seeds, so agents the policy does not touch draw the same numbers in both, and the paired
// differences carry much less noise than two independent samples would.
#include <cstdint>
#include <filesystem>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/cancel.hpp"
#include "engine/dates.hpp"
#include "sweeps/sweep.hpp"

namespace cm::sweeps {

struct OutcomeComparison {
  std::string name, units, label;
  double baseline = 0, policy = 0;  // means over replicates
  double difference = 0;            // mean of paired differences (policy - baseline)
  double ci_low = 0, ci_high = 0;   // 95% confidence interval of the difference (t distribution)
  double sd_difference = 0;         // standard deviation of the paired differences
  // With parameter sets: the interval covers the spread of the effect over the sets and chance;
  // these split its variance (NaN without parameter sets). sd_difference is then the sd of the
  // sets' mean differences.
  double share_parameters = std::numeric_limits<double>::quiet_NaN();
  double share_chance = std::numeric_limits<double>::quiet_NaN();
};

struct ComparisonRequest {
  std::filesystem::path scenario;
  std::string policy;                       // file or shipped name
  std::optional<engine::Date> policy_from;  // the policy applies from this date (default: the start)
  std::string baseline_policy;              // file or shipped name; empty: the scenario as it is
  std::vector<std::string> overrides;
  std::int64_t replicates = 10;
  std::int64_t steps = 0;  // 0: the scenario's
  std::int64_t root_seed = 1;
  std::filesystem::path dir;     // where the runs go
  std::filesystem::path prefix;  // PREFIX of PREFIX.csv and PREFIX.h5, checked before any run (empty: not checked)
  int workers = 0;
  bool quiet = false;
  // Every arm and replicate starts from this checkpoint (its config, seed and week): the policies
  // apply from the state's next week, replicate r's streams from then on are r's, and `steps`
  // counts weeks after the state. Empty: each run starts at week 0.
  std::filesystem::path from_state;
  // Parameter sets (a CSV with one column per parameter, e.g. a calibration's nroy.csv): every
  // replicate pair runs under each set, with seeds from (root seed, set, replicate); empty: none.
  std::filesystem::path parameter_sets;
  std::int64_t max_sets = 0;  // the first N sets only (0: all)
};

class FolderLock;

struct Comparison {
  std::int64_t replicates = 0;          // pairs (per parameter set, when there are sets)
  std::int64_t parameter_sets = 0;      // 0: the parameters as the scenario has them
  std::vector<std::string> parameters;  // the keys the sets vary
  std::vector<OutcomeComparison> outcomes;
  // Multi-council scenarios (without parameter sets): the same for each council, or for each English
  // region when there are more than a dozen councils (place_outcomes, sweeps/yearly.hpp).
  std::vector<std::string> places;
  bool places_are_regions = false;
  std::vector<std::vector<OutcomeComparison>> place_outcomes;  // by place, headline outcomes only
  bool cancelled = false;
  // The lock on the runs' folder, held while the comparison lives: a second comparison with the
  // same prefix cannot start until this one has written PREFIX.csv and PREFIX.h5.
  std::shared_ptr<FolderLock> lock;
};

// The headline outcomes compared (MODEL.md §16), as metric names.
const std::vector<std::string>& headline_outcomes();

// Paired statistics of per-replicate outcome vectors (each vector indexed like the metric
// catalogue, means over the last year of a run): one row per headline outcome, then two rows
// derived from them (MODEL.md §18): `ascot_points_all`, the ASCOT points held by everyone with
// need (each arm's wellbeing_all times the baseline run's people with need), and
// `cost_per_ascot_point`, council spend a year per point gained (the ratio of the mean paired
// differences, with a delta-method interval; NaN unless the points gained are clearly above zero;
// its baseline, policy and sd columns are NaN).
std::vector<OutcomeComparison> paired_statistics(const std::vector<std::vector<double>>& baseline,
                                                 const std::vector<std::vector<double>>& policy);

// The comparison over parameter sets: per set, paired_statistics of its replicate pairs; then each
// outcome's mean over the sets, and an interval from the sets' spread (t with sets - 1 degrees of
// freedom), which holds both the parameters' part and chance's part (each set's mean difference
// has its own replicate noise), split by share_parameters and share_chance.
std::vector<OutcomeComparison> parameter_set_statistics(
    const std::vector<std::vector<std::vector<double>>>& baseline_by_set,
    const std::vector<std::vector<std::vector<double>>>& policy_by_set);

// Reads a parameter-sets file: a CSV whose columns are numeric model parameters. Throws
// engine::config::ConfigError naming the file, line and column.
DesignTable read_parameter_sets(const std::filesystem::path& file, std::int64_t max_sets);

// The 97.5% quantile of Student's t distribution (half-width factor of a 95% interval).
double t_quantile_975(double degrees_of_freedom);

// Runs what is missing of the comparison in request.dir and computes the table. Throws InputError
// (runner.hpp) when request.dir is in use or cannot be a folder, or PREFIX.csv / PREFIX.h5 exist and
// are not regular files, before running anything.
Comparison compare(const ComparisonRequest& request, const engine::CancelFlag& cancel);

// Refuses (InputError) a prefix that is empty, or whose PREFIX.csv or PREFIX.h5 exists and is not a
// regular file (a folder, FIFO or device would be replaced, or block, at the end of the comparison).
void check_comparison_prefix(const std::filesystem::path& prefix);

// Both write a temporary file beside `file`, flush it to disk, rename it onto `file` and flush the
// folder, so that a crash leaves the old file or the new one, never a part.
// Each council's (or English region's, past a dozen councils with regions) paired statistics of
// the headline outcomes, from paired run files (baseline[r] and policy[r] one replicate): means
// over each run's last 52 weeks (place_outcomes). Empty places for one-council runs.
struct PlaceComparison {
  std::vector<std::string> places;
  bool regions = false;
  std::vector<std::vector<OutcomeComparison>> outcomes;  // by place
};
PlaceComparison place_statistics(const std::vector<std::filesystem::path>& baseline,
                                 const std::vector<std::filesystem::path>& policy);

// PREFIX.by_council.csv (or .by_region.csv): one row per place and headline outcome, as
// write_comparison_csv's; nothing when the comparison has no places.
void write_places_csv(const Comparison& c, const std::filesystem::path& prefix);
void write_comparison_csv(const Comparison& c, const std::filesystem::path& file);
void write_comparison_h5(const Comparison& c, const ComparisonRequest& request, const std::filesystem::path& file);

}  // namespace cm::sweeps
