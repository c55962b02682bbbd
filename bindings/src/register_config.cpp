// Configuration: loading a scenario with its policies and overrides (the same cm::load_scenario the
// command line uses), and engine::config::ConfigError raised as caremarket.ConfigError.
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <cstdlib>
#include <exception>
#include <filesystem>
#include <string>
#include <vector>

#include "agents/council_table.hpp"
#include "agents/parameters.hpp"
#include "engine/config.hpp"
#include "register.hpp"

namespace cmpy {
namespace {

// caremarket.ConfigError(message, problems): a ValueError defined in caremarket/_errors.py, so the
// pure-Python package can raise the same type (e.g. for an unknown scenario name).
void raise_config_error(const engine::config::ConfigError& e) {
  const auto& problems = e.problems();
  std::string text = "the configuration has " + std::to_string(problems.size()) + " problem(s):";
  py::list rows;
  for (const auto& p : problems) {
    text += "\n  " + p.describe();
    rows.append(py::make_tuple(p.origin, p.key, p.message));
  }
  try {
    py::object type = py::module_::import("caremarket._errors").attr("ConfigError");
    py::object error = type(text, rows);
    PyErr_SetObject(type.ptr(), error.ptr());
  } catch (py::error_already_set&) {
    // The package is not importable (the module used on its own): a plain ValueError.
    PyErr_SetString(PyExc_ValueError, text.c_str());
  }
}

}  // namespace

void register_config(py::module_& m) {
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const engine::config::ConfigError& e) {
      raise_config_error(e);
    }
  });

  py::class_<cm::LoadedScenario>(m, "Scenario",
                                 "A validated, resolved configuration: scenario, policies and overrides merged.")
      .def_property_readonly(
          "resolved_toml", [](const cm::LoadedScenario& s) { return s.resolved_toml; },
          "The whole resolved config as TOML, defaults included (stored in every output).")
      .def_property_readonly(
          "layers", [](const cm::LoadedScenario& s) { return s.layers; },
          "The layers in the order applied: scenario, policies, '--set <key>' per override.")
      .def_property_readonly(
          "warnings", [](const cm::LoadedScenario& s) { return s.warnings; },
          "Values the loader changed, in words (a wage below labour.nlw is raised to it).")
      .def_property_readonly(
          "steps", [](const cm::LoadedScenario& s) { return s.spec.run.steps; }, "run.steps")
      .def_property_readonly(
          "warmup_weeks", [](const cm::LoadedScenario& s) { return s.spec.run.warmup_weeks; },
          "run.warmup_weeks: weeks simulated before step 0 under the baseline, not reported")
      .def_property_readonly(
          "seed", [](const cm::LoadedScenario& s) { return s.spec.run.seed; }, "run.seed")
      .def_property_readonly(
          "region", [](const cm::LoadedScenario& s) { return s.spec.region.name; }, "region.name")
      .def_property_readonly(
          "councils",
          [](const cm::LoadedScenario& s) {
            std::vector<std::string> names;
            for (const auto& c : s.spec.councils) names.push_back(c.name);
            return names;
          },
          "Council names in the order of the configuration.")
      .def("__repr__", [](const cm::LoadedScenario& s) {
        return "<caremarket._core.Scenario " + s.spec.region.name + ", " + std::to_string(s.spec.councils.size()) +
               " council(s), " + std::to_string(s.spec.run.steps) + " steps>";
      });

  m.def(
      "load_scenario",
      [](const std::filesystem::path& scenario, const std::vector<std::filesystem::path>& policies,
         const std::vector<std::string>& assignments, const std::vector<std::optional<std::string>>& policy_dates) {
        if (!policy_dates.empty() && policy_dates.size() != policies.size())
          throw py::value_error("policy_dates must give one date (or None) for each policy");
        std::vector<cm::PolicyFile> files = cm::from_start(policies);
        for (std::size_t k = 0; k < policy_dates.size(); ++k) {
          if (!policy_dates[k]) continue;
          files[k].from = engine::parse_iso_date(*policy_dates[k]);
          if (!files[k].from)
            throw engine::config::ConfigError(
                {{policies[k].string(), "from", "= \"" + *policy_dates[k] + "\" is not a date YYYY-MM-DD"}});
        }
        auto loaded = cm::load_scenario(scenario, files, assignments);
        // As the command line warns on stderr, Python warns with the warnings module.
        for (const auto& w : loaded.warnings)
          if (PyErr_WarnEx(PyExc_UserWarning, w.c_str(), 1) < 0) throw py::error_already_set();  // warnings as errors
        return loaded;
      },
      py::arg("scenario"), py::arg("policies") = std::vector<std::filesystem::path>{},
      py::arg("assignments") = std::vector<std::string>{},
      py::arg("policy_dates") = std::vector<std::optional<std::string>>{},
      "Reads a scenario, overlays the policies (each from the start, or from its date in policy_dates:\n"
      "ISO text or None) and 'key=value' assignments, validates everything.\n"
      "Raises caremarket.ConfigError listing every problem.");
  m.def(
      "load_scenario_text",
      [](const std::string& text, const std::string& origin) { return cm::load_scenario_text(text, origin); },
      py::arg("toml_text"), py::arg("origin"),
        "Same as load_scenario, from TOML text (e.g. the resolved config stored in an output file).");
  m.def(
      "cut_scenario",
      [](const std::filesystem::path& table, const std::vector<std::string>& councils,
         const std::vector<std::string>& regions, const std::vector<std::string>& assignments, const std::string& name,
         const std::string& commuting_zone, const std::string& command) {
        const auto cut = cm::cut_scenario({table, councils, regions, assignments, name, commuting_zone, command});
        return py::make_tuple(cut.text, cut.names, cut.codes);
      },
      py::arg("table"), py::arg("councils"), py::arg("regions"), py::arg("assignments"), py::arg("name"),
      py::arg("commuting_zone"), py::arg("command"),
      "A scenario cut from a councils table (agents/council_table.hpp): (TOML text, names, codes).\n"
      "Raises caremarket.ConfigError naming an unknown or repeated council or a bad override.");

  m.def(
      "parameter_docs",
      [] {
        py::list out;
        for (const auto& d : cm::parameter_docs()) {
          py::dict row;
          row["key"] = d.key;
          row["kind"] = d.kind;
          row["unit"] = d.unit;
          row["allowed"] = d.allowed;
          row["default"] = d.fallback;
          row["doc"] = d.doc;
          row["source"] = d.source;
          out.append(row);
        }
        return out;
      },
      "Every model parameter: key, kind, unit, allowed values, default (TOML text), meaning, source.");

  // Where the shipped configs live (the command line looks in the same places, in this order after
  // $CAREMARKET_CONFIGS): the source tree of this build, then the installed share directory.
  m.attr("SOURCE_CONFIGS") = std::string(CAREMARKET_SOURCE_CONFIGS);
  m.attr("INSTALLED_CONFIGS") = std::string(CAREMARKET_INSTALLED_CONFIGS);
}

}  // namespace cmpy
