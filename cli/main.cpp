// The `caremarket` command: parses arguments and calls the Model API (agents/run.hpp). Each
// subcommand is its own file (command.hpp); main builds the app, parses, runs the chosen
// subcommand and turns what it throws into an exit code.
// Exit codes: 0 success, 1 runtime failure, 2 bad input (arguments or config), 128 + signal when
// interrupted (130 for Ctrl-C, 143 for SIGTERM).
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "agents/checkpoint_file.hpp"
#include "agents/run.hpp"
#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "engine/archive.hpp"
#include "engine/config.hpp"
#include "engine/files.hpp"

using namespace cm::cli;

namespace {

int report_config_error(const engine::config::ConfigError& e) {
  std::fprintf(stderr, "caremarket: the configuration has %zu problem(s):\n", e.problems().size());
  for (const auto& p : e.problems()) std::fprintf(stderr, "  %s\n", p.describe().c_str());
  return kExitBadInput;
}

// A first word that is no command (a typo such as `rn`) is named, with the nearest command,
// rather than CLI11's "A subcommand is required". Returns false after saying so.
bool is_command_or_option(const CLI::App& app, const char* first) {
  if (first[0] == '-') return true;
  std::vector<std::string> commands;
  for (const auto* sub : app.get_subcommands([](const CLI::App*) { return true; })) commands.push_back(sub->get_name());
  if (std::find(commands.begin(), commands.end(), first) != commands.end()) return true;
  std::string list;
  for (const auto& c : commands) list += (list.empty() ? "" : ", ") + c;
  const auto near = engine::config::closest(first, commands);
  std::fprintf(stderr, "caremarket: '%s' is not a command%s; the commands are %s (caremarket --help)\n", first,
               near ? (" (did you mean '" + *near + "'?)").c_str() : "", list.c_str());
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"caremarket — an agent-based simulation of a regional adult social-care market"};
  app.set_version_flag("-V,--version", cm::software_version() + " (commit " + cm::git_commit() + ")");
  app.require_subcommand(1);
  const std::vector<Command> commands{add_run(app),       add_validate(app), add_scenario(app), add_sweep(app),
                                      add_compare(app),   add_report(app),   add_params(app),   add_analyse(app),
                                      add_calibrate(app), add_lab(app)};

  if (argc > 1 && !is_command_or_option(app, argv[1])) return kExitBadInput;
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : kExitBadInput;
  }

  try {
    for (const auto& command : commands)
      if (*command.app) return command.run();
    return kExitBadInput;  // not reached: require_subcommand(1)
  } catch (const engine::config::ConfigError& e) {
    return report_config_error(e);
  } catch (const cm::CheckpointError& e) {  // a checkpoint that cannot continue this run
    std::fprintf(stderr, "caremarket: error: %s\n", e.what());
    return kExitBadInput;
  } catch (const engine::ArchiveError& e) {  // a checkpoint whose state cannot be read
    std::fprintf(stderr, "caremarket: error: checkpoint: %s\n", e.what());
    return kExitBadInput;
  } catch (const engine::BadOutputPath& e) {  // also cm::sweeps::InputError (a folder in use)
    std::fprintf(stderr, "caremarket: error: %s\n", e.what());
    return kExitBadInput;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "caremarket: error: %s\n", e.what());
    return kExitRuntime;
  }
}
