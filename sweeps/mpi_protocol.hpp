#pragma once
// The MPI protocol of a sweep across ranks: rank 0 coordinates (hands out one run at a time as a
// rank asks, keeps the journal and the records), every other rank serves (asks, runs, sends back
// the run's record). Dynamic scheduling: fast ranks take more runs. A signal to any rank stops the
// handing out. Called only when MPI is initialised with more than one rank (detail::mpi_world()).
#include <vector>

#include "engine/cancel.hpp"
#include "sweeps/runner.hpp"

namespace cm::sweeps::detail {

// Rank 0: hands out the runs not done and records their results until every other rank has been
// told to stop. Runs cancelled in flight or never started stay pending.
SweepSummary coordinate(const Design& design, const SweepOptions& options, const engine::CancelFlag& cancel,
                        std::vector<RunRecord>& records, int size);

// Rank 0, when it cannot start the sweep (folder in use, another sweep's folder, ...): tells every
// other rank to stop as it asks for its first run, so that the job ends instead of hanging.
void release_workers(int size);

// Every other rank: asks rank 0 for a run, runs it single-threaded, sends back its record; no rank
// keeps other runs' data. Returns when told to stop.
void serve(const SweepSpec& spec, const Design& design, const SweepOptions& options, const engine::CancelFlag& cancel);

}  // namespace cm::sweeps::detail
