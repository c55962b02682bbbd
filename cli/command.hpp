#pragma once
// The subcommands of `caremarket`, one file each (run.cpp, validate.cpp, sweep.cpp, compare.cpp,
// report.cpp, lab.cpp, params.cpp, ...). Each registers its options on its own CLI11 subcommand and returns what
// to do once the arguments are parsed; main() parses, runs the chosen one and turns what it throws
// into an exit code (exit_codes.hpp).
#include <CLI/CLI.hpp>

#include <functional>

namespace cm::cli {

struct Command {
  CLI::App* app;             // the subcommand: true once the arguments chose it
  std::function<int()> run;  // runs it with the parsed options; returns the exit code, or throws
};

Command add_run(CLI::App& app);
Command add_validate(CLI::App& app);
Command add_sweep(CLI::App& app);
Command add_compare(CLI::App& app);
Command add_report(CLI::App& app);
Command add_params(CLI::App& app);
Command add_analyse(CLI::App& app);
Command add_calibrate(CLI::App& app);
Command add_scenario(CLI::App& app);
Command add_lab(CLI::App& app);

}  // namespace cm::cli
