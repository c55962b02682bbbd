#pragma once
// An HDF5 writer that follows netCDF-4 conventions: every dimension is a dimension scale and every
// variable has its dimensions attached, so h5py, xarray (h5netcdf engine) and netCDF tools read the
// file as it is. Knows nothing of what is stored; callers name groups, dimensions and variables.
//
// Crash safety: the file is written under a temporary name beside the target and moved onto it
// only by commit() (durably: engine/files.hpp); a writer destroyed without commit() deletes its
// temporary file. The target must be a regular file or not exist (else BadOutputPath). A failed
// write throws OutputError naming the target ("no space left writing FILE" on a full disk);
// HDF5's own error printing is off on every thread that writes.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace engine {

enum class ValueType : std::uint8_t { f64, f32, i64, i32, i16, u8 };

template <class T>
constexpr ValueType value_type_of();
template <>
constexpr ValueType value_type_of<double>() {
  return ValueType::f64;
}
template <>
constexpr ValueType value_type_of<float>() {
  return ValueType::f32;
}
template <>
constexpr ValueType value_type_of<std::int64_t>() {
  return ValueType::i64;
}
template <>
constexpr ValueType value_type_of<std::int32_t>() {
  return ValueType::i32;
}
template <>
constexpr ValueType value_type_of<std::int16_t>() {
  return ValueType::i16;
}
template <>
constexpr ValueType value_type_of<std::uint8_t>() {
  return ValueType::u8;
}

// A borrowed 1-D array with its metadata.
struct ColumnView {
  std::string name;
  ValueType type;
  const void* data;
  std::size_t size;
  std::string units;
  std::string long_name;

  template <class T>
  static ColumnView of(std::string name, const std::vector<T>& values, std::string units = {},
                       std::string long_name = {}) {
    return {std::move(name), value_type_of<T>(), values.data(), values.size(), std::move(units), std::move(long_name)};
  }
};

struct SeriesInfo {
  std::string name;
  std::string units;
  std::string long_name;
};

// A second coordinate of a time dimension, proportional to it: value = time × per_step (days since
// a date for a time dimension of weeks: CF units "days since 2025-04-01", per_step 7). Every
// series names it in its CF `coordinates` attribute, so netCDF readers attach it.
struct TimeCoordinate {
  std::string name;  // empty: none
  std::string units, long_name, standard_name, calendar;
  std::int32_t per_step = 1;
};

class H5Writer {
 public:
  // Creates `<target>.tmp-<pid>` beside target. compression: deflate level 0..9.
  H5Writer(std::filesystem::path target, int compression);
  // Goes on writing a file whose bytes so far are `contents` (contents() of an earlier writer):
  // they become `<target>.tmp-<pid>`, opened to be written on. A time series begun in it goes on
  // after continue_time_series().
  H5Writer(std::filesystem::path target, int compression, std::span<const std::byte> contents);
  ~H5Writer();
  H5Writer(const H5Writer&) = delete;
  H5Writer& operator=(const H5Writer&) = delete;

  const std::filesystem::path& target() const noexcept { return target_; }
  const std::filesystem::path& temporary() const noexcept { return temporary_; }

  // Attributes on a group or dataset ("/" is the root group).
  void attribute(const std::string& object, const std::string& name, const std::string& value);
  void attribute(const std::string& object, const std::string& name, std::int64_t value);
  void attribute(const std::string& object, const std::string& name, double value);
  // A 1-D uint8 array attribute (CF flag_values of a uint8 enumeration).
  void attribute(const std::string& object, const std::string& name, const std::vector<std::uint8_t>& values);

  void group(const std::string& path);
  // A fixed-length dimension with coordinate values (a dimension scale named like the dimension).
  void dimension(const std::string& group, const ColumnView& coordinate);
  // A fixed-length variable over dimensions declared before, in the same group.
  void variable(const std::string& group, const ColumnView& column, const std::vector<std::string>& dims);
  // Several such variables over one dimension, as variable() would write them, with their chunks
  // compressed in parallel. The file types are little-endian like the native ones (checked when
  // compiling), so the bytes go to the file as they are.
  void variables(const std::string& group, const std::vector<ColumnView>& columns, const std::string& dim);
  // A 2-D variable (row_dim × column_dim), `column` holding its values row-major with `columns`
  // values per row; both dimensions must exist.
  void matrix_variable(const std::string& group, const ColumnView& column, const std::string& row_dim,
                       const std::string& column_dim, std::size_t columns);
  void text_variable(const std::string& group, const std::string& name, const std::vector<std::string>& values,
                     const std::string& dim, const std::string& long_name);

  // Time series: 2-D float64 variables (time × width) sharing an unlimited time dimension whose
  // coordinate is int32. Rows are buffered and written a chunk at a time.
  void begin_time_series(const std::string& group, const std::string& time_dim, const std::string& time_units,
                         const std::string& column_dim, std::size_t width, const std::vector<SeriesInfo>& series,
                         std::size_t chunk_rows, const TimeCoordinate& coordinate = {});
  // The time series begin_time_series() began in the file this writer goes on with (the same
  // arguments): rows are appended after those in the file.
  void continue_time_series(const std::string& group, const std::string& time_dim, std::size_t width,
                            const std::vector<SeriesInfo>& series, std::size_t chunk_rows,
                            const TimeCoordinate& coordinate = {});
  // values: series-major, values[s * width + c].
  void append_time_step(std::int32_t time, const double* values);
  std::size_t time_steps_written() const noexcept { return rows_flushed_ + rows_buffered_; }

  // A 1-D dataset with no dimension (a checkpoint's bytes), chunked and compressed as variables are
  // unless `compress` is false (bytes compressed already).
  void array(const std::string& group, const ColumnView& column, bool compress = true);
  // The file as written so far, as a valid HDF5 file: buffered rows are written, the file is
  // closed, read and opened again to go on.
  std::vector<std::byte> contents();

  // Flushes, closes and renames onto the target. After commit the writer is inert.
  void commit();
  // Closes and deletes the temporary file.
  void discard() noexcept;

 private:
  void flush_time_series();
  void set_time_series(const std::string& group, const std::string& time_dim, std::size_t width,
                       const std::vector<SeriesInfo>& series, std::size_t chunk_rows, const TimeCoordinate& coordinate);
  void open_temporary();
  // Checks the target, makes its folder and names the temporary file beside it.
  void prepare_target();
  // Runs `body` with HDF5's error printing off, turning an HDF5 failure into OutputError.
  template <class Body>
  void guarded(Body&& body);
  std::int64_t open_object(const std::string& path) const;
  void close_object(std::int64_t id) const;

  std::filesystem::path target_;
  std::filesystem::path temporary_;
  int compression_;
  std::int64_t file_ = -1;
  bool committed_ = false;

  std::string ts_group_;
  std::string ts_time_dim_;
  TimeCoordinate ts_coordinate_;
  std::size_t ts_width_ = 0;
  std::size_t ts_chunk_rows_ = 0;
  std::vector<std::string> ts_names_;
  std::vector<double> ts_buffer_;  // [series][row][col] for buffered rows
  std::vector<std::int32_t> ts_time_buffer_;
  std::size_t rows_buffered_ = 0;
  std::size_t rows_flushed_ = 0;
};

}  // namespace engine
