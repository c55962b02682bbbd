#include "simulation.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <system_error>
#include <type_traits>

#include <unistd.h>

#include "agents/metrics.hpp"
#include "engine/files.hpp"
#include "engine/parallel.hpp"
#include "run_driver.hpp"

namespace cmpy {
namespace {

// Calls fn(table) with the agent table of that kind.
template <class Market, class Fn>
void with_table(Market& market, Table table, Fn&& fn) {
  switch (table) {
    case Table::people: fn(market.people); return;
    case Table::workers: fn(market.workers); return;
    case Table::providers: fn(market.providers); return;
  }
  throw std::invalid_argument("unknown agent table");
}

// Address given to views of empty columns (an empty std::vector may have no storage at all).
alignas(16) const unsigned char kEmpty[16] = {};

}  // namespace

const char* table_name(Table table) noexcept {
  switch (table) {
    case Table::people: return "people";
    case Table::workers: return "workers";
    case Table::providers: return "providers";
  }
  return "?";
}

class Simulation::Busy {
 public:
  explicit Busy(bool& flag) : flag_(flag) { flag_ = true; }
  ~Busy() { flag_ = false; }
  Busy(const Busy&) = delete;
  Busy& operator=(const Busy&) = delete;

 private:
  bool& flag_;
};

Simulation::Simulation(cm::LoadedScenario scenario, std::optional<std::uint64_t> seed, std::uint64_t replicate,
                       int threads)
    : scenario_(std::move(scenario)),
      seed_(seed.value_or(static_cast<std::uint64_t>(scenario_.spec.run.seed))),
      replicate_(replicate),
      threads_(threads) {
  if (threads < 0) throw std::invalid_argument("threads must be >= 0 (0 = all cores)");
  engine::ThreadLimit limit(threads_);
  model_ = std::make_shared<cm::Model>(scenario_, seed_, replicate_);
  // The warm-up (run.warmup_weeks) runs here, the GIL released (register_model.cpp): the
  // simulation starts at reported week 0. Ctrl-C stops it.
  bool interrupted = false;
  model_->warm_up([&](std::int32_t, std::int32_t) {
    py::gil_scoped_acquire gil;
    interrupted = PyErr_CheckSignals() != 0;
    return !interrupted;
  });
  if (interrupted) {
    py::gil_scoped_acquire gil;
    throw py::error_already_set();
  }
  model_->settle();
  week_.store(model_->week());
  append_history();
}

void Simulation::check_ready() const {
  if (busy_)
    throw std::runtime_error("the simulation is busy stepping (in another thread); wait until step() or run() returns");
  if (!failure_.empty()) throw std::runtime_error("the simulation failed in " + failure_ + " and cannot be used further");
}

void Simulation::append_history() {
  const auto& values = model_->metrics();
  history_.insert(history_.end(), values.begin(), values.end());
}

cm::Market& Simulation::market_for_freezing() {
  // Model exposes its market read-only; the model object itself is not const (we own it), and
  // swapping a column's storage for an equal copy changes no value the model reads.
  return const_cast<cm::Market&>(model_->market());
}

void Simulation::freeze_views() {
  for (auto& [key, object] : buffers_) {
    // Only this map holds the buffer: no view uses it, nothing to keep.
    if (Py_REFCNT(object.ptr()) <= 1) continue;
    auto& buffer = object.cast<ColumnBuffer&>();
    with_table(market_for_freezing(), key.first, [&](auto& table) {
      table.for_each_column([&](const char* name, auto& column) {
        if (key.second == name) buffer.freeze(column);
      });
    });
  }
  buffers_.clear();
}

std::int64_t Simulation::advance(std::int64_t steps, std::int64_t chunk, const py::object& progress) {
  if (steps < 0) throw py::value_error("steps must be >= 0, got " + std::to_string(steps));
  if (chunk < 1) throw py::value_error("chunk must be >= 1, got " + std::to_string(chunk));
  check_ready();
  Busy busy(busy_);
  std::int64_t done = 0;
  while (done < steps) {
    const std::int64_t n = std::min(chunk, steps - done);
    freeze_views();
    {
      py::gil_scoped_release release;
      engine::ThreadLimit limit(threads_);
      try {
        for (std::int64_t i = 0; i < n; ++i) {
          model_->step();
          append_history();
          week_.store(model_->week(), std::memory_order_relaxed);
          ++done;
        }
        model_->settle();  // views show the live agents only, grouped by council
      } catch (const std::exception& e) {
        failure_ = "week " + std::to_string(model_->week()) + " (" + e.what() + ")";
        throw;
      }
    }
    if (PyErr_CheckSignals() != 0) throw py::error_already_set();
    if (!progress.is_none()) progress(done);
  }
  return done;
}

void Simulation::set(const std::string& assignment) {
  check_ready();
  auto changed = cm::with_change(scenario_, static_cast<std::int32_t>(model_->week() + 1), assignment);
  model_->replace_changes(changed.changes);
  scenario_ = std::move(changed);
}

std::vector<std::string> Simulation::column_names(Table table) const {
  std::vector<std::string> names;
  with_table(model_->market(), table, [&](const auto& t) { t.for_each_column([&](const char* name, const auto&) { names.emplace_back(name); }); });
  return names;
}

std::size_t Simulation::rows(Table table) const {
  check_ready();
  std::size_t n = 0;
  with_table(model_->market(), table, [&](const auto& t) { n = t.id.size(); });
  return n;
}

py::array Simulation::column(Table table, const std::string& name) {
  check_ready();
  const auto key = std::make_pair(table, name);
  auto it = buffers_.find(key);
  if (it == buffers_.end()) {
    const auto names = column_names(table);
    if (std::find(names.begin(), names.end(), name) == names.end())
      throw py::key_error("no column '" + name + "' in " + table_name(table));
    py::object buffer = py::cast(new ColumnBuffer(model_, table, name, model_->week()), py::return_value_policy::take_ownership);
    it = buffers_.emplace(key, std::move(buffer)).first;
  }
  py::array view;
  with_table(model_->market(), table, [&](const auto& t) {
    t.for_each_column([&](const char* column_name, const auto& column) {
      if (name != column_name) return;
      using T = typename std::decay_t<decltype(column)>::value_type;
      const void* data = column.empty() ? static_cast<const void*>(kEmpty) : static_cast<const void*>(column.data());
      view = py::array(py::dtype::of<T>(), {static_cast<py::ssize_t>(column.size())},
                       {static_cast<py::ssize_t>(sizeof(T))}, data, it->second);
    });
  });
  py::detail::array_proxy(view.ptr())->flags &= ~py::detail::npy_api::NPY_ARRAY_WRITEABLE_;
  return view;
}

py::array_t<double> Simulation::metrics_history() const {
  check_ready();
  const auto metrics = static_cast<py::ssize_t>(cm::kMetricCount);
  const auto councils = static_cast<py::ssize_t>(model_->councils());
  const auto weeks = static_cast<py::ssize_t>(history_.size()) / std::max<py::ssize_t>(1, metrics * councils);
  py::array_t<double> out({weeks, metrics, councils});
  std::copy(history_.begin(), history_.end(), out.mutable_data());
  return out;
}

cm::RunOutcome Simulation::save(const std::filesystem::path& output, const py::object& progress) {
  check_ready();
  Busy busy(busy_);
  // Written beside the target under another name, moved onto it only when complete and checked, so
  // an interrupted or failed save leaves any earlier file of that name untouched.
  engine::check_output_path(output);  // before the re-run, not after it
  std::filesystem::path staging = output;
  staging += ".save-" + std::to_string(::getpid());
  cm::RunRequest request;
  request.scenario = scenario_;
  request.seed = seed_;
  request.replicate = replicate_;
  request.threads = threads_;
  request.steps = model_->week();
  request.output = staging;
  auto discard = [&] {
    std::error_code ignored;
    std::filesystem::remove(staging, ignored);
  };
  cm::RunOutcome outcome;
  try {
    outcome = run_with_python(request, progress);
  } catch (...) {
    discard();
    throw;
  }
  // The re-run must end in the state this simulation is in (principle 4: a run is a pure function of
  // config, seed and replicate). Compare the headline totals, exactly.
  const auto stride = cm::kMetricCount * static_cast<std::size_t>(model_->councils());
  const std::vector<double> first(history_.begin(), history_.begin() + static_cast<std::ptrdiff_t>(stride));
  const auto expected = cm::summarise(first, model_->metrics(), model_->councils());
  const auto eq = [](double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); };
  bool same = expected.size() == outcome.summary.size();
  for (std::size_t i = 0; same && i < expected.size(); ++i)
    same = eq(expected[i].start, outcome.summary[i].start) && eq(expected[i].end, outcome.summary[i].end);
  if (!same) {
    discard();
    throw std::runtime_error("save(): re-running the configuration for " + std::to_string(model_->week()) +
                             " weeks did not reproduce this simulation's state (a determinism bug); no file written");
  }
  try {
    engine::durable_rename(staging, output);
  } catch (...) {
    discard();
    throw;
  }
  return outcome;
}

}  // namespace cmpy
