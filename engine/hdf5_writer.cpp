#include "engine/hdf5_writer.hpp"

#include "engine/files.hpp"
#include "engine/hdf5_library.hpp"

#include <hdf5.h>
#include <hdf5_hl.h>
#include <tbb/parallel_for.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace engine {
namespace {

// A failed HDF5 call, with the error number of the system call under it when there was one
// (HDF5's file drivers put "errno = N" in the message of the innermost error).
class Hdf5Failure : public std::runtime_error {
 public:
  Hdf5Failure(const std::string& what, int error_number) : std::runtime_error(what), error_number(error_number) {}
  int error_number;
};

herr_t find_errno(unsigned, const H5E_error2_t* error, void* found) {
  if (const char* at = error->desc ? std::strstr(error->desc, "errno = ") : nullptr)
    *static_cast<int*>(found) = std::atoi(at + 8);
  return 0;
}

[[noreturn]] void fail(const std::string& what) {
  int error_number = 0;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, find_errno, &error_number);
  H5Eclear2(H5E_DEFAULT);
  throw Hdf5Failure("HDF5: " + what + " failed", error_number);
}
void check(herr_t status, const std::string& what) {
  if (status < 0) fail(what);
}
hid_t check_id(hid_t id, const std::string& what) {
  if (id < 0) fail(what);
  return id;
}

// Owns an HDF5 identifier and closes it with `Close` at scope exit.
template <herr_t (*Close)(hid_t)>
class Owned {
 public:
  explicit Owned(hid_t id, const char* what = "HDF5 object") : id_(check_id(id, what)) {}
  ~Owned() { Close(id_); }
  Owned(const Owned&) = delete;
  Owned& operator=(const Owned&) = delete;
  operator hid_t() const { return id_; }

 private:
  hid_t id_;
};
using Handle = Owned<H5Oclose>;  // datasets and groups
using Space = Owned<H5Sclose>;
using Type = Owned<H5Tclose>;
class Plist : public Owned<H5Pclose> {
 public:
  explicit Plist(hid_t cls) : Owned(H5Pcreate(cls), "property list") {}
};

hid_t native_type(ValueType t) {
  switch (t) {
    case ValueType::f64: return H5T_NATIVE_DOUBLE;
    case ValueType::f32: return H5T_NATIVE_FLOAT;
    case ValueType::i64: return H5T_NATIVE_INT64;
    case ValueType::i32: return H5T_NATIVE_INT32;
    case ValueType::i16: return H5T_NATIVE_INT16;
    case ValueType::u8: return H5T_NATIVE_UINT8;
  }
  throw std::logic_error("unknown value type");
}
hid_t file_type(ValueType t) {
  switch (t) {
    case ValueType::f64: return H5T_IEEE_F64LE;
    case ValueType::f32: return H5T_IEEE_F32LE;
    case ValueType::i64: return H5T_STD_I64LE;
    case ValueType::i32: return H5T_STD_I32LE;
    case ValueType::i16: return H5T_STD_I16LE;
    case ValueType::u8: return H5T_STD_U8LE;
  }
  throw std::logic_error("unknown value type");
}
hid_t utf8_string_type() {
  hid_t t = check_id(H5Tcopy(H5T_C_S1), "string type");
  H5Tset_size(t, H5T_VARIABLE);
  H5Tset_cset(t, H5T_CSET_UTF8);
  return t;
}
std::string join(const std::string& group, const std::string& name) {
  return group == "/" || group.empty() ? "/" + name : group + "/" + name;
}

// A chunked, compressed dataset creation list for `rank` dims with the given chunk shape.
hid_t chunked(int compression, const std::vector<hsize_t>& chunk) {
  hid_t dcpl = check_id(H5Pcreate(H5P_DATASET_CREATE), "dcpl");
  check(H5Pset_chunk(dcpl, static_cast<int>(chunk.size()), chunk.data()), "set chunk");
  if (compression > 0) {
    H5Pset_shuffle(dcpl);
    H5Pset_deflate(dcpl, static_cast<unsigned>(compression));
  }
  return dcpl;
}

// Chunks (and compresses) a 1-D dataset of n values; an empty one stays contiguous.
void chunk_1d(hid_t dcpl, hsize_t n, int compression) {
  if (n == 0) return;
  const hsize_t chunk = std::min<hsize_t>(n, 65536);
  H5Pset_chunk(dcpl, 1, &chunk);
  if (compression > 0) {
    H5Pset_shuffle(dcpl);
    H5Pset_deflate(dcpl, static_cast<unsigned>(compression));
  }
}

std::size_t value_size(ValueType t) {
  switch (t) {
    case ValueType::f64:
    case ValueType::i64: return 8;
    case ValueType::f32:
    case ValueType::i32: return 4;
    case ValueType::i16: return 2;
    case ValueType::u8: return 1;
  }
  throw std::logic_error("unknown value type");
}

// The chunks of a 1-D column (chunk_1d's chunking) as HDF5's shuffle and deflate filters store
// them: each chunk full length (the last padded with zeros, the fill value), its bytes shuffled
// (byte j of value i to position j * chunk + i), then a zlib stream at `level`.
static_assert(std::endian::native == std::endian::little,
              "filtered_chunks hands native bytes to little-endian file types");
std::vector<std::vector<unsigned char>> filtered_chunks(const ColumnView& column, int level) {
  const std::size_t size = value_size(column.type), n = column.size;
  const std::size_t chunk = std::min<std::size_t>(n, 65536), chunk_bytes = chunk * size;
  std::vector<std::vector<unsigned char>> out((n + chunk - 1) / chunk);
  std::vector<unsigned char> plain(chunk_bytes), shuffled(chunk_bytes);
  const auto* data = static_cast<const unsigned char*>(column.data);
  for (std::size_t k = 0; k < out.size(); ++k) {
    const std::size_t bytes = std::min(chunk, n - k * chunk) * size;
    std::memcpy(plain.data(), data + k * chunk_bytes, bytes);
    std::fill(plain.begin() + static_cast<std::ptrdiff_t>(bytes), plain.end(), 0);
    for (std::size_t i = 0; i < chunk; ++i)
      for (std::size_t j = 0; j < size; ++j) shuffled[j * chunk + i] = plain[i * size + j];
    uLongf length = compressBound(static_cast<uLong>(chunk_bytes));
    out[k].resize(length);
    if (compress2(out[k].data(), &length, shuffled.data(), static_cast<uLong>(chunk_bytes), level) != Z_OK)
      throw std::runtime_error("zlib: compressing " + column.name + " failed");
    out[k].resize(length);
  }
  return out;
}

void set_string_attribute(hid_t obj, const std::string& name, const std::string& value) {
  Type type(utf8_string_type());
  Space space(H5Screate(H5S_SCALAR));
  if (H5Aexists(obj, name.c_str()) > 0) H5Adelete(obj, name.c_str());
  hid_t attr = check_id(H5Acreate2(obj, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT), "attribute " + name);
  const char* ptr = value.c_str();
  herr_t st = H5Awrite(attr, type, &ptr);
  H5Aclose(attr);
  check(st, "write attribute " + name);
}

template <class T>
void set_numeric_attribute(hid_t obj, const std::string& name, T value, hid_t ftype, hid_t mtype) {
  Space space(H5Screate(H5S_SCALAR));
  if (H5Aexists(obj, name.c_str()) > 0) H5Adelete(obj, name.c_str());
  hid_t attr = check_id(H5Acreate2(obj, name.c_str(), ftype, space, H5P_DEFAULT, H5P_DEFAULT), "attribute " + name);
  herr_t st = H5Awrite(attr, mtype, &value);
  H5Aclose(attr);
  check(st, "write attribute " + name);
}

// Creates a 1-D dataset of n values, chunked and filtered as chunk_1d says.
hid_t create_1d(hid_t file, const std::string& path, ValueType type, hsize_t n, int compression) {
  Space space(H5Screate_simple(1, &n, nullptr));
  Plist dcpl(H5P_DATASET_CREATE);
  chunk_1d(dcpl, n, compression);
  return check_id(H5Dcreate2(file, path.c_str(), file_type(type), space, H5P_DEFAULT, dcpl, H5P_DEFAULT),
                  "create " + path);
}

void describe(hid_t ds, const std::string& units, const std::string& long_name) {
  if (!units.empty()) set_string_attribute(ds, "units", units);
  if (!long_name.empty()) set_string_attribute(ds, "long_name", long_name);
}

}  // namespace

namespace detail {
void prepare_hdf5() noexcept {
  static const bool done = [] {
    H5dont_atexit();
    return true;
  }();
  (void)done;
}
}  // namespace detail

template <class Body>
void H5Writer::guarded(Body&& body) {
  // Error printing is per thread in a thread-safe HDF5, and the writer may run on any thread:
  // failures are reported once, as exceptions, never as HDF5's own stack dump.
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  try {
    body();
  } catch (const Hdf5Failure& e) {
    throw OutputError(e.error_number != 0 ? write_error_message(e.error_number, target_)
                                          : "cannot write " + target_.string() + ": " + e.what());
  }
}

void H5Writer::prepare_target() {
  detail::prepare_hdf5();
  check_output_path(target_);
  if (target_.has_parent_path()) std::filesystem::create_directories(target_.parent_path());
  temporary_ = target_;
  temporary_ += ".tmp-" + std::to_string(::getpid());
}

H5Writer::H5Writer(std::filesystem::path target, int compression)
    : target_(std::move(target)), compression_(compression) {
  prepare_target();
  try {
    guarded([&] {
      Plist fcpl(H5P_FILE_CREATE);
      // netCDF-4 readers expect tracked creation order.
      H5Pset_link_creation_order(fcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED);
      H5Pset_attr_creation_order(fcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED);
      file_ =
          check_id(H5Fcreate(temporary_.c_str(), H5F_ACC_TRUNC, fcpl, H5P_DEFAULT), "create " + temporary_.string());
    });
  } catch (...) {
    discard();  // the destructor does not run for a constructor that throws
    throw;
  }
}

H5Writer::H5Writer(std::filesystem::path target, int compression, std::span<const std::byte> contents)
    : target_(std::move(target)), compression_(compression) {
  prepare_target();
  try {
    {
      std::ofstream out(temporary_, std::ios::binary | std::ios::trunc);
      out.write(reinterpret_cast<const char*>(contents.data()), static_cast<std::streamsize>(contents.size()));
      out.close();
      if (!out) throw OutputError(write_error_message(errno, target_));
    }
    open_temporary();
  } catch (...) {
    discard();
    throw;
  }
}

void H5Writer::open_temporary() {
  guarded(
      [&] { file_ = check_id(H5Fopen(temporary_.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), "open " + temporary_.string()); });
}

std::vector<std::byte> H5Writer::contents() {
  guarded([&] {
    flush_time_series();
    const hid_t file = file_;
    file_ = -1;
    check(H5Fclose(file), "close");
  });
  std::ifstream in(temporary_, std::ios::binary);
  std::vector<std::byte> bytes(std::filesystem::file_size(temporary_));
  in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!in) throw OutputError("cannot read back " + temporary_.string());
  open_temporary();
  return bytes;
}

void H5Writer::array(const std::string& group, const ColumnView& column, bool compress) {
  guarded([&] {
    const std::string path = join(group, column.name);
    Handle ds(create_1d(file_, path, column.type, column.size, compress ? compression_ : 0));
    if (column.size > 0)
      check(H5Dwrite(ds, native_type(column.type), H5S_ALL, H5S_ALL, H5P_DEFAULT, column.data), "write " + path);
    describe(ds, column.units, column.long_name);
  });
}

H5Writer::~H5Writer() {
  if (!committed_) discard();
}

std::int64_t H5Writer::open_object(const std::string& path) const {
  return check_id(H5Oopen(file_, path.c_str(), H5P_DEFAULT), "open " + path);
}
void H5Writer::close_object(std::int64_t id) const { H5Oclose(id); }

void H5Writer::attribute(const std::string& object, const std::string& name, const std::string& value) {
  guarded([&] {
    Handle obj(open_object(object));
    set_string_attribute(obj, name, value);
  });
}
void H5Writer::attribute(const std::string& object, const std::string& name, std::int64_t value) {
  guarded([&] {
    Handle obj(open_object(object));
    set_numeric_attribute(obj, name, value, H5T_STD_I64LE, H5T_NATIVE_INT64);
  });
}
void H5Writer::attribute(const std::string& object, const std::string& name, double value) {
  guarded([&] {
    Handle obj(open_object(object));
    set_numeric_attribute(obj, name, value, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE);
  });
}

void H5Writer::attribute(const std::string& object, const std::string& name, const std::vector<std::uint8_t>& values) {
  guarded([&] {
    Handle obj(open_object(object));
    const hsize_t n = values.size();
    Space space(H5Screate_simple(1, &n, nullptr));
    if (H5Aexists(obj, name.c_str()) > 0) H5Adelete(obj, name.c_str());
    hid_t attr =
        check_id(H5Acreate2(obj, name.c_str(), H5T_STD_U8LE, space, H5P_DEFAULT, H5P_DEFAULT), "attribute " + name);
    herr_t st = H5Awrite(attr, H5T_NATIVE_UINT8, values.data());
    H5Aclose(attr);
    check(st, "write attribute " + name);
  });
}

void H5Writer::group(const std::string& path) {
  guarded([&] {
    Plist lcpl(H5P_LINK_CREATE);
    H5Pset_create_intermediate_group(lcpl, 1);
    Plist gcpl(H5P_GROUP_CREATE);
    H5Pset_link_creation_order(gcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED);
    H5Pset_attr_creation_order(gcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED);
    hid_t g = check_id(H5Gcreate2(file_, path.c_str(), lcpl, gcpl, H5P_DEFAULT), "create group " + path);
    H5Gclose(g);
  });
}

void H5Writer::dimension(const std::string& group, const ColumnView& coordinate) {
  guarded([&] {
    const hsize_t n = coordinate.size;
    const std::string path = join(group, coordinate.name);
    Handle ds(create_1d(file_, path, coordinate.type, n, compression_));
    if (n > 0)
      check(H5Dwrite(ds, native_type(coordinate.type), H5S_ALL, H5S_ALL, H5P_DEFAULT, coordinate.data),
            "write " + path);
    check(H5DSset_scale(ds, coordinate.name.c_str()), "dimension scale " + path);
    describe(ds, coordinate.units, coordinate.long_name);
  });
}

void H5Writer::variable(const std::string& group, const ColumnView& column, const std::vector<std::string>& dims) {
  if (dims.size() != 1) throw std::logic_error("H5Writer::variable: only 1-D variables are supported");
  guarded([&] {
    const hsize_t n = column.size;
    const std::string path = join(group, column.name);
    Handle ds(create_1d(file_, path, column.type, n, compression_));
    if (n > 0)
      check(H5Dwrite(ds, native_type(column.type), H5S_ALL, H5S_ALL, H5P_DEFAULT, column.data), "write " + path);
    Handle dim(open_object(join(group, dims[0])));
    check(H5DSattach_scale(ds, dim, 0), "attach " + dims[0] + " to " + path);
    describe(ds, column.units, column.long_name);
  });
}

void H5Writer::matrix_variable(const std::string& group, const ColumnView& column, const std::string& row_dim,
                               const std::string& column_dim, std::size_t columns) {
  if (columns == 0 || column.size % columns != 0)
    throw std::logic_error("H5Writer::matrix_variable: " + column.name + " is not a whole number of rows");
  guarded([&] {
    const hsize_t shape[2] = {column.size / columns, columns};
    const std::string path = join(group, column.name);
    Space space(H5Screate_simple(2, shape, nullptr));
    Plist dcpl(H5P_DATASET_CREATE);
    if (compression_ > 0 && column.size > 0) {
      const hsize_t chunk[2] = {std::min<hsize_t>(shape[0], std::max<hsize_t>(1, 65536 / columns)), columns};
      check(H5Pset_chunk(dcpl, 2, chunk), "chunk " + path);
      check(H5Pset_deflate(dcpl, static_cast<unsigned>(compression_)), "compress " + path);
    }
    Handle ds(check_id(H5Dcreate2(file_, path.c_str(), file_type(column.type), space, H5P_DEFAULT, dcpl, H5P_DEFAULT),
                       "create " + path));
    if (column.size > 0)
      check(H5Dwrite(ds, native_type(column.type), H5S_ALL, H5S_ALL, H5P_DEFAULT, column.data), "write " + path);
    Handle rows(open_object(join(group, row_dim)));
    check(H5DSattach_scale(ds, rows, 0), "attach " + row_dim + " to " + path);
    Handle cols(open_object(join(group, column_dim)));
    check(H5DSattach_scale(ds, cols, 1), "attach " + column_dim + " to " + path);
    describe(ds, column.units, column.long_name);
  });
}

void H5Writer::variables(const std::string& group, const std::vector<ColumnView>& columns, const std::string& dim) {
  if (compression_ <= 0) {
    for (const auto& column : columns) variable(group, column, {dim});
    return;
  }
  // Compressing is most of the work and HDF5 takes one caller at a time: the columns' chunks are
  // filtered here on every core, then handed to HDF5 as they are (direct chunk writes).
  std::vector<std::vector<std::vector<unsigned char>>> chunks(columns.size());
  tbb::parallel_for(std::size_t{0}, columns.size(), [&](std::size_t i) {
    if (columns[i].size > 0) chunks[i] = filtered_chunks(columns[i], compression_);
  });
  guarded([&] {
    Handle dimension_scale(open_object(join(group, dim)));
    for (std::size_t i = 0; i < columns.size(); ++i) {
      const auto& column = columns[i];
      const hsize_t n = column.size;
      const std::string path = join(group, column.name);
      Handle ds(create_1d(file_, path, column.type, n, compression_));
      const hsize_t chunk = std::min<hsize_t>(n, 65536);
      for (std::size_t k = 0; k < chunks[i].size(); ++k) {
        const hsize_t offset = k * chunk;
        check(H5Dwrite_chunk(ds, H5P_DEFAULT, 0, &offset, chunks[i][k].size(), chunks[i][k].data()), "write " + path);
      }
      check(H5DSattach_scale(ds, dimension_scale, 0), "attach " + dim + " to " + path);
      describe(ds, column.units, column.long_name);
    }
  });
}

void H5Writer::text_variable(const std::string& group, const std::string& name, const std::vector<std::string>& values,
                             const std::string& dim, const std::string& long_name) {
  guarded([&] {
    const hsize_t n = values.size();
    Space space(H5Screate_simple(1, &n, nullptr));
    Type type(utf8_string_type());
    const std::string path = join(group, name);
    Handle ds(check_id(H5Dcreate2(file_, path.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                       "create " + path));
    std::vector<const char*> ptrs;
    for (const auto& v : values) ptrs.push_back(v.c_str());
    if (n > 0) check(H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()), "write " + path);
    Handle d(open_object(join(group, dim)));
    check(H5DSattach_scale(ds, d, 0), "attach " + dim + " to " + path);
    describe(ds, "", long_name);
  });
}

void H5Writer::begin_time_series(const std::string& group, const std::string& time_dim, const std::string& time_units,
                                 const std::string& column_dim, std::size_t width,
                                 const std::vector<SeriesInfo>& series, std::size_t chunk_rows,
                                 const TimeCoordinate& coordinate) {
  guarded([&] {
    set_time_series(group, time_dim, width, series, chunk_rows, coordinate);
    {
      const hsize_t zero = 0, unlimited = H5S_UNLIMITED, chunk = ts_chunk_rows_;
      Space space(H5Screate_simple(1, &zero, &unlimited));
      Plist dcpl(H5P_DATASET_CREATE);
      H5Pset_chunk(dcpl, 1, &chunk);
      const std::string path = join(group, time_dim);
      Handle ds(check_id(H5Dcreate2(file_, path.c_str(), H5T_STD_I32LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT),
                         "create " + path));
      check(H5DSset_scale(ds, time_dim.c_str()), "dimension scale " + path);
      describe(ds, time_units, "simulation step");
    }
    Handle time(open_object(join(group, time_dim)));
    if (!coordinate.name.empty()) {
      const hsize_t zero = 0, unlimited = H5S_UNLIMITED, chunk = ts_chunk_rows_;
      Space space(H5Screate_simple(1, &zero, &unlimited));
      Plist dcpl(H5P_DATASET_CREATE);
      H5Pset_chunk(dcpl, 1, &chunk);
      const std::string path = join(group, coordinate.name);
      Handle ds(check_id(H5Dcreate2(file_, path.c_str(), H5T_STD_I32LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT),
                         "create " + path));
      check(H5DSattach_scale(ds, time, 0), "attach " + time_dim + " to " + coordinate.name);
      describe(ds, coordinate.units, coordinate.long_name);
      if (!coordinate.standard_name.empty()) set_string_attribute(ds, "standard_name", coordinate.standard_name);
      if (!coordinate.calendar.empty()) set_string_attribute(ds, "calendar", coordinate.calendar);
    }
    Handle cols(open_object(join(group, column_dim)));
    for (const auto& s : series) {
      const hsize_t dims[2] = {0, width};
      const hsize_t maxdims[2] = {H5S_UNLIMITED, width};
      Space space(H5Screate_simple(2, dims, maxdims));
      hid_t dcpl = chunked(compression_, {ts_chunk_rows_, std::max<hsize_t>(width, 1)});
      const std::string path = join(group, s.name);
      hid_t ds = H5Dcreate2(file_, path.c_str(), H5T_IEEE_F64LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
      H5Pclose(dcpl);
      Handle h(check_id(ds, "create " + path));
      check(H5DSattach_scale(h, time, 0), "attach time");
      check(H5DSattach_scale(h, cols, 1), "attach columns");
      describe(h, s.units, s.long_name);
      if (!coordinate.name.empty()) set_string_attribute(h, "coordinates", coordinate.name);
    }
  });
}

void H5Writer::set_time_series(const std::string& group, const std::string& time_dim, std::size_t width,
                               const std::vector<SeriesInfo>& series, std::size_t chunk_rows,
                               const TimeCoordinate& coordinate) {
  ts_group_ = group;
  ts_time_dim_ = time_dim;
  ts_coordinate_ = coordinate;
  ts_width_ = width;
  ts_chunk_rows_ = std::max<std::size_t>(chunk_rows, 1);
  ts_names_.clear();
  for (const auto& s : series) ts_names_.push_back(s.name);
  ts_buffer_.assign(ts_names_.size() * ts_chunk_rows_ * ts_width_, 0.0);
  ts_time_buffer_.assign(ts_chunk_rows_, 0);
  rows_buffered_ = rows_flushed_ = 0;
}

void H5Writer::continue_time_series(const std::string& group, const std::string& time_dim, std::size_t width,
                                    const std::vector<SeriesInfo>& series, std::size_t chunk_rows,
                                    const TimeCoordinate& coordinate) {
  guarded([&] {
    set_time_series(group, time_dim, width, series, chunk_rows, coordinate);
    Handle ds(open_object(join(group, time_dim)));
    Space space(H5Dget_space(ds));
    hsize_t rows = 0;
    check(H5Sget_simple_extent_dims(space, &rows, nullptr), "read the length of " + time_dim);
    rows_flushed_ = rows;
  });
}

void H5Writer::append_time_step(std::int32_t time, const double* values) {
  for (std::size_t s = 0; s < ts_names_.size(); ++s)
    std::copy(values + s * ts_width_, values + (s + 1) * ts_width_,
              ts_buffer_.begin() + static_cast<std::ptrdiff_t>((s * ts_chunk_rows_ + rows_buffered_) * ts_width_));
  ts_time_buffer_[rows_buffered_] = time;
  if (++rows_buffered_ == ts_chunk_rows_) guarded([&] { flush_time_series(); });
}

void H5Writer::flush_time_series() {
  if (rows_buffered_ == 0 || file_ < 0) return;
  const hsize_t start[2] = {rows_flushed_, 0};
  const hsize_t count[2] = {rows_buffered_, ts_width_};
  const hsize_t new_rows = rows_flushed_ + rows_buffered_;
  {
    Handle ds(open_object(join(ts_group_, ts_time_dim_)));
    check(H5Dset_extent(ds, &new_rows), "extend time");
    Space file_space(H5Dget_space(ds));
    H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start, nullptr, count, nullptr);
    Space mem(H5Screate_simple(1, count, nullptr));
    check(H5Dwrite(ds, H5T_NATIVE_INT32, mem, file_space, H5P_DEFAULT, ts_time_buffer_.data()), "write time");
  }
  if (!ts_coordinate_.name.empty()) {
    std::vector<std::int32_t> values(rows_buffered_);
    for (std::size_t r = 0; r < rows_buffered_; ++r) values[r] = ts_time_buffer_[r] * ts_coordinate_.per_step;
    Handle ds(open_object(join(ts_group_, ts_coordinate_.name)));
    check(H5Dset_extent(ds, &new_rows), "extend " + ts_coordinate_.name);
    Space file_space(H5Dget_space(ds));
    H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start, nullptr, count, nullptr);
    Space mem(H5Screate_simple(1, count, nullptr));
    check(H5Dwrite(ds, H5T_NATIVE_INT32, mem, file_space, H5P_DEFAULT, values.data()), "write " + ts_coordinate_.name);
  }
  for (std::size_t s = 0; s < ts_names_.size(); ++s) {
    Handle ds(open_object(join(ts_group_, ts_names_[s])));
    const hsize_t extent[2] = {new_rows, ts_width_};
    check(H5Dset_extent(ds, extent), "extend " + ts_names_[s]);
    if (ts_width_ == 0) continue;
    Space file_space(H5Dget_space(ds));
    H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start, nullptr, count, nullptr);
    Space mem(H5Screate_simple(2, count, nullptr));
    check(H5Dwrite(ds, H5T_NATIVE_DOUBLE, mem, file_space, H5P_DEFAULT,
                   ts_buffer_.data() + s * ts_chunk_rows_ * ts_width_),
          "write " + ts_names_[s]);
  }
  rows_flushed_ += rows_buffered_;
  rows_buffered_ = 0;
}

void H5Writer::commit() {
  if (committed_) return;
  guarded([&] {
    flush_time_series();
    check(H5Fflush(file_, H5F_SCOPE_GLOBAL), "flush");
    const hid_t file = file_;
    file_ = -1;  // a failed close is not retried: discard() only removes the file
    check(H5Fclose(file), "close");
  });
  durable_rename(temporary_, target_);
  committed_ = true;
}

void H5Writer::discard() noexcept {
  if (file_ >= 0) {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    H5Fclose(file_);  // may fail (a full disk): HDF5 keeps the file on its list, which is harmless
    H5Eclear2(H5E_DEFAULT);
    file_ = -1;
  }
  std::error_code ec;
  std::filesystem::remove(temporary_, ec);
}

}  // namespace engine
