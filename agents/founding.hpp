#pragma once
// MODEL.md §6 — community micro-enterprise founding (founding.cpp).
#include <cstdint>
#include <vector>

#include "agents/market.hpp"
#include "agents/matching.hpp"

namespace cm {

// The rows of council c's workers as they stood at the start of the week (rows of earlier weeks'
// leavers stay until a regroup, no longer indexed), in row order: founders and cooperative
// members are drawn from them.
void list_council_workers(const Market& m, int c, std::vector<std::uint32_t>& rows);

// A worker leaves their employer (one not run by its owner) to found or join a new provider: up to
// 20 draws from `rows`; the worker found is detached from the employer and counted a leaver, and
// joins the new provider when the pending agents join. Returns their row, or -1 when none was found.
std::int64_t draw_worker_to_found(Market& m, int c, const std::vector<std::uint32_t>& rows, engine::Stream& stream);

// Founds the council's micro-enterprises of the week, at a rate set by the support programme and
// by the private demand matching counted (demand).
void apply_founding(Market& m, const MatchingDemand& demand, int c);

}  // namespace cm
