#pragma once
// The state behind caremarket.Simulation: a cm::Model stepped with the GIL released, the metrics of
// every week so far, and the buffers that numpy views of agent columns point into.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "agents/model.hpp"
#include "agents/parameters.hpp"
#include "agents/recorder.hpp"
#include "agents/run.hpp"

namespace cmpy {

namespace py = pybind11;

enum class Table : int { people = 0, workers = 1, providers = 2 };
const char* table_name(Table table) noexcept;

// The base object of the numpy views of one agent column (the `.base` of every view).
//
// Views are zero-copy and never dangle. While the buffer is live, its views point into the model's
// own std::vector, and this object keeps the model alive. A step reallocates, appends to and
// compacts those vectors, so before every step the Simulation freezes each buffer that some view
// still uses: it moves the vector's storage into this object and lets the model continue on a copy.
// A view taken before a step therefore keeps showing the week it was taken, for as long as it
// lives; the cost is one copy per still-viewed column per step (none when no view is held).
class ColumnBuffer {
 public:
  using Storage = std::variant<std::monostate, std::vector<std::int32_t>, std::vector<std::int16_t>,
                               std::vector<std::uint8_t>, std::vector<float>>;

  ColumnBuffer(std::shared_ptr<const cm::Model> model, Table table, std::string name, std::int32_t step)
      : model_(std::move(model)), table_(table), name_(std::move(name)), step_(step) {}

  Table table() const noexcept { return table_; }
  const std::string& name() const noexcept { return name_; }
  std::int32_t step() const noexcept { return step_; }
  bool live() const noexcept { return model_ != nullptr; }

  // Takes over the column's storage (the views' memory) and leaves the model a copy.
  template <class T>
  void freeze(std::vector<T>& column) {
    storage_.template emplace<std::vector<T>>(std::move(column));
    column = std::get<std::vector<T>>(storage_);
    model_.reset();
  }

 private:
  std::shared_ptr<const cm::Model> model_;  // null once frozen
  Table table_;
  std::string name_;
  std::int32_t step_;
  Storage storage_;
};

class Simulation {
 public:
  // Builds the market (no Python calls: may run with the GIL released). threads: 0 = all cores.
  Simulation(cm::LoadedScenario scenario, std::optional<std::uint64_t> seed, std::uint64_t replicate, int threads);
  ~Simulation();
  Simulation(const Simulation&) = delete;
  Simulation& operator=(const Simulation&) = delete;

  // A simulation going on from a checkpoint (save_state(), or `caremarket run --checkpoint-every`).
  // Throws cm::CheckpointError / engine::ArchiveError for one that cannot be read.
  static std::unique_ptr<Simulation> load_state(const std::filesystem::path& checkpoint, int threads);
  // Writes this simulation's state as a checkpoint (docs/checkpoint-format.md).
  void save_state(const std::filesystem::path& checkpoint);
  // An independent simulation in the same state; with `replicate`, its random streams from the next
  // week on are that replicate's (another future from the same history).
  std::unique_ptr<Simulation> copy(std::optional<std::uint64_t> replicate);
  // A policy file in force from the next week on (as a policy dated that week: the config records it).
  void apply_policy(const std::filesystem::path& policy);

  // Safe to read from any thread, also while another one steps.
  std::int32_t current_step() const noexcept { return current_step_.load(std::memory_order_relaxed); }
  int councils() const noexcept { return model_->councils(); }
  std::uint64_t seed() const noexcept { return seed_; }
  std::uint64_t replicate() const noexcept { return replicate_; }
  int threads() const noexcept { return threads_; }
  const cm::LoadedScenario& scenario() const noexcept { return scenario_; }

  // Advances `steps` weeks, `chunk` at a time with the GIL released; between chunks runs Python's
  // signal handlers (a KeyboardInterrupt stops here, at a step boundary, and propagates) and calls
  // progress(steps done so far in this call) unless it is None. Returns the steps done.
  std::int64_t advance(std::int64_t steps, std::int64_t chunk, const py::object& progress);

  // Changes a parameter from the next step on ("key=value", validated like --set): the change is
  // added to the config as a [[schedule]] entry dated that step, so save() replays it.
  void set(const std::string& assignment);

  std::vector<std::string> column_names(Table table) const;
  std::size_t rows(Table table) const;
  // A read-only zero-copy view of a column (see ColumnBuffer for its lifetime). KeyError if unknown.
  py::array column(Table table, const std::string& name);
  // Metrics of weeks 0..current_step(), shape (weeks, metrics, councils), a copy.
  py::array_t<double> metrics_history() const;

  // Writes the trajectory so far (weeks 0..current_step()) as a caremarket HDF5 file: what the recorder,
  // attached since week 0, has written, closed with the events and provenance as `run` closes a file.
  cm::RunOutcome save(const std::filesystem::path& output);

 private:
  // Goes on from `model` (a copy, or one read from a checkpoint) with its metrics history and the
  // output written so far.
  Simulation(cm::LoadedScenario scenario, std::uint64_t seed, std::uint64_t replicate, int threads,
             std::shared_ptr<cm::Model> model, std::vector<double> history, std::span<const std::byte> output,
             double output_seconds);
  class Busy;
  void check_ready() const;
  void freeze_views();
  void append_history();
  cm::Market& market_for_freezing();

  cm::LoadedScenario scenario_;
  std::uint64_t seed_;
  std::uint64_t replicate_;
  int threads_;
  std::shared_ptr<cm::Model> model_;
  std::atomic<std::int32_t> current_step_{0};                    // model_->current_step(), published after each step
  std::vector<double> history_;                                  // [week][metric][council]
  std::map<std::pair<Table, std::string>, py::object> buffers_;  // this week's ColumnBuffers
  std::unique_ptr<cm::Recorder> recorder_;  // the output so far, in a temporary file save() closes a copy of
  std::string start_time_;                  // when week 0's recorder started (UTC)
  bool busy_ = false;
  std::string failure_;  // set when a step threw: the model may be half-stepped
};

}  // namespace cmpy
