#pragma once
// Care providers (struct of arrays): chain branches, local agencies and micro-enterprises.
// A chain operating in several councils has one branch (row) per council sharing a `group`.
#include <cstdint>
#include <vector>

#include "engine/columns.hpp"

namespace cm {

// Chain group g (0-based, as [[councils]] chain_groups counts them) is group kChainGroupBase + g in
// every council: ids of their own, above every provider id a run can reach.
inline constexpr std::int32_t kChainGroupBase = 1 << 30;

struct Providers {
  std::vector<engine::AgentId> id;
  std::vector<std::int16_t> council;
  // The agent's number among those of its kind created in its council (0, 1, ...): with the
  // council, the key of its random streams (stream_key), which no other council's agents change.
  std::vector<std::int32_t> serial;
  std::vector<std::int32_t> home_locality;
  std::vector<std::uint8_t> archetype;  // Archetype
  std::vector<std::uint8_t> alive;
  std::vector<std::uint8_t> handing_back;  // wants to hand back its council contracts
  std::vector<std::int32_t> group;         // owning group: shared by a chain's branches; otherwise a number of its own
  std::vector<engine::AgentId> founder;    // micro-enterprises: the founding worker
  std::vector<float> wage;                 // GBP/h offered
  std::vector<std::uint8_t> wage_raised;   // its wage review raised the wage: staff follow at the next delivery
  std::vector<float> cost_per_hour;        // GBP per delivered hour, all costs
  std::vector<float> private_price;        // GBP/h charged to self-funders and direct payments
  std::vector<float> contract_price;       // GBP/h of its council contracts (0 = none)
  std::vector<std::int32_t> staff;         // employed workers
  std::vector<std::int16_t> intended_staff;  // the size it wants to grow to (micro-enterprises: small by choice)
  std::vector<std::int32_t> vacancies;
  std::vector<float> capacity_hours;   // contact hours its staff can deliver a week
  std::vector<float> allocated_hours;  // hours its clients need
  // Hours of packages offered this week (people waiting where it serves) that it had no room for,
  // shared among the providers that lacked room: they post vacancies for them (MODEL.md §11).
  std::vector<float> offered_hours;
  std::vector<float> delivered_hours;
  std::vector<float> council_hours;   // delivered under contract or spot
  std::vector<float> council_income;  // GBP this week for those hours
  std::vector<std::int32_t> clients;
  std::vector<float> income;             // GBP this week
  std::vector<float> surplus;            // GBP this week, after extraction
  std::vector<float> margin_average;     // moving average of surplus / income
  std::vector<float> leaver_rate;        // moving average of weekly leavers / staff
  std::vector<float> quality;            // observed quality 0..1
  std::vector<std::int16_t> loss_weeks;  // consecutive weeks with negative margin average
  std::vector<std::int16_t> contract_loss_weeks;
  std::vector<std::int32_t> age_weeks;
  // Unpaid travel between visits, minutes per contact hour: its kind's unpaid_travel_minutes, scaled
  // in a council with small areas by its clients' mean trip (delivery.hpp, update_travel).
  std::vector<float> travel_minutes;
  std::vector<std::int32_t> trip_clients;  // this week: its clients (delivery's count)
  std::vector<std::int32_t> trip_areas;    // this week: the small areas they live in

  template <class F>
  void for_each_column(F&& f) {
    f("id", id);
    f("council", council);
    f("serial", serial);
    f("home_locality", home_locality);
    f("archetype", archetype);
    f("alive", alive);
    f("handing_back", handing_back);
    f("group", group);
    f("founder", founder);
    f("wage", wage);
    f("wage_raised", wage_raised);
    f("cost_per_hour", cost_per_hour);
    f("private_price", private_price);
    f("contract_price", contract_price);
    f("staff", staff);
    f("intended_staff", intended_staff);
    f("vacancies", vacancies);
    f("capacity_hours", capacity_hours);
    f("allocated_hours", allocated_hours);
    f("offered_hours", offered_hours);
    f("delivered_hours", delivered_hours);
    f("council_hours", council_hours);
    f("council_income", council_income);
    f("clients", clients);
    f("income", income);
    f("surplus", surplus);
    f("margin_average", margin_average);
    f("leaver_rate", leaver_rate);
    f("quality", quality);
    f("loss_weeks", loss_weeks);
    f("contract_loss_weeks", contract_loss_weeks);
    f("age_weeks", age_weeks);
    f("travel_minutes", travel_minutes);
    f("trip_clients", trip_clients);
    f("trip_areas", trip_areas);
  }
  template <class F>
  void for_each_column(F&& f) const {
    const_cast<Providers*>(this)->for_each_column([&](const char* name, const auto& column) { f(name, column); });
  }
};

}  // namespace cm
