#include "engine/hdf5_reader.hpp"

#include <hdf5.h>

#include "engine/hdf5_library.hpp"

namespace engine {

std::optional<std::int64_t> read_root_int_attribute(const std::filesystem::path& file, const std::string& name) {
  detail::prepare_hdf5();
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec) || H5Fis_hdf5(file.c_str()) <= 0) return std::nullopt;
  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) return std::nullopt;
  std::optional<std::int64_t> out;
  if (H5Aexists(f, name.c_str()) > 0) {
    const hid_t a = H5Aopen(f, name.c_str(), H5P_DEFAULT);
    std::int64_t value = 0;
    if (a >= 0 && H5Aread(a, H5T_NATIVE_INT64, &value) >= 0) out = value;
    if (a >= 0) H5Aclose(a);
  }
  H5Fclose(f);
  return out;
}

}  // namespace engine
