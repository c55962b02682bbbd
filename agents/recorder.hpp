#pragma once
// Writes a run to the caremarket HDF5 format (docs/output-format.md): provenance, the declared
// time series per step and council, events, and per-agent snapshots.
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <semaphore>
#include <span>
#include <string>
#include <vector>

#include "agents/model.hpp"

namespace engine {
class H5Writer;
}

namespace cm {

struct Provenance {
  std::string format_name, format_version, software_version, git_commit, config_toml;
  std::vector<std::string> layers;
  std::uint64_t seed = 0, replicate = 0;
  int threads = 0;
  std::string start_time;
  std::int64_t steps_requested = 0;
};

class Recorder {
 public:
  // Opens the file (under a temporary name) and records the starting state as step 0.
  Recorder(const std::filesystem::path& output, const Model& model, const Provenance& provenance);
  // Goes on writing a file whose bytes so far are `contents` (contents() of the recorder of the
  // run a checkpoint saved), from the model's next step; `output_seconds`: that run's so far.
  Recorder(const std::filesystem::path& output, const Model& model, std::span<const std::byte> contents,
           double output_seconds);
  ~Recorder();
  // The file as written so far (every step recorded), a valid caremarket file marked incomplete:
  // what a checkpoint keeps. Waits for the writer.
  std::vector<std::byte> contents();
  double output_seconds() const noexcept { return output_seconds_; }
  // Attributes of the root group added before finish() (a resumed run's provenance).
  void attribute(const std::string& name, const std::string& value);
  void attribute(const std::string& name, std::int64_t value);
  void record_step(const Model& model);
  // Writes events and closing provenance and moves the file onto its name. `seconds`: the whole
  // run's, of which `warmup_seconds` the warm-up's.
  void finish(const Model& model, bool complete, const std::string& stop_reason, const std::string& end_time,
              double seconds, double warmup_seconds);

 private:
  static constexpr std::size_t kRowsPerWrite = 52;  // time-series rows per write (the chunk length)
  void snapshot(const Model& model);
  // Runs a task on the writer's thread after the tasks given before it, while the run goes on:
  // the writer is used by one thread at a time. Rethrows the error of a task that failed.
  void enqueue(std::function<void()> task);
  // Hands the time-series rows buffered so far to the writer's thread.
  void write_buffered_rows();
  // Waits until every task given so far is done (rethrowing the first error).
  void wait_for_writer();
  std::unique_ptr<engine::H5Writer> writer_;
  std::future<void> in_flight_;  // the last task given: it waits for the ones before it
  // Snapshot copies may wait in memory for the writer, two at most: the writer is slowest just
  // after the start (the file's layout and the first snapshot), and one slot made the run wait
  // then (19 ms of Somerset's 0.3 s) although the writer caught up later.
  static constexpr std::ptrdiff_t kSnapshotsPending = 2;
  std::counting_semaphore<kSnapshotsPending> snapshot_slots_{kSnapshotsPending};
  double output_seconds_ = 0;  // the run's own time spent on output, for the output_seconds attribute
  std::int64_t snapshot_interval_;
  bool events_;
  std::vector<std::int32_t> ts_weeks_;  // time-series rows not yet handed to the writer
  std::vector<double> ts_rows_;
};

}  // namespace cm
