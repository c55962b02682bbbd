#include "agents/parameters.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <set>
#include <string_view>

#include "agents/schedules.hpp"
#include "engine/config.hpp"

namespace cm {
namespace {

using engine::config::Range;
using engine::config::Schema;
using S = ScenarioSpec;

constexpr Range kShare{0, 1};
constexpr Range kWage{0, 100};
constexpr Range kNonNegative{0, 1e12};

// Limits on a scenario's size, checked before anything is allocated; England has 153 councils,
// 6,856 small areas and 2.5 million people and workers.
constexpr std::size_t kMaxCouncils = 2000;
constexpr std::int64_t kMaxLocalities = 100000;
constexpr std::int64_t kMaxAgents = 50000000;  // about 8 GB of model state at England's 158 bytes an agent

// A parameter's key and the member it sets are one name: CM_PARAMETER(labour.nlw) is the key
// "labour.nlw" followed by the accessor of the spec's labour.nlw (of a council's entry inside
// [[councils]]), so the two cannot drift apart and each parameter is declared once: key and member,
// default, range, unit, meaning, source.
// clang-format off
#define CM_PARAMETER(path) #path, [](auto& x) -> auto& { return x.path; }
// clang-format on

std::shared_ptr<Schema<CouncilSpec>> council_schema() {
  auto s = std::make_shared<Schema<CouncilSpec>>();
  s->text(CM_PARAMETER(name), "council", "Council name")
      .text(CM_PARAMETER(code), "", "ONS GSS code of a real council (E06000066 Somerset); empty for one that is not",
            "ONS; configs/scenarios/england.toml lists the 153 councils with adult social-care duties")
      .text(CM_PARAMETER(region), "", "English region the council is in (results are also given by region)",
            "ONS regions, via mySociety's list of local authorities")
      .text(CM_PARAMETER(kind), "", "Type of council: county, unitary, metropolitan district, London borough",
            "mySociety's list of local authorities")
      .integer(CM_PARAMETER(localities), 0, {0, 1000}, "",
               "Localities in the council: 0 means one per small area (areas), or 30 without them",
               "Somerset has about 30 community areas and 71 MSOAs")
      .real(CM_PARAMETER(adults_thousands), 470, {0.1, 1e5}, "thousand people",
            "Population aged 18+ (set from age_thousands when they are given)",
            "ONS mid-year estimates (Somerset 469,541 aged 18+, probably mid-2023)")
      .real_vector(CM_PARAMETER(age_thousands), 0, {0, 1e5}, "thousand people",
                   "Population aged 18-64, 65-84 and 85+: with need.prevalence_per_1000, the age mix of its people "
                   "with needs. Empty: need.age_band_shares",
                   "ONS mid-year population estimates by single year of age (probably mid-2023), via PolicyEngine")
      .real(CM_PARAMETER(area_km2), 0, {0, 1e6}, "km2",
            "Land area: with small areas (areas), how rural the council is and how far apart people live",
            "mySociety's list of local authorities (area)")
      .text_list(CM_PARAMETER(areas),
                 "Small areas (ONS 2021 MSOA codes), each a locality; travel between them comes from the distances "
                 "of their centroids. Empty: a synthetic ring of localities",
                 "ONS, via drkane/geo-lookups (msoa_la.csv)")
      .real_vector(CM_PARAMETER(area_latitudes), 0, {-90, 90}, "degrees", "Latitude of each small area's centroid",
                   "ONS, via drkane/geo-lookups (msoa_latlong.csv): geometric centroids, not population-weighted")
      .real_vector(CM_PARAMETER(area_longitudes), 0, {-180, 180}, "degrees", "Longitude of each small area's centroid",
                   "ONS, via drkane/geo-lookups (msoa_latlong.csv)")
      .real(CM_PARAMETER(reference_rate), 0, {0, 200}, "GBP/h",
            "The council's own usual rate for an hour of home care. 0: commissioning.reference_rate",
            "the council's published fee rates, where known")
      .real(CM_PARAMETER(wage), 0, {0, 100}, "GBP/h",
            "The going hourly wage of care workers in the council (a local agency's); every kind of provider keeps "
            "its difference from the agencies' national wage. 0: the national defaults",
            "local figure where known (Skills for Care local area estimates)")
      .integer(CM_PARAMETER(people), 14000, {0, 100000000}, "people", "People with formal care needs at the start",
               "Somerset market position statement")
      .integer(CM_PARAMETER(workers), 7000, {0, 100000000}, "workers", "Home care workers at the start",
               "Skills for Care local estimates")
      .integer(CM_PARAMETER(chains), 20, {0, 100000}, "branches", "Chain provider branches at the start", "assumption")
      .integer(CM_PARAMETER(agencies), 40, {0, 100000}, "providers", "Local agencies at the start",
               "assumption: about 60 agencies and chains in Somerset")
      .integer(CM_PARAMETER(micro_enterprises), 50, {0, 100000}, "enterprises",
               "Community micro-enterprises at the start", "NEF & Community Catalysts 2020 (about 50)")
      .integer(CM_PARAMETER(cooperatives), 0, {0, 100000}, "providers", "Care cooperatives at the start",
               "assumption: few in England (Co-operatives UK 2019 lists about 100 in social care)")
      .text(CM_PARAMETER(commuting_zone), "",
            "Commuting zone: councils sharing one are within commuting time of each other, and care workers "
            "looking for a job may take one across the border (labour.commute_share); empty: none",
            "MODEL.md §14; a combined authority or a travel-to-work area")
      .real(CM_PARAMETER(pay_floor), 0, {0, 100}, "GBP/h",
            "The council's own minimum base wage for care workers of every provider in its area (a Real Living "
            "Wage commitment, say); providers starting or reviewing their wage there pay at least this. 0: none",
            "policy lever of one council (MODEL.md §14: a large employer's wage rise in one council)")
      .integer(CM_PARAMETER(council_run), 0, {0, 100000}, "services",
               "Council-run home-care services at the start (in-house, or a council company)", "assumption")
      .integer(CM_PARAMETER(personal_assistants), 0, {0, 1000000}, "assistants",
               "Self-employed personal assistants at the start, working for people with direct payments or "
               "self-funders",
               "Skills for Care: about 70,000 PA jobs in England, roughly one per 5 direct-payment holders")
      .real(CM_PARAMETER(budget_million), 120, {0, 1e6}, "GBP million/year",
            "Community care budget (home care, direct payments, programmes)", "assumption scaled from ASC-FR")
      .integer(CM_PARAMETER(chain_groups), 0, {0, 100000}, "groups",
               "Distinct chain groups owning the branches (0 = one group per branch)", "assumption");
  return s;
}

template <std::size_t N>
std::vector<std::string> names(const std::array<std::string_view, N>& list) {
  return {list.begin(), list.end()};
}

void archetype(Schema<S>& s, Archetype kind, const ArchetypeSpec& d) {
  const std::string p = "providers." + std::string(kArchetypeNames[static_cast<std::size_t>(kind)]) + ".";
  auto at = [kind](auto field) {
    return [kind, field](S& spec) -> decltype(auto) { return spec.providers.of(kind).*field; };
  };
  s.real(p + "wage", at(&ArchetypeSpec::wage), d.wage, kWage, "GBP/h", "Hourly wage paid to care workers",
         "Skills for Care 2024: median £12.60/h, NLW £12.21/h")
      .real(p + "zero_hours_share", at(&ArchetypeSpec::zero_hours_share), d.zero_hours_share, kShare, "",
            "Share of workers on zero-hours contracts", "Skills for Care: 58% in home care")
      .real(p + "contracted_hours", at(&ArchetypeSpec::contracted_hours), d.contracted_hours, {1, 60}, "h/week",
            "Contact hours a worker is rostered for", "assumption")
      .real(p + "unpaid_travel_minutes", at(&ArchetypeSpec::unpaid_travel_minutes), d.unpaid_travel_minutes, {0, 60},
            "min per contact hour", "Travel between visits per contact hour (paid only for guaranteed-hours staff)",
            "assumption (Resolution Foundation)")
      .real(p + "overhead_per_hour", at(&ArchetypeSpec::overhead_per_hour), d.overhead_per_hour, {0, 50}, "GBP/h",
            "Overheads per delivered hour", "Homecare Association cost model 2025/26 (assumption)")
      .real(p + "target_margin", at(&ArchetypeSpec::target_margin), d.target_margin, {0, 1}, "",
            "Margin added to cost when bidding", "assumption")
      .real(p + "extraction", at(&ArchetypeSpec::extraction), d.extraction, kShare, "",
            "Share of the surplus (income less wages, on-costs and overheads) leaving the region as dividends, "
            "group charges, rent and interest; not priced into bids",
            "chains 1 (owned outside the region), agencies 0.2, micro-enterprises 0: assumption. CHPI 2019 and "
            "CMA 2017 measure care homes (about 10% of income leaving): an upper bound for home care")
      .real(p + "continuity", at(&ArchetypeSpec::continuity), d.continuity, kShare, "",
            "Share of visits by the usual worker with no staff turnover", "assumption")
      .real(p + "relational", at(&ArchetypeSpec::relational), d.relational, kShare, "",
            "Visit model: 0 time-and-task, 1 relational", "assumption (NEF 2020)")
      .real(p + "autonomy", at(&ArchetypeSpec::autonomy), d.autonomy, {0, 0.95}, "",
            "Workers' autonomy, lowers the quit hazard", "assumption")
      .real(p + "radius_minutes", at(&ArchetypeSpec::radius_minutes), d.radius_minutes, {0, 10000}, "minutes",
            "Travel time from its home locality within which it serves people", "MODEL.md §2: micro ≤ 20 minutes")
      .integer(p + "max_workers", at(&ArchetypeSpec::max_workers), d.max_workers, {1, 100000}, "workers",
               "Largest workforce of one provider", "MODEL.md §6: micro ≤ 8")
      .real(p + "undercut", at(&ArchetypeSpec::undercut), d.undercut, {0, 0.9}, "",
            "Largest strategic bid discount (drawn uniformly) when its group's share of council hours is under "
            "commissioning.strategic_share (5%)",
            "Fiorino et al. 2018 (assumption for size)")
      .real(p + "private_markup", at(&ArchetypeSpec::private_markup), d.private_markup, {0, 3}, "",
            "Self-funder price over its asking price (cost and margin)", "CMA 2017: about 41%")
      .real(p + "quality", at(&ArchetypeSpec::quality), d.quality, kShare, "", "Starting observed quality",
            "assumption (chains 0.557, agencies 0.606, micro-enterprises 0.74: version 1's 0.5, 0.55, 0.7 raised by "
            "what wellbeing on the ASCOT scale adds to incumbents' observed quality at step 0, seeds 11-12)")
      .real(p + "closure_per_year", at(&ArchetypeSpec::closure_per_year), d.closure_per_year, kShare, "1/year",
            "Base annual closure hazard, before losses and burnout",
            "agencies: Allan (PSSRU), about 1 in 7 a year (with losses); chains and micro-enterprises: assumption")
      .real(p + "recruitment", at(&ArchetypeSpec::recruitment), d.recruitment, {0, 10}, "",
            "Reach of its recruiting: multiplies the weekly chance to fill a vacancy from outside care",
            "assumption: chains recruit nationally and internationally (Skills for Care)")
      .choice(p + "council_work", at(&ArchetypeSpec::council_work), names(kCouncilWorkNames), d.council_work,
              "How it takes council-managed work: tender = bids for lots and may be bought spot; accredited = the "
              "same, only while commissioning.accredit_micro is true; in_house = the council places people with it "
              "directly, before its contracts, at the service's cost; none = never",
              "MODEL.md §13")
      .boolean(p + "serves_direct_payments", at(&ArchetypeSpec::serves_direct_payments), d.serves_direct_payments,
               "Whether people with a direct payment may buy its care", "MODEL.md §13")
      .boolean(p + "serves_self_funders", at(&ArchetypeSpec::serves_self_funders), d.serves_self_funders,
               "Whether self-funders may buy its care", "MODEL.md §13")
      .choice(p + "wage_rule", at(&ArchetypeSpec::wage_rule), names(kWageRuleNames), d.wage_rule,
              "How it reviews its base wage every wages.review_weeks: market = a share of a council price above its "
              "asking price passes to pay, and with many vacancies it matches rivals' pay; pass_through = the first "
              "only; members = members take what the income per hour affords after costs and margin; public_scale = "
              "its wage (a public pay scale), raised only when the legal minimum rises",
              "MODEL.md §11, §13")
      .boolean(p + "owner_worker", at(&ArchetypeSpec::owner_worker), d.owner_worker,
               "Run by an owner who works in it: small by choice, closes when the owner's income is low or the "
               "owner burns out (founding.*) rather than after losses; its owner leaves care when it closes",
               "MODEL.md §6, §13")
      .boolean(p + "closes_on_losses", at(&ArchetypeSpec::closes_on_losses), d.closes_on_losses,
               "Exits after providers.exit_loss_weeks of losses, and counts among the established providers whose "
               "margins decide market entry",
               "MODEL.md §3.8")
      .real(p + "reference_trip_minutes", at(&ArchetypeSpec::reference_trip_minutes), d.reference_trip_minutes,
            {0.01, 600}, "minutes",
            "The trip between visits at which unpaid_travel_minutes holds: in a council with small areas a "
            "provider's unpaid travel is the kind's times its clients' trip over this",
            "derived: the kind's mean trip in Somerset's baseline (hours-weighted, week 52, seed 1; cooperatives as "
            "agencies, council services as chains, personal assistants one client per small area), so that Somerset, "
            "where the kinds' travel was calibrated, keeps it; a denser council travels less (docs/ODD.md §7)");
}

Schema<S> make_schema() {
  Schema<S> s;
  s.integer(CM_PARAMETER(run.steps), 520, {1, 100000}, "weeks", "Weeks to simulate", "MODEL.md §2: 10 years")
      .integer(CM_PARAMETER(run.seed), 1, {0, 9.0e15}, "", "Root random seed (overridden by --seed)")
      .date(CM_PARAMETER(run.start_date),
            engine::Date{std::chrono::year{2025}, std::chrono::April, std::chrono::day{1}}, 1900, 2200,
            "Date of step 0; step s is 7·s days later. Yearly measures follow financial years (April to March)",
            "MODEL.md §12: a financial year's start")
      .integer(CM_PARAMETER(run.warmup_weeks), 104, {0, 1040}, "weeks",
               "Weeks simulated before step 0 and not reported, under the baseline's parameters at step 0: "
               "no policy, schedule or shock applies in them. Step 0 reports the market they leave",
               "MODEL.md §12: the shortest whole number of years after which, over seeds 1-10 of Somerset, the "
               "first reported year's means of turnover, vacancy rate, unmet share and chain share lie within 2 "
               "standard errors of the second year's (scripts/warmup/steady_state.py)")
      .integer(CM_PARAMETER(output.snapshot_interval), 52, {0, 100000}, "weeks",
               "Weeks between per-agent snapshots (0 = none)")
      .integer(CM_PARAMETER(output.compression), 1, {0, 9}, "", "Deflate level of output datasets",
               "level 1: Somerset file 3% larger than at level 4, output time 0.038-0.044 s against 0.060-0.064 s")
      .boolean(CM_PARAMETER(output.events), true, "Record tender and provider events")
      .text(CM_PARAMETER(region.name), "region", "Name of the region")
      .text(CM_PARAMETER(region.description), "", "Plain-words description of the scenario")
      .table_list<CouncilSpec>(CM_PARAMETER(councils), council_schema(), 1,
                               "The councils of the region, one [[councils]] table each", kMaxCouncils)
      .real(CM_PARAMETER(geography.edge_minutes_min), 6, {0, 600}, "minutes",
            "Shortest travel time between neighbouring localities", "assumption")
      .real(CM_PARAMETER(geography.edge_minutes_max), 18, {0, 600}, "minutes",
            "Longest travel time between neighbouring localities", "assumption")
      .real(CM_PARAMETER(geography.extra_edges_per_locality), 0.6, {0, 10}, "",
            "Road links beyond the ring of neighbours, per locality", "assumption")
      .real(CM_PARAMETER(geography.chord_length_factor), 1.5, {0.01, 100}, "",
            "Travel time of a road link beyond the ring (a chord) over that of a ring edge drawn the same way",
            "assumption")
      .real(CM_PARAMETER(geography.road_factor), 1.3, {1, 5}, "",
            "Road distance over straight-line distance between small areas (councils with areas)",
            "assumption: circuity factors of 1.2-1.4 are usual for road networks")
      .real(CM_PARAMETER(geography.urban_speed_kmh), 25, {1, 200}, "km/h",
            "Door-to-door speed between visits in a council at geography.urban_density or denser",
            "assumption, below DfT's 37.5 km/h (23.3 mph) average on local A roads, year to June 2023")
      .real(CM_PARAMETER(geography.rural_speed_kmh), 45, {1, 200}, "km/h",
            "Door-to-door speed between visits in a council at geography.rural_density or sparser",
            "assumption, above DfT's 37.5 km/h (23.3 mph) average on local A roads, year to June 2023")
      .real(CM_PARAMETER(geography.urban_density), 3000, {0.001, 1e6}, "adults/km2",
            "Density at or above which a council travels at the urban speed (log-linear between the two)",
            "assumption: London boroughs and large cities have 3,000-12,000 adults per km2")
      .real(CM_PARAMETER(geography.rural_density), 100, {0.001, 1e6}, "adults/km2",
            "Density at or below which a council travels at the rural speed",
            "assumption: England's most rural councils have 20-100 adults per km2");

  s.real_list(CM_PARAMETER(need.hours_by_band), {5, 10, 18, 30}, {0, 168}, "h/week",
              "Formal hours needed by need band 1..4 before informal care",
              "MODEL.md §4 (4, 9, 16, 28) raised so the mean is about 11 h/week: NHS IC 2008, King's Fund 2018")
      .real_list(CM_PARAMETER(need.initial_band_shares), {0.28, 0.385, 0.235, 0.10}, kShare, "",
                 "Share of people in need bands 1..4 at the start",
                 "stationary mix of the need defaults: bands of people with need after 20 years of the Somerset "
                 "baseline (0.281, 0.386, 0.230, 0.103 at week 1040, seed 1)")
      .real_list(CM_PARAMETER(need.entry_band_shares), {0.50, 0.30, 0.15, 0.05}, kShare, "",
                 "Need bands 1..4 of people developing need", "assumption")
      .real_list(CM_PARAMETER(need.age_band_shares), {0.45, 0.38, 0.17}, kShare, "",
                 "Share of people aged 18-64, 65-84, 85+",
                 "assumption: working-age adults about 45% of long-term community clients (ASC-FR 2023/24, approx.)")
      .real_list(CM_PARAMETER(need.prevalence_per_1000), {15.44, 48.76, 140.78}, {0, 1000}, "per 1000",
                 "People with formal care needs per 1,000 people aged 18-64, 65-84, 85+: the age mix of a council "
                 "with age_thousands",
                 "derived by scripts/make_england.py: England's age mix of people with needs is need.age_band_shares "
                 "and the real Somerset has its 14,000")
      .real_list(CM_PARAMETER(need.progression_per_year), {0.20, 0.16, 0.12, 0.0}, kShare, "1/year",
                 "Annual chance of moving up from band 1..4", "assumption")
      .real_list(CM_PARAMETER(need.improvement_per_year), {0.08, 0.10, 0.08, 0.05}, kShare, "1/year",
                 "Annual chance of moving down from band 1..4 (band 1 recovers)", "assumption (reablement)")
      .real_list(CM_PARAMETER(need.exit_per_year), {0.10, 0.14, 0.22, 0.34}, kShare, "1/year",
                 "Annual chance of death or a move to residential care, by band", "assumption")
      .real(CM_PARAMETER(need.incidence_per_1000_adults), 5.0, {0, 1000}, "people/1000 adults/year",
            "New people developing care needs", "assumption, balances exits at the start")
      .real(CM_PARAMETER(need.discharge_per_1000_adults), 0.0, {0, 1000}, "people/1000 adults/year",
            "People leaving hospital who need a care package within days (on top of need.incidence_per_1000_adults): "
            "reablement if a place is free, else they wait in hospital for a package (0: no discharge stream)",
            "off by default, so the calibrated baseline stays as it was; configs/policies/hospital_discharge.toml "
            "sets an illustrative rate (assumption)")
      .real(CM_PARAMETER(need.informal_hours_per_tie), 1.0, {0, 60}, "h/week",
            "Informal care from each social tie (all ties together cover at most need.informal_max_share of a band's "
            "hours)",
            "Linked Lives (5-60 h/week by carer type; scaled)")
      .real(CM_PARAMETER(need.mean_ties), 2.0, {0, 50}, "ties", "Mean number of social ties able to help", "assumption")
      .real(CM_PARAMETER(need.unmet_effect), 1.0, {0, 10}, "", "Progression multiplier per unit of unmet share",
            "Gostoli & Silverman 2020 (form)")
      .real(CM_PARAMETER(need.ties_effect), 0.3, kShare, "", "Largest reduction of progression from social ties",
            "assumption")
      .real(CM_PARAMETER(need.prevention_effect), 0.25, kShare, "",
            "Reduction of progression when need.prevention_full_share of the budget (10%) goes to prevention",
            "assumption")
      .real(CM_PARAMETER(need.prevention_full_share), 0.1, {0.001, 1}, "",
            "Share of the budget spent on prevention at which prevention has its full effect (less acts in proportion)",
            "assumption")
      .real_list(CM_PARAMETER(need.exit_age_factors), {0.6, 1.0, 1.3}, {0, 10}, "",
                 "Multipliers of need.exit_per_year for people aged 18-64, 65-84, 85+",
                 "assumption: the oldest die or move to residential care more often")
      .real(CM_PARAMETER(need.ties_half_saturation), 2.0, {0.01, 100}, "ties",
            "Ties h at which the ties factor k/(k+h) (protection from progression, wellbeing) is one half",
            "assumption")
      .real(CM_PARAMETER(need.informal_max_share), 0.5, kShare, "",
            "Largest share of a need band's hours that informal care from ties can cover", "assumption")
      .integer(CM_PARAMETER(need.max_ties), 20, {0, 255}, "ties",
               "Most social ties a person has (larger Poisson draws are cut to it)", "assumption");

  s.real(CM_PARAMETER(eligibility.capital_upper), 23250, kNonNegative, "GBP", "Upper capital limit of the means test",
         "Care and Support regulations (£23,250)")
      .real(CM_PARAMETER(eligibility.capital_lower), 14250, kNonNegative, "GBP",
            "Lower capital limit of the means test", "Care and Support regulations (£14,250)")
      .real(CM_PARAMETER(eligibility.capital_split_upper), 23250, kNonNegative, "GBP",
            "Amount the capital distribution's 'above' shares refer to; stays when the limits move",
            "the upper limit from 2010 (Care and Support regulations)")
      .real(CM_PARAMETER(eligibility.capital_split_lower), 14250, kNonNegative, "GBP",
            "Amount the capital distribution's 'between' shares start from; stays when the limits move",
            "the lower limit from 2010 (Care and Support regulations)")
      .real(CM_PARAMETER(eligibility.share_above_upper), 0.33, kShare, "",
            "Share of the people with need at the start with capital above capital_split_upper",
            "tuned: the share a 20-year warm-up settles at under the entrant shares (scripts/calibration/capital.py)")
      .real(CM_PARAMETER(eligibility.share_between), 0.12, kShare, "",
            "Share of the people with need at the start with capital between capital_split_lower and "
            "capital_split_upper",
            "tuned: as share_above_upper")
      .real(CM_PARAMETER(eligibility.entrant_share_above_upper), 0.45, kShare, "",
            "Share of people developing need with capital above capital_split_upper",
            "tuned with capital_mean_excess: at the steady state about a third self-fund and the council funds as "
            "many as version 1 did (scripts/calibration/capital.py)")
      .real(CM_PARAMETER(eligibility.entrant_share_between), 0.05, kShare, "",
            "Share of people developing need with capital between capital_split_lower and capital_split_upper",
            "assumption")
      .real(CM_PARAMETER(eligibility.capital_mean_excess), 200000, {0, 1e8}, "GBP",
            "Mean capital above capital_split_upper among people above it, exponential (the home is disregarded for "
            "care at home); it also stands for the income above income_contribution that slows self-funders' "
            "spending down",
            "tuned with entrant_share_above_upper")
      .real(CM_PARAMETER(eligibility.income_contribution), 30, {0, 1000}, "GBP/week",
            "What a person pays for their care each week from income (pension and benefits above the minimum "
            "income guarantee)",
            "assumption: state pension £230 plus attendance allowance £74, less the MIG £229 and disability costs, "
            "is about £45 for a single pensioner; many have less")
      .real(CM_PARAMETER(eligibility.tariff_income_per_250), 1, {0, 100}, "GBP/week",
            "Charge a week for every £250 (or part) of capital between the limits (tariff income)",
            "Care and Support (Charging and Assessment of Resources) Regulations 2014, reg. 25 (£1 per £250)")
      .real(CM_PARAMETER(eligibility.care_cap), 0, {0, 1e7}, "GBP",
            "Lifetime cap on what a person spends on care for eligible need, counted from when a cap is in force; "
            "0: no cap",
            "lever (the 2021 reform proposed £86,000, never introduced)")
      .integer(CM_PARAMETER(eligibility.eligible_band), 2, {1, 4}, "",
               "Lowest need band eligible for council-funded care", "Care Act national eligibility (assumption)")
      .real(CM_PARAMETER(eligibility.dp_uptake_working_age), 0.37, kShare, "",
            "Direct-payment uptake, council-funded people aged 18-64", "NHS England ASC-FR 2023/24")
      .real(CM_PARAMETER(eligibility.dp_uptake_older), 0.14, kShare, "",
            "Direct-payment uptake, council-funded people aged 65+", "NHS England ASC-FR 2023/24");

  s.choice(CM_PARAMETER(commissioning.mode), {"lowest_price", "quality_weighted", "collaborative"}, 0,
           "How tenders are scored", "MODEL.md §5")
      .real(CM_PARAMETER(commissioning.contract_years), 3, {0.25, 20}, "years", "Length of block contracts",
            "assumption")
      .integer(CM_PARAMETER(commissioning.lot_size), 6, {1, 1000}, "localities", "Localities per tender lot",
               "assumption")
      .real(CM_PARAMETER(commissioning.reference_rate), 24.10, {1, 200}, "GBP/h",
            "Council's usual rate: the base of its spot price", "Homecare Association 2025/26 (median £24.10)")
      .real(CM_PARAMETER(commissioning.price_floor), 0, {0, 200}, "GBP/h",
            "Lowest price the council pays per hour (0 = none)", "Homecare Association minimum price £32.14 (2025/26)")
      .real(CM_PARAMETER(commissioning.wage_floor), 0, kWage, "GBP/h",
            "Lowest wage contract holders must pay (0 = none)", "Real Living Wage 2025/26 £12.60 (assumption)")
      .real(CM_PARAMETER(commissioning.contract_guaranteed_hours), 0, kShare, "",
            "Share of the archetype's rostered week (contracted_hours) contract holders guarantee every worker, "
            "paid whether or not visits happen; above 0 their staff are off zero-hours contracts (0 = none)",
            "UNISON Ethical Care Charter (stage 2: zero-hours contracts not used in place of permanent ones)")
      .boolean(CM_PARAMETER(commissioning.contract_paid_travel), false,
               "Contract holders pay every worker for travel between visits",
               "UNISON Ethical Care Charter (stage 1: workers paid for their travel time)")
      .real(CM_PARAMETER(commissioning.contract_min_visit_minutes), 0, {0, 120}, "min",
            "Shortest visit contract holders may schedule; the time-and-task stress of their staff falls as "
            "15 / minutes (0 or below 15 = no effect)",
            "UNISON Ethical Care Charter (stage 1: no 15-minute visits); the scaling is an assumption")
      .real(CM_PARAMETER(commissioning.spot_premium), 0.10, {0, 2}, "", "Spot price over the reference rate",
            "assumption")
      .real(CM_PARAMETER(commissioning.budget_multiplier), 1.0, {0, 10}, "", "Scales every council's budget")
      .real(CM_PARAMETER(commissioning.quality_threshold), 0.3, kShare, "", "Lowest observed quality allowed to win",
            "assumption")
      .real(CM_PARAMETER(commissioning.price_weight), 0.6, kShare, "",
            "Weight of price in quality_weighted scoring (quality gets the rest)", "assumption")
      .boolean(CM_PARAMETER(commissioning.accredit_micro), false, "Micro-enterprises may take council-managed work",
               "Somerset light-touch accreditation")
      .integer(CM_PARAMETER(commissioning.handback_weeks), 26, {1, 1000}, "weeks",
               "Weeks of loss on a contract before it is handed back", "assumption (King's Fund 2017)")
      .real(CM_PARAMETER(commissioning.handback_shortfall), 0.25, {0.01, 1}, "",
            "Share of its clients' hours a contract holder leaves undelivered that counts as a week it cannot "
            "staff its contract: handback_weeks of them and it hands the contract back",
            "assumption (MODEL.md §11: hand-backs when a provider cannot staff its contract); above the 8% "
            "overbooking a recruiting provider carries")
      .real(CM_PARAMETER(commissioning.handback_loss), 0.05, {0, 1}, "",
            "Shortfall of a contract's price below its cost per hour that counts as a loss",
            "assumption: providers carry small losses on council work")
      .real(CM_PARAMETER(commissioning.prevention_share), 0, {0, 0.5}, "", "Share of the budget spent on prevention",
            "assumption")
      .real(CM_PARAMETER(commissioning.dp_rate_factor), 1.0, {0.1, 5}, "",
            "Direct-payment rate per hour, as a multiple of the council's usual rate (commissioning.reference_rate, "
            "uplifted each April): what a direct-payment holder's provider is paid",
            "assumption: councils set agency-care DP rates near their home-care rate (MODEL.md §11); before "
            "version 2, DP holders paid providers' private prices (about GBP 34/h against GBP 22/h)")
      .real(CM_PARAMETER(commissioning.dp_uptake_multiplier), 1.0, {0, 5}, "",
            "Scales direct-payment uptake (policy lever)")
      .real(
          CM_PARAMETER(commissioning.strategic_share), 0.05, kShare, "",
          "Share of last week's council-managed hours in the council below which a provider's group bids strategically",
          "assumption (Fiorino et al. 2018 for the behaviour)")
      .integer(CM_PARAMETER(commissioning.retender_weeks), 13, {1, 1000}, "weeks",
               "Weeks before a lot that found no bidder is tendered again (spot purchase meanwhile)",
               "assumption: a quarter")
      .choice(CM_PARAMETER(commissioning.uplift_rule), {"cost", "fixed", "fair_cost", "none"}, 0,
              "How the council uplifts its usual rate, contract prices and standing placements each April: cost = the "
              "growth of an agency's cost of an hour at the legal wage, capped by the budget's room; fixed = "
              "commissioning.uplift_fixed; fair_cost = up to an agency's asking price at that cost; none",
              "MODEL.md §11; councils set fee uplifts for each financial year")
      .real(CM_PARAMETER(commissioning.uplift_fixed), 0.03, {0, 1}, "1/year", "Yearly uplift of the fixed rule",
            "assumption")
      .real(CM_PARAMETER(commissioning.insourcing_share), 0, kShare, "",
            "Insourcing: the council keeps lots for its own home-care service (providers.council_run) as they come "
            "up for letting, when keeping one brings the kept lots' share of council-managed hours nearer this share; "
            "their "
            "people under contract move to the service with a share of their providers' staff (TUPE). 0: none",
            "policy lever (MODEL.md §13); councils that insourced (e.g. Islington, Wirral) report shares of 10-30%");

  // The kinds of provider a council meets (MODEL.md §13). Cooperatives, council-run services and
  // personal assistants are absent unless a scenario counts them ([[councils]]) or a policy opens
  // them (insourcing, cooperative_support); their defaults are assumptions, with the sources named
  // in docs/ODD.md §7.20.
  constexpr int kTender = static_cast<int>(CouncilWork::tender),
                kAccredited = static_cast<int>(CouncilWork::accredited),
                kInHouse = static_cast<int>(CouncilWork::in_house),
                kNoCouncilWork = static_cast<int>(CouncilWork::none);
  constexpr int kMarket = static_cast<int>(WageRule::market), kPassThrough = static_cast<int>(WageRule::pass_through),
                kMembers = static_cast<int>(WageRule::members), kPublic = static_cast<int>(WageRule::public_scale);
  //  wage   zh    hrs  travel ovh  margin extr  cont  rel  aut  radius  maxw  under mark  qual  close recruit
  //  council_work  DP  self-funders  wage_rule  owner_worker  closes_on_losses  reference_trip_minutes
  archetype(s, Archetype::chain, {12.21,   0.70,  19,   20,      3.0,   0.04,  1.00, 0.55, 0.0,
                                  0.00,    10000, 600,  0.10,    0.41,  0.557, 0.04, 1.5,  //
                                  kTender, true,  true, kMarket, false, true,  3.0});
  archetype(s, Archetype::agency, {12.60,   0.55, 19,   15,      5.5,   0.05,  0.20, 0.65, 0.3,
                                   0.05,    40,   250,  0.03,    0.41,  0.606, 0.11, 1.0,  //
                                   kTender, true, true, kMarket, false, true,  2.4});
  archetype(s, Archetype::micro, {14.00,       0.00,  18,   4,
                                  1.5,         0.05,  0.00, 0.92,
                                  1.0,         0.40,  20,   8,
                                  0.00,        0.10,  0.74, 0.05,
                                  1.0,  //
                                  kAccredited, true,  true, kPassThrough,
                                  true,        false, 5.5});
  archetype(s, Archetype::cooperative,
            {13.00,   0.10, 22,   10,       4.0,   0.03, 0.00, 0.80, 0.7, 0.30, 30, 60, 0.00, 0.20, 0.68, 0.06, 1.0,  //
             kTender, true, true, kMembers, false, true, 2.4});
  archetype(s, Archetype::council_run, {13.50,    0.00,  30,    15,      6.0,   0.00,  0.00, 0.70, 0.3,
                                        0.10,     10000, 2000,  0.00,    0.00,  0.62,  0.00, 1.2,  //
                                        kInHouse, false, false, kPublic, false, false, 3.0});
  archetype(s, Archetype::personal_assistant,
            {13.00,
             0.00,
             20,
             5,
             0.5,
             0.00,
             0.00,
             0.97,
             1.0,
             0.60,
             15,
             1,
             0.00,
             0.00,
             0.72,
             0.10,
             0.5,  //
             kNoCouncilWork,
             true,
             true,
             kPassThrough,
             true,
             false,
             6.6});
  s.real(CM_PARAMETER(providers.on_cost), 0.20, {0, 1}, "", "Employer on-costs on wages (NI, pension, holiday)",
         "Homecare Association cost model (assumption)")
      .real(CM_PARAMETER(providers.overbook), 0.08, {0, 1}, "",
            "Clients accepted beyond current capacity, while recruiting", "assumption")
      .integer(CM_PARAMETER(providers.exit_loss_weeks), 39, {1, 1000}, "weeks",
               "Weeks of sustained losses before a provider exits", "assumption")
      .real(CM_PARAMETER(providers.entry_per_year), 0.07, {0, 10}, "entrants per provider's worth of market per year",
            "Entry rate of agencies and chain branches at the reference care gap, per entry_people_per_provider "
            "people needing care; only while established providers' margins are positive on average",
            "assumption, balances closures")
      .real(CM_PARAMETER(providers.entry_people_per_provider), 250, {1, 1e6}, "people",
            "Scale of entry: people needing care per provider. Entry follows the market's size, not the number of "
            "providers already there (which would compound)",
            "Somerset 2025: about 14,000 people needing care, 60 agencies and chain branches")
      .real(CM_PARAMETER(providers.chain_entry_share), 0.35, kShare, "", "Share of entrants that are chain branches",
            "assumption")
      .real(CM_PARAMETER(providers.entry_reference_gap), 0.05, {0.0001, 10}, "",
            "Care gap (waiting share plus undelivered share of hours) at which entry runs at entry_per_year",
            "assumption: about the gap of a market with no one waiting (overbooked hours are not all delivered)")
      .real(CM_PARAMETER(providers.entry_attractiveness_max), 3, {0, 1000}, "",
            "Largest multiple of entry_per_year a care gap can bring", "assumption")
      .integer(CM_PARAMETER(providers.entrant_workers), 2, {0, 1000}, "workers",
               "New workers an entering agency or chain branch starts with", "assumption")
      .real(CM_PARAMETER(providers.margin_smoothing), 0.1, kShare, "1/week",
            "Weight of the week's margin in the smoothed margin that decides exit after losses", "assumption")
      .real(CM_PARAMETER(providers.continuity_rate), 0.25, kShare, "1/week",
            "Share of the gap to its target a client's continuity of care closes each week", "assumption")
      .real(CM_PARAMETER(providers.turnover_continuity_loss), 0.5, kShare, "",
            "Share of an archetype's continuity lost at 100% (or more) annual staff turnover", "assumption")
      .real(
          "providers.chain.group_failure_per_year",
          [](S& v) -> double& { return v.providers.chain_group_failure_per_year; }, 0, {0, 52}, "1/year",
          "Annual hazard that a chain group fails (every branch in every council closes at once, as Allied "
          "Healthcare left the market in 2018); weekly chance rate/52 per group with an open branch",
          "assumption: 0 by default; a national home-care group failing every few decades is about 0.005")
      .real(CM_PARAMETER(providers.chain_start_weight), 2.5, {0.01, 100}, "",
            "Provisional size of a chain branch, an agency's being 1: shares of the council's workers that set "
            "capacities for the first tenders and placements only",
            "assumption");

  s.real(CM_PARAMETER(labour.nlw), 12.21, kWage, "GBP/h", "National Living Wage", "2025/26 rate")
      .real(CM_PARAMETER(labour.sector_pay_floor), 0, {0, 100}, "GBP/h",
            "Sector-wide minimum base wage in care (a Fair Pay Agreement): binds every provider from below, as the "
            "NLW does; 0: none",
            "MODEL.md §11; the Employment Rights Act 2025 provides for an adult social care Fair Pay Agreement "
            "(none agreed yet)")
      .real(CM_PARAMETER(labour.outside_wage), 12.40, kWage, "GBP/h",
            "Wage of comparable jobs outside care (retail, hospitality)", "assumption")
      .real(CM_PARAMETER(labour.fill_per_week), 0.0094, kShare, "1/week",
            "Chance a vacancy is filled from outside care in a week, at the outside wage",
            "tuned: the Somerset baseline's home-care vacancy rate 11.5% (King's Fund 2023/24), seeds 1-10")
      .real(CM_PARAMETER(labour.fill_wage_sensitivity), 0.35, {0, 10}, "per GBP/h",
            "Relative rise of the fill chance per £1/h above the outside wage", "assumption")
      .real(CM_PARAMETER(labour.vacancy_buffer), 0.05, {0, 1}, "",
            "Capacity providers seek above their allocated hours", "assumption")
      .integer(CM_PARAMETER(labour.search_weeks), 4, {0, 52}, "weeks",
               "Weeks a leaver looks for another care job before leaving the sector (0 acts as 1: a search lasts at "
               "least a week)",
               "assumption")
      .real(CM_PARAMETER(labour.move_share), 0.60, kShare, "", "Share of leavers who look for another care job",
            "Skills for Care: 63% of recruits come from care")
      .real(CM_PARAMETER(labour.pay_premium_mean), 1.0, {0, 20}, "GBP/h",
            "Mean premium over the employer's base wage of the workers who earn one (exponential)",
            "assumption: spread of care worker pay, Skills for Care 2024")
      .real(CM_PARAMETER(labour.pay_premium_share), 0.5, kShare, "",
            "Share of workers earning a premium over their employer's base wage (the rest earn the base wage)",
            "assumption: spread of care worker pay, Skills for Care 2024")
      .real(CM_PARAMETER(labour.acceptance_tolerance), 0.25, kWage, "GBP/h",
            "How much less than the wage they left a job seeker from care accepts", "assumption")
      .real(CM_PARAMETER(labour.fill_attraction_min), 0.1, {0, 100}, "",
            "Lowest wage factor of the chance to fill a vacancy from outside care", "assumption")
      .real(CM_PARAMETER(labour.fill_attraction_max), 4, {0, 100}, "",
            "Highest wage factor of the chance to fill a vacancy from outside care", "assumption")
      .real(CM_PARAMETER(labour.commute_share), 0.2, kShare, "",
            "Share of care-job seekers in a council with a commuting zone ([[councils]] commuting_zone) who look, "
            "in a week, in another council of the zone rather than their own",
            "assumption: about a fifth of care workers work outside their home council (ONS census 2021 travel to "
            "work shows about a third of all workers in metropolitan areas do; care workers travel less)")
      .real(CM_PARAMETER(labour.commute_pay_gap), 0.5, {0, 20}, "GBP/h",
            "How much more than their last wage a job across the border must pay for a seeker to take it: the "
            "cost of the longer commute",
            "assumption: half an hour's travel a day at the outside wage over a care worker's day")
      .real(CM_PARAMETER(labour.overseas_fill_per_week), 0, kShare, "1/week",
            "Weekly chance a vacancy is filled by a recruit from abroad on a sponsored visa, on top of "
            "labour.fill_per_week (times the archetype's recruitment reach)",
            "0: the baseline's fill chance includes today's recruits; configs/schedules/england_2025.toml sets the "
            "route's closure in July 2025");

  s.integer(CM_PARAMETER(wages.review_weeks), 13, {0, 520}, "weeks",
            "Weeks between a provider's reviews of its base wage, staggered across providers (0 = never: wages change "
            "only by floors)",
            "assumption: a quarter")
      .real(CM_PARAMETER(wages.pass_through), 0.5, kShare, "",
            "Share of the council's price per hour above the provider's asking price at its base wage that its review "
            "passes to the base wage (fees reach pay)",
            "assumption: councils' fair-cost-of-care uplifts are commonly conditioned on pay (MODEL.md §11)")
      .real(CM_PARAMETER(wages.vacancy_trigger), 0.05, {0, 10}, "vacancies per worker",
            "Open vacancies, as a share of its staff, above which a chain branch's or agency's wage review raises its "
            "base wage to the staff-weighted mean of the rivals serving its home locality, as far as its income per "
            "hour delivered pays (after on-costs, travel, overheads and its target margin)",
            "assumption (MODEL.md §11: wages rise when vacancies stay unfilled and rivals pay more)");

  s.real(CM_PARAMETER(retention.base_quit_per_year), 0.12, kShare, "1/year",
         "Annual quit rate at NLW effective pay, guaranteed hours, no stress", "calibrated to Skills for Care 24.8%")
      .real(CM_PARAMETER(retention.wage_sensitivity), 0.13, {0, 5}, "per GBP/h",
            "Fall of the log quit hazard per £1/h of effective pay above NLW", "Skills for Care 2024: 37.8% vs 31%")
      .real(CM_PARAMETER(retention.zero_hours_factor), 1.25, {0.1, 10}, "",
            "Quit hazard multiplier on zero-hours contracts", "assumption")
      .real(CM_PARAMETER(retention.stress_factor), 0.8, {0, 10}, "", "Quit hazard rise at full stress", "assumption")
      .real(CM_PARAMETER(retention.underemployment_factor), 1.0, {0, 10}, "",
            "Quit hazard rise when a worker gets no hours", "assumption")
      .real(CM_PARAMETER(retention.stress_rate), 0.1, kShare, "1/week", "Speed at which stress moves to its target",
            "assumption")
      .real(CM_PARAMETER(retention.stress_base), 0.25, kShare, "", "Stress at normal workload in relational care",
            "assumption")
      .real(CM_PARAMETER(retention.stress_workload), 0.5, {0, 5}, "",
            "Stress added per unit of workload above rostered hours", "assumption")
      .real(CM_PARAMETER(retention.stress_task), 0.25, kShare, "", "Stress added by time-and-task visits",
            "NEF 2020: 61% of founders less stressed")
      .real(CM_PARAMETER(retention.founder_stress_factor), 0.7, {0, 10}, "",
            "Multiplier of a founder's stress target: owners control their work",
            "assumption (NEF 2020 for the direction)")
      .real(CM_PARAMETER(retention.leaver_rate_smoothing), 0.05, kShare, "1/week",
            "Weight of the week's quit rate in a provider's smoothed leaver rate (continuity, quality)", "assumption");

  s.real(CM_PARAMETER(founding.base_per_100k_adults), 0.85, {0, 1000}, "per 100,000 adults per year",
         "Micro-enterprises founded a year without support",
         "assumption: about 4 a year in Somerset, fewer than 100 after five years unsupported")
      .real(CM_PARAMETER(founding.coordinators), 0, {0, 1000}, "coordinators",
            "Support programme coordinators per council", "Community Catalysts")
      .real(CM_PARAMETER(founding.per_coordinator_per_year), 30, {0, 1000}, "per coordinator per year",
            "Foundings a coordinator supports a year", "calibrated: Somerset 50 -> 450+ in five years")
      .real(CM_PARAMETER(founding.coordinator_capacity), 200, {1, 10000}, "enterprises",
            "Enterprises one coordinator can support", "Community Catalysts: 100-200")
      .real(CM_PARAMETER(founding.demand_elasticity), 1.0, {0, 5}, "",
            "Elasticity of founding to the private (direct payment + self-funder) share of demand", "assumption")
      .real(CM_PARAMETER(founding.outside_care_share), 0.35, kShare, "", "Founders from outside the care workforce",
            "NEF 2020")
      .real(CM_PARAMETER(founding.reservation_income), 250, {0, 10000}, "GBP/week",
            "Owner's weekly income (its pay plus the enterprise's surplus) below which closure is more likely",
            "assumption")
      .real(CM_PARAMETER(founding.low_income_factor), 2.0, {1, 100}, "",
            "Closure hazard multiplier while income is below the reservation income", "assumption")
      .real(CM_PARAMETER(founding.burnout_factor), 2.0, {0, 100}, "", "Closure hazard rise at full owner stress",
            "assumption")
      .real(CM_PARAMETER(founding.coordinator_cost), 45000, kNonNegative, "GBP/year", "Cost of one coordinator",
            "assumption")
      .real(CM_PARAMETER(founding.mean_extra_staff), 0.4, {0, 7}, "workers",
            "Mean workers a micro-enterprise wants beyond its owner (Poisson)",
            "Community Catalysts: about one job per enterprise")
      .real(CM_PARAMETER(founding.reference_private_share), 0.4, {0.01, 1}, "",
            "Private share of demand (self-funders and direct payments) at which founding runs at its base rate",
            "assumption: self-funders about 30% plus direct payments")
      .integer(CM_PARAMETER(founding.launch_weeks), 26, {1, 1000}, "weeks",
               "Age at which a micro-enterprise that has no client closes: its founder found no demand",
               "assumption: half a year to find first clients (Community Catalysts: most start with one or two "
               "clients known locally)")
      .real(CM_PARAMETER(founding.reference_appeal), 1.0, {0.001, 1000}, "",
            "Appeal of a micro-enterprise to people buying care (its logit weight over an agency's, at the "
            "archetypes' starting quality, visit model and private price) at and above which would-be founders go "
            "ahead at the full founding rate; below it, in proportion",
            "assumption (MODEL.md §11: founding needs demand a micro-enterprise could serve)")
      .real(CM_PARAMETER(founding.cooperative_developers), 0, {0, 1000}, "developers",
            "Cooperative development workers per council (the cooperative_support programme)",
            "policy lever; Co-operatives UK and Community Catalysts run such programmes")
      .real(CM_PARAMETER(founding.cooperatives_per_developer), 1.5, {0, 100}, "per developer per year",
            "Cooperatives a development worker helps found a year",
            "assumption: a care cooperative takes 6-12 months to set up (Co-operatives UK 2019)")
      .integer(CM_PARAMETER(founding.cooperative_members), 4, {1, 100}, "workers",
               "Care workers a new cooperative starts with (its founding members)",
               "assumption: Equal Care Co-op and Cooperative Care Colne Valley started with a handful")
      .real(CM_PARAMETER(founding.developer_cost), 45000, kNonNegative, "GBP/year", "Cost of one development worker",
            "assumption: as founding.coordinator_cost")
      .real(CM_PARAMETER(founding.personal_assistants_per_1000), 0, {0, 1000}, "per 1,000 people a year",
            "New self-employed personal assistants a year per 1,000 people buying care privately (direct payments "
            "and self-funders); each starts alone, from outside care. 0: none (a scenario that counts personal "
            "assistants sets it so they do not die out)",
            "assumption: West Midlands sets 1.5, which about replaces the personal assistants that close");

  s.real(CM_PARAMETER(choice.quality_weight), 3.0, {0, 100}, "per unit quality",
         "Logit weight of observed quality when people (and alliances) choose a provider", "assumption")
      .real(CM_PARAMETER(choice.relational_weight), 1.0, {0, 100}, "",
            "Logit weight of relational care in the choice of a provider", "assumption (NEF 2020)")
      .real(CM_PARAMETER(choice.price_weight), 0.12, {0, 10}, "per GBP/h",
            "Logit weight of the hourly price in private choice (self-funders, direct payments)", "assumption");
  s.real(CM_PARAMETER(discharge.reablement_places_per_100k_adults), 20.0, {0, 100000}, "places/100k adults",
         "People a council's reablement service takes at once: a referral from hospital starts reablement when a place "
         "is free",
         "assumption")
      .integer(CM_PARAMETER(discharge.reablement_weeks), 6, {1, 52}, "weeks", "Length of a reablement episode",
               "Care and Support (Preventing Needs for Care and Support) Regulations 2014: free for up to six weeks")
      .real(CM_PARAMETER(discharge.reablement_success), 0.75, kShare, "",
            "Share of reablement episodes after which the person needs no formal care (they leave the population "
            "needing care); the others need a package",
            "ASCOF 2D: about three quarters of short-term support ends with no further or lower-level support "
            "(assumption: no further formal need)")
      .real(CM_PARAMETER(discharge.reablement_cost_per_week), 350.0, kNonNegative, "GBP/week",
            "Council cost of a week of reablement for one person", "assumption (about 10 h of in-house care)")
      .real(CM_PARAMETER(discharge.bed_day_cost), 400.0, kNonNegative, "GBP/day",
            "NHS cost of a day a person ready to leave hospital waits there for a package",
            "assumption near the NHS's excess bed-day cost (NHS reference costs)")
      .real(CM_PARAMETER(discharge.bcf_per_adult), 0.0, kNonNegative, "GBP/adult/year",
            "Better Care Fund money a council adds to its care budget (packages and reablement)",
            "0: none beyond the council's care budget (a lever, not a calibrated value)");
  s.real(CM_PARAMETER(outcomes.rate), 0.1, kShare, "1/week", "Speed at which wellbeing moves to its target",
         "assumption")
      .real(CM_PARAMETER(outcomes.base), 0.6625, kShare, "",
            "Wellbeing (ASCOT score / 24) with no modifiers: full unmet need, no continuity, ties or relational care",
            "tuned: baseline wellbeing_served about 19 of 24 (ASCOF 1A)")
      .real(CM_PARAMETER(outcomes.unmet_weight), 0.2625, kShare, "", "Wellbeing lost at full unmet need",
            "assumption (0.35 on version 1's scale, x 0.75)")
      .real(CM_PARAMETER(outcomes.continuity_weight), 0.15, kShare, "", "Wellbeing gained at full continuity",
            "assumption (0.2 on version 1's scale, x 0.75)")
      .real(CM_PARAMETER(outcomes.relational_weight), 0.1125, kShare, "", "Wellbeing gained from relational care",
            "assumption (0.15 on version 1's scale, x 0.75)")
      .real(CM_PARAMETER(outcomes.ties_weight), 0.1125, kShare, "", "Wellbeing gained from social ties",
            "assumption (0.15 on version 1's scale, x 0.75)")
      .real(CM_PARAMETER(outcomes.switch_per_week), 0.01, kShare, "1/week",
            "Chance a dissatisfied private client switches provider", "assumption")
      .real(CM_PARAMETER(outcomes.switch_threshold), 0.6625, kShare, "",
            "Wellbeing below which a client is dissatisfied (0.6625: 15.9 of 24)",
            "assumption (0.45 on version 1's scale, mapped)")
      .real(CM_PARAMETER(outcomes.initial_wellbeing), 0.775, kShare, "",
            "Wellbeing of a person when they arrive (at the start or later)",
            "assumption (0.6 on version 1's scale, mapped)")
      .real(CM_PARAMETER(outcomes.quality_continuity_weight), 0.4, kShare, "",
            "Weight of clients' mean continuity in a provider's observed quality", "assumption")
      .real(CM_PARAMETER(outcomes.quality_wellbeing_weight), 0.4, kShare, "",
            "Weight of clients' mean wellbeing in a provider's observed quality", "assumption")
      .real(CM_PARAMETER(outcomes.quality_turnover_weight), 0.2, kShare, "",
            "Weight of 1 - annual staff turnover (at least 0) in a provider's observed quality", "assumption")
      .real(CM_PARAMETER(outcomes.quality_rate), 0.02, kShare, "1/week",
            "Share of the gap to its observed quality a provider's quality closes each week", "assumption");
  return s;
}

const Schema<S>& schema() {
  static const Schema<S> instance = make_schema();
  return instance;
}

void check_consistency(const S& spec, const engine::config::Document& doc) {
  std::vector<engine::config::Problem> problems;
  auto problem = [&](const std::string& key, const std::string& msg) {
    problems.push_back({doc.origin_of(key), key, msg});
  };
  if (spec.geography.edge_minutes_min > spec.geography.edge_minutes_max)
    problem("geography.edge_minutes_min", "must not exceed geography.edge_minutes_max");
  if (spec.labour.fill_attraction_min > spec.labour.fill_attraction_max)
    problem("labour.fill_attraction_min", "must not exceed labour.fill_attraction_max");
  if (spec.eligibility.capital_lower > spec.eligibility.capital_upper)
    problem("eligibility.capital_lower", "must not exceed eligibility.capital_upper");
  if (spec.eligibility.capital_split_lower > spec.eligibility.capital_split_upper)
    problem("eligibility.capital_split_lower", "must not exceed eligibility.capital_split_upper");
  if (spec.eligibility.share_above_upper + spec.eligibility.share_between > 1)
    problem("eligibility.share_between", "plus eligibility.share_above_upper must not exceed 1");
  if (spec.eligibility.entrant_share_above_upper + spec.eligibility.entrant_share_between > 1)
    problem("eligibility.entrant_share_between", "plus eligibility.entrant_share_above_upper must not exceed 1");
  if (spec.eligibility.care_cap > 0 && spec.eligibility.care_cap < spec.eligibility.capital_upper)
    problem("eligibility.care_cap", "must be 0 (no cap) or at least eligibility.capital_upper (GBP " +
                                        std::to_string(std::llround(spec.eligibility.capital_upper)) +
                                        "): a cap below the upper limit would fund people the means test says can pay");
  auto sums_to_one = [&](const std::vector<double>& v, const std::string& key) {
    double sum = 0;
    for (double x : v) sum += x;
    if (sum < 0.999 || sum > 1.001) problem(key, "must sum to 1 (sums to " + std::to_string(sum) + ")");
  };
  sums_to_one(spec.need.initial_band_shares, "need.initial_band_shares");
  sums_to_one(spec.need.age_band_shares, "need.age_band_shares");
  sums_to_one(spec.need.entry_band_shares, "need.entry_band_shares");
  std::int64_t localities = 0, agents = 0;
  std::map<std::string_view, std::size_t> first_with_name, first_with_code;  // O(n log n), for England
  for (std::size_t i = 0; i < spec.councils.size(); ++i) {
    const auto& c = spec.councils[i];
    const std::string k = "councils[" + std::to_string(i) + "]";
    if (c.people > 0 && c.chains + c.agencies + c.micro_enterprises + c.cooperatives + c.council_run == 0)
      problem(k + ".agencies", "a council with people needs at least one provider");
    if (c.name.find('\0') != std::string::npos) problem(k + ".name", "must not contain a NUL character");
    if (auto [it, fresh] = first_with_name.emplace(c.name, i); !fresh)
      problem(k + ".name", "= \"" + c.name + "\": a council listed twice (councils[" + std::to_string(it->second) +
                               "] has this name too); names must be unique");
    if (!c.code.empty())
      if (auto [it, fresh] = first_with_code.emplace(c.code, i); !fresh)
        problem(k + ".code", "= \"" + c.code + "\": a council listed twice (councils[" + std::to_string(it->second) +
                                 "] has this code too)");
    if (spec.geography.urban_density <= spec.geography.rural_density && i == 0)
      problem("geography.urban_density", "must be above geography.rural_density");
    localities += c.localities;
    agents += c.people + c.workers;
  }
  if (spec.region.name.find('\0') != std::string::npos) problem("region.name", "must not contain a NUL character");
  if (localities > kMaxLocalities)
    problem("councils", "have " + std::to_string(localities) + " localities in all; at most " +
                            std::to_string(kMaxLocalities) + " are allowed (docs/cli.md, \"Limits\")");
  if (agents > kMaxAgents)
    problem("councils", "have " + std::to_string(agents) + " people and workers in all; at most " +
                            std::to_string(kMaxAgents) + " are allowed (docs/cli.md, \"Limits\")");
  if (!problems.empty()) throw engine::config::ConfigError(std::move(problems));
}

// No worker is paid below the legal minimum: a configured wage below labour.nlw is raised to it
// (the resolved config records the raised wage), with a warning naming both keys.
std::vector<std::string> raise_wages_to_nlw(S& spec, const engine::config::Document& doc) {
  std::vector<std::string> warnings;
  const double nlw = pay_minimum(spec);
  const bool floor_binds = spec.labour.sector_pay_floor > spec.labour.nlw;
  const std::string minimum = floor_binds ? "labour.sector_pay_floor" : "labour.nlw";
  auto origin = [&](const std::string& key) {
    return doc.table().at_path(key) ? doc.origin_of(key) : std::string("default");
  };
  for (std::size_t k = 0; k < kArchetypes; ++k) {
    auto* archetype = &spec.providers.kinds[k];
    if (archetype->wage >= nlw) continue;
    const std::string key = "providers." + std::string(kArchetypeNames[k]) + ".wage";
    char text[256];
    std::snprintf(text, sizeof text, "%s = %.2f (%s) is below %s = %.2f (%s): raised to %.2f, %s", key.c_str(),
                  archetype->wage, origin(key).c_str(), minimum.c_str(), nlw, origin(minimum).c_str(), nlw,
                  floor_binds ? "the sector's pay floor" : "the legal minimum");
    warnings.emplace_back(text);
    archetype->wage = nlw;
  }
  return warnings;
}

std::string shortest(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", v);
  return text;
}

// What a council's data sets: its localities (one per small area), its adults (the sum of its age
// bands). A figure given beside the data that contradicts it is refused rather than overwritten.
void derive_council_fields(S& spec, const engine::config::Document& doc) {
  std::vector<engine::config::Problem> problems;
  for (std::size_t i = 0; i < spec.councils.size(); ++i) {
    auto& c = spec.councils[i];
    const std::string k = "councils[" + std::to_string(i) + "]";
    auto problem = [&](const std::string& key, const std::string& msg) {
      problems.push_back({doc.origin_of(k + "." + key), k + "." + key, msg});
    };
    if (!c.age_thousands.empty()) {
      if (c.age_thousands.size() != 3) {
        problem("age_thousands",
                "must have 3 numbers (ages 18-64, 65-84, 85+), not " + std::to_string(c.age_thousands.size()));
      } else {
        const double sum = c.age_thousands[0] + c.age_thousands[1] + c.age_thousands[2];
        if (doc.table().at_path(k + ".adults_thousands") && std::abs(c.adults_thousands - sum) > 1e-3 * sum)
          problem("adults_thousands", "= " + shortest(c.adults_thousands) +
                                          " contradicts age_thousands (which sum to " + shortest(sum) +
                                          "): set age_thousands instead");
        else if (sum < 0.1)
          problem("age_thousands", "must sum to at least 0.1 thousand people");
        c.adults_thousands = sum;
      }
    }
    if (c.areas.empty()) {
      if (!c.area_latitudes.empty() || !c.area_longitudes.empty())
        problem("areas", "is missing: area_latitudes and area_longitudes need the small areas they locate");
      if (c.localities == 0) c.localities = 30;
      continue;
    }
    const auto n = static_cast<std::int64_t>(c.areas.size());
    if (static_cast<std::int64_t>(c.area_latitudes.size()) != n)
      problem("area_latitudes",
              "has " + std::to_string(c.area_latitudes.size()) + " entries for " + std::to_string(n) + " areas");
    if (static_cast<std::int64_t>(c.area_longitudes.size()) != n)
      problem("area_longitudes",
              "has " + std::to_string(c.area_longitudes.size()) + " entries for " + std::to_string(n) + " areas");
    if (c.area_km2 <= 0) problem("area_km2", "must be above 0 for a council with small areas (areas)");
    if (c.localities != 0 && c.localities != n)
      problem("localities", "= " + std::to_string(c.localities) + " but the council has " + std::to_string(n) +
                                " small areas (areas), one locality each: leave localities out");
    c.localities = n;
  }
  if (!problems.empty()) throw engine::config::ConfigError(std::move(problems));
}

ScenarioSpec read_spec(const engine::config::Document& doc, std::vector<std::string>* warnings) {
  S spec = schema().read(doc);
  derive_council_fields(spec, doc);
  check_consistency(spec, doc);
  auto raised = raise_wages_to_nlw(spec, doc);
  if (warnings) warnings->insert(warnings->end(), raised.begin(), raised.end());
  return spec;
}

// The document's parameters at the start and their changes during the run ([[schedule]],
// policies from a date, [[shocks]]: schedules.cpp); the resolved config keeps the entries, so
// reading it back replays the same changes.
LoadedScenario finish(engine::config::Document& doc) {
  LoadedScenario out;
  auto timeline = build_timeline(doc, read_spec, out.warnings);
  out.spec = std::move(timeline.start);
  out.warmup_spec = std::move(timeline.warmup);
  out.changes = std::move(timeline.changes);
  auto table = schema().to_table(out.first_spec());
  if (!timeline.schedule.empty()) table.insert("schedule", std::move(timeline.schedule));
  if (!timeline.shocks.empty()) table.insert("shocks", std::move(timeline.shocks));
  out.resolved_toml = engine::config::to_toml_text(table);
  out.layers = doc.layers();
  return out;
}

engine::config::Document new_document() {
  engine::config::Document doc;
  doc.append_arrays(kChangeArrays);
  doc.address_entries("councils", {"code", "name"});  // councils[E10000016], councils["Kent"], [councils.Kent]
  return doc;
}

}  // namespace

std::string parameter_kind(const std::string& key, bool in_council) {
  for (const auto& p : in_council ? council_schema()->params() : schema().params())
    if (p.key == key) return p.kind;
  return {};
}

std::vector<std::string> parameter_keys(bool in_council) {
  std::vector<std::string> keys;
  for (const auto& p : in_council ? council_schema()->params() : schema().params()) keys.push_back(p.key);
  return keys;
}

LoadedScenario load_scenario(const std::filesystem::path& scenario, const std::vector<PolicyFile>& policies,
                             const std::vector<std::string>& assignments) {
  // A policy from the start is a layer of the config, unless the run warms up: the warm-up runs
  // under the baseline, so the policy becomes a change dated the start (as --from run.start_date).
  // An assignment sits above every policy: over a policy dated the start only because of the
  // warm-up it wins from the start too, so the policy's change of that key is dropped (else the
  // warm-up would run with the assigned value and the run with the policy's).
  std::set<std::string> assigned;
  for (const auto& a : assignments) {
    try {
      assigned.insert(engine::config::parse_assignment(a, "--set").first);
    } catch (const engine::config::ConfigError&) {  // reported by doc.set below
    }
  }
  auto layered = [&](const std::optional<engine::Date>& start) {
    auto doc = new_document();
    doc.overlay_file(scenario);
    for (const auto& p : policies) {
      const auto from = p.from ? p.from : start;
      if (!from) {
        doc.overlay_file(p.path);
        continue;
      }
      auto table = policy_from_date(p.path, *from);
      if (!p.from)
        if (auto* schedule = table["schedule"].as_array()) {
          toml::array kept;
          for (const auto& entry : *schedule)
            if (const auto* e = entry.as_table(); !e || !assigned.count((*e)["key"].value_or(std::string())))
              kept.push_back(entry);
          if (kept.empty())
            table.erase("schedule");
          else
            *schedule = std::move(kept);
        }
      doc.overlay_table(table, p.path.string() + " from " + engine::iso_date(*from));
    }
    for (const auto& a : assignments) doc.set(a);
    return doc;
  };
  auto doc = layered(std::nullopt);
  const bool from_start = std::any_of(policies.begin(), policies.end(), [](const PolicyFile& p) { return !p.from; });
  if (from_start) {
    auto probe = doc;
    probe.take_array("schedule");
    probe.take_array("shocks");
    const auto run = read_spec(probe, nullptr).run;
    if (run.warmup_weeks > 0) doc = layered(run.start_date);
  }
  return finish(doc);
}

LoadedScenario load_scenario_text(const std::string& toml_text, const std::string& origin,
                                  const std::vector<std::string>& assignments) {
  auto doc = new_document();
  doc.overlay_text(toml_text, origin);
  for (const auto& a : assignments) doc.set(a);
  return finish(doc);
}

LoadedScenario with_change(const LoadedScenario& loaded, std::int32_t step, const std::string& assignment) {
  auto [key, parsed] = engine::config::parse_assignment(assignment, "set");
  const std::string origin = "set(" + key + ") at step " + std::to_string(step);
  toml::array dates, values, sources;
  dates.push_back(engine::config::toml_date(engine::date_of_step(loaded.spec.run.start_date, step)));
  values.push_back(*parsed.get("v"));
  sources.push_back("Simulation.set at step " + std::to_string(step));
  toml::array schedule;
  schedule.push_back(
      toml::table{{"key", key}, {"dates", dates}, {"values", values}, {"cause", "set"}, {"sources", sources}});
  auto doc = new_document();
  doc.overlay_text(loaded.resolved_toml, "the simulation's config");
  doc.overlay_table(toml::table{{"schedule", std::move(schedule)}}, origin);
  auto out = finish(doc);
  out.layers = loaded.layers;
  out.layers.push_back(origin);
  out.warnings.clear();
  return out;
}

LoadedScenario with_policy(const LoadedScenario& loaded, std::int32_t step, const std::filesystem::path& policy) {
  const auto date = engine::date_of_step(loaded.spec.run.start_date, step);
  const std::string origin = policy.string() + " from " + engine::iso_date(date);
  auto doc = new_document();
  doc.overlay_text(loaded.resolved_toml, "the simulation's config");
  doc.overlay_table(policy_from_date(policy, date), origin);
  auto out = finish(doc);
  out.layers = loaded.layers;
  out.layers.push_back(origin);
  out.warnings.clear();
  return out;
}

std::vector<ParameterDoc> parameter_docs() {
  std::vector<ParameterDoc> out;
  for (const auto& p : schema().params()) {
    out.push_back({p.key, p.kind, p.unit, p.allowed, p.fallback, p.doc, p.source});
    // Each council's keys follow the list, as one entry's: councils[NAME].key.
    if (p.key == "councils")
      for (const auto& c : council_schema()->params())
        out.push_back({"councils[NAME]." + c.key, c.kind, c.unit, c.allowed, c.fallback, c.doc, c.source});
  }
  return out;
}

}  // namespace cm
