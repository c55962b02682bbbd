// MODEL.md §3.7 and §7 — workers: stress moves with workload and visit model; each worker quits
// with a weekly hazard  base × exp(−s·(effective pay − NLW)) × zero-hours × (1 + stress) ×
// (1 + underemployment) × (1 − autonomy). Leavers look for another care job or leave the sector.
// The rule for one worker is in retention.hpp.
#include "agents/retention.hpp"
#include "agents/delivery.hpp"

namespace cm {

void apply_retention(Market& m, DeliveryState& delivery, RetentionState& s, int c) {
  const auto streams = m.rng.at_step(static_cast<std::uint64_t>(m.week));
  auto& counts = m.counts[static_cast<std::size_t>(c)];
  prepare_pay(m, delivery, c);  // the contact hours retention_begin_week() reads
  retention_begin_week(m, delivery, s, c);
  m.for_council_workers(c, [&](std::size_t k) {
    if (!m.workers.alive[k] || m.workers.employer[k] == engine::kNoAgent) return;
    retain_worker(m, s, k, static_cast<std::size_t>(m.provider_row(m.workers.employer[k])), streams, counts);
  });
  retention_end_week(m, s, c);
}

}  // namespace cm
