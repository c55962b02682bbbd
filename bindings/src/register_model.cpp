// The running model: caremarket._core.Simulation (stepping, agent columns, metrics, save) and
// ColumnBuffer, the base object of every column view.
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include "engine/archive.hpp"
#include "register.hpp"
#include "run_driver.hpp"
#include "simulation.hpp"

namespace cmpy {
namespace {

Table table_of(const std::string& name) {
  if (name == "people") return Table::people;
  if (name == "workers") return Table::workers;
  if (name == "providers") return Table::providers;
  throw py::value_error("no agent table '" + name + "' (people, workers, providers)");
}

}  // namespace

void register_model(py::module_& m) {
  // A checkpoint whose state cannot be read is bad input, as cm::CheckpointError (a ValueError).
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const engine::ArchiveError& e) {
      PyErr_SetString(PyExc_ValueError, (std::string("checkpoint: ") + e.what()).c_str());
    }
  });
  py::class_<ColumnBuffer>(m, "ColumnBuffer",
                           "Owner of the memory behind numpy views of one agent column (each view's `.base`).\n\n"
                           "While `live`, the views point into the running model's own column. Before the model\n"
                           "steps, a buffer that views still use is frozen: it takes the column's memory with it,\n"
                           "so old views keep the values of `step` and never dangle.")
      .def_property_readonly("table", [](const ColumnBuffer& b) { return table_name(b.table()); })
      .def_property_readonly("name", &ColumnBuffer::name)
      .def_property_readonly("step", &ColumnBuffer::step, "The step (week) whose values the views show.")
      .def_property_readonly("live", &ColumnBuffer::live,
                             "True while the views are the model's current column (no step since).")
      .def("__repr__", [](const ColumnBuffer& b) {
        return std::string("<caremarket._core.ColumnBuffer ") + table_name(b.table()) + "[" + b.name() + "] step " +
               std::to_string(b.step()) + (b.live() ? ", live>" : ", frozen>");
      });

  py::class_<Simulation>(m, "Simulation", "A running model (use caremarket.Simulation).")
      .def(py::init<cm::LoadedScenario, std::optional<std::uint64_t>, std::uint64_t, int>(), py::arg("scenario"),
           py::arg("seed") = py::none(), py::arg("replicate") = 0, py::arg("threads") = 0,
           py::call_guard<py::gil_scoped_release>(),
           "Builds the market of a loaded scenario. seed: default run.seed; threads: 0 = all cores.")
      .def_property_readonly("current_step", &Simulation::current_step,
                             "The step reached: 0 when the warm-up ends, then 1, 2, ... (one step is a week).")
      .def_property_readonly("councils", &Simulation::councils)
      .def_property_readonly("seed", &Simulation::seed)
      .def_property_readonly("replicate", &Simulation::replicate)
      .def_property_readonly("threads", &Simulation::threads)
      .def_property_readonly("scenario", &Simulation::scenario, py::return_value_policy::copy)
      .def("advance", &Simulation::advance, py::arg("steps"), py::arg("chunk") = 1, py::arg("progress") = py::none(),
           "Advances `steps` weeks, `chunk` at a time, with the GIL released; between chunks handles Ctrl-C\n"
           "(KeyboardInterrupt propagates, the model is left at a step boundary) and calls progress(done).\n"
           "Returns the steps done.")
      .def("set", &Simulation::set, py::arg("assignment"),
           "Changes a parameter from the next step on: 'key=value' as --set takes it, validated like a\n"
           "config value. Raises caremarket.ConfigError.")
      .def(
          "column_names", [](const Simulation& s, const std::string& table) { return s.column_names(table_of(table)); },
          py::arg("table"))
      .def(
          "rows", [](const Simulation& s, const std::string& table) { return s.rows(table_of(table)); },
          py::arg("table"))
      .def(
          "column",
          [](Simulation& s, const std::string& table, const std::string& name) {
            return s.column(table_of(table), name);
          },
          py::arg("table"), py::arg("name"),
          "A read-only zero-copy numpy view of one agent column; see ColumnBuffer for its lifetime.")
      .def("metrics_history", &Simulation::metrics_history,
           "Metrics of steps 0..current_step as a new float64 array of shape (steps, metrics, councils).")
      .def(
          "save", [](Simulation& s, const std::filesystem::path& output) { return outcome_dict(s.save(output)); },
          py::arg("output"),
          "Writes the trajectory so far (steps 0..current_step) as a caremarket HDF5 file: what the\n"
          "recorder, attached since step 0, wrote, closed as `caremarket run` closes its file.")
      .def("save_state", &Simulation::save_state, py::arg("checkpoint"), py::call_guard<py::gil_scoped_release>(),
           "Writes the simulation's state as a checkpoint (docs/checkpoint-format.md).")
      .def_static("load_state", &Simulation::load_state, py::arg("checkpoint"), py::arg("threads") = 0,
                  py::call_guard<py::gil_scoped_release>(),
                  "A simulation going on from a checkpoint. Raises ValueError for one that cannot be read.")
      .def("copy", &Simulation::copy, py::arg("replicate") = py::none(), py::call_guard<py::gil_scoped_release>(),
           "An independent simulation in the same state; with `replicate`, that replicate's random streams\n"
           "from the next week on.")
      .def("apply_policy", &Simulation::apply_policy, py::arg("policy"),
           "A policy file in force from the next week on. Raises caremarket.ConfigError.");
}

}  // namespace cmpy
