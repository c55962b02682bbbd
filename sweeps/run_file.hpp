#pragma once
// Is a run's file the finished file of that run? Read from the file's own root attributes
// (docs/output-format.md), without trusting them: a sweep skips a run only when it is.
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "sweeps/sweep.hpp"

namespace cm::sweeps::detail {

// Why `file` is not the finished file of `plan` (empty when it is): missing, not HDF5, not
// caremarket run output, incomplete, or of another run (seed, replicate, resolved configuration).
// `config` gives the resolved configuration the design asks for, or nothing when it cannot be
// loaded; it is called last, so that a caller can compute it once per point (replicates share it).
std::string file_mismatch(const std::filesystem::path& file, const RunPlan& plan,
                          const std::function<std::optional<std::string>()>& config);

}  // namespace cm::sweeps::detail
