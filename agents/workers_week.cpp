// One pass over a council's workers for the per-worker parts of three rules, in the order of
// MODEL.md §3: delivery (hours and pay), retention (stress, quitting) and finance (the employer's
// wage bill), then the workforce metrics. Each part lives in its rule's header; this file only
// runs them together. Quitting changes no other worker's inputs (staff counts drop after the
// pass), and every sum runs in row order, so the results are those of one loop per rule.
#include "agents/delivery.hpp"
#include "agents/finance.hpp"
#include "agents/metrics.hpp"
#include "agents/retention.hpp"

namespace cm {

void serve_workers(Market& m, int c) {
  const auto streams = m.rng.at_step(static_cast<std::uint64_t>(m.week));
  auto& tally = m.tally[static_cast<std::size_t>(c)];
  const auto& w = m.workers;
  prepare_pay(m, c);
  retention_begin_week(m, c);
  const double nlw = m.spec.labour.nlw;
  WorkerCounts counts;  // a local, as for the people's counts (people_week.cpp)
  m.for_council_workers(c, [&](std::size_t k) {
    if (!w.alive[k] || w.employer[k] == engine::kNoAgent) {
      pay_nobody(m, k);
      return;
    }
    const auto q = static_cast<std::size_t>(m.provider_row(w.employer[k]));
    pay_worker(m, k, q);
    if (retain_worker(m, k, q, streams, tally)) {
      add_to_wage_bill(m, k, q);
      count_worker(m, k, q, nlw, counts);  // the workforce metrics, unless a provider closes later
    }
  });
  tally.workers = counts;
  retention_end_week(m, c);
}

}  // namespace cm
