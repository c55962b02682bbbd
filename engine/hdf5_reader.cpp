#include "engine/hdf5_reader.hpp"

#include <hdf5.h>

#include <algorithm>
#include <utility>

#include "engine/hdf5_library.hpp"

namespace engine {

namespace {

// Opens `file` read-only and calls read(file id), or returns nothing when it cannot be opened.
template <class T, class Read>
std::optional<T> with_attribute(const std::filesystem::path& file, const std::string& object, const std::string& name,
                                Read&& read) {
  detail::prepare_hdf5();
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  if (!is_hdf5_file(file)) return std::nullopt;
  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) return std::nullopt;
  std::optional<T> out;
  if ((object == "/" || H5Lexists(f, object.c_str(), H5P_DEFAULT) > 0) &&
      H5Aexists_by_name(f, object.c_str(), name.c_str(), H5P_DEFAULT) > 0) {
    const hid_t a = H5Aopen_by_name(f, object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT);
    if (a >= 0) {
      const hid_t type = H5Aget_type(a);
      if (type >= 0) {
        out = read(a, type);
        H5Tclose(type);
      }
      H5Aclose(a);
    }
  }
  H5Fclose(f);
  return out;
}

template <class T, class Read>
std::optional<T> with_root(const std::filesystem::path& file, const std::string& name, Read&& read) {
  return with_attribute<T>(file, "/", name, std::forward<Read>(read));
}

}  // namespace

namespace {
// Reads a whole dataset of class `kind` as `memory` values, with its shape; rank 1 unless any_rank.
template <class T>
std::optional<std::vector<T>> read_array(const std::filesystem::path& file, const std::string& path, hid_t memory,
                                         H5T_class_t kind, std::vector<std::size_t>* shape = nullptr) {
  detail::prepare_hdf5();
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  if (!is_hdf5_file(file)) return std::nullopt;
  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) return std::nullopt;
  std::optional<std::vector<T>> out;
  if (H5Lexists(f, path.c_str(), H5P_DEFAULT) > 0) {
    const hid_t ds = H5Dopen2(f, path.c_str(), H5P_DEFAULT);
    if (ds >= 0) {
      const hid_t space = H5Dget_space(ds), type = H5Dget_type(ds);
      const int rank = space >= 0 ? H5Sget_simple_extent_ndims(space) : -1;
      std::vector<hsize_t> dims(static_cast<std::size_t>(std::max(rank, 0)));
      if (type >= 0 && rank >= 1 && (rank == 1 || shape) &&
          H5Sget_simple_extent_dims(space, dims.data(), nullptr) == rank &&
          (H5Tget_class(type) == kind ||
           (kind == H5T_NO_CLASS && (H5Tget_class(type) == H5T_INTEGER || H5Tget_class(type) == H5T_FLOAT)))) {
        hsize_t n = 1;
        for (const auto d : dims) n *= d;
        if (shape) shape->assign(dims.begin(), dims.end());
        std::vector<T> values(static_cast<std::size_t>(n));
        if (n == 0 || H5Dread(ds, memory, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) >= 0) out = std::move(values);
      }
      if (type >= 0) H5Tclose(type);
      if (space >= 0) H5Sclose(space);
      H5Dclose(ds);
    }
  }
  H5Fclose(f);
  return out;
}
}  // namespace

std::optional<std::vector<std::uint8_t>> read_u8_array(const std::filesystem::path& file, const std::string& path) {
  return read_array<std::uint8_t>(file, path, H5T_NATIVE_UINT8, H5T_INTEGER);
}
std::optional<std::vector<double>> read_f64_array(const std::filesystem::path& file, const std::string& path) {
  return read_array<double>(file, path, H5T_NATIVE_DOUBLE, H5T_FLOAT);
}
std::optional<std::vector<std::string>> read_text_array(const std::filesystem::path& file, const std::string& path) {
  detail::prepare_hdf5();
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  if (!is_hdf5_file(file)) return std::nullopt;
  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) return std::nullopt;
  std::optional<std::vector<std::string>> out;
  if (H5Lexists(f, path.c_str(), H5P_DEFAULT) > 0) {
    const hid_t ds = H5Dopen2(f, path.c_str(), H5P_DEFAULT);
    if (ds >= 0) {
      const hid_t space = H5Dget_space(ds), type = H5Dget_type(ds);
      hsize_t n = 0;
      if (type >= 0 && space >= 0 && H5Sget_simple_extent_ndims(space) == 1 &&
          H5Sget_simple_extent_dims(space, &n, nullptr) == 1 && H5Tget_class(type) == H5T_STRING &&
          H5Tis_variable_str(type) > 0) {
        std::vector<char*> pointers(static_cast<std::size_t>(n), nullptr);
        const hid_t memory = H5Tcopy(H5T_C_S1);
        H5Tset_size(memory, H5T_VARIABLE);
        H5Tset_cset(memory, H5Tget_cset(type));
        if (n == 0 || H5Dread(ds, memory, H5S_ALL, H5S_ALL, H5P_DEFAULT, pointers.data()) >= 0) {
          std::vector<std::string> values;
          for (auto* p : pointers) values.emplace_back(p ? p : "");
          out = std::move(values);
          if (n > 0) H5Dvlen_reclaim(memory, space, H5P_DEFAULT, pointers.data());
        }
        H5Tclose(memory);
      }
      if (type >= 0) H5Tclose(type);
      if (space >= 0) H5Sclose(space);
      H5Dclose(ds);
    }
  }
  H5Fclose(f);
  return out;
}

std::optional<F64Dataset> read_number_dataset(const std::filesystem::path& file, const std::string& path) {
  F64Dataset out;
  auto values = read_array<double>(file, path, H5T_NATIVE_DOUBLE, H5T_NO_CLASS, &out.shape);
  if (!values) return std::nullopt;
  out.values = std::move(*values);
  return out;
}

std::optional<double> read_double_attribute(const std::filesystem::path& file, const std::string& object,
                                            const std::string& name) {
  return with_attribute<double>(file, object, name, [](hid_t a, hid_t type) -> std::optional<double> {
    double value = 0;
    const auto kind = H5Tget_class(type);
    if ((kind == H5T_FLOAT || kind == H5T_INTEGER) && H5Aread(a, H5T_NATIVE_DOUBLE, &value) >= 0) return value;
    return std::nullopt;
  });
}

std::vector<std::string> dataset_names(const std::filesystem::path& file, const std::string& group) {
  detail::prepare_hdf5();
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  std::vector<std::string> names;
  if (!is_hdf5_file(file)) return names;
  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) return names;
  const hid_t g = H5Gopen2(f, group.c_str(), H5P_DEFAULT);
  if (g >= 0) {
    H5Literate(
        g, H5_INDEX_NAME, H5_ITER_INC, nullptr,
        [](hid_t parent, const char* name, const H5L_info_t*, void* data) -> herr_t {
          H5O_info_t info;
          if (H5Oget_info_by_name(parent, name, &info, H5P_DEFAULT) >= 0 && info.type == H5O_TYPE_DATASET)
            static_cast<std::vector<std::string>*>(data)->push_back(name);
          return 0;
        },
        &names);
    H5Gclose(g);
  }
  H5Fclose(f);
  return names;
}

std::optional<F64Dataset> read_f64_dataset(const std::filesystem::path& file, const std::string& path) {
  F64Dataset out;
  auto values = read_array<double>(file, path, H5T_NATIVE_DOUBLE, H5T_FLOAT, &out.shape);
  if (!values) return std::nullopt;
  out.values = std::move(*values);
  return out;
}

std::optional<double> read_root_double_attribute(const std::filesystem::path& file, const std::string& name) {
  return with_root<double>(file, name, [](hid_t a, hid_t type) -> std::optional<double> {
    double value = 0;
    if (H5Tget_class(type) == H5T_FLOAT && H5Aread(a, H5T_NATIVE_DOUBLE, &value) >= 0) return value;
    return std::nullopt;
  });
}

bool is_hdf5_file(const std::filesystem::path& file) {
  detail::prepare_hdf5();
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  std::error_code ec;
  return std::filesystem::is_regular_file(file, ec) && H5Fis_hdf5(file.c_str()) > 0;
}

std::optional<std::int64_t> read_root_int_attribute(const std::filesystem::path& file, const std::string& name) {
  return with_root<std::int64_t>(file, name, [](hid_t a, hid_t type) -> std::optional<std::int64_t> {
    std::int64_t value = 0;
    if (H5Tget_class(type) == H5T_INTEGER && H5Aread(a, H5T_NATIVE_INT64, &value) >= 0) return value;
    return std::nullopt;
  });
}

std::optional<std::string> read_root_text_attribute(const std::filesystem::path& file, const std::string& name) {
  return read_text_attribute(file, "/", name);
}

std::optional<std::string> read_text_attribute(const std::filesystem::path& file, const std::string& object,
                                               const std::string& name) {
  return with_attribute<std::string>(file, object, name, [](hid_t a, hid_t type) -> std::optional<std::string> {
    if (H5Tget_class(type) != H5T_STRING) return std::nullopt;
    std::optional<std::string> out;
    const hid_t memory = H5Tcopy(H5T_C_S1);
    H5Tset_cset(memory, H5Tget_cset(type));
    if (H5Tis_variable_str(type) > 0) {
      H5Tset_size(memory, H5T_VARIABLE);
      char* text = nullptr;
      if (H5Aread(a, memory, &text) >= 0 && text) {
        out = std::string(text);
        H5free_memory(text);
      }
    } else {
      const std::size_t size = H5Tget_size(type);
      std::string text(size + 1, '\0');
      H5Tset_size(memory, size + 1);
      if (H5Aread(a, memory, text.data()) >= 0) out = std::string(text.c_str());
    }
    H5Tclose(memory);
    return out;
  });
}

}  // namespace engine
