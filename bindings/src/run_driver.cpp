#include "run_driver.hpp"

#include <optional>

#include "engine/cancel.hpp"

namespace cmpy {

cm::RunOutcome run_with_python(const cm::RunRequest& request, const py::object& progress) {
  engine::CancelFlag cancel;
  std::optional<py::error_already_set> stopped_by;  // KeyboardInterrupt, or the callback's error
  cm::RunOutcome outcome;
  {
    py::gil_scoped_release release;
    outcome = cm::run_to_file(request, cancel, [&](std::int64_t done, std::int64_t total) {
      py::gil_scoped_acquire gil;
      if (stopped_by) return;
      try {
        if (PyErr_CheckSignals() != 0) throw py::error_already_set();
        if (!progress.is_none()) progress(done, total);
      } catch (py::error_already_set& e) {
        stopped_by.emplace(std::move(e));
        cancel.request();
      }
    });
  }
  if (stopped_by) throw std::move(*stopped_by);
  return outcome;
}

py::dict outcome_dict(const cm::RunOutcome& outcome) {
  py::dict d;
  d["reason"] = outcome.reason == cm::StopReason::completed   ? "completed"
                : outcome.reason == cm::StopReason::cancelled ? "cancelled"
                                                              : "stopped";
  d["steps_done"] = outcome.steps_done;
  d["steps_requested"] = outcome.steps_requested;
  d["seconds"] = outcome.seconds;
  d["warmup_weeks"] = outcome.warmup_weeks;
  d["warmup_seconds"] = outcome.warmup_seconds;
  d["seed"] = outcome.seed;
  py::list summary;
  for (const auto& row : outcome.summary) summary.append(py::make_tuple(row.label, row.start, row.end, row.units));
  d["summary"] = summary;
  return d;
}

}  // namespace cmpy
