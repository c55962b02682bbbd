#pragma once
// Runs a sweep's runs — on the cores of one machine, or across MPI ranks with dynamic scheduling —
// each into its own HDF5 file in <dir>/runs/, and keeps <dir>/index.h5: one row per run with its
// point, parameters, seed, status, error, file and final-week outcomes.
//
// Restartable: <dir>/journal.tsv records each finished run as it finishes (one appended line).
// Running the same sweep again skips runs whose line says done and whose file is complete and is
// the file of that run, and reruns failed or unfinished ones; the index is rebuilt from the
// journal, one row per run.
//
// One process (or MPI job) works in a folder at a time: it holds an flock(2) on <dir>/.lock.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/cancel.hpp"
#include "engine/files.hpp"
#include "sweeps/sweep.hpp"

namespace cm::sweeps {

enum class RunStatus : std::uint8_t { pending = 0, done = 1, failed = 2 };

// Bad input that is not a configuration: an output path that cannot be a sweep folder, a folder in
// use by another sweep. The CLI exits 2 on it (nothing was run).
using InputError = engine::BadOutputPath;

struct RunRecord {
  RunStatus status = RunStatus::pending;  // a run cancelled in flight stays pending
  std::string error;
  std::vector<double> final_outcomes;      // region value of every metric at the last week
  std::vector<double> last_year_outcomes;  // mean over the last 52 weeks
};

struct SweepOptions {
  std::filesystem::path dir;
  int workers = 0;     // local runs at once (0: one per core)
  bool quiet = false;
};

struct SweepSummary {
  std::int64_t total = 0, skipped = 0, done = 0, failed = 0;
  bool cancelled = false;
  int signal = 0;           // the signal that stopped the sweep, on this rank or (MPI) on a worker rank
  bool coordinator = true;  // false on MPI worker ranks (they print nothing)
};

// An exclusive lock on a sweep folder: an flock(2) on <dir>/.lock, which holds the holder's pid.
// The kernel drops it when the holder dies, however it dies, so a killed sweep never blocks a
// rerun. Locks taken again by the same process on the same folder share one descriptor (flock
// locks of two descriptors conflict even within a process). Throws InputError naming the folder
// and the holder's pid when another process holds it.
class FolderLock {
 public:
  explicit FolderLock(const std::filesystem::path& dir);
  ~FolderLock();
  FolderLock(const FolderLock&) = delete;
  FolderLock& operator=(const FolderLock&) = delete;

 private:
  std::string key_;
};

// Refuses (InputError) an output folder path that is empty or exists and is not a directory.
void check_output_folder(const std::filesystem::path& dir);
// For the command line's -o: "" is an error, not the default (the message when empty, else "").
std::string non_empty_path(std::string& value);

// Runs what is not yet done. Uses MPI when the process was started by mpirun/srun with more than
// one rank (and the build has MPI): rank 0 coordinates, the others run.
SweepSummary run_sweep(const SweepSpec& spec, const Design& design, const SweepOptions& options,
                       const engine::CancelFlag& cancel);

// One run, single-threaded, into `file`. Never throws: failures are reported in the record; a run
// cancelled before it completed is pending (it is to be run again), not failed.
RunRecord execute_run(const SweepSpec& spec, const RunPlan& plan, const std::filesystem::path& file,
                      const engine::CancelFlag& cancel);

// The records of the runs of a design as the journal and the files in `dir` say (pending when unknown).
// Neither is trusted: a journal line with an unparsable or non-finite value, and a run marked done
// whose file is missing, incomplete, not caremarket output, or of another run (seed, replicate or
// resolved config differ from the design's), leave the run pending. With `report`, each such run is
// named on stderr.
std::vector<RunRecord> read_state(const Design& design, const std::filesystem::path& dir, bool report = true);
// Appends one finished run to <dir>/journal.tsv (one line, flushed; safe across processes on one machine).
void append_journal(const std::filesystem::path& dir, std::int32_t index, const RunRecord& record);
void write_index(const SweepSpec& spec, const Design& design, const std::vector<RunRecord>& records,
                 const std::filesystem::path& dir);

// Is this process one of several MPI ranks (mpirun/srun)? Decided from the launcher's environment.
bool launched_under_mpi();
// Initialises and finalises MPI when launched under it (no-op otherwise, or without MPI support).
class MpiSession {
 public:
  MpiSession();
  ~MpiSession();
  int rank() const noexcept { return rank_; }
  int size() const noexcept { return size_; }

 private:
  int rank_ = 0, size_ = 1;
  bool initialised_ = false;
};

}  // namespace cm::sweeps
