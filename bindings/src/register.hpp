#pragma once
// The concepts of caremarket._core, one registration function (and one file) each.
#include <pybind11/pybind11.h>

namespace cmpy {

namespace py = pybind11;

void register_config(py::module_& m);   // register_config.cpp: Scenario, load_scenario, ConfigError
void register_metrics(py::module_& m);  // register_metrics.cpp: the metric catalogue
void register_model(py::module_& m);    // register_model.cpp: Simulation, ColumnBuffer
void register_run(py::module_& m);      // register_run.cpp: run_to_file, version and format
void register_rules(py::module_& m);    // register_rules.cpp: _RuleMarket and the quit hazard, for rule-level tests
void register_sweeps(py::module_& m);   // register_sweeps.cpp: sweep design, runner, index, t quantiles

}  // namespace cmpy
