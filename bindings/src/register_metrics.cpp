// What the outputs mean: the declared time series (agents/metrics.hpp) with their units, and the
// names of the enumeration codes in agent columns (agents/types.hpp).
#include <pybind11/stl.h>

#include <string>
#include <vector>

#include "agents/metrics.hpp"
#include "agents/types.hpp"
#include "register.hpp"

namespace cmpy {

void register_metrics(py::module_& m) {
  m.def(
      "metric_catalogue",
      [] {
        py::list out;
        for (const auto& info : cm::metric_catalogue()) out.append(py::make_tuple(info.name, info.units, info.long_name));
        return out;
      },
      "The time series computed per council each week, as (name, units, long_name), in the order of\n"
      "Simulation.metrics_history()'s metric axis and of docs/output-format.md §5.");

  m.def(
      "region_weights",
      [] {
        py::dict out;
        const auto& catalogue = cm::metric_catalogue();
        for (std::size_t k = 0; k < cm::kMetricCount; ++k) {
          const auto weight = cm::region_weight(static_cast<cm::Metric>(k));
          if (weight != cm::kMetricCount) out[py::str(catalogue[k].name)] = py::str(catalogue[weight].name);
        }
        return out;
      },
      "Metrics averaged over councils (rather than summed) -> the metric that weights each council;\n"
      "the same rule as the C++ region values of sweeps and comparisons.");

  // Names of the codes stored in agent columns (archetype, route, placement), by code.
  const auto names = [](const auto& list) { return std::vector<std::string>(list.begin(), list.end()); };
  m.attr("ARCHETYPES") = py::tuple(py::cast(names(cm::kArchetypeNames)));
  m.attr("ROUTES") = py::tuple(py::cast(names(cm::kRouteNames)));
  m.attr("PLACEMENTS") = py::tuple(py::cast(names(cm::kPlacementNames)));
}

}  // namespace cmpy
