// The HDF5 writer: temporary name until commit, dimension scales attached, time series appended.
#include <gtest/gtest.h>

#include <hdf5.h>
#include <hdf5_hl.h>

#include <filesystem>
#include <numeric>
#include <vector>

#include "engine/hdf5_writer.hpp"

namespace fs = std::filesystem;

namespace {
fs::path temp_file(const std::string& name) {
  const auto dir = fs::temp_directory_path() / ("caremarket-h5-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir / name;
}

void write_sample(engine::H5Writer& w, int steps) {
  std::vector<std::int32_t> cols{0, 1, 2};
  w.attribute("/", "format_name", std::string("test"));
  w.dimension("/", engine::ColumnView::of("council", cols));
  w.begin_time_series("/", "step", "weeks", "council", 3, {{"a", "u", "first"}, {"b", "", "second"}}, 4);
  for (int s = 0; s < steps; ++s) {
    const double values[6] = {s * 1.0, s * 2.0, s * 3.0, -s * 1.0, -s * 2.0, -s * 3.0};
    w.append_time_step(s, values);
  }
}
}  // namespace

TEST(H5Writer, NothingUnderTheTargetNameUntilCommit) {
  const auto target = temp_file("a.h5");
  fs::remove(target);
  {
    engine::H5Writer w(target, 4);
    write_sample(w, 3);
    EXPECT_FALSE(fs::exists(target));
    EXPECT_TRUE(fs::exists(w.temporary()));
  }
  // Destroyed without commit: nothing left at all.
  EXPECT_FALSE(fs::exists(target));
  for (const auto& entry : fs::directory_iterator(target.parent_path()))
    EXPECT_EQ(entry.path().string().find("a.h5.tmp-"), std::string::npos) << entry.path();
}

TEST(H5Writer, CommittedFileHasSeriesWithScalesAttached) {
  const auto target = temp_file("b.h5");
  {
    engine::H5Writer w(target, 4);
    write_sample(w, 10);  // 10 rows over chunks of 4: two full flushes and a partial one
    EXPECT_EQ(w.time_steps_written(), 10u);
    w.commit();
  }
  ASSERT_TRUE(fs::exists(target));
  hid_t f = H5Fopen(target.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  ASSERT_GE(f, 0);
  hid_t b = H5Dopen2(f, "/b", H5P_DEFAULT);
  hid_t space = H5Dget_space(b);
  hsize_t dims[2];
  H5Sget_simple_extent_dims(space, dims, nullptr);
  EXPECT_EQ(dims[0], 10u);
  EXPECT_EQ(dims[1], 3u);
  std::vector<double> data(30);
  H5Dread(b, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data());
  EXPECT_DOUBLE_EQ(data[9 * 3 + 2], -27.0);
  hid_t step = H5Dopen2(f, "/step", H5P_DEFAULT);
  EXPECT_EQ(H5DSis_scale(step), 1);
  EXPECT_EQ(H5DSis_attached(b, step, 0), 1);
  hid_t council = H5Dopen2(f, "/council", H5P_DEFAULT);
  EXPECT_EQ(H5DSis_attached(b, council, 1), 1);
  std::vector<std::int32_t> steps(10);
  H5Dread(step, H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, steps.data());
  std::vector<std::int32_t> expected(10);
  std::iota(expected.begin(), expected.end(), 0);
  EXPECT_EQ(steps, expected);
  H5Dclose(council);
  H5Dclose(step);
  H5Sclose(space);
  H5Dclose(b);
  H5Fclose(f);
  fs::remove(target);
}

// variables() compresses chunks itself and writes them directly: HDF5's own filters must read
// back every value, across several chunks (the last one partial), for every value type, and
// the datasets must declare the shuffle and deflate filters like variable()'s.
namespace {
template <class T>
std::vector<T> read_column(hid_t f, const char* path, hid_t native, std::size_t n) {
  std::vector<T> values(n);
  hid_t ds = H5Dopen2(f, path, H5P_DEFAULT);
  EXPECT_GE(ds, 0) << path;
  EXPECT_GE(H5Dread(ds, native, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), 0) << path;
  hid_t dcpl = H5Dget_create_plist(ds);
  EXPECT_EQ(H5Pget_nfilters(dcpl), 2) << path;  // shuffle, then deflate
  H5Pclose(dcpl);
  H5Dclose(ds);
  return values;
}
}  // namespace

TEST(H5Writer, VariablesWrittenAsCompressedChunksReadBack) {
  const auto target = temp_file("v.h5");
  const std::size_t n = 150001;  // chunks of 65,536: two full and a partial one
  std::vector<std::int32_t> id(n);
  std::iota(id.begin(), id.end(), 0);
  std::vector<double> f64(n);
  std::vector<float> f32(n);
  std::vector<std::int64_t> i64(n);
  std::vector<std::int16_t> i16(n);
  std::vector<std::uint8_t> u8(n);
  for (std::size_t i = 0; i < n; ++i) {
    f64[i] = 0.1 * static_cast<double>(i) - 7.0;
    f32[i] = static_cast<float>(i % 977) / 3.0f;
    i64[i] = static_cast<std::int64_t>(i) * 1000003 - 5;
    i16[i] = static_cast<std::int16_t>(i % 30011) - 15000;
    u8[i] = static_cast<std::uint8_t>(i * 7);
  }
  {
    engine::H5Writer w(target, 1);
    w.group("/t");
    w.dimension("/t", engine::ColumnView::of("row", id));
    w.variables(
        "/t",
        {engine::ColumnView::of("f64", f64), engine::ColumnView::of("f32", f32), engine::ColumnView::of("i64", i64),
         engine::ColumnView::of("i16", i16), engine::ColumnView::of("u8", u8)},
        "row");
    w.commit();
  }
  hid_t f = H5Fopen(target.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  ASSERT_GE(f, 0);
  EXPECT_EQ(read_column<double>(f, "/t/f64", H5T_NATIVE_DOUBLE, n), f64);
  EXPECT_EQ(read_column<float>(f, "/t/f32", H5T_NATIVE_FLOAT, n), f32);
  EXPECT_EQ(read_column<std::int64_t>(f, "/t/i64", H5T_NATIVE_INT64, n), i64);
  EXPECT_EQ(read_column<std::int16_t>(f, "/t/i16", H5T_NATIVE_INT16, n), i16);
  EXPECT_EQ(read_column<std::uint8_t>(f, "/t/u8", H5T_NATIVE_UINT8, n), u8);
  hid_t ds = H5Dopen2(f, "/t/f64", H5P_DEFAULT);
  EXPECT_EQ(H5DSget_num_scales(ds, 0), 1);  // the dimension is attached
  H5Dclose(ds);
  H5Fclose(f);
  fs::remove(target);
}
