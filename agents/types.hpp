#pragma once
// Vocabulary of the care market shared by every rule: enumerations and their names.
#include <array>
#include <cstdint>
#include <string_view>

namespace cm {

// The kinds of provider (MODEL.md §13). Each is a table of parameters, [providers.<name>]: its pay,
// costs, visit model, size, entry and closure, and how it meets buyers (council_work, serves_*),
// sets pay (wage_rule) and is owned (owner_worker). The rules read those properties, not the names;
// the names keep their roles only where the model gives a kind its own process: market entry
// opens chain branches and agencies, founding opens micro-enterprises, the cooperative development
// programme cooperatives, insourcing council-run services.
enum class Archetype : std::uint8_t {
  chain = 0,
  agency = 1,
  micro = 2,
  cooperative = 3,
  council_run = 4,
  personal_assistant = 5,
};
inline constexpr int kArchetypes = 6;
inline constexpr std::array<std::string_view, kArchetypes> kArchetypeNames{
    "chain", "agency", "micro", "cooperative", "council_run", "personal_assistant"};

// How a kind of provider takes council-managed work: it bids for lots and may be bought spot
// (tender); only when the council accredits micro-enterprises (accredited); the council places
// people with it directly, before its contracts, at the service's cost (in_house); never (none:
// it serves only people who buy their own care).
enum class CouncilWork : int { tender = 0, accredited = 1, in_house = 2, none = 3 };
inline constexpr std::array<std::string_view, 4> kCouncilWorkNames{"tender", "accredited", "in_house", "none"};

// How a kind of provider reviews its base wage (wage_setting.cpp): a share of a generous price
// passes to pay, and with many vacancies it matches its rivals' pay (market); the first only
// (pass_through); members take what the income affords after costs (members, a cooperative); a
// public pay scale, the archetype's wage, raised only with the legal minimum (public_scale).
enum class WageRule : int { market = 0, pass_through = 1, members = 2, public_scale = 3 };
inline constexpr std::array<std::string_view, 4> kWageRuleNames{"market", "pass_through", "members", "public_scale"};

// How a person's care is funded and arranged.
enum class Route : std::uint8_t {
  none = 0,             // no formal care need, or not eligible and not able to pay
  self_funder = 1,      // capital above the upper limit: buys care privately
  council_managed = 2,  // council arranges care through its contracts or spot purchase
  direct_payment = 3,   // council pays, the person chooses and buys
};
inline constexpr std::array<std::string_view, 4> kRouteNames{"none", "self_funder", "council_managed",
                                                             "direct_payment"};

// Under what arrangement a placed person's hours are bought.
// in_house: with the council's own service (council_work = "in_house"), at its cost. Format 1.12.
enum class Placement : std::uint8_t { none = 0, contract = 1, spot = 2, private_purchase = 3, in_house = 4 };
inline constexpr std::array<std::string_view, 5> kPlacementNames{"none", "contract", "spot", "private", "in_house"};

// Where a person referred from hospital stands (MODEL.md §18; discharge.hpp). Format 1.9.
enum class Hospital : std::uint8_t { home = 0, awaiting_package = 1, reablement = 2 };
inline constexpr std::array<std::string_view, 3> kHospitalNames{"home", "awaiting_package", "reablement"};

enum class CommissioningMode : int { lowest_price = 0, quality_weighted = 1, collaborative = 2 };
// How a council uplifts its prices each April (price_setting.hpp).
enum class UpliftRule : int { cost = 0, fixed = 1, fair_cost = 2, none = 3 };

// Draw purposes: each rule draws from its own streams so that changing one rule's draws leaves
// every other rule's numbers as they were (common random numbers across policies).
enum Purpose : std::uint64_t {
  kBuildPerson = 1,
  kBuildWorker,
  kBuildProvider,
  kBuildGeography,
  kNeed,
  kIncidence,
  kRoute,
  kTender,
  kMatch,
  kSwitch,
  kHire,
  kSeek,
  kFounding,
  kFounder,
  kQuit,
  kClosure,
  kEntry,
  kNewPerson,
  kBuildCouncil,
  kQuitClock,
  kNeedClockRedraw,    // a need review clock drawn again when a parameter change raises its bound
  kQuitClockRedraw,    // the same for a quit clock
  kDischarge,          // referrals from hospital (per council and week)
  kReablement,         // whether a person's reablement returns them to independence
  kGroupFailure,       // whether a chain group fails this week (per group and week)
  kCooperative,        // cooperatives the development programme founds (per council and week)
  kCommute,            // whether a job seeker looks across the border, and where (per worker and week)
  kPersonalAssistant,  // personal assistants starting out (per council and week)
};

}  // namespace cm
