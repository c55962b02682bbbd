// `caremarket lab`: the policy lab, a local web page for commissioning teams. Like `report`, it is
// the Python package's (caremarket/lab.py, a Flask app): this runs `python3 -m caremarket.lab` with
// Debian's python3, and the lab runs its comparisons with this very program.
#include <memory>
#include <string>
#include <vector>

#include "cli/command.hpp"
#include "cli/python_module.hpp"

namespace cm::cli {
namespace {

struct LabOptions {
  std::string host = "127.0.0.1", workdir;
  int port = 8050;
};

int lab(const LabOptions& o) {
  std::vector<std::string> args{"--host", o.host, "--port", std::to_string(o.port)};
  if (!o.workdir.empty()) args.insert(args.end(), {"--workdir", o.workdir});
  return exec_python_module("lab", args, "the lab");
}

}  // namespace

Command add_lab(CLI::App& app) {
  auto o = std::make_shared<LabOptions>();
  auto* lab_app = app.add_subcommand(
      "lab", "A policy lab in the browser: try a council's levers, compare with intervals, download the report");
  lab_app->add_option("--host", o->host,
                      "Address to listen on (default 127.0.0.1: this computer only; the lab has no login)");
  lab_app->add_option("--port", o->port, "Port (default 8050)")->check(CLI::Range(1, 65535));
  lab_app->add_option("--workdir", o->workdir, "Where runs and reports are kept (default ~/.cache/caremarket-lab)");
  return {lab_app, [o] { return lab(*o); }};
}

}  // namespace cm::cli
