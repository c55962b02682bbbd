#pragma once
// The runs of a sweep on this machine's cores: `options.workers` threads (default: one per core)
// take the runs not done one at a time, each run single-threaded in its own task arena, so the
// runs at once use the cores without oversubscribing them, and results do not depend on which
// thread runs which run.
#include <vector>

#include "engine/cancel.hpp"
#include "sweeps/runner.hpp"

namespace cm::sweeps::detail {

// Runs what `records` says is not done, recording each run as it finishes; stops starting runs
// when `cancel` is requested (a run in flight then stays pending).
SweepSummary run_local(const SweepSpec& spec, const Design& design, const SweepOptions& options,
                       const engine::CancelFlag& cancel, std::vector<RunRecord>& records);

}  // namespace cm::sweeps::detail
