#pragma once
// <dir>/index.h5, format "caremarket-sweep-index" 1.0: one row per run of a sweep with its point,
// replicate, seed, status, error, file, varied parameters (param_*) and outcomes (final_* at the
// last week, last_year_* averaged over the last 52 weeks; NaN unless the run is done).
#include <filesystem>
#include <string>
#include <vector>

#include "sweeps/run_record.hpp"
#include "sweeps/sweep.hpp"

namespace cm::sweeps {

// The index variable of a varied parameter: "param_" and its key, dots as underscores.
std::string param_column(const std::string& key);

// Writes <dir>/index.h5 afresh from the records (one per run of the design, in run order).
void write_index(const SweepSpec& spec, const Design& design, const std::vector<RunRecord>& records,
                 const std::filesystem::path& dir);

}  // namespace cm::sweeps
