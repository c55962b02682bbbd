// `caremarket params`: every model parameter with its unit, default, allowed values, meaning and
// source, as a table or as Markdown.
#include <cstdio>
#include <memory>

#include "agents/parameters.hpp"
#include "cli/command.hpp"

namespace cm::cli {
namespace {

struct ParamsOptions {
  bool markdown = false;
};

int params(const ParamsOptions& o) {
  const auto docs = parameter_docs();
  if (o.markdown) {
    std::printf("| key | unit | default | allowed | meaning | source |\n|---|---|---|---|---|---|\n");
    for (const auto& d : docs)
      std::printf("| `%s` | %s | `%s` | %s | %s | %s |\n", d.key.c_str(), d.unit.c_str(), d.fallback.c_str(),
                  d.allowed.c_str(), d.doc.c_str(), d.source.c_str());
  } else {
    for (const auto& d : docs)
      std::printf("%-44s %-18s %-22s %-40s %s [%s]\n", d.key.c_str(), d.unit.c_str(), d.fallback.c_str(),
                  d.allowed.c_str(), d.doc.c_str(), d.source.c_str());
  }
  return 0;
}

}  // namespace

Command add_params(CLI::App& app) {
  auto o = std::make_shared<ParamsOptions>();
  auto* params_app = app.add_subcommand("params", "List every model parameter with unit, default, range and source");
  params_app->add_flag("--markdown", o->markdown, "As a Markdown table");
  return {params_app, [o] { return params(*o); }};
}

}  // namespace cm::cli
