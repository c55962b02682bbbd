// `caremarket calibrate`: history matching of a calibration file's parameters to its targets, in
// waves of sweeps, with Gaussian-process emulators from scikit-learn: the work is the Python
// package's (caremarket/_calibration.py), run as `python3 -m caremarket._calibration`.
#include <memory>
#include <string>
#include <vector>

#include "cli/command.hpp"
#include "cli/python_module.hpp"

namespace cm::cli {
namespace {

struct CalibrateOptions {
  std::string file, output;
  int workers = 0;
  bool quiet = false;
};

int calibrate(const CalibrateOptions& o) {
  std::vector<std::string> args{o.file, "-o", o.output};
  if (o.workers > 0) args.insert(args.end(), {"--workers", std::to_string(o.workers)});
  if (o.quiet) args.push_back("--quiet");
  return exec_python_module("_calibration", args, "the calibration");
}

}  // namespace

Command add_calibrate(CLI::App& app) {
  auto o = std::make_shared<CalibrateOptions>();
  auto* sub = app.add_subcommand(
      "calibrate",
      "History matching: the parameter sets a calibration file's targets do not rule out, in waves of sweeps "
      "(configs/calibration/, docs/clusters.md)");
  sub->add_option("calibration", o->file, "Calibration TOML file (e.g. configs/calibration/somerset.toml)")->required();
  sub->add_option("-o,--output", o->output,
                  "Folder for the waves, nroy.csv, runs.csv, waves.csv, summary.md and figures")
      ->required();
  sub->add_option("--workers", o->workers, "Runs at once on this machine (default: one per core)")
      ->check(CLI::Range(0, 4096));
  sub->add_flag("-q,--quiet", o->quiet, "No progress lines");
  return {sub, [o] { return calibrate(*o); }};
}

}  // namespace cm::cli
