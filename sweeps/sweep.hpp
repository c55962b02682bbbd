#pragma once
// Sweeps and replicate ensembles: a sweep file names a base scenario, policy overlays, parameters
// to vary (lists, ranges on a grid, Latin hypercube, Sobol-sequence, Saltelli or Morris samples, or
// the points of a CSV design) and replicates per point.
// Every run's seed is derived from (root seed, point, replicate) by hashing — never drawn from a
// shared stream — so any run can be redone alone, in any order, on any rank.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agents/checkpoint_file.hpp"
#include "agents/parameters.hpp"
#include "engine/config.hpp"

namespace cm::sweeps {

// How a sweep's points are chosen. `saltelli` and `morris` are the designs the Sobol and Morris
// estimators of sweeps/analyse.hpp need; `design` reads the points from a CSV file.
enum class Sampling : int { grid = 0, latin_hypercube = 1, sobol_sequence = 2, saltelli = 3, morris = 4, design = 5 };
// The name of a sampling as sweep files and index.h5 spell it.
const char* sampling_name(Sampling s);

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
  std::int64_t samples = 0;  // points (latin_hypercube, sobol_sequence), base samples (saltelli), trajectories (morris)
  bool second_order = false;  // saltelli: also the points second-order indices need (N·(2d+2) in all)
  std::int64_t levels = 4;    // morris: levels of the grid each parameter moves on
  std::string design_file;    // design: CSV of points, one column per parameter (relative to the sweep file)
  std::string text;           // the sweep file's text, kept in index.h5
  std::vector<std::vector<double>> design_points;  // design: the CSV's rows, one value per parameter, in order
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
  Sampling sampling = Sampling::grid;
  std::vector<std::string> axis_names;
  std::vector<bool> axis_integer;                     // the parameter takes whole numbers (values are rounded)
  std::vector<std::pair<double, double>> axis_range;  // [low, high] of each axis (of its values on a grid or design)
  std::int32_t points = 0;
  std::vector<RunPlan> runs;
};

// The configuration of one run: the scenario with the run's policies and assignments; from a state,
// the state's config with the run's policies in force from the state's next week (or their later
// date). Throws engine::config::ConfigError, or cm::CheckpointError for an unreadable state.
LoadedScenario run_scenario(const Design& design, const RunPlan& plan);
// The checkpoint at `path`, read once per process (runs of a comparison from one state share it).
std::shared_ptr<const Checkpoint> shared_checkpoint(const std::filesystem::path& path);

// Reads and validates a sweep file; throws engine::config::ConfigError naming file, key and value
// (one problem per mistake), the design CSV's row and column, and where a relative path was sought.
SweepSpec load_sweep(const std::filesystem::path& file);
// Expands the points and runs of a sweep (deterministic). Throws engine::config::ConfigError,
// before allocating anything, when the sweep has more than kMaxRuns runs.
Design expand(const SweepSpec& spec);
// Throws engine::config::ConfigError naming the sweep file, the points per axis, the replicates
// and kMaxRuns when points x replicates exceeds kMaxRuns (overflow-safe). load_sweep and expand call it.
void check_size(const SweepSpec& spec);
// What the design is, for --dry-run: sampling, points, replicates, runs, and each axis's range.
std::string design_summary(const SweepSpec& spec, const Design& design);
// A shipped scenario name ("somerset") or a path, resolved against `base` when relative.
std::filesystem::path resolve_scenario(const std::string& name_or_path, const std::filesystem::path& base);
// A shipped policy name ("collaborative") or a path, resolved against `base` when relative.
// A policy as a sweep or a comparison names it: a shipped name or a file, applied from the start,
// or "NAME@YYYY-MM-DD", applied from that date. Throws engine::config::ConfigError for a bad date.
PolicyFile resolve_dated_policy(const std::string& name, const std::filesystem::path& base);
std::filesystem::path resolve_policy(const std::string& name_or_path, const std::filesystem::path& base);
// Points in the design of `spec` (grid, samples, Saltelli blocks, Morris trajectories or CSV rows),
// saturating at UINT64_MAX.
std::uint64_t design_points(const SweepSpec& spec);
// A CSV of points (a design, or parameter sets): a header of parameter keys, then one row of numbers
// per point ('#' lines and blank lines skipped). Problems name the file, the line and the column.
struct DesignTable {
  std::vector<std::string> columns;
  std::vector<std::vector<double>> rows;
};
std::optional<DesignTable> read_design_csv(const std::filesystem::path& path,
                                           std::vector<engine::config::Problem>& problems);
// The seed of one run.
std::uint64_t run_seed(std::uint64_t root, std::int64_t point, std::int64_t replicate, bool common_random_numbers);
// Where shipped configs live ($CAREMARKET_CONFIGS, the source tree, or the installed share dir).
std::filesystem::path config_dir();

}  // namespace cm::sweeps
