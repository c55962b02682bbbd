#include "sweeps/run_file.hpp"

#include <cstdint>
#include <system_error>

#include "agents/run.hpp"
#include "engine/hdf5_reader.hpp"

namespace cm::sweeps::detail {
namespace {

// What a run's file says about itself: whatever is missing or unreadable stays empty.
struct FileIdentity {
  bool hdf5 = false;
  std::optional<std::string> format_name, config;
  std::optional<std::int64_t> complete, seed, replicate;
};

FileIdentity read_identity(const std::filesystem::path& file) {
  FileIdentity id;
  id.hdf5 = engine::is_hdf5_file(file);
  if (!id.hdf5) return id;
  id.format_name = engine::read_root_text_attribute(file, "format_name");
  id.complete = engine::read_root_int_attribute(file, "complete");
  id.seed = engine::read_root_int_attribute(file, "seed");
  id.replicate = engine::read_root_int_attribute(file, "replicate");
  id.config = engine::read_root_text_attribute(file, "config");
  return id;
}

}  // namespace

std::string file_mismatch(const std::filesystem::path& file, const RunPlan& plan,
                          const std::function<std::optional<std::string>()>& config) {
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) return "its file is missing";
  const auto id = read_identity(file);
  if (!id.hdf5) return "its file is not an HDF5 file";
  if (id.format_name.value_or("") != kFormatName)
    return "its file is not caremarket run output (format_name \"" + id.format_name.value_or("") + "\")";
  if (id.complete.value_or(0) != 1) return "its file is incomplete";
  if (!id.seed || static_cast<std::uint64_t>(*id.seed) != plan.seed)
    return "its file has seed " + (id.seed ? std::to_string(*id.seed) : std::string("(none)")) +
           ", the sweep's run has " + std::to_string(plan.seed);
  if (!id.replicate || *id.replicate != plan.replicate)
    return "its file has replicate " + (id.replicate ? std::to_string(*id.replicate) : std::string("(none)")) +
           ", the sweep's run has " + std::to_string(plan.replicate);
  const auto expected = config();
  if (!expected) return "its configuration cannot be loaded to check the file";
  if (id.config.value_or("") != *expected) return "its file was run with another configuration than the sweep's run";
  return {};
}

}  // namespace cm::sweeps::detail
