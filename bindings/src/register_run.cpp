// Whole runs to a file (cm::run_to_file, the driver `caremarket run` uses), and the version and
// output format this module writes.
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <cstdint>
#include <filesystem>
#include <optional>

#include "agents/run.hpp"
#include "register.hpp"
#include "run_driver.hpp"

namespace cmpy {

void register_run(py::module_& m) {
  m.def(
      "run_to_file",
      [](const cm::LoadedScenario& scenario, const std::filesystem::path& output, std::optional<std::uint64_t> seed,
         std::uint64_t replicate, int threads, std::optional<std::int64_t> steps, const py::object& progress) {
        if (threads < 0) throw py::value_error("threads must be >= 0 (0 = all cores)");
        if (steps && *steps < 0) throw py::value_error("steps must be >= 0");
        cm::RunRequest request;
        request.scenario = scenario;
        request.seed = seed;
        request.replicate = replicate;
        request.threads = threads;
        request.steps = steps;
        request.output = output;
        return outcome_dict(run_with_python(request, progress));
      },
      py::arg("scenario"), py::arg("output"), py::arg("seed") = py::none(), py::arg("replicate") = 0,
      py::arg("threads") = 0, py::arg("steps") = py::none(), py::arg("progress") = py::none(),
      "Runs a loaded scenario and writes its HDF5 file through cm::run_to_file, the command line's driver,\n"
      "with the GIL released. progress(done, total) is called at every step boundary. On Ctrl-C (or an\n"
      "exception from progress) the file is written with the weeks done, marked complete = 0, and the\n"
      "exception is raised. Returns the outcome as a dict.");

  m.attr("__version__") = cm::software_version();
  m.attr("GIT_COMMIT") = cm::git_commit();
  m.attr("FORMAT_NAME") = std::string(cm::kFormatName);
  m.attr("FORMAT_VERSION") = std::string(cm::kFormatVersion);
}

}  // namespace cmpy
