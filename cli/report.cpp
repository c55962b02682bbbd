// `caremarket report`: a self-contained HTML report of a run. The report is written by the Python
// package (matplotlib figures): this runs `python3 -m caremarket.report` with Debian's python3, with
// the package of this build (or the installed one) importable.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "cli/command.hpp"
#include "cli/exit_codes.hpp"

namespace fs = std::filesystem;

namespace cm::cli {
namespace {

struct ReportOptions {
  std::string results, baseline, output;
};

// Replaces this process with the report's; returns only when python3 cannot be started.
int run_report(const std::vector<std::string>& args) {
  std::string path;
  if (const char* env = std::getenv("CAREMARKET_PYTHONPATH"); env && *env) path = env;
  for (const auto& dir : {fs::path(CAREMARKET_BUILD_PYTHON_DIR), fs::path(CAREMARKET_INSTALLED_PYTHON_DIR)})
    if (path.empty() && fs::exists(dir / "caremarket" / "report.py")) path = dir.string();
  if (const char* old = std::getenv("PYTHONPATH"); old && *old) path += (path.empty() ? "" : ":") + std::string(old);
  if (!path.empty()) setenv("PYTHONPATH", path.c_str(), 1);
  std::vector<std::string> argv_strings{"/usr/bin/python3", "-m", "caremarket.report"};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv_ptrs;
  for (auto& a : argv_strings) argv_ptrs.push_back(a.data());
  argv_ptrs.push_back(nullptr);
  std::fflush(nullptr);
  execv("/usr/bin/python3", argv_ptrs.data());
  std::fprintf(stderr, "caremarket: cannot start /usr/bin/python3 for the report: %s\n", std::strerror(errno));
  return kExitRuntime;
}

int report(const ReportOptions& o) {
  std::vector<std::string> args{o.results, "-o", o.output};
  if (!o.baseline.empty()) args.insert(args.end(), {"--baseline", o.baseline});
  return run_report(args);
}

}  // namespace

Command add_report(CLI::App& app) {
  auto o = std::make_shared<ReportOptions>();
  auto* report_app =
      app.add_subcommand("report", "Write a self-contained HTML report of a run, optionally against a baseline");
  report_app->add_option("results", o->results, "caremarket output file (.h5)")->required();
  report_app->add_option("--baseline", o->baseline, "A baseline run to compare with (.h5)");
  report_app->add_option("-o,--output", o->output, "HTML file to write")->required();
  return {report_app, [o] { return report(*o); }};
}

}  // namespace cm::cli
