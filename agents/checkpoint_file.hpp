#pragma once
// Checkpoint files (docs/checkpoint-format.md): a run's model state, the output written so far and
// what the run driver keeps, with what is needed to refuse a checkpoint that cannot continue this
// run (another format, another build, another config). Written atomically: a checkpoint file holds
// either the previous checkpoint or the new one, also after `kill -9`.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace cm {

inline constexpr const char* kCheckpointFormatName = "caremarket-checkpoint";
inline constexpr const char* kCheckpointVersion = "2.0";  // 2.0: issue 18's kinds of provider (format 1.12)

// A checkpoint that cannot be used, with the reason: bad input for the command line (exit 2).
class CheckpointError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

struct Checkpoint {
  // Who wrote it: a checkpoint continues only with the build that wrote it.
  std::string software_version, git_commit;
  std::string config_toml;          // the resolved config of the run (its changes included)
  std::vector<std::string> layers;  // scenario, policies, --set overrides, in order
  std::uint64_t seed = 0;
  std::uint64_t replicate = 0;        // the replicate whose streams step the model
  std::uint64_t built_replicate = 0;  // the one it was built with (differs in a branch: Model::from_state)
  std::int64_t week = 0;              // the reported week of the state (weeks done)
  std::int64_t steps_requested = 0;   // the run's reported weeks in all
  std::string output;                 // the output file the run writes (absolute path)
  std::string start_time;             // the run's, UTC
  double seconds = 0, warmup_seconds = 0, output_seconds = 0;  // the run's so far
  std::vector<std::byte> state;                                // Model::save_state()
  std::vector<std::byte> output_contents;                      // the output file so far (empty: none)
  std::vector<double> first_metrics;                           // week 0's, for the summary
  std::vector<double> year_sum;                                // the last year's weeks so far, for the summary
  std::int64_t year_weeks = 0;
  // How the run checkpoints (RunRequest): a resumed run goes on the same way unless told otherwise.
  std::int64_t checkpoint_every = 0;
  std::string checkpoint;  // this file's path when written (absolute)
};

// Writes `c` to `path` (under a temporary name, moved onto it when complete).
void write_checkpoint(const std::filesystem::path& path, const Checkpoint& c);

// Reads a checkpoint; throws CheckpointError naming the file and the reason when it is not a
// regular file, not a checkpoint, truncated, of another format version, or from another build.
Checkpoint read_checkpoint(const std::filesystem::path& path);

}  // namespace cm
