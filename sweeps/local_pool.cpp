#include "sweeps/local_pool.hpp"

#include <algorithm>
#include <atomic>
#include <thread>

#include <tbb/task_arena.h>

#include "engine/parallel.hpp"
#include "sweeps/journal.hpp"

namespace cm::sweeps::detail {

SweepSummary run_local(const SweepSpec& spec, const Design& design, const SweepOptions& options,
                       const engine::CancelFlag& cancel, std::vector<RunRecord>& records) {
  Ledger ledger(design, options.dir, options.quiet, records);
  SweepSummary summary;
  summary.total = ledger.total();
  summary.skipped = ledger.skipped();
  const auto& work = ledger.work();
  const int cores = engine::hardware_threads();
  const int workers =
      std::max(1, std::min<int>(options.workers > 0 ? options.workers : cores, static_cast<int>(work.size())));
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    tbb::task_arena arena(1);
    for (std::size_t k = next++; k < work.size() && !cancel.requested(); k = next++) {
      const auto& plan = design.runs[static_cast<std::size_t>(work[k])];
      RunRecord r;
      arena.execute([&] { r = execute_run(spec, plan, options.dir / "runs" / plan.file, cancel); });
      if (r.status == RunStatus::pending) break;  // in flight when stopped: redo next time
      ledger.finished(plan.index, r);
    }
  };
  std::vector<std::thread> threads;
  for (int t = 1; t < workers; ++t) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
  summary.cancelled = cancel.requested();
  summary.signal = cancel.signal();
  return summary;
}

}  // namespace cm::sweeps::detail
