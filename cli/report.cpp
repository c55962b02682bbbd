// `caremarket report`: a self-contained HTML report of comparisons, or of a run. The report is written by the Python
// package (matplotlib figures): this runs `python3 -m caremarket.report` with Debian's python3, with
// the package of this build (or the installed one) importable.
#include <memory>
#include <string>
#include <vector>

#include "cli/command.hpp"
#include "cli/python_module.hpp"

namespace cm::cli {
namespace {

struct ReportOptions {
  std::vector<std::string> results;
  std::string baseline, output;
};

int report(const ReportOptions& o) {
  std::vector<std::string> args = o.results;
  args.insert(args.end(), {"-o", o.output});
  if (!o.baseline.empty()) args.insert(args.end(), {"--baseline", o.baseline});
  return exec_python_module("report", args, "the report");
}

}  // namespace

Command add_report(CLI::App& app) {
  auto o = std::make_shared<ReportOptions>();
  auto* report_app =
      app.add_subcommand("report",
                         "Write a self-contained HTML report of comparisons (PREFIX.h5 of caremarket compare: several "
                         "policies against one baseline on one page), or of a run, optionally against a baseline run");
  report_app
      ->add_option("results", o->results, "Comparisons (PREFIX.h5 of caremarket compare), or one run's output (.h5)")
      ->required();
  report_app->add_option("--baseline", o->baseline, "A baseline run to compare a single run with (.h5)");
  report_app->add_option("-o,--output", o->output, "HTML file to write")->required();
  return {report_app, [o] { return report(*o); }};
}

}  // namespace cm::cli
