#pragma once
// Small read-side helpers: enough to tell whether an output file is complete.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace engine {

// An integer attribute of the root group, or nothing when the file, or the attribute, is missing
// or unreadable.
std::optional<std::int64_t> read_root_int_attribute(const std::filesystem::path& file, const std::string& name);

}  // namespace engine
