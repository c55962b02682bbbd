#pragma once
// The opening week: a newly built market made a working one by the rules that place people and
// staff providers (opening.cpp).
#include <cstdint>

#include "agents/market.hpp"

namespace cm {

// The scenario's starting market (Market's constructor), opened: people assessed, lots let,
// people placed, providers staffed for their clients, and a first round of delivery and pay.
Market open_market(const ScenarioSpec& spec, std::uint64_t seed, std::uint64_t replicate);

}  // namespace cm
