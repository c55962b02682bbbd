// `caremarket validate`: checks a scenario with its policies and overrides, and prints the
// resolved configuration with the layers it came from.
#include <cstdio>
#include <memory>

#include "cli/command.hpp"
#include "cli/config_args.hpp"

namespace cm::cli {
namespace {

int validate(const ConfigArgs& config) {
  const auto loaded = config.load();
  std::printf("# caremarket resolved configuration\n# layers: ");
  for (std::size_t i = 0; i < loaded.layers.size(); ++i) std::printf("%s%s", i ? " < " : "", loaded.layers[i].c_str());
  std::printf("\n%s", loaded.resolved_toml.c_str());
  return 0;
}

}  // namespace

Command add_validate(CLI::App& app) {
  auto config = std::make_shared<ConfigArgs>();
  auto* validate_app =
      app.add_subcommand("validate", "Check a scenario with its policies and print the resolved config");
  config->add_to(validate_app, true);
  return {validate_app, [config] { return validate(*config); }};
}

}  // namespace cm::cli
