#pragma once
// Vocabulary of the care market shared by every rule: enumerations and their names.
#include <array>
#include <cstdint>
#include <string_view>

namespace cm {

enum class Archetype : std::uint8_t { chain = 0, agency = 1, micro = 2 };
inline constexpr int kArchetypes = 3;
inline constexpr std::array<std::string_view, kArchetypes> kArchetypeNames{"chain", "agency", "micro"};

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
enum class Placement : std::uint8_t { none = 0, contract = 1, spot = 2, private_purchase = 3 };
inline constexpr std::array<std::string_view, 4> kPlacementNames{"none", "contract", "spot", "private"};

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
  kNeedClockRedraw,  // a need review clock drawn again when a parameter change raises its bound
  kQuitClockRedraw,  // the same for a quit clock
  kDischarge,        // referrals from hospital (per council and week)
  kReablement,       // whether a person's reablement returns them to independence
  kGroupFailure,     // whether a chain group fails this week (per group and week)
};

}  // namespace cm
