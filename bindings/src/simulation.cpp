#include "simulation.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <fstream>
#include <stdexcept>
#include <system_error>
#include <type_traits>

#include <unistd.h>

#include "agents/checkpoint_file.hpp"
#include "agents/metrics.hpp"
#include "engine/files.hpp"
#include "engine/hdf5_reader.hpp"
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

// A file name in the temporary folder no other simulation of this process uses: where a
// simulation's recorder writes (under the writer's own temporary name, deleted with it).
std::filesystem::path scratch_path(const char* what) {
  static std::atomic<std::uint64_t> counter{0};
  return std::filesystem::temp_directory_path() /
         ("caremarket-" + std::string(what) + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) +
          ".h5");
}

// Every week's metrics, [week][metric][council], read from an output file's bytes (a checkpoint's).
std::vector<double> history_from_output(std::span<const std::byte> output, int councils, std::int32_t week) {
  const auto path = scratch_path("history");
  {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(output.data()), static_cast<std::streamsize>(output.size()));
  }
  struct Remove {
    std::filesystem::path path;
    ~Remove() {
      std::error_code ec;
      std::filesystem::remove(path, ec);
    }
  } remove{path};
  const auto weeks = static_cast<std::size_t>(week) + 1, width = static_cast<std::size_t>(councils);
  const auto& catalogue = cm::metric_catalogue();
  std::vector<double> history(weeks * catalogue.size() * width);
  for (std::size_t m = 0; m < catalogue.size(); ++m) {
    const auto series = engine::read_f64_dataset(path, std::string("/") + catalogue[m].name);
    if (!series || series->shape.size() != 2 || series->shape[0] != weeks || series->shape[1] != width)
      throw cm::CheckpointError(std::string("the checkpoint's output lacks weeks 0..") + std::to_string(week) + " of " +
                                catalogue[m].name + " (damaged)");
    for (std::size_t w = 0; w < weeks; ++w)
      std::copy_n(series->values.begin() + static_cast<std::ptrdiff_t>(w * width), width,
                  history.begin() + static_cast<std::ptrdiff_t>((w * catalogue.size() + m) * width));
  }
  return history;
}

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
  current_step_.store(model_->current_step());
  append_history();
  start_time_ = cm::utc_now();
  const cm::Provenance provenance{cm::kFormatName,
                                  cm::kFormatVersion,
                                  cm::software_version(),
                                  cm::git_commit(),
                                  scenario_.resolved_toml,
                                  scenario_.layers,
                                  seed_,
                                  replicate_,
                                  threads_,
                                  start_time_,
                                  scenario_.spec.run.steps};
  recorder_ = std::make_unique<cm::Recorder>(scratch_path("simulation"), *model_, provenance);
}

Simulation::Simulation(cm::LoadedScenario scenario, std::uint64_t seed, std::uint64_t replicate, int threads,
                       std::shared_ptr<cm::Model> model, std::vector<double> history, std::span<const std::byte> output,
                       double output_seconds)
    : scenario_(std::move(scenario)),
      seed_(seed),
      replicate_(replicate),
      threads_(threads),
      model_(std::move(model)),
      history_(std::move(history)) {
  current_step_.store(model_->current_step());
  recorder_ = std::make_unique<cm::Recorder>(scratch_path("simulation"), *model_, output, output_seconds);
}

Simulation::~Simulation() = default;

std::unique_ptr<Simulation> Simulation::load_state(const std::filesystem::path& checkpoint, int threads) {
  if (threads < 0) throw std::invalid_argument("threads must be >= 0 (0 = all cores)");
  auto c = cm::read_checkpoint(checkpoint);
  auto scenario = cm::load_scenario_text(c.config_toml, "checkpoint " + checkpoint.string());
  scenario.layers = c.layers;
  engine::ThreadLimit limit(threads);
  auto model =
      std::make_shared<cm::Model>(cm::Model::from_state(scenario, c.seed, c.built_replicate, c.state, c.replicate));
  model->settle();
  auto history = history_from_output(c.output_contents, model->councils(), model->current_step());
  return std::unique_ptr<Simulation>(new Simulation(std::move(scenario), c.seed, c.replicate, threads, std::move(model),
                                                    std::move(history), c.output_contents, c.output_seconds));
}

void Simulation::save_state(const std::filesystem::path& checkpoint) {
  check_ready();
  Busy busy(busy_);
  engine::check_output_path(checkpoint, "checkpoint file");
  const auto stride = cm::kMetricCount * static_cast<std::size_t>(model_->councils());
  const std::vector<double> first(history_.begin(), history_.begin() + static_cast<std::ptrdiff_t>(stride));
  const std::int64_t week = model_->current_step();
  const std::int64_t steps = std::max<std::int64_t>(week, scenario_.spec.run.steps);
  auto c = cm::make_checkpoint(scenario_, seed_, *model_, recorder_->contents(), first, steps);
  c.output_seconds = recorder_->output_seconds();
  c.start_time = start_time_;
  c.checkpoint = std::filesystem::absolute(checkpoint).string();
  // The weeks of the run's last year done so far, as the run driver sums them.
  for (std::int64_t w = std::max<std::int64_t>(1, steps - 51); w <= week; ++w) {
    const std::vector<double> values(history_.begin() + static_cast<std::ptrdiff_t>(w * stride),
                                     history_.begin() + static_cast<std::ptrdiff_t>((w + 1) * stride));
    const auto region = cm::region_values(values, model_->councils());
    if (c.year_sum.empty()) c.year_sum.assign(region.size(), 0.0);
    for (std::size_t k = 0; k < region.size(); ++k) c.year_sum[k] += region[k];
    ++c.year_weeks;
  }
  cm::write_checkpoint(checkpoint, c);
}

std::unique_ptr<Simulation> Simulation::copy(std::optional<std::uint64_t> replicate) {
  check_ready();
  Busy busy(busy_);
  auto model = std::make_shared<cm::Model>(*model_);
  const std::uint64_t continued = replicate.value_or(replicate_);
  model->continue_with_replicate(continued);
  auto sim = std::unique_ptr<Simulation>(new Simulation(scenario_, seed_, continued, threads_, std::move(model),
                                                        history_, recorder_->contents(), recorder_->output_seconds()));
  sim->start_time_ = start_time_;
  if (continued != replicate_) {
    sim->recorder_->attribute("replicate", static_cast<std::int64_t>(continued));
    sim->recorder_->attribute("branched_from_replicate", static_cast<std::int64_t>(replicate_));
    sim->recorder_->attribute("branched_at_step", static_cast<std::int64_t>(model_->current_step()));
  }
  return sim;
}

void Simulation::apply_policy(const std::filesystem::path& policy) {
  check_ready();
  auto changed = cm::with_policy(scenario_, static_cast<std::int32_t>(model_->current_step() + 1), policy);
  model_->replace_changes(changed.changes);
  scenario_ = std::move(changed);
}

void Simulation::check_ready() const {
  if (busy_)
    throw std::runtime_error("the simulation is busy stepping (in another thread); wait until step() or run() returns");
  if (!failure_.empty())
    throw std::runtime_error("the simulation failed in " + failure_ + " and cannot be used further");
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
          recorder_->record_step(*model_);
          append_history();
          current_step_.store(model_->current_step(), std::memory_order_relaxed);
          ++done;
        }
        model_->settle();  // views show the live agents only, grouped by council
      } catch (const std::exception& e) {
        failure_ = "week " + std::to_string(model_->current_step()) + " (" + e.what() + ")";
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
  auto changed = cm::with_change(scenario_, static_cast<std::int32_t>(model_->current_step() + 1), assignment);
  model_->replace_changes(changed.changes);
  scenario_ = std::move(changed);
}

std::vector<std::string> Simulation::column_names(Table table) const {
  std::vector<std::string> names;
  with_table(model_->market(), table, [&](const auto& t) {
    t.for_each_column([&](const char* name, const auto&) { names.emplace_back(name); });
  });
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
    py::object buffer =
        py::cast(new ColumnBuffer(model_, table, name, model_->current_step()), py::return_value_policy::take_ownership);
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

cm::RunOutcome Simulation::save(const std::filesystem::path& output) {
  check_ready();
  Busy busy(busy_);
  engine::check_output_path(output);
  const auto start = std::chrono::steady_clock::now();
  cm::RunOutcome outcome;
  {
    py::gil_scoped_release release;
    // A copy of what the recorder wrote, closed as `run` closes its file: written under a temporary
    // name and moved onto `output` only when complete.
    cm::Recorder out(output, *model_, recorder_->contents(), recorder_->output_seconds());
    out.attribute("config", scenario_.resolved_toml);
    out.attribute("config_layers", cm::join_lines(scenario_.layers));
    out.attribute("steps_requested", static_cast<std::int64_t>(model_->current_step()));
    out.attribute("threads", static_cast<std::int64_t>(threads_));
    outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    out.finish(*model_, true, "completed", cm::utc_now(), outcome.seconds, 0.0);
  }
  const auto stride = cm::kMetricCount * static_cast<std::size_t>(model_->councils());
  const std::vector<double> first(history_.begin(), history_.begin() + static_cast<std::ptrdiff_t>(stride));
  outcome.steps_done = outcome.steps_requested = model_->current_step();
  outcome.seed = seed_;
  outcome.summary = cm::summarise(first, model_->metrics(), model_->councils());
  outcome.final_region = cm::region_values(model_->metrics(), model_->councils());
  outcome.last_year_region = outcome.final_region;
  return outcome;
}

}  // namespace cmpy
