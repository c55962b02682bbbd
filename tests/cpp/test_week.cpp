// The week as declared (agents/model.cpp): the fast week, whose per-row hooks run fused into one
// pass per table, must equal the same list run one phase at a time as it reads (the reference
// week), bit for bit: every metric, every column of every table and every event, every week.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "agents/model.hpp"
#include "engine/parallel.hpp"

namespace {

const std::filesystem::path kConfigs = std::filesystem::path(CAREMARKET_SOURCE_DIR) / "configs";

cm::LoadedScenario shipped(const std::string& name, const std::vector<std::string>& policies = {},
                           const std::vector<std::string>& assignments = {}) {
  std::vector<cm::PolicyFile> files;
  for (const auto& policy : policies) files.push_back({kConfigs / "policies" / (policy + ".toml"), std::nullopt});
  return cm::load_scenario(kConfigs / "scenarios" / (name + ".toml"), files, assignments);
}

// Every column of two tables of the same kind, equal bit for bit (names the first that differs).
template <class Table>
std::string first_difference(const Table& a, const Table& b, const std::string& table) {
  std::vector<std::string> differing;
  std::vector<const void*> columns_of_b;
  const_cast<Table&>(b).for_each_column([&](const char*, const auto& column) { columns_of_b.push_back(&column); });
  std::size_t k = 0;
  const_cast<Table&>(a).for_each_column([&](const char* name, const auto& column) {
    const auto& other = *static_cast<const std::remove_cvref_t<decltype(column)>*>(columns_of_b[k++]);
    // Bytes, not values: NaN must equal NaN and 0.0 must not equal -0.0.
    const bool same =
        column.size() == other.size() &&
        (column.empty() || std::memcmp(column.data(), other.data(), column.size() * sizeof(column[0])) == 0);
    if (!same) differing.push_back(table + "." + name);
  });
  return differing.empty() ? std::string() : differing.front();
}

std::string first_difference(const cm::Model& fast, const cm::Model& reference) {
  const auto& a = fast.market();
  const auto& b = reference.market();
  for (const auto& d :
       {first_difference(a.people, b.people, "people"), first_difference(a.workers, b.workers, "workers"),
        first_difference(a.providers, b.providers, "providers"), first_difference(a.tenders, b.tenders, "tenders"),
        first_difference(a.bids, b.bids, "bids"),
        first_difference(a.provider_events, b.provider_events, "provider_events")})
    if (!d.empty()) return d;
  if (std::memcmp(fast.metrics().data(), reference.metrics().data(), fast.metrics().size() * sizeof(double)) != 0 ||
      fast.metrics().size() != reference.metrics().size())
    return "metrics";
  return {};
}

// exercised: metrics whose total over the weeks must be above zero (what the case is about).
void expect_fused_week_equals_reference(const std::string& scenario, int weeks, const cm::LoadedScenario& loaded,
                                        const std::vector<cm::Metric>& exercised = {}) {
  engine::ThreadLimit limit(2);  // the fast week in parallel, the reference one council at a time
  cm::Model fast(loaded, 11, 0), reference(loaded, 11, 0);
  std::int64_t closures = 0, tenders = 0;
  std::vector<double> exercised_totals(exercised.size(), 0.0);
  for (int week = 1; week <= weeks; ++week) {
    fast.step();
    reference.step_reference();
    const auto difference = first_difference(fast, reference);
    ASSERT_EQ(difference, "") << scenario << ": " << difference << " differs after week " << week;
    closures += static_cast<std::int64_t>(fast.metric_total(cm::kProviderExits));
    tenders += static_cast<std::int64_t>(fast.metric_total(cm::kTenders));
    for (std::size_t k = 0; k < exercised.size(); ++k) exercised_totals[k] += fast.metric_total(exercised[k]);
  }
  for (std::size_t k = 0; k < exercised.size(); ++k)
    EXPECT_GT(exercised_totals[k], 0) << scenario << ": " << cm::metric_catalogue()[exercised[k]].name;
  // The weeks covered what reorders most under fusion: closures after the pass over workers (whose
  // staff the metrics count again) and lettings.
  EXPECT_GT(closures, 0) << scenario;
  EXPECT_GT(tenders, 0) << scenario;
  // And both kinds of review of placements in the fast week: from the book (most weeks) and of
  // everyone (the first week, an April, a parameter change); the reference week reviews everyone.
  std::int64_t full = 0, partial = 0;
  for (const auto& council : fast.rules().matching.book.councils) {
    full += council.full_reviews;
    partial += council.partial_reviews;
  }
  EXPECT_GT(full, 0) << scenario;
  EXPECT_GT(partial, full) << scenario;
  for (const auto& council : reference.rules().matching.book.councils) EXPECT_EQ(council.partial_reviews, 0);
  std::printf("%s: %lld of %lld council-weeks reviewed from the book\n", scenario.c_str(),
              static_cast<long long>(partial), static_cast<long long>(full + partial));
}

}  // namespace

TEST(Week, FusedWeekEqualsTheReferenceWeekSomerset) {
  expect_fused_week_equals_reference("somerset", 150, shipped("somerset"));
}
TEST(Week, FusedWeekEqualsTheReferenceWeekWestMidlands) {
  expect_fused_week_equals_reference("west_midlands", 150, shipped("west_midlands"));
}
// Policies that move placements most (hand-backs under quality-weighted tendering, accredited
// micro-enterprises opening and closing, contract terms), brought in when the warm-up ends, and
// a change of the direct-payment rate in the middle of the run (as Simulation.set makes one);
// April uplifts of 3% (the fixed rule) raise the price of every council placement.
TEST(Week, FusedWeekEqualsTheReferenceWeekSomersetUnderPolicies) {
  const auto loaded = shipped("somerset", {"quality_weighted", "micro_enterprise_support", "ethical_care_charter"},
                              {"run.warmup_weeks=26", "commissioning.uplift_rule=fixed"});
  expect_fused_week_equals_reference("somerset under policies", 150,
                                     cm::with_change(loaded, 60, "commissioning.dp_rate_factor=1.2"));
}

// Collaborative frameworks (a partner handing back while others hold the lot), lots taken into the
// councils' own services (insourcing moves their people) and chain groups failing (every branch
// closes at once): weeks in which contracts change without the lot being let again, or people move
// without matching's book being told.
TEST(Week, FusedWeekEqualsTheReferenceWeekWestMidlandsUnderCollaborativeAndInsourcing) {
  const auto loaded = shipped("west_midlands", {"collaborative", "insourcing"},
                              {"run.warmup_weeks=26", "providers.chain.group_failure_per_year=0.5"});
  expect_fused_week_equals_reference("west midlands, collaborative and insourcing", 150, loaded);
}

// Hospital discharge with few reablement places: referrals start and end reablement (need withdrawn
// from matching's book, then back, or the person leaves) and wait in hospital, first in line.
TEST(Week, FusedWeekEqualsTheReferenceWeekWithHospitalDischarge) {
  const auto loaded = shipped("somerset", {"hospital_discharge"},
                              {"run.warmup_weeks=26", "discharge.reablement_places_per_100k_adults=10"});
  expect_fused_week_equals_reference("somerset with hospital discharge", 150, loaded,
                                     {cm::kDischargeDelayed, cm::kReablementIndependent, cm::kReablementPeople});
}

// Settling the tables between weeks (Model::settle, as Python views do) moves people's rows; the
// placement book keeps the people it names by id, so the week after a settle still equals the
// reference week (settled at the same weeks, so both tables keep the same rows).
TEST(Week, FusedWeekEqualsTheReferenceWeekAfterSettling) {
  engine::ThreadLimit limit(2);
  const auto loaded = shipped("somerset", {}, {"run.warmup_weeks=0"});
  cm::Model fast(loaded, 11, 0), reference(loaded, 11, 0);
  std::int64_t partial = 0;
  for (int week = 1; week <= 60; ++week) {
    fast.step();
    reference.step_reference();
    if (week % 3 == 0) {
      fast.settle();
      reference.settle();
    }
    const auto difference = first_difference(fast, reference);
    ASSERT_EQ(difference, "") << difference << " differs after week " << week;
  }
  for (const auto& council : fast.rules().matching.book.councils) partial += council.partial_reviews;
  EXPECT_GT(partial, 30);  // most of the weeks after a settle were reviewed from the book
}

// The week reads as the phases of MODEL.md §3, in order.
TEST(Week, PhasesFollowTheModelOrder) {
  std::vector<std::string> rules;
  for (const auto& [name, kind] : cm::Model::phases()) {
    if (kind == "step") continue;
    const std::string rule(name);
    if (rules.empty() || rules.back() != rule) rules.push_back(rule);
  }
  const std::vector<std::string> expected{"need",      "eligibility",    "prices",   "commissioning", "matching",
                                          "discharge", "labour market",  "founding", "delivery",      "workers",
                                          "finance",   "entry and exit", "outcomes", "metrics",       "wages"};
  EXPECT_EQ(rules, expected);
}
