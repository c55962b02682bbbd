#include "agents/column_info.hpp"

#include <array>

// The catalogue of the columns' units and long_names, table by table in for_each_column order.
// Conventions (docs/output-format.md, Notes): weekly flows of hours are "h/week" and of money
// "GBP/week", as in the time series; prices and wages "GBP/h"; stocks of money "GBP" (GBP is no
// UDUNITS unit and CF has no currency: readers take it as text). Durations counted in weeks are
// "week"; week-of-run indices (`week`, need_review_week, quit_review_week) are step counters and have
// no units, nor do ids, codes, flags, enumerations and counts of things. Shares, scores and chances
// in 0..1 are "1".
namespace cm {
namespace {

constexpr std::array kColumns = {
    // /snapshots/week_NNNNNN/people
    ColumnInfo{"people", "id", "", "person id"},
    ColumnInfo{"people", "council", "", "council index"},
    ColumnInfo{"people", "serial", "", "number among people created in the council"},
    ColumnInfo{"people", "locality", "", "region-wide locality index"},
    ColumnInfo{"people", "age_band", "", "age band (0: 18-64, 1: 65-84, 2: 85+)"},
    ColumnInfo{"people", "need_band", "", "need band (0 none to 4 critical)"},
    ColumnInfo{"people", "capital_band", "", "capital band at the last means test"},
    ColumnInfo{"people", "ties", "", "social ties able to give informal care"},
    ColumnInfo{"people", "route", "", "route to care"},
    ColumnInfo{"people", "placement", "", "how the hours of a placed person are bought"},
    ColumnInfo{"people", "alive", "", "alive flag"},
    ColumnInfo{"people", "need_hours", "h/week", "formal care hours needed after informal care"},
    ColumnInfo{"people", "hours_received", "h/week", "formal care hours delivered this week"},
    ColumnInfo{"people", "price", "GBP/h", "price paid per hour of the person's care"},
    ColumnInfo{"people", "wellbeing", "1", "wellbeing (ASCOT score / 24)"},
    ColumnInfo{"people", "continuity", "1", "share of visits by the usual worker"},
    ColumnInfo{"people", "provider", "", "provider id (-1: none)"},
    ColumnInfo{"people", "weeks_waiting", "week", "weeks needing care with no provider"},
    ColumnInfo{"people", "need_review_week", "", "next week in which the need may change"},
    ColumnInfo{"people", "hospital", "", "hospital discharge state"},
    ColumnInfo{"people", "capital", "GBP", "capital counted by the means test"},
    ColumnInfo{"people", "care_spend", "GBP", "spent on eligible care while a cap is in force"},

    // /snapshots/week_NNNNNN/workers
    ColumnInfo{"workers", "id", "", "worker id"},
    ColumnInfo{"workers", "council", "", "council index"},
    ColumnInfo{"workers", "serial", "", "number among workers created in the council"},
    ColumnInfo{"workers", "locality", "", "region-wide locality index"},
    ColumnInfo{"workers", "employer", "", "employing provider id (-1: searching)"},
    ColumnInfo{"workers", "zero_hours", "", "on a zero-hours contract"},
    ColumnInfo{"workers", "is_founder", "", "owner of a provider run by its owner"},
    ColumnInfo{"workers", "alive", "", "alive flag"},
    ColumnInfo{"workers", "wage", "GBP/h", "wage per paid hour, pay premium included"},
    ColumnInfo{"workers", "pay_premium", "GBP/h", "pay above the employer's base wage"},
    ColumnInfo{"workers", "contact_hours", "h/week", "hours of visits this week"},
    ColumnInfo{"workers", "paid_hours", "h/week", "hours paid this week"},
    ColumnInfo{"workers", "effective_pay", "GBP/h", "pay per hour worked, unpaid travel included"},
    ColumnInfo{"workers", "stress", "1", "stress (0..1)"},
    ColumnInfo{"workers", "tenure_weeks", "week", "weeks with the current employer"},
    ColumnInfo{"workers", "weeks_searching", "week", "weeks searching for a care job"},
    ColumnInfo{"workers", "quit_review_week", "", "next week in which the quit hazard is tested"},
    ColumnInfo{"workers", "quit_review_chance", "1", "weekly chance of a quit test: a bound of the hazard"},

    // /snapshots/week_NNNNNN/providers
    ColumnInfo{"providers", "id", "", "provider id"},
    ColumnInfo{"providers", "council", "", "council index"},
    ColumnInfo{"providers", "serial", "", "number among providers created in the council"},
    ColumnInfo{"providers", "home_locality", "", "region-wide locality index of its base"},
    ColumnInfo{"providers", "archetype", "", "provider archetype"},
    ColumnInfo{"providers", "alive", "", "alive flag"},
    ColumnInfo{"providers", "handing_back", "", "has decided to hand back its council contracts"},
    ColumnInfo{"providers", "group", "", "owning group"},
    ColumnInfo{"providers", "founder", "", "worker id of the owner (-1: none)"},
    ColumnInfo{"providers", "wage", "GBP/h", "base wage offered"},
    ColumnInfo{"providers", "wage_raised", "", "wage raised by this week's wage review"},
    ColumnInfo{"providers", "cost_per_hour", "GBP/h", "cost per delivered hour, all costs"},
    ColumnInfo{"providers", "private_price", "GBP/h", "price charged to self-funders and direct payments"},
    ColumnInfo{"providers", "contract_price", "GBP/h", "price of its council contract (0: none)"},
    ColumnInfo{"providers", "staff", "", "employed workers"},
    ColumnInfo{"providers", "intended_staff", "", "number of staff it wants to grow to"},
    ColumnInfo{"providers", "vacancies", "", "vacancies posted"},
    ColumnInfo{"providers", "capacity_hours", "h/week", "contact hours its staff can deliver"},
    ColumnInfo{"providers", "allocated_hours", "h/week", "hours its clients need"},
    ColumnInfo{"providers", "offered_hours", "h/week", "hours offered this week it had no room for"},
    ColumnInfo{"providers", "delivered_hours", "h/week", "hours delivered this week"},
    ColumnInfo{"providers", "council_hours", "h/week", "hours delivered this week to council-managed people"},
    ColumnInfo{"providers", "council_income", "GBP/week", "income this week for council-managed hours"},
    ColumnInfo{"providers", "clients", "", "people it serves"},
    ColumnInfo{"providers", "income", "GBP/week", "income this week"},
    ColumnInfo{"providers", "surplus", "GBP/week", "surplus this week after wages, overheads and extraction"},
    ColumnInfo{"providers", "margin_average", "1", "moving average of surplus / income"},
    ColumnInfo{"providers", "leaver_rate", "1/week", "moving average of weekly leavers / staff"},
    ColumnInfo{"providers", "quality", "1", "observed quality (0..1)"},
    ColumnInfo{"providers", "loss_weeks", "week", "consecutive weeks with a negative margin average"},
    ColumnInfo{"providers", "contract_loss_weeks", "week", "consecutive weeks its contract has been in trouble"},
    ColumnInfo{"providers", "age_weeks", "week", "weeks operating"},
    ColumnInfo{"providers", "travel_minutes", "min/h", "unpaid travel between visits per contact hour"},
    ColumnInfo{"providers", "trip_clients", "", "clients delivered to this week"},
    ColumnInfo{"providers", "trip_areas", "", "distinct small areas its clients live in"},

    // /events/tenders
    ColumnInfo{"events/tenders", "week", "", "step when the lot was let"},
    ColumnInfo{"events/tenders", "council", "", "council index"},
    ColumnInfo{"events/tenders", "lot", "", "lot number within the council"},
    ColumnInfo{"events/tenders", "bids", "", "number of bids received"},
    ColumnInfo{"events/tenders", "winner", "", "first winning provider id (-1: no bid)"},
    ColumnInfo{"events/tenders", "winner_archetype", "", "archetype of the winner (255: no bid)"},
    ColumnInfo{"events/tenders", "lowest_bid", "GBP/h", "lowest qualified bid"},
    ColumnInfo{"events/tenders", "winning_bid", "GBP/h", "bid of the winner"},
    ColumnInfo{"events/tenders", "price", "GBP/h", "contract price of the winner"},

    // /events/bids
    ColumnInfo{"events/bids", "tender", "", "row of the tender in events/tenders"},
    ColumnInfo{"events/bids", "provider", "", "bidding provider id"},
    ColumnInfo{"events/bids", "archetype", "", "archetype of the bidder"},
    ColumnInfo{"events/bids", "won", "", "bid won a contract"},
    ColumnInfo{"events/bids", "amount", "GBP/h", "price bid per hour"},
    ColumnInfo{"events/bids", "cost", "GBP/h", "bidder's cost per delivered hour"},

    // /events/providers
    ColumnInfo{"events/providers", "week", "", "step when the event was logged"},
    ColumnInfo{"events/providers", "council", "", "council index"},
    ColumnInfo{"events/providers", "provider", "", "provider id"},
    ColumnInfo{"events/providers", "archetype", "", "provider archetype"},
    ColumnInfo{"events/providers", "kind", "", "kind of event"},
};

}  // namespace

const ColumnInfo* find_column_info(std::string_view table, std::string_view name) {
  for (const auto& c : kColumns)
    if (c.table == table && c.name == name) return &c;
  return nullptr;
}

}  // namespace cm
