// MODEL.md §13 — cooperatives founded with a development programme. Each development worker helps a
// few groups of care workers a year set up a worker-owned cooperative (Co-operatives UK 2019; the
// programme is the micro-enterprise coordinators' counterpart, and is counted in the council's
// spending by finance.cpp). A cooperative's members come from the council's care workers, leaving
// employers not run by their owner, and, as with micro-enterprise founders, a share
// (founding.outside_care_share) from outside care. Once founded, a cooperative is a provider like
// any other of its archetype's table: it bids, is bought privately, recruits, and closes after
// losses; its members set their pay (wage_rule "members", wage_setting.cpp) and nothing leaves
// the region (extraction 0).
#include "agents/cooperatives.hpp"

#include <boost/random/poisson_distribution.hpp>

#include "agents/founding.hpp"

namespace cm {

void apply_cooperative_founding(Market& m, int c) {
  const auto& f = m.spec.founding;
  const double per_week = f.cooperative_developers * f.cooperatives_per_developer / 52.0;
  if (per_week <= 0) return;
  auto stream = m.rng.stream(static_cast<std::uint64_t>(m.week), static_cast<std::uint64_t>(c), kCooperative);
  boost::random::poisson_distribution<int, double> foundings(per_week);
  const int n = foundings(stream);
  if (n == 0) return;
  auto& pend = m.pending[static_cast<std::size_t>(c)];
  const auto first = m.geography.first_locality(c);
  const auto nloc = static_cast<std::uint32_t>(m.geography.locality_count(c));
  std::vector<std::uint32_t> council_rows;
  list_council_workers(m, c, council_rows);
  for (int k = 0; k < n; ++k) {
    const auto index = static_cast<std::int32_t>(pend.providers.size());
    const std::int32_t locality = first + static_cast<std::int32_t>(stream.below(nloc));
    pend.providers.push_back(
        {Archetype::cooperative, locality, -1, false, engine::kNoAgent, ProviderEventKind::founding});
    for (std::int64_t member = 0; member < f.cooperative_members; ++member) {
      engine::AgentId joining = engine::kNoAgent;
      if (!stream.bernoulli(f.outside_care_share))
        if (const auto wk = draw_worker_to_found(m, c, council_rows, stream); wk >= 0)
          joining = m.workers.id[static_cast<std::size_t>(wk)];
      if (joining != engine::kNoAgent)
        pend.members.push_back({joining, index});
      else
        pend.workers.push_back({locality, index, engine::kNoAgent, false});
    }
    m.counts[static_cast<std::size_t>(c)].cooperatives_founded += 1;
  }
}

}  // namespace cm
