#pragma once
// A whole run to an HDF5 file: the shared driver of `caremarket run` and caremarket.run() in
// Python. Advances in chunks between which it reports progress and honours cancellation.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "agents/checkpoint_file.hpp"
#include "agents/model.hpp"
#include "agents/parameters.hpp"
#include "engine/cancel.hpp"

namespace cm {

inline constexpr const char* kFormatName = "caremarket";
inline constexpr const char* kFormatVersion = "1.14";

struct RunRequest {
  LoadedScenario scenario;
  std::optional<std::uint64_t> seed;  // default: run.seed of the scenario
  std::uint64_t replicate = 0;
  int threads = 0;                    // 0 = all cores; -1 = leave the caller's TBB limits alone
  std::optional<std::int64_t> steps;  // default: run.steps of the scenario
  std::filesystem::path output;
  // Checkpoints (docs/checkpoint-format.md): every `checkpoint_every` reported weeks (0: none) the
  // run's state goes to `checkpoint` (default: the output's name + ".checkpoint"), replacing the
  // one before; a run interrupted after a checkpoint writes one more at the week it stopped; a
  // completed run removes it.
  std::int64_t checkpoint_every = 0;
  std::filesystem::path checkpoint;
  // Stops after this many weeks run (not counting the warm-up) with a checkpoint at that week, the
  // output written so far and marked incomplete: a long run split into jobs of a set length.
  std::optional<std::int64_t> stop_after;
  // Goes on from this checkpoint of the same run (scenario = its config; seed and replicate its
  // own), instead of starting; `resumed_from` names it in the output's provenance.
  std::optional<Checkpoint> resume;
  std::filesystem::path resumed_from;
  // With `resume`: the random streams from the state on are this replicate's (a branch: compare
  // --from-state), not the checkpoint's own; `scenario` may then add changes after the state's week.
  std::optional<std::uint64_t> continue_replicate;
};

// The checkpoint file of a run writing `output` unless named: beside it.
std::filesystem::path default_checkpoint_path(const std::filesystem::path& output);

// completed: every week asked; cancelled: a signal or the caller; stopped: after stop_after weeks,
// with a checkpoint to go on from.
enum class StopReason { completed, cancelled, stopped };

struct SummaryRow {
  std::string label;
  double start;
  double end;
  std::string units;
  bool flow = false;  // a weekly flow or rate: nothing has happened yet at week 0
};

struct RunOutcome {
  StopReason reason = StopReason::completed;
  std::int64_t steps_done = 0;  // reported weeks
  std::int64_t steps_requested = 0;
  std::int64_t warmup_weeks = 0;
  std::int64_t resumed_at = -1;            // the week a resumed run went on from (-1: it started)
  std::int64_t last_checkpoint_step = -1;  // the step of the last checkpoint written (-1: none)
  double warmup_seconds = 0;               // the warm-up's weeks' share of `seconds` (building the model not included)
  bool wrote_file = true;                  // false when cancelled in the warm-up: nothing to report yet
  double seconds = 0;
  std::uint64_t seed = 0;
  std::vector<SummaryRow> summary;
  // Each council's headline values at the last week (several councils), or each English region's
  // when there are more than a dozen councils with regions (England); empty for one council.
  struct Place {
    std::string name;
    std::vector<double> values;  // by Metric
  };
  std::vector<Place> places;
  bool places_are_regions = false;
  std::vector<double> final_region;      // region value of every metric at the last week
  std::vector<double> last_year_region;  // mean over the last 52 weeks run (fewer when shorter)
};

// Progress callback: (weeks done, weeks in all), the warm-up's weeks first.
using ProgressFn = std::function<void(std::int64_t, std::int64_t)>;

// Warms up (run.warmup_weeks), then runs and writes the file. On cancellation the file holds the
// weeks done and is marked complete = 0 (in the warm-up: no file); on an exception no file is left
// under the output name.
RunOutcome run_to_file(const RunRequest& request, const engine::CancelFlag& cancel, const ProgressFn& progress);

// The headline table of MODEL.md §10, from the first and last metrics of a run.
// outcome.places from the last week's values: each council, or each English region (RunOutcome).
void summarise_places(RunOutcome& outcome, const std::vector<double>& last, const ScenarioSpec& spec);
std::vector<SummaryRow> summarise(const std::vector<double>& first, const std::vector<double>& last, int councils);

std::string software_version();
std::string git_commit();
// The time now, UTC, as ISO 8601 ("2026-11-30T09:14:00Z").
std::string utc_now();
// Lines joined by newlines (the config layers of a run, as its file records them).
std::string join_lines(const std::vector<std::string>& lines);

// A run's checkpoint as it stands (docs/checkpoint-format.md), for the run driver and the Python
// bindings: the scenario's config and layers, the model's state, the output written so far and
// the weeks of the run's last year summed from `history` (each week's metrics, the week 0 first).
Checkpoint make_checkpoint(const LoadedScenario& scenario, std::uint64_t seed, const Model& model,
                           std::vector<std::byte> output_contents, const std::vector<double>& first_metrics,
                           std::int64_t steps_requested);

}  // namespace cm
