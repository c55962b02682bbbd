#pragma once
// Global sensitivity analysis of a sweep's index.h5 (docs/clusters.md, "Sensitivity analysis"):
//  - Sobol first- and total-order indices (and second order when designed) from a Saltelli
//    design: Saltelli et al. (2010) for S1 and S2, Jansen (1999) for ST, as SALib computes them;
//  - Morris elementary effects (mu*, mu, sigma; Campolongo et al. 2007) from Morris trajectories;
//  - standardised regression coefficients, a quick linear screen of any design.
// A point's outcome is the mean of its finished replicates; intervals come from a bootstrap over
// base samples, trajectories or points, with counter-based draws, so the same call gives the
// same numbers.
#include <cstdint>
#include <filesystem>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sweeps/folder.hpp"
#include "sweeps/sweep.hpp"

namespace cm::sweeps {

enum class AnalysisMethod { sobol, morris, regression };
const char* method_name(AnalysisMethod m);

// What the estimators read: one row per design point, in design order.
struct PointData {
  Sampling sampling = Sampling::grid;
  bool second_order = false;
  std::vector<std::string> parameters;
  std::vector<std::pair<double, double>> ranges;  // [low, high] of each parameter
  std::size_t points = 0;
  std::vector<double> x;  // points × parameters, row-major
  std::vector<double> y;  // the outcome at each point (NaN: no finished replicate)
};

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct ParameterEffect {
  std::string parameter;
  double S1 = kNaN, S1_conf = kNaN, ST = kNaN, ST_conf = kNaN;          // sobol
  double mu_star = kNaN, mu_star_conf = kNaN, mu = kNaN, sigma = kNaN;  // morris
  double src = kNaN, src_conf = kNaN;                                   // regression
};

struct PairEffect {
  std::string first, second;
  double S2 = kNaN, S2_conf = kNaN;
};

struct Analysis {
  AnalysisMethod method = AnalysisMethod::regression;
  std::string outcome;                                     // as asked
  std::string column;                                      // the index variable read
  std::string when;                                        // what the values average over, in words
  std::size_t points = 0, points_used = 0, runs_used = 0;  // points_used: in whole blocks or trajectories
  std::size_t min_replicates = 0, max_replicates = 0;
  double within_sd = kNaN;   // pooled sd of replicates about their point's mean (NaN: one replicate)
  double between_sd = kNaN;  // sd of the point means
  double r_squared = kNaN;   // regression: the linear fit's share of the variance
  int bootstrap = 0;
  double confidence = 0.95;
  std::vector<ParameterEffect> effects;  // one per parameter, most influential first
  std::vector<PairEffect> pairs;         // second-order Sobol indices, when designed
};

struct AnalysisRequest {
  std::filesystem::path dir;             // a sweep folder (holding index.h5) or an index file
  std::string outcome;                   // a headline outcome, or an index variable (e.g. final_workers)
  std::optional<AnalysisMethod> method;  // nothing: the design's own (sobol, morris, else regression)
  // Nothing: the mean over each run's last 52 weeks. K < 1900: the K-th financial year the runs
  // cover (1 = the first). K >= 1900: the financial year starting on 1 April K.
  std::optional<int> year;
  int bootstrap = 1000;
  double confidence = 0.95;
  std::uint64_t seed = 1;
};

// Reads the index and analyses it. Throws InputError (sweeps/folder.hpp) naming the file, the
// option and what is allowed: no index, an unknown outcome or year, a method the design does not fit.
Analysis analyse(const AnalysisRequest& request);
// The estimators alone, on points already read (the tests' known functions go through this).
Analysis analyse_points(const PointData& data, AnalysisMethod method, int bootstrap, double confidence,
                        std::uint64_t seed);
// The analysis as a readable table, and as CSV (the second-order pairs, when any, go to
// <stem>.second_order.csv beside it).
std::string format_analysis(const Analysis& a);
void write_analysis_csv(const Analysis& a, const std::filesystem::path& file);

}  // namespace cm::sweeps
