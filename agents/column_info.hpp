#pragma once
// Units and long_name of every column of the agent tables (people, workers, providers) and event logs
// (tenders, bids, provider events), which the recorder writes as CF attributes on the snapshot and
// event variables so a file describes itself (issue 22; docs/output-format.md sections 6 and 7). The
// columns come from the tables' for_each_column; a test checks that every one has an entry here.
#include <string_view>

namespace cm {

// Units and long_name of a column of an agent table or event log, written as CF attributes.
struct ColumnInfo {
  std::string_view table;  // "people", "workers", "providers", "events/tenders", "events/bids", "events/providers"
  std::string_view name;   // the column's name as for_each_column gives it
  // UDUNITS-2 text where one exists ("h", "h/week", "1/week"...), "GBP/h" style for money, "1" for
  // dimensionless fractions/scores, "" for codes, ids, counts of things, flags and enumerations
  std::string_view units;
  std::string_view long_name;  // a short plain description, CF long_name style, lower case, no trailing full stop
};

// The info of `name` in `table`, nullptr when the catalogue has none (a test checks none is missing).
const ColumnInfo* find_column_info(std::string_view table, std::string_view name);

}  // namespace cm
