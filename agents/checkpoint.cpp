#include "agents/checkpoint.hpp"

#include "engine/archive.hpp"

namespace cm {

// Each function below names the members of one kind of state, in the order they are saved. The
// size checks fail to compile when a member is added to one of these types (on x86-64 Linux, the
// one ABI the project builds for): archive the new member here, or say why it needs no saving.
#define CM_STATE_SIZE_OF(what, size, bytes) \
  static_assert((size) == (bytes), what " changed: add its new members to its archive() in checkpoint.cpp")
#define CM_STATE_SIZE(Type, bytes) CM_STATE_SIZE_OF(#Type, sizeof(Type), bytes)

template <class A>
void archive(A& a, Commissioner& c) {
  CM_STATE_SIZE(Commissioner, 192);
  a(c.weekly_budget, c.reference_rate, c.uplift_cost, c.lots, c.contracts, c.lot_tender_week, c.lot_relet,
    c.lot_in_house, c.lots_in_house, c.committed, c.raised_wages, c.contracts_changed, c.people_in_hospital);
}
template <class A>
void archive(A& a, Pending& p) {
  a(p.people, p.workers, p.providers, p.members, p.commuters);
}
template <class A>
void archive(A& a, Departures& d) {
  a(d.people, d.workers);
}
template <class A>
void archive(A& a, CouncilRows& r) {
  a(r.people, r.workers, r.providers);
}
template <class A>
void archive(A& a, Market::Serials& s) {
  a(s.people, s.workers, s.providers);
}
template <class A>
void archive(A& a, People& t) {
  engine::archive_columns(a, t);
}
template <class A>
void archive(A& a, Workers& t) {
  engine::archive_columns(a, t);
}
template <class A>
void archive(A& a, Providers& t) {
  engine::archive_columns(a, t);
}
template <class A>
void archive(A& a, TenderLog& t) {
  engine::archive_columns(a, t);
}
template <class A>
void archive(A& a, BidLog& t) {
  engine::archive_columns(a, t);
}
template <class A>
void archive(A& a, ProviderEventLog& t) {
  engine::archive_columns(a, t);
}
template <class A>
void archive(A& a, ChangeRecord& r) {
  a(r.step, r.key, r.value, r.cause, r.detail);
}
template <class A>
void archive(A& a, DischargeState::Council& c) {
  a(c.reablement, c.awaiting);
}
template <class A>
void archive(A& a, MeansTestState::Council& c) {
  CM_STATE_SIZE(MeansTestState::Council, 64);
  a(c.due, c.listed, c.upper, c.lower, c.cap);
}
template <class A>
void archive(A& a, PlacementBook::Council& c) {
  CM_STATE_SIZE(PlacementBook::Council, 192);
  a(c.sums, c.valid, c.spec_version, c.withdrawn, c.waiting, c.dissatisfied, c.providers_with_clients, c.full_reviews,
    c.partial_reviews);
}
template <class A>
void archive(A& a, PlacementBook& b) {
  a(b.councils, b.provider_hours, b.provider_clients, b.is_withdrawn);
}

namespace {

// The market, then each rule's state, in named sections (a reader that finds another layout says
// which section it could not read).
template <class A>
void archive_state(A& a, Market& m, RuleStates& r) {
  // Not saved: spec (spec_in_force), rng (seed and replicate), geography and locality_lot (built
  // from the scenario and seed), spare (the regroup's working copy).
  // Left out of the check: the parameters, need tables and geography (not saved, or saved whole)
  // and the agent tables (here and in `spare`), whose every column is saved.
  CM_STATE_SIZE_OF("Market",
                   sizeof(Market) - sizeof(ScenarioSpec) - sizeof(NeedTables) - sizeof(Geography) -
                       2 * (sizeof(People) + sizeof(Workers) + sizeof(Providers)),
                   952);
  a.section("market", [&] {
    a(m.spec_version, m.week, m.warmup_weeks, m.need_tables, m.next_group, m.next_serial, m.people_mark);
    a(m.commissioners, m.counts, m.pending, m.departed, m.dead_people, m.dead_workers);
  });
  a.section("people", [&] { a(m.people, m.people_index); });
  a.section("workers", [&] { a(m.workers, m.workers_index); });
  a.section("providers", [&] { a(m.providers, m.providers_index); });
  a.section("council rows", [&] { a(m.rows); });
  a.section("events", [&] {
    a(m.tenders, m.bids, m.provider_events, m.council_tenders, m.council_bids, m.council_provider_events);
  });
  CM_STATE_SIZE(RuleStates, 1056);
  // ChangesState::changes is the scenario's (the model is built from it): how far it has come is saved.
  a.section("changes", [&] { a(r.changes.next, r.changes.applied); });
  a.section("need", [&] { a(r.need); });
  a.section("discharge", [&] { a(r.discharge.councils); });
  a.section("means test", [&] { a(r.means_test.councils); });
  a.section("commissioning", [&] { a(r.commissioning.pledged); });
  a.section("matching", [&] {
    // Not saved: serving, lists kept from the last matching, built again when absent.
    CM_STATE_SIZE(MatchingState, 296);
    auto& s = r.matching;
    a(s.provider_slot, s.logit_weight, s.intake_limit, s.start_now_limit, s.buyers, s.demand, s.has_in_house, s.book,
      s.review_every_placement);
  });
  a.section("delivery", [&] {
    // Not saved: position and areas_seen, scratch that update_travel sets afresh each week.
    auto& s = r.delivery;
    a(s.delivered_share, s.continuity_target, s.contact_hours, s.worked_hours, s.guaranteed_paid_hours,
      s.zero_hours_paid_hours);
  });
  a.section("retention", [&] {
    auto& s = r.retention;
    a(s.leavers, s.stress_target, s.underemployment_factor, s.autonomy_factor);
  });
  a.section("finance", [&] { a(r.finance.wage_bill, r.finance.accepted_ratio); });
  a.section("outcomes", [&] { a(r.outcomes.wellbeing_sum, r.outcomes.continuity_sum, r.outcomes.relational_term); });
  a.section("metrics", [&] { a(r.metrics, r.metric_values); });
  a.section("chain groups", [&] {
    CM_STATE_SIZE(ChainGroupsState, 80);
    a(r.groups.council_hours, r.groups.region_council_hours, r.groups.margin, r.groups.loss_weeks);
  });
}

}  // namespace

std::vector<std::byte> save_model_state(const Market& m, const RuleStates& rules) {
  std::vector<std::byte> out;
  engine::ArchiveWriter writer(out);
  // The writer only reads what it is given: the casts let one list of members serve both ways.
  archive_state(writer, const_cast<Market&>(m), const_cast<RuleStates&>(rules));
  return out;
}

void load_model_state(std::span<const std::byte> state, Market& m, RuleStates& rules) {
  engine::ArchiveReader reader(state.data(), state.size());
  archive_state(reader, m, rules);
  if (!reader.at_end()) throw engine::ArchiveError("the state has more bytes than this version reads");
  // Matching's serving lists belong to the market it listed them for: listed again.
  rules.matching.forget_serving_lists();
}

const ScenarioSpec& spec_in_force(const LoadedScenario& scenario, const ChangesState& changes) {
  for (std::size_t k = changes.next; k-- > 0;) {
    const auto& change = changes.changes[k];
    if (change.step > 0 || change.after_warmup) return change.spec;
  }
  return scenario.first_spec();
}

}  // namespace cm
