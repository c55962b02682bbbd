#pragma once
// Every parameter of the model, as a typed struct. The schema in parameters.cpp declares each one
// once, with its unit, default, allowed range and the source of the default; docs/ODD.md lists them.
#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "agents/types.hpp"
#include "engine/dates.hpp"

namespace cm {

struct CouncilSpec {
  std::string name;
  std::string code;                   // ONS GSS code ("" for a council that is not a real one)
  std::string region;                 // English region (England's results are given by region too)
  std::string kind;                   // county, unitary, metropolitan district, London borough, City of London
  std::int64_t localities = 0;        // 0: one per small area (areas), or 30 without them
  double adults_thousands = 0;        // population aged 18+, thousands (the sum of age_thousands when given)
  std::vector<double> age_thousands;  // population 18-64, 65-84, 85+ (thousands); empty: need.age_band_shares
  double area_km2 = 0;                // land area (with areas: sets how rural it is)
  // Small areas (ONS 2021 MSOAs), each a locality, with their centroids: travel between them comes
  // from distances (geography.cpp). Empty: a synthetic ring of `localities`.
  std::vector<std::string> areas;
  std::vector<double> area_latitudes, area_longitudes;
  double reference_rate = 0;  // GBP/h: the council's usual rate for an hour of home care (0: commissioning's)
  double wage = 0;            // GBP/h: the going care wage there (a local agency's; 0: the national defaults)
  std::int64_t people = 0;    // people with formal care needs at the start
  std::int64_t workers = 0;   // home care workers at the start
  std::int64_t chains = 0;    // chain branches at the start
  std::int64_t agencies = 0;  // local agencies at the start
  std::int64_t micro_enterprises = 0;
  std::int64_t cooperatives = 0;         // worker-owned providers at the start
  std::int64_t council_run = 0;          // the council's own services at the start
  std::int64_t personal_assistants = 0;  // self-employed personal assistants at the start
  std::string commuting_zone;            // councils sharing a zone are within commuting time of each other ("": none)
  double pay_floor = 0;                  // GBP/h: the council's own minimum base wage for care in its area (0: none)
  double budget_million = 0;             // community care budget, GBP million a year
  std::int64_t chain_groups = 0;         // how many distinct chain groups the branches belong to (0 = one each)
};

struct ArchetypeSpec {
  double wage = 0;                   // GBP/h paid to care workers
  double zero_hours_share = 0;       // share of staff on zero-hours contracts
  double contracted_hours = 0;       // paid hours a week a worker wants/holds
  double unpaid_travel_minutes = 0;  // unpaid travel per contact hour (zero-hours staff)
  double overhead_per_hour = 0;      // GBP per delivered hour
  double target_margin = 0;          // share added to cost when pricing
  double extraction = 0;             // share of the surplus leaving the region
  double continuity = 0;             // share of visits by the usual worker with no turnover
  double relational = 0;             // 0 = time-and-task visits, 1 = relational care
  double autonomy = 0;               // workers' control over their work, 0..1
  double radius_minutes = 0;         // travel time from home locality it serves
  std::int64_t max_workers = 0;
  double undercut = 0;          // strategic bid discount when its market share is low
  double private_markup = 0;    // self-funder price over council price
  double quality = 0;           // starting observed quality 0..1
  double closure_per_year = 0;  // base annual closure hazard
  double recruitment = 0;       // reach of its recruiting, multiplies the chance to fill a vacancy
  // How it meets buyers, sets pay and is owned (types.hpp).
  int council_work = 0;  // CouncilWork
  bool serves_direct_payments = true;
  bool serves_self_funders = true;
  int wage_rule = 0;             // WageRule
  bool owner_worker = false;     // run by its owner, who works in it (micro-enterprises, personal assistants)
  bool closes_on_losses = true;  // exits after providers.exit_loss_weeks of losses
  // The trip between visits (minutes) at which unpaid_travel_minutes holds, in councils with small
  // areas (delivery.hpp, update_travel): about the kind's mean trip in Somerset's baseline.
  double reference_trip_minutes = 0;

  // Does it take council-managed work (bids, spot purchases) when micro-enterprises are or are not
  // accredited?
  bool takes_council_work(bool micro_accredited) const {
    const auto w = static_cast<CouncilWork>(council_work);
    return w == CouncilWork::tender || (w == CouncilWork::accredited && micro_accredited);
  }
  bool in_house() const { return static_cast<CouncilWork>(council_work) == CouncilWork::in_house; }
  // Does it serve people buying care with `route` (a self-funder or a direct-payment holder)?
  bool serves_privately(Route route) const {
    return route == Route::direct_payment ? serves_direct_payments : serves_self_funders;
  }
};

struct ScenarioSpec {
  struct Run {
    std::int64_t steps = 0;
    std::int64_t seed = 0;
    engine::Date start_date;        // the date of step 0
    std::int64_t warmup_weeks = 0;  // simulated before step 0 and not reported (MODEL.md §12)
  } run;
  struct Output {
    std::int64_t snapshot_interval = 0;
    std::int64_t compression = 0;
    bool events = true;
  } output;
  struct Region {
    std::string name;
    std::string description;
  } region;
  std::vector<CouncilSpec> councils;
  struct Geography {
    double edge_minutes_min = 0, edge_minutes_max = 0;
    double extra_edges_per_locality = 0;
    double chord_length_factor = 0;  // a chord's travel time over a ring edge's
    // Councils with small areas: travel from distances (geography.cpp).
    double road_factor = 0;  // road distance over straight-line distance
    double urban_speed_kmh = 0, rural_speed_kmh = 0;
    double urban_density = 0, rural_density = 0;  // adults per km2 at which the urban / rural speed holds
  } geography;
  struct Need {
    std::vector<double> hours_by_band;        // formal hours a week before informal care, bands 1..4
    std::vector<double> initial_band_shares;  // bands 1..4
    std::vector<double> entry_band_shares;    // bands 1..4 of people developing need
    std::vector<double> age_band_shares;      // 18-64, 65-84, 85+
    std::vector<double>
        prevalence_per_1000;  // people with needs per 1,000 of each age band (councils with age_thousands)
    std::vector<double> progression_per_year;  // band b -> b+1
    std::vector<double> improvement_per_year;  // band b -> b-1 (band 1 -> recovered)
    std::vector<double> exit_per_year;         // death or move to residential care
    double incidence_per_1000_adults = 0;      // new people a year
    double discharge_per_1000_adults = 0;      // referrals from hospital needing a package, a year
    double informal_hours_per_tie = 0;
    double mean_ties = 0;
    double unmet_effect = 0;               // progression multiplier per unit unmet share
    double ties_effect = 0;                // max reduction of progression from ties
    double prevention_effect = 0;          // reduction of progression at prevention_full_share
    std::vector<double> exit_age_factors;  // exit hazard multipliers, ages 18-64, 65-84, 85+
    double ties_half_saturation = 0;       // ties at which the ties factor k/(k+h) is one half
    double prevention_full_share = 0;      // prevention share of the budget with the full effect
    double informal_max_share = 0;         // largest share of a band's hours informal care covers
    std::int64_t max_ties = 0;             // most ties a person has (Poisson draws cut here)
  } need;
  struct Eligibility {
    double capital_upper = 0, capital_lower = 0;
    double share_above_upper = 0, share_between = 0;
    std::int64_t eligible_band = 0;
    double dp_uptake_working_age = 0, dp_uptake_older = 0;
    // The means test over time (MODEL.md §18; means_test.hpp).
    double entrant_share_above_upper = 0;  // of people developing need (the stock's is share_above_upper)
    double entrant_share_between = 0;      // of people developing need (the stock's is share_between)
    double capital_mean_excess = 0;        // GBP: mean capital above capital_split_upper, among those above it
    // GBP: the amounts the capital distribution's shares refer to (the limits of 2010-2025): they stay
    // when a policy or schedule moves the limits, so people's wealth does not move with them.
    double capital_split_upper = 0, capital_split_lower = 0;
    double income_contribution = 0;    // GBP/week: what people pay for their care from income
    double tariff_income_per_250 = 0;  // GBP/week charged per GBP 250 of capital above the lower limit
    double care_cap = 0;               // GBP: lifetime cap on personal spending on eligible care; 0 off
    // The capital band of an amount: 2 above the upper limit, 1 above the lower, else 0.
    std::uint8_t capital_band(float capital) const {
      const double c = capital;
      return c > capital_upper ? 2 : c > capital_lower ? 1 : 0;
    }
    bool capped(float care_spend) const { return care_cap > 0 && care_spend >= care_cap; }
  } eligibility;
  struct Commissioning {
    int mode = 0;
    double contract_years = 0;
    std::int64_t lot_size = 0;
    double reference_rate = 0;
    double price_floor = 0;
    double wage_floor = 0;
    // Contract terms binding contract holders (MODEL.md §18; contract_terms.hpp).
    double contract_guaranteed_hours = 0;   // share of the rostered week guaranteed to every worker
    bool contract_paid_travel = false;      // travel between visits paid to every worker
    double contract_min_visit_minutes = 0;  // shortest visit allowed (0: none)
    double spot_premium = 0;
    double budget_multiplier = 0;
    double quality_threshold = 0;
    double price_weight = 0;
    bool accredit_micro = false;
    std::int64_t handback_weeks = 0;
    double handback_loss = 0;
    double handback_shortfall = 0;  // share of clients' hours undelivered that makes a contract unstaffable
    double prevention_share = 0;
    double dp_uptake_multiplier = 0;
    double dp_rate_factor = 0;        // the direct-payment rate per hour, as a multiple of the usual rate
    double strategic_share = 0;       // group share of council hours below which bids undercut
    std::int64_t retender_weeks = 0;  // wait before re-tendering a lot that found no bidder
    int uplift_rule = 0;              // UpliftRule: how prices are uplifted each April
    double uplift_fixed = 0;          // the yearly uplift of the fixed rule
    // Insourcing (MODEL.md §13; insourcing.hpp): the share of council-managed hours in the lots the
    // council keeps for its own services.
    double insourcing_share = 0;
  } commissioning;
  struct Providers {
    std::array<ArchetypeSpec, kArchetypes> kinds;  // [Archetype]: [providers.chain], [providers.agency], ...
    double on_cost = 0;
    double overbook = 0;
    std::int64_t exit_loss_weeks = 0;
    double entry_per_year = 0;
    double chain_entry_share = 0;
    double entry_reference_gap = 0;           // care gap at which entry runs at entry_per_year
    double entry_people_per_provider = 0;     // scale of entry: people needing care per provider
    double entry_attractiveness_max = 0;      // cap on the gap's multiple of entry_per_year
    std::int64_t entrant_workers = 0;         // new workers an entering agency or branch starts with
    double margin_smoothing = 0;              // weight of the week's margin in margin_average
    double continuity_rate = 0;               // weekly share of the gap to its target continuity closes
    double turnover_continuity_loss = 0;      // share of continuity lost at 100% annual turnover
    double chain_start_weight = 0;            // provisional starting size of a branch, agency = 1
    double chain_group_failure_per_year = 0;  // providers.chain.group_failure_per_year: a group's failure hazard
    const ArchetypeSpec& of(Archetype a) const { return kinds[static_cast<std::size_t>(a)]; }
    ArchetypeSpec& of(Archetype a) { return kinds[static_cast<std::size_t>(a)]; }
  } providers;
  struct Labour {
    double nlw = 0;
    double sector_pay_floor = 0;  // a sector-wide minimum base wage (Fair Pay Agreement); 0: none
    double outside_wage = 0;
    double fill_per_week = 0;
    double fill_wage_sensitivity = 0;
    double vacancy_buffer = 0;
    std::int64_t search_weeks = 0;
    double move_share = 0;
    double pay_premium_mean = 0;
    double pay_premium_share = 0;     // share of workers earning a premium over the base wage
    double acceptance_tolerance = 0;  // GBP/h less than their last wage a seeker from care accepts
    double fill_attraction_min = 0, fill_attraction_max = 0;  // clamp of the fill chance's wage factor
    double overseas_fill_per_week = 0;  // extra chance a vacancy is filled from abroad (a sponsored visa)
    double commute_share = 0;           // share of seekers looking in another council of their zone
    double commute_pay_gap = 0;         // GBP/h more than their last wage such a job must pay
  } labour;
  struct Wages {
    std::int64_t review_weeks = 0;  // weeks between a provider's wage reviews (0 = never)
    double pass_through = 0;        // share of the council's price above the asking price that goes to pay
    double vacancy_trigger = 0;     // open vacancies per staff above which a review matches rivals' pay
  } wages;
  struct Retention {
    double base_quit_per_year = 0;
    double wage_sensitivity = 0;
    double zero_hours_factor = 0;
    double stress_factor = 0;
    double underemployment_factor = 0;
    double stress_rate = 0;
    double stress_base = 0;
    double stress_workload = 0;
    double stress_task = 0;
    double founder_stress_factor = 0;  // multiplies a founder's stress target
    double leaver_rate_smoothing = 0;  // weight of the week's quit rate in leaver_rate
  } retention;
  struct Founding {
    double base_per_100k_adults = 0;
    double coordinators = 0;
    double per_coordinator_per_year = 0;
    double coordinator_capacity = 0;
    double demand_elasticity = 0;
    double outside_care_share = 0;
    double reservation_income = 0;
    double low_income_factor = 0;
    double burnout_factor = 0;
    double coordinator_cost = 0;
    double mean_extra_staff = 0;
    double reference_private_share = 0;  // private share of demand at which demand is neutral
    std::int64_t launch_weeks = 0;       // a micro-enterprise with no client at this age closes
    double reference_appeal = 0;         // appeal to private buyers at which founders go ahead at the full rate
    // The cooperative development programme (cooperative_support; cooperatives.hpp).
    double cooperative_developers = 0;        // development workers per council
    double cooperatives_per_developer = 0;    // cooperatives one developer helps found a year
    std::int64_t cooperative_members = 0;     // workers a new cooperative starts with
    double developer_cost = 0;                // GBP a year for one developer
    double personal_assistants_per_1000 = 0;  // new personal assistants a year per 1,000 people buying privately
  } founding;
  struct Choice {
    double quality_weight = 0;
    double relational_weight = 0;
    double price_weight = 0;
  } choice;
  struct Outcomes {
    double rate = 0;
    double base = 0;
    double unmet_weight = 0;
    double continuity_weight = 0;
    double relational_weight = 0;
    double ties_weight = 0;
    double switch_per_week = 0;
    double switch_threshold = 0;
    double initial_wellbeing = 0;          // wellbeing of a person when they arrive
    double quality_continuity_weight = 0;  // observed quality: weight of clients' mean continuity
    double quality_wellbeing_weight = 0;   // ... of clients' mean wellbeing
    double quality_turnover_weight = 0;    // ... of 1 - annual staff turnover
    double quality_rate = 0;               // weekly share of the gap to observed quality closed
  } outcomes;
  // Hospital discharge (MODEL.md §18; discharge.hpp).
  struct Discharge {
    double reablement_places_per_100k_adults = 0;  // people a council's reablement service takes at once
    std::int64_t reablement_weeks = 0;             // length of a reablement episode
    double reablement_success = 0;                 // share of episodes that end with no formal need
    double reablement_cost_per_week = 0;           // GBP per person-week, council spend
    double bed_day_cost = 0;                       // GBP the NHS spends on a day of delayed discharge
    double bcf_per_adult = 0;                      // Better Care Fund GBP a year per adult, added to the care budget
  } discharge;
};

// One change of a parameter during a run, as the output records it (/events/changes).
struct ChangeRecord {
  std::int32_t step = 0;
  std::string key;     // "labour.nlw", "councils[3].budget_million", "chain group 2"
  std::string value;   // the new value as TOML text ("12.71", "\"collaborative\"", "x0.9")
  std::string cause;   // "schedule", "policy", "shock" or "set"
  std::string detail;  // where it came from: the file and entry, the row's source, the policy file
};

// The parameters in force from `step` on, and what else happens that week (MODEL.md §12).
struct ParameterChange {
  std::int32_t step = 0;
  ScenarioSpec spec;
  std::vector<std::int32_t> failing_groups;  // chain groups (0-based) whose every branch closes
  std::vector<ChangeRecord> records;
  // Step 0 after a warm-up: the policies in force from the start, put in force when the warm-up
  // (run under the baseline) ends. Other step-0 changes are in the starting parameters already.
  bool after_warmup = false;
};

// A policy file, applied from the start or from a date on.
struct PolicyFile {
  std::filesystem::path path;
  std::optional<engine::Date> from;
};

// The lowest base wage any provider may pay: the legal minimum or a sector-wide floor (MODEL.md §11).
inline double pay_minimum(const ScenarioSpec& spec) {
  return spec.labour.nlw > spec.labour.sector_pay_floor ? spec.labour.nlw : spec.labour.sector_pay_floor;
}

// A council's budget for care a week (prevention and programmes excluded), GBP.
inline double weekly_care_budget(const ScenarioSpec& spec, std::size_t council) {
  const auto& policy = spec.commissioning;
  // Better Care Fund money (discharge.bcf_per_adult) adds to the care budget: packages and reablement.
  const auto& cs = spec.councils[council];
  return cs.budget_million * 1e6 * policy.budget_multiplier * (1 - policy.prevention_share) / 52.0 +
         spec.discharge.bcf_per_adult * cs.adults_thousands * 1000.0 / 52.0;
}

// Policy files applied from the start.
inline std::vector<PolicyFile> from_start(const std::vector<std::filesystem::path>& paths) {
  std::vector<PolicyFile> files;
  for (const auto& p : paths) files.push_back({p, std::nullopt});
  return files;
}

struct LoadedScenario {
  ScenarioSpec spec;  // the parameters at step 0
  // With run.warmup_weeks > 0 and a policy from the start: the baseline's parameters at step 0, under
  // which the warm-up runs (the policy comes into force at step 0, a change dated the start).
  std::optional<ScenarioSpec> warmup_spec;
  const ScenarioSpec& first_spec() const { return warmup_spec ? *warmup_spec : spec; }
  // Changes during the run, in step order: [[schedule]] entries, policies from a date, [[shocks]].
  // Changes dated the start are in `spec`; their records come first, at step 0.
  std::vector<ParameterChange> changes;
  std::string resolved_toml;          // the whole resolved config, defaults included
  std::vector<std::string> layers;    // scenario, policies, --set overrides, in order
  std::vector<std::string> warnings;  // values the loader changed (a wage raised to the NLW), in words
};

// Reads a scenario, overlays the policies and the --set assignments, validates everything.
// Throws engine::config::ConfigError listing every problem.
// Policies may start on a date (before it, the run is the baseline's).
LoadedScenario load_scenario(const std::filesystem::path& scenario, const std::vector<PolicyFile>& policies,
                             const std::vector<std::string>& assignments);
// The scenario with one more change from `step` on ("key=value", as --set; Simulation.set): the
// change becomes a [[schedule]] entry dated that step, so the resolved config replays it.
LoadedScenario with_change(const LoadedScenario& loaded, std::int32_t step, const std::string& assignment);
// The scenario with a policy file in force from `step` on (as a policy dated that step's date).
LoadedScenario with_policy(const LoadedScenario& loaded, std::int32_t step, const std::filesystem::path& policy);
// Same, from TOML text (the resolved config stored in an output file).
// From TOML text, with key=value assignments above it (as --set; no policies, no warm-up split).
LoadedScenario load_scenario_text(const std::string& toml_text, const std::string& origin,
                                  const std::vector<std::string>& assignments = {});

struct ParameterDoc {
  std::string key, kind, unit, allowed, fallback, doc, source;
};
std::vector<ParameterDoc> parameter_docs();

}  // namespace cm
