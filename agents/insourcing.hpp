#pragma once
// MODEL.md §13 — insourcing: the council keeps lots for its own home-care service
// (providers.council_run) instead of tendering them (insourcing.cpp).
#include <cstdint>

#include "agents/market.hpp"

namespace cm {

// The council's first open service of its own (row order): its row, or -1 when it has none.
std::int64_t council_service(const Market& m, int c);

// The lot's people placed under contract move to the council's service `service` (a row), with a
// share of each holder's staff in proportion to the hours that go (TUPE: staff transfer with the
// work they do). Called by commissioning when the council keeps a lot (tendering.cpp).
void transfer_lot_to_service(Market& m, int c, std::int32_t lot, std::size_t service);

// With commissioning.insourcing_share above 0: opens the council's service when it has none, and
// sets the services' size to the staff the council-managed hours of the lots it keeps need,
// filling each to its archetype's max_workers before another opens. The services recruit to that
// size in the labour market.
void apply_insourcing(Market& m, int c);

}  // namespace cm
