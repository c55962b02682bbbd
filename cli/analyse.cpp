// `caremarket analyse`: global sensitivity of a sweep's outcome to its parameters (Sobol indices
// of a Saltelli design, Morris effects of trajectories, standardised regression coefficients).
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "cli/command.hpp"
#include "engine/files.hpp"
#include "sweeps/analyse.hpp"
#include "sweeps/compare.hpp"

namespace cm::cli {
namespace {

struct AnalyseOptions {
  std::string dir, outcome, method, csv;
  int year = 0;  // 0: the last 52 weeks
  int bootstrap = 1000;
  double confidence = 0.95;
  long long seed = 1;
};

int analyse(const AnalyseOptions& o) {
  sweeps::AnalysisRequest r;
  r.dir = o.dir;
  r.outcome = o.outcome;
  if (o.method == "sobol") r.method = sweeps::AnalysisMethod::sobol;
  if (o.method == "morris") r.method = sweeps::AnalysisMethod::morris;
  if (o.method == "regression") r.method = sweeps::AnalysisMethod::regression;
  if (o.year != 0) r.year = o.year;
  r.bootstrap = o.bootstrap;
  r.confidence = o.confidence;
  r.seed = static_cast<std::uint64_t>(o.seed);
  if (!o.csv.empty()) {  // refused before the work, not after the table is printed
    engine::check_output_path(o.csv, "analysis table (-o)");
    if (const auto parent = std::filesystem::path(o.csv).parent_path(); !parent.empty())
      std::filesystem::create_directories(parent);
  }
  const auto a = sweeps::analyse(r);
  std::fputs(sweeps::format_analysis(a).c_str(), stdout);
  if (!o.csv.empty()) {
    sweeps::write_analysis_csv(a, o.csv);
    std::printf("wrote %s\n", o.csv.c_str());
  }
  return 0;
}

}  // namespace

Command add_analyse(CLI::App& app) {
  auto o = std::make_shared<AnalyseOptions>();
  auto* sub = app.add_subcommand(
      "analyse",
      "Sensitivity of a sweep's outcome to its parameters: Sobol indices (saltelli design), Morris mu* "
      "(morris design) or standardised regression coefficients (any design); docs/clusters.md");
  sub->add_option("dir", o->dir, "The sweep's folder (holding index.h5), or the index file")->required();
  std::string headline;
  for (const auto& name : sweeps::headline_outcomes()) headline += (headline.empty() ? "" : ", ") + name;
  sub->add_option("--outcome", o->outcome,
                  "A headline outcome (" + headline + "), or an index variable such as final_workers")
      ->required();
  sub->add_option("--method", o->method,
                  "sobol, morris or regression (default: the design's own: sobol for saltelli, "
                  "morris for morris, else regression)")
      ->check(CLI::IsMember({"sobol", "morris", "regression"}));
  sub->add_option("--year", o->year,
                  "A financial year instead of the last 52 weeks: K = the K-th year of the runs, or the year of its "
                  "1 April (e.g. 2027 for 2027-28)")
      ->check(CLI::Range(1, 9999));
  sub->add_option("--bootstrap", o->bootstrap, "Bootstrap resamples for the intervals (default 1000)")
      ->check(CLI::Range(0, 1000000));
  sub->add_option("--confidence", o->confidence, "Confidence level of the intervals (default 0.95)")
      ->check(CLI::Range(0.5, 0.999));
  sub->add_option("--seed", o->seed, "Seed of the bootstrap's draws (default 1)")
      ->check(CLI::Range(0LL, 9000000000000000LL));
  sub->add_option("-o,--output", o->csv, "Also write the table as CSV (second-order pairs to FILE.second_order.csv)")
      ->check(CLI::Validator(sweeps::non_empty_path, "PATH"));
  return {sub, [o] { return analyse(*o); }};
}

}  // namespace cm::cli
