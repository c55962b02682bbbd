#include "sweeps/runner.hpp"

#include <optional>
#include <string>
#include <vector>

#include "agents/parameters.hpp"
#include "agents/run.hpp"
#include "engine/files.hpp"
#include "sweeps/local_pool.hpp"
#include "sweeps/mpi_protocol.hpp"

namespace cm::sweeps {
namespace {

// The run's own checkpoint, when there is one it can go on from: this run's config, seed and
// replicate, written by this build. Anything else there (a damaged file, a checkpoint of another
// build or of an earlier sweep in the folder) is removed and the run starts again.
std::optional<Checkpoint> resumable(const std::filesystem::path& checkpoint, const LoadedScenario& scenario,
                                    const RunPlan& plan) {
  engine::remove_stale_temporaries(checkpoint);
  std::error_code ec;
  if (!std::filesystem::exists(checkpoint, ec)) return std::nullopt;
  try {
    auto c = read_checkpoint(checkpoint);
    if (c.config_toml == scenario.resolved_toml && c.seed == plan.seed &&
        c.replicate == static_cast<std::uint64_t>(plan.replicate))
      return c;
  } catch (const CheckpointError&) {
  }
  std::filesystem::remove(checkpoint, ec);
  return std::nullopt;
}

}  // namespace

RunRecord execute_run(const SweepSpec& spec, const RunPlan& plan, const std::filesystem::path& file,
                      const engine::CancelFlag& cancel) {
  RunRecord r;
  try {
    RunRequest request;
    Design design;
    design.scenario = resolve_scenario(spec.scenario, spec.file.parent_path());
    design.from_state = spec.from_state;
    request.scenario = run_scenario(design, plan);
    request.seed = plan.seed;
    request.replicate = static_cast<std::uint64_t>(plan.replicate);
    if (!spec.from_state.empty()) {
      // From a state: its history, then this replicate's streams; `steps` are weeks after the state.
      const auto state = shared_checkpoint(spec.from_state);
      request.resume = *state;
      request.resumed_from = std::filesystem::absolute(spec.from_state);
      request.continue_replicate = request.replicate;
      request.steps = state->week + (spec.steps > 0 ? spec.steps : request.scenario.spec.run.steps);
    }
    request.threads = -1;
    request.output = file;
    std::filesystem::create_directories(file.parent_path());  // a worker rank's node may not have it yet
    if (spec.checkpoint_every > 0) {
      request.checkpoint_every = spec.checkpoint_every;
      request.checkpoint = default_checkpoint_path(file);
      if (auto own = resumable(request.checkpoint, request.scenario, plan)) {
        request.resume = std::move(own);
        request.resumed_from = request.checkpoint;
        request.continue_replicate = request.resume->replicate;
      }
    }
    const auto outcome = run_to_file(request, cancel, nullptr);
    if (outcome.reason != StopReason::completed) {
      r.status = RunStatus::pending;  // stopped, not failed: to be run again
      r.error = "cancelled after " + std::to_string(outcome.steps_done) + " weeks";
      return r;
    }
    r.status = RunStatus::done;
    r.final_outcomes = outcome.final_region;
    r.last_year_outcomes = outcome.last_year_region;
    r.yearly = yearly_outcomes(file);
  } catch (const std::exception& e) {
    r.status = RunStatus::failed;
    r.error = e.what();
  }
  return r;
}

SweepSummary run_sweep(const SweepSpec& spec, const Design& design, const SweepOptions& options,
                       const engine::CancelFlag& cancel) {
  const auto [rank, size] = detail::mpi_world();
  SweepSummary summary;
  if (size > 1 && rank != 0) {
    detail::serve(spec, design, options, cancel);
    summary.coordinator = false;
    return summary;
  }
  // Only rank 0 touches the folder before the runs (ranks may be on other nodes); if it cannot
  // start, the workers are released rather than left waiting.
  std::optional<FolderLock> lock;
  std::vector<RunRecord> records;
  try {
    check_output_folder(options.dir);
    std::filesystem::create_directories(options.dir / "runs");
    lock.emplace(options.dir);
    detail::remove_unfinished_files(options.dir);
    detail::check_same_design(design, options.dir);
    records = read_state(design, options.dir, true);
    write_index(spec, design, records, options.dir);  // every run has its row from the start
  } catch (...) {
    if (size > 1) detail::release_workers(size);
    throw;
  }
  summary = size > 1 ? detail::coordinate(design, options, cancel, records, size)
                     : detail::run_local(spec, design, options, cancel, records);
  write_index(spec, design, records, options.dir);
  for (const auto& r : records) {
    summary.done += r.status == RunStatus::done;
    summary.failed += r.status == RunStatus::failed;
  }
  return summary;
}

}  // namespace cm::sweeps
