// Every kind of provider (MODEL.md §13, docs/ODD.md §7.20) on small hand-built markets: the properties of
// an archetype's table decide whom it serves, whether it bids, how it sets pay and how it closes;
// insourcing keeps lots for the council's own service; the cooperative programme founds
// cooperatives at its rate.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "agents/chain_groups.hpp"
#include "agents/cooperatives.hpp"
#include "agents/finance.hpp"
#include "agents/insourcing.hpp"
#include "agents/market.hpp"
#include "agents/opening.hpp"
#include "agents/provider_entry_exit.hpp"
#include "agents/wage_setting.hpp"
#include "hand_market.hpp"

namespace {

using cm::Archetype;
using cm::Placement;
using cm::Route;
using hand::commission;
using hand::Council;
using hand::match;
using hand::people_rows;
using hand::provider_rows;
using hand::worker_rows;

using hand::reset_people;

// Providers with room for everyone: capacity well above the need of `people`.
void give_room(cm::Market& m) {
  m.for_council_providers(0, [&](std::size_t q) {
    m.providers.staff[q] = 1000;
    m.providers.intended_staff[q] = 10000;
    m.providers.capacity_hours[q] = 20000;
    m.providers.allocated_hours[q] = 0;
  });
}

// Counts placed people by the archetype of their provider and by placement.
struct Placed {
  int by_archetype[cm::kArchetypes] = {};
  int by_placement[5] = {};
};
Placed placed(const cm::Market& m) {
  Placed out;
  for (auto i : people_rows(m)) {
    if (m.people.provider[i] == engine::kNoAgent) continue;
    const auto q = static_cast<std::size_t>(m.provider_row(m.people.provider[i]));
    out.by_archetype[m.providers.archetype[q]] += 1;
    out.by_placement[m.people.placement[i]] += 1;
  }
  return out;
}

// The council's own service comes first for council-managed people, at its cost; it serves no
// one buying their own care. Fails if matching reads archetype names instead of council_work and
// serves_*.
TEST(Archetypes, TheCouncilsServiceTakesCouncilManagedPeopleFirstAndNoBuyers) {
  auto m = cm::open_market(hand::spec({.people = 40, .agencies = 2, .council_run = 1}, "archetypes"), 3, 0);
  give_room(m);
  m.week = 5;
  reset_people(m, Route::council_managed, 5);
  match(m, 0);
  const auto service = provider_rows(m, Archetype::council_run).at(0);
  auto got = placed(m);
  EXPECT_EQ(got.by_archetype[static_cast<int>(Archetype::council_run)], 40);
  EXPECT_EQ(got.by_placement[static_cast<int>(Placement::in_house)], 40);
  const double cost = m.asking_price(Archetype::council_run, m.providers.cost_per_hour[service]);
  for (auto i : people_rows(m)) EXPECT_FLOAT_EQ(m.people.price[i], static_cast<float>(cost));
  // Self-funders and direct-payment holders never buy from it.
  for (auto route : {Route::self_funder, Route::direct_payment}) {
    give_room(m);
    reset_people(m, route, 5);
    match(m, 0);
    got = placed(m);
    EXPECT_EQ(got.by_archetype[static_cast<int>(Archetype::council_run)], 0);
    EXPECT_EQ(got.by_archetype[static_cast<int>(Archetype::agency)], 40);
  }
}

// A personal assistant works for people buying their own care and never takes council-managed
// people; with serves_direct_payments off, direct-payment holders go elsewhere too.
TEST(Archetypes, PersonalAssistantsServeBuyersNotTheCouncil) {
  auto spec = hand::spec({.people = 60, .agencies = 1, .personal_assistants = 30}, "archetypes");
  auto m = cm::open_market(spec, 5, 0);
  give_room(m);
  m.week = 5;
  reset_people(m, Route::council_managed, 2);
  match(m, 0);
  EXPECT_EQ(placed(m).by_archetype[static_cast<int>(Archetype::personal_assistant)], 0);
  give_room(m);
  reset_people(m, Route::direct_payment, 2);
  match(m, 0);
  EXPECT_GT(placed(m).by_archetype[static_cast<int>(Archetype::personal_assistant)], 20);  // logit favours them

  spec.providers.of(Archetype::personal_assistant).serves_direct_payments = false;
  auto without = cm::open_market(spec, 5, 0);
  give_room(without);
  without.week = 5;
  reset_people(without, Route::direct_payment, 2);
  match(without, 0);
  EXPECT_EQ(placed(without).by_archetype[static_cast<int>(Archetype::personal_assistant)], 0);
  EXPECT_EQ(placed(without).by_archetype[static_cast<int>(Archetype::agency)], 60);
}

// Bids come from archetypes whose council_work is "tender" (and micro-enterprises when
// accredited): a cooperative bids; the council's service and personal assistants do not.
TEST(Archetypes, OnlyTenderingKindsBid) {
  auto m = cm::open_market(
      hand::spec({.people = 10, .agencies = 1, .cooperatives = 1, .council_run = 1, .personal_assistants = 3},
                 "archetypes"),
      7, 0);
  m.week = 10;
  const auto before = m.council_bids[0].archetype.size();
  m.commissioners[0].lot_tender_week[0] = m.week;
  commission(m, 0);
  std::vector<int> bids(cm::kArchetypes, 0);
  const auto& logged = m.council_bids[0].archetype;
  for (auto e = before; e < logged.size(); ++e) bids[logged[e]] += 1;
  EXPECT_EQ(bids[static_cast<int>(Archetype::agency)], 1);
  EXPECT_EQ(bids[static_cast<int>(Archetype::cooperative)], 1);
  EXPECT_EQ(bids[static_cast<int>(Archetype::council_run)], 0);
  EXPECT_EQ(bids[static_cast<int>(Archetype::personal_assistant)], 0);
}

// Insourcing: a lot due for letting is kept for the council's service; its contract placements
// move there (placement in_house), with the holder's staff in proportion to the hours that go, and
// the lot is not tendered. Without the policy the same lot is let.
TEST(Archetypes, InsourcingKeepsALotAndTransfersItsPeopleAndStaff) {
  auto spec = hand::spec({.people = 50, .workers = 60, .agencies = 1, .council_run = 1}, "archetypes");
  for (double share : {0.0, 0.6}) {  // one lot: kept when that brings the kept share (1) nearer
    auto m = cm::open_market(spec, 9, 0);
    m.spec.commissioning.insourcing_share = share;  // from now: the first letting was the market's
    const auto agency = provider_rows(m, Archetype::agency).at(0);
    const auto service = provider_rows(m, Archetype::council_run).at(0);
    // Everyone council-managed, under the agency's contract for the lot.
    auto& com = m.commissioners[0];
    com.contracts = {{0, m.providers.id[agency], 20.0f, 100, 1.0f}};
    for (auto i : people_rows(m)) {
      m.people.route[i] = static_cast<std::uint8_t>(Route::council_managed);
      m.people.provider[i] = m.providers.id[agency];
      m.people.placement[i] = static_cast<std::uint8_t>(Placement::contract);
      m.people.need_hours[i] = 4;
    }
    m.providers.allocated_hours[agency] = 200;
    const int agency_staff = m.providers.staff[agency], service_staff = m.providers.staff[service];
    m.week = 100;
    com.lot_tender_week[0] = m.week;
    commission(m, 0);
    if (share == 0) {
      EXPECT_EQ(com.lots_in_house, 0);
      EXPECT_EQ(com.contracts.size(), 1u);  // let again
      EXPECT_EQ(placed(m).by_placement[static_cast<int>(Placement::in_house)], 0);
      continue;
    }
    EXPECT_EQ(com.lots_in_house, 1);
    EXPECT_TRUE(com.contracts.empty());
    EXPECT_EQ(placed(m).by_placement[static_cast<int>(Placement::in_house)], 50);
    EXPECT_EQ(placed(m).by_archetype[static_cast<int>(Archetype::council_run)], 50);
    // All of the agency's allocated hours went: all of its staff go with them.
    EXPECT_EQ(m.providers.staff[agency], 0);
    EXPECT_EQ(m.providers.staff[service], service_staff + agency_staff);
    int employed_by_service = 0;
    for (auto k : worker_rows(m)) employed_by_service += m.workers.employer[k] == m.providers.id[service];
    EXPECT_EQ(employed_by_service, service_staff + agency_staff);
    EXPECT_GT(com.lot_tender_week[0], m.week);  // looked at again a contract length on
  }
}

// The cooperative programme founds cooperatives at developers × per developer a year: the count
// over many weeks is Poisson with that mean (within four standard deviations); none without
// developers. Each starts with cooperative_members members.
TEST(Archetypes, TheCooperativeProgrammeFoundsAtItsRate) {
  auto spec = hand::spec({.people = 100, .workers = 200, .agencies = 4}, "archetypes");
  spec.founding.cooperative_developers = 3;
  spec.founding.cooperatives_per_developer = 2;
  auto m = cm::open_market(spec, 21, 0);
  const int weeks = 520;
  double founded = 0;
  for (int w = 0; w < weeks; ++w) {
    m.week = w;
    m.counts[0] = {};
    cm::apply_cooperative_founding(m, 0);
    founded += m.counts[0].cooperatives_founded;
    for (const auto& np : m.pending[0].providers) EXPECT_EQ(np.archetype, Archetype::cooperative);
    const auto members = m.pending[0].workers.size() + m.pending[0].members.size();
    EXPECT_EQ(members, m.pending[0].providers.size() * static_cast<std::size_t>(spec.founding.cooperative_members));
    m.flush_pending();
  }
  const double expected = 3 * 2 * weeks / 52.0;
  EXPECT_LE(std::abs(founded - expected), 4 * std::sqrt(expected))
      << founded << " founded, " << expected << " expected";
  EXPECT_EQ(static_cast<double>(provider_rows(m, Archetype::cooperative).size()), founded);

  spec.founding.cooperative_developers = 0;
  auto none = cm::open_market(spec, 21, 0);
  for (int w = 0; w < 52; ++w) {
    none.week = w;
    cm::apply_cooperative_founding(none, 0);
    EXPECT_TRUE(none.pending[0].providers.empty());
  }
}

// Members set their pay from the council's price: a cooperative paid more than it asks raises its
// wage to what that price affords (at its margin); the council's service keeps its pay scale.
TEST(Archetypes, MembersTakeWhatThePriceAffordsAndAPublicScaleStays) {
  auto spec = hand::spec({.people = 10, .workers = 20, .cooperatives = 1, .council_run = 1}, "archetypes");
  spec.wages.review_weeks = 1;
  auto m = cm::open_market(spec, 4, 0);
  m.week = 3;
  for (auto arch : {Archetype::cooperative, Archetype::council_run}) {
    const auto q = provider_rows(m, arch).at(0);
    m.providers.council_hours[q] = 100;
    m.providers.council_income[q] = 100 * 40.0f;  // GBP 40 an hour
    m.providers.vacancies[q] = 0;
  }
  const auto coop = provider_rows(m, Archetype::cooperative).at(0);
  const auto service = provider_rows(m, Archetype::council_run).at(0);
  const float scale = m.providers.wage[service];
  cm::apply_wage_setting(m, 0);
  EXPECT_FLOAT_EQ(m.providers.wage[service], scale);
  // At the new wage the cooperative's asking price is the council's price.
  const double asking =
      m.asking_price(Archetype::cooperative, m.cost_per_hour(Archetype::cooperative, m.providers.wage[coop]));
  EXPECT_NEAR(asking, 40.0, 1e-3);
}

// Closure follows the table: a personal assistant (owner_worker) closes as an owner-run provider
// (an event of kind closure), not after losses; a council's service (closes_on_losses false, no
// closure hazard) stays open through any losses.
TEST(Archetypes, ClosureFollowsTheTable) {
  auto spec = hand::spec({.people = 10, .workers = 20, .agencies = 1, .council_run = 1, .personal_assistants = 2},
                         "archetypes");
  auto m = cm::open_market(spec, 8, 0);
  m.week = 60;
  const auto service = provider_rows(m, Archetype::council_run).at(0);
  m.providers.loss_weeks[service] = 1000;
  m.providers.margin_average[service] = -1;
  // Personal assistants with no client long after launch close for want of demand.
  for (auto q : provider_rows(m, Archetype::personal_assistant)) {
    m.providers.clients[q] = 0;
    m.providers.age_weeks[q] = 1000;
  }
  cm::apply_entry_exit(m, cm::CareGap{}, cm::MatchingDemand{}, 0);
  EXPECT_TRUE(m.providers.alive[service]);
  EXPECT_TRUE(provider_rows(m, Archetype::personal_assistant).empty());
  int closures = 0;
  const auto& events = m.council_provider_events[0];
  for (std::size_t e = 0; e < events.kind.size(); ++e)
    if (events.archetype[e] == static_cast<int>(Archetype::personal_assistant))
      closures += events.kind[e] == static_cast<int>(cm::ProviderEventKind::closure);
  EXPECT_EQ(closures, 2);
}

}  // namespace

namespace {

// Two councils, each with two chain branches of one group and an agency.
cm::ScenarioSpec two_councils_one_group() {
  std::string toml = "[run]\nwarmup_weeks = 0\n[commissioning]\nlot_size = 1\n";
  for (const char* name : {"East", "West"})
    toml += std::string("[[councils]]\nname = \"") + name +
            "\"\nlocalities = 1\nadults_thousands = 100\npeople = 40\nworkers = 40\nchains = 2\nagencies = 1\n"
            "micro_enterprises = 0\nbudget_million = 1000\nchain_groups = 1\n";
  return cm::load_scenario_text(toml, "archetypes").spec;
}

// The group's books pool its branches in every council: hours, and a margin smoothed from the
// pooled surplus over the pooled turnover (a branch's turnover as finance.cpp takes it).
TEST(ChainGroupBooks, PoolBranchesAcrossCouncils) {
  auto m = cm::open_market(two_councils_one_group(), 2, 0);
  double surplus = 0, turnover = 0, hours = 0, all_hours = 0;
  for (std::size_t q = 0; q < m.providers.id.size(); ++q) {
    const bool branch = m.providers.group[q] == cm::kChainGroupBase;
    m.providers.council_hours[q] = branch ? 100.0f : 50.0f;
    m.providers.income[q] = 1000;
    m.providers.surplus[q] = branch ? (m.providers.council[q] == 0 ? -400.0f : 100.0f) : 500.0f;
    all_hours += m.providers.council_hours[q];
    if (!branch) continue;
    hours += 100;
    surplus += m.providers.surplus[q];
    turnover += std::max(1000.0, 1000.0 - m.providers.surplus[q]);
  }
  cm::ChainGroupsState books;
  cm::keep_group_books(m, books);
  ASSERT_EQ(books.council_hours.size(), 1u);
  EXPECT_DOUBLE_EQ(books.council_hours[0], hours);
  EXPECT_DOUBLE_EQ(books.region_council_hours, all_hours);
  EXPECT_NEAR(books.margin[0], m.spec.providers.margin_smoothing * surplus / turnover, 1e-6);
  EXPECT_TRUE(books.losing(cm::kChainGroupBase));  // the East branches' losses outweigh the West's profit
  EXPECT_EQ(books.loss_weeks[0], 1);
  EXPECT_DOUBLE_EQ(books.regional_share(cm::kChainGroupBase), hours / all_hours);
  EXPECT_LT(books.regional_share(m.providers.group[provider_rows(m, Archetype::agency).at(0)]), 0);  // no group
}

// A branch losing money for exit_loss_weeks exits when its group loses money too, but a group
// making money carries it (until twice as long); a firm of its own exits at once.
TEST(ChainGroupBooks, AProfitableGroupCarriesALosingBranch) {
  for (bool group_losing : {false, true}) {
    auto spec = two_councils_one_group();
    for (auto& kind : spec.providers.kinds) kind.closure_per_year = 0;  // only losses close
    auto m = cm::open_market(spec, 2, 0);
    m.week = 100;
    cm::ChainGroupsState books;
    books.council_hours = {100};
    books.region_council_hours = 200;
    books.margin = {group_losing ? -0.1f : 0.1f};
    books.loss_weeks = {1};
    const auto weeks = static_cast<std::int16_t>(m.spec.providers.exit_loss_weeks);
    const auto branch = provider_rows(m, Archetype::chain).at(0);
    const auto agency = provider_rows(m, Archetype::agency).at(0);
    for (auto q : {branch, agency}) {
      m.providers.loss_weeks[q] = weeks;
      m.providers.margin_average[q] = -0.2f;
    }
    cm::apply_entry_exit(m, cm::CareGap{}, cm::MatchingDemand{}, 0, books);
    EXPECT_FALSE(m.providers.alive[agency]);
    EXPECT_EQ(m.providers.alive[branch] == 0, group_losing) << (group_losing ? "losing group" : "profitable group");
  }
}

}  // namespace
