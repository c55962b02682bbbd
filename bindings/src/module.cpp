// caremarket._core: the private compiled module under the pure-Python package `caremarket`.
#include "register.hpp"

PYBIND11_MODULE(_core, m) {
  m.doc() = "Private compiled core of the caremarket package; use the public `caremarket` API.";
  cmpy::register_config(m);
  cmpy::register_metrics(m);
  cmpy::register_model(m);
  cmpy::register_run(m);
  cmpy::register_rules(m);
  cmpy::register_sweeps(m);
}
