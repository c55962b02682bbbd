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
//
// The parts, each in its own file: a run's record (run_record.hpp), the folder's lock and checks
// (folder.hpp), the journal (journal.hpp), the index (index.hpp), MPI (mpi_session.hpp); the local
// worker pool (local_pool.hpp) and the MPI protocol (mpi_protocol.hpp) are internal.
#include <cstdint>
#include <filesystem>

#include "engine/cancel.hpp"
#include "sweeps/folder.hpp"
#include "sweeps/index.hpp"
#include "sweeps/journal.hpp"
#include "sweeps/mpi_session.hpp"
#include "sweeps/run_record.hpp"
#include "sweeps/sweep.hpp"

namespace cm::sweeps {

struct SweepOptions {
  std::filesystem::path dir;
  int workers = 0;  // local runs at once (0: one per core)
  bool quiet = false;
};

struct SweepSummary {
  std::int64_t total = 0, skipped = 0, done = 0, failed = 0;
  bool cancelled = false;
  int signal = 0;           // the signal that stopped the sweep, on this rank or (MPI) on a worker rank
  bool coordinator = true;  // false on MPI worker ranks (they print nothing)
};

// Runs what is not yet done. Uses MPI when the process was started by mpirun/srun with more than
// one rank (and the build has MPI): rank 0 coordinates, the others run.
SweepSummary run_sweep(const SweepSpec& spec, const Design& design, const SweepOptions& options,
                       const engine::CancelFlag& cancel);

// One run, single-threaded, into `file`. Never throws: failures are reported in the record; a run
// cancelled before it completed is pending (it is to be run again), not failed.
RunRecord execute_run(const SweepSpec& spec, const RunPlan& plan, const std::filesystem::path& file,
                      const engine::CancelFlag& cancel);

}  // namespace cm::sweeps
