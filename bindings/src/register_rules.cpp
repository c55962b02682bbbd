// The rules one at a time, for the rule-level tests (tests/python/test_rules.py): _RuleMarket, a
// market built from a scenario whose columns a test sets by hand before calling one rule's market
// function, and the quit hazard of retention.hpp for the pure-Python reference. Underscored: for
// tests, not part of the public API (caremarket.Simulation runs the whole week).
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "agents/cooperatives.hpp"
#include "agents/delivery.hpp"
#include "agents/finance.hpp"
#include "agents/founding.hpp"
#include "agents/insourcing.hpp"
#include "agents/labour_market.hpp"
#include "agents/market.hpp"
#include "agents/matching.hpp"
#include "agents/means_test.hpp"
#include "agents/metrics.hpp"
#include "agents/need.hpp"
#include "agents/opening.hpp"
#include "agents/outcomes.hpp"
#include "agents/provider_entry_exit.hpp"
#include "agents/retention.hpp"
#include "agents/rule_states.hpp"
#include "agents/tendering.hpp"
#include "agents/week.hpp"
#include "register.hpp"

namespace cmpy {
namespace {

// A market, the state of every rule, and the care gap the entry rule is given (set by hand).
struct RuleMarket {
  RuleMarket(const cm::LoadedScenario& scenario, std::uint64_t seed, std::uint64_t replicate)
      : market(cm::open_market(scenario.spec, seed, replicate)),
        rules(std::make_unique<cm::RuleStates>(market.councils())) {
    cm::RuleStates::join(rules->week(market));
  }
  cm::Market market;
  std::unique_ptr<cm::RuleStates> rules;
  cm::CareGap care_gap;
};

template <class Fn>
void with_agent_table(cm::Market& m, const std::string& table, Fn&& fn) {
  if (table == "people")
    fn(m.people);
  else if (table == "workers")
    fn(m.workers);
  else if (table == "providers")
    fn(m.providers);
  else
    throw py::value_error("no agent table '" + table + "' (people, workers, providers)");
}
template <class Fn>
void with_log(cm::Market& m, const std::string& log, int c, Fn&& fn) {
  const auto k = static_cast<std::size_t>(c);
  if (log == "tenders")
    fn(m.council_tenders.at(k));
  else if (log == "bids")
    fn(m.council_bids.at(k));
  else if (log == "provider_events")
    fn(m.council_provider_events.at(k));
  else
    throw py::value_error("no event log '" + log + "' (tenders, bids, provider_events)");
}

// A copy of a column as a numpy array of its own type.
template <class T>
py::array to_array(const std::vector<T>& column) {
  py::array_t<T> out(static_cast<py::ssize_t>(column.size()));
  if (!column.empty()) std::memcpy(out.mutable_data(), column.data(), column.size() * sizeof(T));
  return out;
}

// Every column of a table (an agent table or an event log) as {name: array}.
template <class Table>
py::dict columns_of(Table& table) {
  py::dict out;
  table.for_each_column([&](const char* name, auto& column) { out[py::str(name)] = to_array(column); });
  return out;
}

// Runs one per-row hook of the week (the struct the schedule runs) over a council: begin, each of
// the council's rows in order, end, as engine/schedule.hpp does.
template <class Hook>
void run_hook(RuleMarket& r, int c) {
  cm::Week week = r.rules->week(r.market);
  const Hook hook{};
  auto state = hook.begin(week, c);
  Hook::Table::for_each(week, c, [&](std::size_t row) { hook.row(week, state, Hook::Table::view(week, row)); });
  hook.end(week, c, state);
}

void apply_rule(RuleMarket& r, const std::string& rule, int c) {
  auto& m = r.market;
  auto& rules = *r.rules;
  if (c < 0 || c >= m.councils()) throw py::index_error("no council " + std::to_string(c));
  cm::RuleStates::fit(rules.week(m));  // the rules' working space fits the market as the test left it
  rules.matching.forget_kept();  // matching reviews every placement and lists every provider as the test left them
  const auto& demand = rules.matching.demand[static_cast<std::size_t>(c)];
  if (rule == "eligibility")
    cm::apply_eligibility(m, c);
  else if (rule == "means_test")
    cm::reassess_means(m, rules.means_test, rules.matching.book, c);  // everyone, if the test moved the limits
  else if (rule == "commissioning") {
    cm::apply_commissioning(m, rules.commissioning, rules.groups, c);
    cm::apply_insourcing(m, c);  // the model's commissioning phase runs both (model.cpp)
  } else if (rule == "matching")
    cm::apply_matching(m, rules.matching, c);
  else if (rule == "labour_market") {
    cm::apply_labour_market(m, c);
    cm::apply_commuting(m);  // the seekers it sent across the border (a commuting zone), as the week's step does
  } else if (rule == "founding") {
    cm::apply_founding(m, demand, c);  // matching's demand as it stands
    cm::apply_cooperative_founding(m, c);
  } else if (rule == "delivery") {
    run_hook<cm::DeliverToPeople>(r, c);
    run_hook<cm::PayWorkers>(r, c);
  } else if (rule == "finance") {
    run_hook<cm::PayForCare>(r, c);
    run_hook<cm::AddToWageBill>(r, c);  // its end is apply_finance
  } else if (rule == "finance_providers") {
    cm::apply_finance(m, rules.finance, c);  // income (providers.income) and the wage bill (wage_bill) as they stand
  } else if (rule == "entry_exit") {
    cm::apply_entry_exit(m, r.care_gap, demand, c, rules.groups);  // the care gap set by set_care_gap
  } else if (rule == "outcomes") {
    run_hook<cm::UpdateWellbeing>(r, c);  // its end is apply_outcomes
  } else {
    throw py::value_error(
        "no rule '" + rule +
        "' (eligibility, means_test, commissioning, matching, labour_market, founding, delivery, finance, "
        "finance_providers, entry_exit, outcomes)");
  }
}

// Fields of the structs the rules report through, as {name: value}, and setting one by name.
#define CM_COUNTS_FIELDS(X)                                                                                 \
  X(leavers)                                                                                                \
  X(leavers_nlw)                                                                                            \
  X(leavers_nlw150)                                                                                         \
  X(hires)                                                                                                  \
  X(hires_from_care)                                                                                        \
  X(founded)                                                                                                \
  X(closed)                                                                                                 \
  X(entries)                                                                                                \
  X(exits)                                                                                                  \
  X(handbacks) X(tenders) X(spend) X(extraction) X(local_retained) X(council_hours) X(council_payment)      \
      X(charging_income) X(self_funder_spend) X(reached_upper_limit) X(reached_cap) X(cooperatives_founded) \
          X(commuters_in) X(commuters_out)
#define CM_DEMAND_FIELDS(X) X(people_with_route) X(people_buying_privately) X(waiting_for_budget)
#define CM_CARE_GAP_FIELDS(X) X(needing) X(waiting) X(needed_hours) X(delivered_hours)
#define CM_FIELD_TO_DICT(field) out[#field] = t.field;
#define CM_SET_FIELD(field) \
  if (name == #field) {     \
    t.field = value;        \
    return;                 \
  }

py::dict counts_dict(const cm::WeekCounts& t) {
  py::dict out;
  CM_COUNTS_FIELDS(CM_FIELD_TO_DICT)
  return out;
}
py::dict demand_dict(const cm::MatchingDemand& t) {
  py::dict out;
  CM_DEMAND_FIELDS(CM_FIELD_TO_DICT)
  return out;
}
void set_demand_field(cm::MatchingDemand& t, const std::string& name, double value) {
  CM_DEMAND_FIELDS(CM_SET_FIELD)
  throw py::key_error("no field '" + name +
                      "' in matching's demand (people_with_route, people_buying_privately, "
                      "waiting_for_budget)");
}
void set_care_gap_field(cm::CareGap& t, const std::string& name, double value) {
  CM_CARE_GAP_FIELDS(CM_SET_FIELD)
  throw py::key_error("no field '" + name + "' in the care gap (needing, waiting, needed_hours, delivered_hours)");
}

cm::Commissioner& commissioner(cm::Market& m, int c) {
  if (c < 0 || c >= m.councils()) throw py::index_error("no council " + std::to_string(c));
  return m.commissioners[static_cast<std::size_t>(c)];
}

}  // namespace

void register_rules(py::module_& m) {
  m.def("_quit_hazard", &cm::quit_hazard, py::arg("base"), py::arg("exponent"), py::arg("zero_hours"),
        py::arg("stress"), py::arg("under"), py::arg("autonomy"),
        "retention.hpp quit_hazard: base × exp(exponent) × zero_hours × stress × under × autonomy (for tests).");
  m.def(
      "_tender_score",
      [](const std::string& mode, double price_weight, double lowest, double bid, double quality) {
        cm::CommissioningMode m;
        if (mode == "lowest_price")
          m = cm::CommissioningMode::lowest_price;
        else if (mode == "quality_weighted")
          m = cm::CommissioningMode::quality_weighted;
        else
          throw py::value_error("no ranked commissioning mode '" + mode + "' (lowest_price, quality_weighted)");
        return cm::tender_score(m, price_weight, lowest, bid, quality);
      },
      py::arg("mode"), py::arg("price_weight"), py::arg("lowest"), py::arg("bid"), py::arg("quality"),
      "tendering.hpp tender_score: the score of a qualified bid, higher first (for tests).");
  m.def("_quit_hazard_bound", &cm::quit_hazard_bound, py::arg("base"), py::arg("exponent"), py::arg("zero_hours"),
        py::arg("stress"), py::arg("under"), py::arg("autonomy"), "retention.hpp quit_hazard_bound (for tests).");

  py::class_<RuleMarket>(m, "_RuleMarket",
                         "A market built from a scenario, for rule-level tests: set columns by hand, call one rule.\n"
                         "Columns are copies both ways; rows are those of Market (grouped by council once built).")
      .def(py::init<const cm::LoadedScenario&, std::uint64_t, std::uint64_t>(), py::arg("scenario"),
           py::arg("seed") = 1, py::arg("replicate") = 0)
      .def_property(
          "week", [](const RuleMarket& r) { return r.market.week; },
          [](RuleMarket& r, std::int32_t w) { r.market.week = w; })
      .def_property_readonly("councils", [](const RuleMarket& r) { return r.market.councils(); })
      .def(
          "respec",
          [](RuleMarket& r, const cm::LoadedScenario& s) {
            if (s.spec.councils.size() != r.market.spec.councils.size())
              throw py::value_error("respec: the scenario must have the same councils");
            r.market.spec = s.spec;
            r.market.spec_version += 1;
          },
          py::arg("scenario"), "Replaces the parameters the rules read (same councils; nothing is rebuilt).")
      .def(
          "column",
          [](RuleMarket& r, const std::string& table, const std::string& name) {
            py::object out = py::none();
            with_agent_table(r.market, table, [&](auto& t) {
              t.for_each_column([&](const char* column_name, auto& column) {
                if (name == column_name) out = to_array(column);
              });
            });
            if (out.is_none()) throw py::key_error("no column '" + name + "' in " + table);
            return out;
          },
          py::arg("table"), py::arg("name"), "A copy of one column (every row, dead ones included).")
      .def(
          "set_column",
          [](RuleMarket& r, const std::string& table, const std::string& name, const py::array& values) {
            bool found = false;
            with_agent_table(r.market, table, [&](auto& t) {
              t.for_each_column([&](const char* column_name, auto& column) {
                if (name != column_name) return;
                using T = typename std::remove_reference_t<decltype(column)>::value_type;
                const auto typed = py::array_t<T, py::array::c_style | py::array::forcecast>::ensure(values);
                if (!typed || typed.ndim() != 1 || static_cast<std::size_t>(typed.shape(0)) != column.size())
                  throw py::value_error("set_column: " + table + "." + name + " needs " +
                                        std::to_string(column.size()) + " values in one dimension");
                std::copy(typed.data(), typed.data() + column.size(), column.begin());
                found = true;
              });
            });
            if (!found) throw py::key_error("no column '" + name + "' in " + table);
          },
          py::arg("table"), py::arg("name"), py::arg("values"), "Overwrites a whole column (converted to its type).")
      .def(
          "council_rows",
          [](RuleMarket& r, const std::string& table, int c) {
            std::vector<std::int64_t> rows;
            auto add = [&](std::size_t row) { rows.push_back(static_cast<std::int64_t>(row)); };
            if (table == "people")
              r.market.for_council_people(c, add);
            else if (table == "workers")
              r.market.for_council_workers(c, add);
            else if (table == "providers")
              r.market.for_council_providers(c, add);
            else
              throw py::value_error("no agent table '" + table + "'");
            return to_array(rows);
          },
          py::arg("table"), py::arg("council"), "The council's rows of a table, in the order the rules visit them.")
      .def(
          "provider_row", [](const RuleMarket& r, engine::AgentId id) { return r.market.provider_row(id); },
          py::arg("id"))
      .def(
          "begin_week", [](RuleMarket& r) { r.market.begin_week(); }, "The week moves on and the counts restart.")
      .def(
          "apply", [](RuleMarket& r, const std::string& rule, int c) { apply_rule(r, rule, c); }, py::arg("rule"),
          py::arg("council") = 0,
          "Runs one rule for one council: a market function (eligibility, commissioning, matching, labour_market,\n"
          "founding, finance_providers, entry_exit) or a rule's per-row hooks as the week runs them (delivery,\n"
          "finance, outcomes).")
      .def(
          "counts", [](RuleMarket& r, int c) { return counts_dict(r.market.counts.at(static_cast<std::size_t>(c))); },
          py::arg("council") = 0, "What the rules reported to the council's metrics this week.")
      .def(
          "demand",
          [](RuleMarket& r, int c) { return demand_dict(r.rules->matching.demand.at(static_cast<std::size_t>(c))); },
          py::arg("council") = 0, "Matching's demand for the council this week (read by founding and entry).")
      .def(
          "set_demand",
          [](RuleMarket& r, int c, const std::string& name, double value) {
            set_demand_field(r.rules->matching.demand.at(static_cast<std::size_t>(c)), name, value);
          },
          py::arg("council"), py::arg("name"), py::arg("value"))
      .def(
          "set_care_gap",
          [](RuleMarket& r, const std::string& name, double value) { set_care_gap_field(r.care_gap, name, value); },
          py::arg("name"), py::arg("value"), "Sets a field of the care gap apply('entry_exit') is given.")
      .def(
          "wage_bill", [](RuleMarket& r) { return to_array(r.rules->finance.wage_bill); },
          "Finance's wage bill per provider row (this week's, with on-costs).")
      .def(
          "set_wage_bill",
          [](RuleMarket& r, std::size_t row, double value) {
            cm::RuleStates::fit(r.rules->week(r.market));
            r.rules->finance.wage_bill.at(row) = value;
          },
          py::arg("row"), py::arg("value"))
      .def(
          "contracts",
          [](RuleMarket& r, int c) {
            py::list out;
            for (const auto& k : commissioner(r.market, c).contracts)
              out.append(py::make_tuple(k.lot, k.provider, k.price, k.end_week, k.accepted_ratio));
            return out;
          },
          py::arg("council") = 0,
          "The council's contracts as (lot, provider id, price, end week, accepted ratio), in their order.")
      .def(
          "set_contracts",
          [](RuleMarket& r, int c, const std::vector<py::tuple>& contracts) {
            auto& com = commissioner(r.market, c);
            com.contracts.clear();
            for (const auto& k : contracts) {
              if (k.size() != 4 && k.size() != 5)
                throw py::value_error("a contract is (lot, provider id, price, end week[, accepted ratio])");
              com.contracts.push_back({k[0].cast<std::int32_t>(), k[1].cast<engine::AgentId>(), k[2].cast<float>(),
                                       k[3].cast<std::int32_t>(), k.size() == 5 ? k[4].cast<float>() : 1.0f});
            }
            com.contracts_changed = true;
          },
          py::arg("council"), py::arg("contracts"),
          "Replaces the council's contracts: (lot, provider id, price, end week[, accepted ratio, default 1]).")
      .def(
          "set_lot_tender_week",
          [](RuleMarket& r, int c, std::int32_t lot, std::int32_t week) {
            commissioner(r.market, c).lot_tender_week.at(static_cast<std::size_t>(lot)) = week;
          },
          py::arg("council"), py::arg("lot"), py::arg("week"))
      .def(
          "commissioner",
          [](RuleMarket& r, int c) {
            const auto& com = commissioner(r.market, c);
            py::dict out;
            out["weekly_budget"] = com.weekly_budget;
            out["committed"] = com.committed;
            out["lots"] = com.lots;
            out["lot_tender_week"] = com.lot_tender_week;
            return out;
          },
          py::arg("council") = 0)
      .def(
          "set_weekly_budget",
          [](RuleMarket& r, int c, double budget) { commissioner(r.market, c).weekly_budget = budget; },
          py::arg("council"), py::arg("budget"))
      .def(
          "log",
          [](RuleMarket& r, const std::string& name, int c) {
            py::dict out;
            with_log(r.market, name, c, [&](auto& log) { out = columns_of(log); });
            return out;
          },
          py::arg("name"), py::arg("council") = 0,
          "A council's event log not yet merged (tenders, bids, provider_events) as {column: array}.")
      .def(
          "pending",
          [](RuleMarket& r, int c) {
            const auto& pend = r.market.pending.at(static_cast<std::size_t>(c));
            py::list providers, workers;
            for (const auto& p : pend.providers)
              providers.append(py::make_tuple(static_cast<int>(p.archetype), p.locality, p.group, p.founded_by_outsider,
                                              p.founder_worker));
            for (const auto& w : pend.workers)
              workers.append(py::make_tuple(w.locality, w.employer_pending, w.employer, w.founder));
            py::dict out;
            out["providers"] = providers;  // (archetype, locality, group, founded_by_outsider, founder worker id)
            out["workers"] = workers;      // (locality, pending employer index, employer id, founder)
            return out;
          },
          py::arg("council") = 0, "Agents the council's rules want to create, before they join.")
      .def("clear_pending",
           [](RuleMarket& r) {
             for (auto& p : r.market.pending) {
               p.people.clear();
               p.workers.clear();
               p.providers.clear();
             }
           })
      .def(
          "cost_per_hour",
          [](const RuleMarket& r, int archetype, double wage) {
            return r.market.cost_per_hour(static_cast<cm::Archetype>(archetype), wage);
          },
          py::arg("archetype"), py::arg("wage"))
      .def(
          "asking_price",
          [](const RuleMarket& r, int archetype, double cost) {
            return r.market.asking_price(static_cast<cm::Archetype>(archetype), cost);
          },
          py::arg("archetype"), py::arg("cost"))
      .def(
          "quit_review_chance",
          [](const RuleMarket& r, std::size_t worker_row, std::size_t provider_row) {
            if (worker_row >= r.market.workers.id.size() || provider_row >= r.market.providers.id.size())
              throw py::index_error("quit_review_chance: no such row");
            return cm::quit_review_chance(r.market, worker_row, provider_row);
          },
          py::arg("worker_row"), py::arg("provider_row"),
          "retention.hpp quit_review_chance for a worker (row) as if employed by a provider (row).");
}

}  // namespace cmpy
