#pragma once
// Writes a run to the caremarket HDF5 format (docs/output-format.md): provenance, the declared
// time series per step and council, events, and per-agent snapshots.
#include <cstdint>
#include <filesystem>
#include <future>
#include <memory>
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
  ~Recorder();
  void record_step(const Model& model);
  // Writes events and closing provenance and moves the file onto its name.
  void finish(const Model& model, bool complete, const std::string& stop_reason, const std::string& end_time, double seconds);

 private:
  void snapshot(const Model& model);
  // Waits for a snapshot being written in the background (rethrowing its error): the writer is
  // used by one thread at a time.
  void wait_for_snapshot();
  std::unique_ptr<engine::H5Writer> writer_;
  std::future<void> snapshot_in_flight_;
  double output_seconds_ = 0;  // the run's own time spent on output, for the output_seconds attribute
  std::int64_t snapshot_interval_;
  bool events_;
};

}  // namespace cm
