#include "agents/checkpoint_file.hpp"

#include <cstring>
#include <optional>

#include "agents/run.hpp"
#include "engine/hdf5_reader.hpp"
#include "engine/hdf5_writer.hpp"

namespace cm {
namespace {

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> out;
  std::size_t at = 0;
  while (at <= text.size() && !text.empty()) {
    const auto end = text.find('\n', at);
    out.push_back(text.substr(at, end == std::string::npos ? std::string::npos : end - at));
    if (end == std::string::npos) break;
    at = end + 1;
  }
  return out;
}

engine::ColumnView bytes_view(const std::string& name, const std::vector<std::byte>& bytes, const std::string& what) {
  return {name, engine::ValueType::u8, bytes.data(), bytes.size(), "", what};
}

std::vector<std::byte> as_bytes(const std::vector<std::uint8_t>& v) {
  std::vector<std::byte> out(v.size());
  if (!v.empty()) std::memcpy(out.data(), v.data(), v.size());
  return out;
}

}  // namespace

void write_checkpoint(const std::filesystem::path& path, const Checkpoint& c) {
  engine::H5Writer w(path, 0);
  w.attribute("/", "format_name", std::string(kCheckpointFormatName));
  w.attribute("/", "format_version", std::string(kCheckpointVersion));
  w.attribute("/", "output_format_version", std::string(kFormatVersion));
  w.attribute("/", "software_version", c.software_version);
  w.attribute("/", "git_commit", c.git_commit);
  w.attribute("/", "config", c.config_toml);
  w.attribute("/", "config_layers", join_lines(c.layers));
  w.attribute("/", "seed", static_cast<std::int64_t>(c.seed));
  w.attribute("/", "replicate", static_cast<std::int64_t>(c.replicate));
  w.attribute("/", "built_replicate", static_cast<std::int64_t>(c.built_replicate));
  w.attribute("/", "week", c.week);
  w.attribute("/", "steps_requested", c.steps_requested);
  w.attribute("/", "output", c.output);
  w.attribute("/", "start_time", c.start_time);
  w.attribute("/", "wall_seconds", c.seconds);
  w.attribute("/", "warmup_seconds", c.warmup_seconds);
  w.attribute("/", "output_seconds", c.output_seconds);
  w.attribute("/", "year_weeks", c.year_weeks);
  w.attribute("/", "checkpoint_every", c.checkpoint_every);
  w.attribute("/", "checkpoint", c.checkpoint);
  // Neither is compressed: deflating England's state took 2.5 s of a checkpoint's 3 s (it shrank
  // to a third); the output's datasets are compressed already.
  w.array("/", bytes_view("state", c.state, "the model's state (docs/checkpoint-format.md)"), false);
  w.array("/", bytes_view("output", c.output_contents, "the output file as written so far"), false);
  w.array("/", engine::ColumnView::of("first_metrics", c.first_metrics, "", "every metric at week 0, for the summary"));
  w.array("/", engine::ColumnView::of("year_sum", c.year_sum, "", "region metrics summed over the last year so far"));
  w.commit();
}

Checkpoint read_checkpoint(const std::filesystem::path& path) {
  const std::string name = path.string();
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw CheckpointError("checkpoint " + name + " does not exist");
  if (!std::filesystem::is_regular_file(path, ec))
    throw CheckpointError("checkpoint " + name + " is not a regular file");
  if (!engine::is_hdf5_file(path))
    throw CheckpointError("checkpoint " + name + " is not an HDF5 file (truncated, or not a checkpoint)");
  auto text = [&](const char* key) { return engine::read_root_text_attribute(path, key); };
  auto integer = [&](const char* key) { return engine::read_root_int_attribute(path, key); };
  auto real = [&](const char* key) { return engine::read_root_double_attribute(path, key); };
  const auto format = text("format_name");
  if (!format) throw CheckpointError("checkpoint " + name + " cannot be read (truncated or damaged)");
  if (*format != kCheckpointFormatName)
    throw CheckpointError(name + " is not a caremarket checkpoint (format_name '" + *format + "')");
  const auto version = text("format_version").value_or("?");
  if (version != kCheckpointVersion)
    throw CheckpointError("checkpoint " + name + " has format version " + version + "; this caremarket reads " +
                          kCheckpointVersion);
  Checkpoint c;
  c.software_version = text("software_version").value_or("?");
  c.git_commit = text("git_commit").value_or("?");
  if (c.software_version != software_version() || c.git_commit != git_commit())
    throw CheckpointError("checkpoint " + name + " was written by caremarket " + c.software_version + " (commit " +
                          c.git_commit + "); this is " + software_version() + " (commit " + git_commit() +
                          "): a checkpoint continues only with the build that wrote it");
  auto required = [&](auto value, const char* what) {
    if (!value) throw CheckpointError("checkpoint " + name + " lacks " + what + " (truncated or damaged)");
    return *value;
  };
  c.config_toml = required(text("config"), "its config");
  c.layers = split_lines(text("config_layers").value_or(""));
  c.seed = static_cast<std::uint64_t>(required(integer("seed"), "its seed"));
  c.replicate = static_cast<std::uint64_t>(required(integer("replicate"), "its replicate"));
  c.built_replicate =
      static_cast<std::uint64_t>(required(integer("built_replicate"), "the replicate it was built with"));
  c.week = required(integer("week"), "its week");
  c.steps_requested = required(integer("steps_requested"), "its weeks requested");
  c.output = text("output").value_or("");
  c.start_time = text("start_time").value_or("");
  c.seconds = real("wall_seconds").value_or(0);
  c.warmup_seconds = real("warmup_seconds").value_or(0);
  c.output_seconds = real("output_seconds").value_or(0);
  c.year_weeks = integer("year_weeks").value_or(0);
  c.checkpoint_every = integer("checkpoint_every").value_or(0);
  c.checkpoint = text("checkpoint").value_or("");
  c.state = as_bytes(required(engine::read_u8_array(path, "/state"), "the model's state"));
  c.output_contents = as_bytes(required(engine::read_u8_array(path, "/output"), "the output so far"));
  c.first_metrics = required(engine::read_f64_array(path, "/first_metrics"), "the first week's metrics");
  c.year_sum = required(engine::read_f64_array(path, "/year_sum"), "the last year's sums");
  return c;
}

}  // namespace cm
