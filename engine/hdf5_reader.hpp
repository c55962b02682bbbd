#pragma once
// Small read-side helpers: enough to tell what an output file (or a checkpoint) says about itself, without trusting
// it (a missing or unreadable file or attribute gives nothing).
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace engine {

// An integer attribute of the root group, or nothing when the file, or the attribute, is missing
// or unreadable.
std::optional<std::int64_t> read_root_int_attribute(const std::filesystem::path& file, const std::string& name);
// The same for a text attribute (fixed or variable length).
std::optional<std::string> read_root_text_attribute(const std::filesystem::path& file, const std::string& name);
// A floating-point attribute of the root group, likewise.
std::optional<double> read_root_double_attribute(const std::filesystem::path& file, const std::string& name);
// A 1-D dataset read whole as `T` (std::uint8_t or double), or nothing when the file or dataset
// is missing, unreadable, or of another kind.
std::optional<std::vector<std::uint8_t>> read_u8_array(const std::filesystem::path& file, const std::string& path);
std::optional<std::vector<double>> read_f64_array(const std::filesystem::path& file, const std::string& path);
// A 1-D dataset of variable-length strings (as H5Writer::text_variable writes them), or nothing.
std::optional<std::vector<std::string>> read_text_array(const std::filesystem::path& file, const std::string& path);
// A float64 dataset of any rank, row-major, with its shape; nothing as above.
struct F64Dataset {
  std::vector<double> values;
  std::vector<std::size_t> shape;
};
std::optional<F64Dataset> read_f64_dataset(const std::filesystem::path& file, const std::string& path);
// A dataset of integers or floats, of any rank, read as doubles; nothing as above.
std::optional<F64Dataset> read_number_dataset(const std::filesystem::path& file, const std::string& path);
// A text or numeric attribute of any object (a group or dataset path; "/" the root); nothing as above.
std::optional<std::string> read_text_attribute(const std::filesystem::path& file, const std::string& object,
                                               const std::string& name);
std::optional<double> read_double_attribute(const std::filesystem::path& file, const std::string& object,
                                            const std::string& name);
// The names of the datasets directly in `group`, in name order (empty when unreadable).
std::vector<std::string> dataset_names(const std::filesystem::path& file, const std::string& group);
// Is `file` a regular file in HDF5 format?
bool is_hdf5_file(const std::filesystem::path& file);

}  // namespace engine
