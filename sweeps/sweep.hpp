#pragma once
// Sweeps and replicate ensembles: a sweep file names a base scenario, policy overlays, parameters
// to vary (lists, ranges on a grid, Latin hypercube or Sobol samples) and replicates per point.
// Every run's seed is derived from (root seed, point, replicate) by hashing — never drawn from a
// shared stream — so any run can be redone alone, in any order, on any rank.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "agents/checkpoint_file.hpp"
#include "agents/parameters.hpp"

namespace cm::sweeps {

enum class Sampling : int { grid = 0, latin_hypercube = 1, sobol = 2 };

// One varied parameter. `key` is a parameter key path, or "policy" to vary the policy overlay.
struct Axis {
  std::string key;
  std::vector<double> values;         // explicit values (grid)
  std::vector<double> range;          // [low, high] for points on a grid or for sampling
  std::int64_t points = 0;            // grid points over the range
  std::vector<std::string> policies;  // for key = "policy": policy files or shipped names ("" = none)
};

struct SweepSpec {
  std::string name;
  std::string scenario;
  std::vector<std::string> policies;   // applied to every run, before a policy axis
  std::vector<std::string> overrides;  // --set assignments applied to every run
  std::int64_t steps = 0;              // 0: the scenario's run.steps
  std::int64_t replicates = 1;
  std::int64_t root_seed = 1;
  bool common_random_numbers = true;  // true: seed from (root, replicate) only, the same at every point
  int sampling = 0;
  std::int64_t samples = 0;
  std::vector<Axis> parameters;
  std::filesystem::path file;  // the sweep file (relative paths resolve against its folder)
  // Every run goes on from this checkpoint (compare --from-state): its config with the run's
  // policies from the state's next week, its seed, and the run's replicate's streams from then on.
  std::filesystem::path from_state;
  // Weeks between checkpoints of each run (0: none): a run killed mid-way goes on from its last
  // checkpoint (runs/<file>.checkpoint) when the sweep is run again.
  std::int64_t checkpoint_every = 0;
};

// One run of the sweep, fully determined by the spec.
struct RunPlan {
  std::int32_t index = 0;
  std::int32_t point = 0;
  std::int32_t replicate = 0;
  std::uint64_t seed = 0;
  std::vector<double> values;            // one per axis (a policy axis holds its index)
  std::vector<PolicyFile> policies;      // overlays, in order (each from the start or a date)
  std::vector<std::string> assignments;  // --set assignments, in order
  std::string file;                      // file name inside <dir>/runs/
};

// The most runs a sweep may have. Every run gets a row in index.h5 and its plan is held in memory
// (a few hundred bytes), and the CLI loads every run's configuration before starting; a million
// runs keeps all of that within seconds and megabytes. Larger studies are several sweeps.
inline constexpr std::int64_t kMaxRuns = 1'000'000;

struct Design {
  std::filesystem::path scenario;    // the resolved scenario file of every run
  std::filesystem::path from_state;  // SweepSpec::from_state
  std::vector<std::string> axis_names;
  std::int32_t points = 0;
  std::vector<RunPlan> runs;
};

// The configuration of one run: the scenario with the run's policies and assignments; from a state,
// the state's config with the run's policies in force from the state's next week (or their later
// date). Throws engine::config::ConfigError, or cm::CheckpointError for an unreadable state.
LoadedScenario run_scenario(const Design& design, const RunPlan& plan);
// The checkpoint at `path`, read once per process (runs of a comparison from one state share it).
std::shared_ptr<const Checkpoint> shared_checkpoint(const std::filesystem::path& path);

// Reads and validates a sweep file; throws engine::config::ConfigError naming file, key and value.
SweepSpec load_sweep(const std::filesystem::path& file);
// Expands the points and runs of a sweep (deterministic). Throws engine::config::ConfigError,
// before allocating anything, when the sweep has more than kMaxRuns runs.
Design expand(const SweepSpec& spec);
// Throws engine::config::ConfigError naming the sweep file, the points per axis, the replicates
// and kMaxRuns when points x replicates exceeds kMaxRuns (overflow-safe). load_sweep and expand call it.
void check_size(const SweepSpec& spec);
// A shipped scenario name ("somerset") or a path, resolved against `base` when relative.
std::filesystem::path resolve_scenario(const std::string& name_or_path, const std::filesystem::path& base);
// A shipped policy name ("collaborative") or a path, resolved against `base` when relative.
// A policy as a sweep or a comparison names it: a shipped name or a file, applied from the start,
// or "NAME@YYYY-MM-DD", applied from that date. Throws engine::config::ConfigError for a bad date.
PolicyFile resolve_dated_policy(const std::string& name, const std::filesystem::path& base);
std::filesystem::path resolve_policy(const std::string& name_or_path, const std::filesystem::path& base);
// The seed of one run.
std::uint64_t run_seed(std::uint64_t root, std::int64_t point, std::int64_t replicate, bool common_random_numbers);
// Where shipped configs live ($CAREMARKET_CONFIGS, the source tree, or the installed share dir).
std::filesystem::path config_dir();

}  // namespace cm::sweeps
