#pragma once
// cm::run_to_file driven from Python: the GIL is released while the model runs, and at every step
// boundary the driver takes the GIL back briefly to run Python's signal handlers (Ctrl-C) and the
// progress callback.
#include <pybind11/pybind11.h>

#include "agents/run.hpp"

namespace cmpy {

namespace py = pybind11;

// Runs the request and writes its file. `progress` is None or a callable(steps_done, steps_total).
// When Ctrl-C arrives (KeyboardInterrupt) or the callback raises, the run stops at the next step
// boundary, the file is written with the weeks done and marked complete = 0 (as the command line
// does), and that Python exception is raised once the file is closed.
cm::RunOutcome run_with_python(const cm::RunRequest& request, const py::object& progress);

// The outcome as a dict: reason ("completed" or "cancelled"), steps_done, steps_requested, seconds,
// seed, summary [(label, start, end, units)].
py::dict outcome_dict(const cm::RunOutcome& outcome);

}  // namespace cmpy
