#include "agents/recorder.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <numeric>
#include <stdexcept>
#include <string_view>
#include <type_traits>
#include <utility>

#include "agents/column_info.hpp"
#include "engine/hdf5_writer.hpp"

namespace cm {
namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// An enumeration's codes and names, as CF's flag_values (an array of the variable's type, uint8:
// format 1.14; text before) and flag_meanings: the codes 0 .. n-1 in the order of `names`, so
// readers decode whatever list the file was written with.
void write_flags(engine::H5Writer& w, const std::string& path, const auto& names) {
  std::vector<std::uint8_t> values;
  std::string meanings;
  for (const auto& n : names) {
    values.push_back(static_cast<std::uint8_t>(values.size()));
    meanings += (meanings.empty() ? "" : " ") + std::string(n);
  }
  w.attribute(path, "flag_values", values);
  w.attribute(path, "flag_meanings", meanings);
}

// Writes every column of an agent table or event log into `group`, over dimension `dim`, whose
// coordinate is `coordinate` (the id column, or a row index for logs), each with its units and
// long_name from the catalogue (agents/column_info.cpp) under `table`.
template <class Table>
void write_table(engine::H5Writer& w, const std::string& group, const std::string& dim, const Table& table,
                 const char* id_column, std::string_view table_name) {
  auto info = [&](const char* name, auto&& make) {
    const ColumnInfo* i = find_column_info(table_name, name);
    if (!i) throw std::logic_error(std::string("no units or long_name for column ") + name + " of " + group);
    return make(std::string(i->units), std::string(i->long_name));
  };
  w.group(group);
  std::vector<std::int32_t> index;
  bool has_id = false;
  const_cast<Table&>(table).for_each_column([&](const char* name, const auto& column) {
    if (id_column && std::string(name) == id_column) {
      w.dimension(group, engine::ColumnView::of(dim, column, "", "agent id"));  // as in 1.0 (docs §4)
      has_id = true;
    }
  });
  if (!has_id) {
    std::size_t n = 0;
    const_cast<Table&>(table).for_each_column([&](const char*, const auto& column) { n = column.size(); });
    index.resize(n);
    std::iota(index.begin(), index.end(), 0);
    w.dimension(group, engine::ColumnView::of(dim, index, "", "row"));
  }
  std::vector<engine::ColumnView> columns;
  const_cast<Table&>(table).for_each_column([&](const char* name, const auto& column) {
    if (id_column && std::string(name) == id_column) return;
    columns.push_back(info(name, [&](std::string units, std::string long_name) {
      return engine::ColumnView::of(name, column, std::move(units), std::move(long_name));
    }));
  });
  w.variables(group, columns, dim);
}

// The parameters' changes during the run (schedules, dated policies, shocks, Simulation.set), one
// row each: the step from which it holds, the key, the new value as TOML text, cause and detail.
void write_changes(engine::H5Writer& w, const std::vector<ChangeRecord>& changes) {
  const std::string group = "/events/changes";
  w.group(group);
  std::vector<std::int32_t> index(changes.size()), step(changes.size());
  std::vector<std::string> key, value, cause, detail;
  for (std::size_t k = 0; k < changes.size(); ++k) {
    index[k] = static_cast<std::int32_t>(k);
    step[k] = changes[k].step;
    key.push_back(changes[k].key);
    value.push_back(changes[k].value);
    cause.push_back(changes[k].cause);
    detail.push_back(changes[k].detail);
  }
  w.dimension(group, engine::ColumnView::of("change", index, "", "row"));
  w.variable(group, engine::ColumnView::of("step", step, "", "first step the value holds"), {"change"});
  w.text_variable(group, "key", key, "change", "parameter (or shock) changed");
  w.text_variable(group, "value", value, "change", "new value as TOML text (a shock: its multiplier)");
  w.text_variable(group, "cause", cause, "change", "schedule, policy, shock or set");
  w.text_variable(group, "detail", detail, "change", "file and entry, and the row's source");
}

std::vector<engine::SeriesInfo> series_infos() {
  std::vector<engine::SeriesInfo> series;
  for (const auto& m : metric_catalogue()) series.push_back({m.name, m.units, m.long_name});
  return series;
}
// Dates beside steps: CF time in days since the start date (step s is 7·s days on).
engine::TimeCoordinate time_coordinate(const std::string& start_date) {
  return {"time", "days since " + start_date, "date of the step", "time", "proleptic_gregorian", 7};
}

}  // namespace

Recorder::Recorder(const std::filesystem::path& output, const Model& model, std::span<const std::byte> contents,
                   double output_seconds)
    : writer_(std::make_unique<engine::H5Writer>(output, static_cast<int>(model.spec().output.compression), contents)),
      output_seconds_(output_seconds),
      snapshot_interval_(model.spec().output.snapshot_interval),
      events_(model.spec().output.events) {
  writer_->continue_time_series("/", "step", static_cast<std::size_t>(model.councils()), series_infos(), kRowsPerWrite,
                                time_coordinate(engine::iso_date(model.spec().run.start_date)));
}

std::vector<std::byte> Recorder::contents() {
  const auto start = std::chrono::steady_clock::now();
  write_buffered_rows();
  wait_for_writer();
  auto bytes = writer_->contents();
  output_seconds_ += seconds_since(start);
  return bytes;
}

void Recorder::attribute(const std::string& name, const std::string& value) {
  enqueue([this, name, value] { writer_->attribute("/", name, value); });
}
void Recorder::attribute(const std::string& name, std::int64_t value) {
  enqueue([this, name, value] { writer_->attribute("/", name, value); });
}

Recorder::Recorder(const std::filesystem::path& output, const Model& model, const Provenance& prov)
    : writer_(std::make_unique<engine::H5Writer>(output, static_cast<int>(model.spec().output.compression))),
      snapshot_interval_(model.spec().output.snapshot_interval),
      events_(model.spec().output.events) {
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::string> names, codes, regions;
  for (const auto& c : model.spec().councils) {
    names.push_back(c.name);
    codes.push_back(c.code);
    regions.push_back(c.region);
  }
  // The file's layout is written on the writer's thread while the first steps run.
  const std::string start_date = engine::iso_date(model.spec().run.start_date);
  enqueue([this, prov, region = model.spec().region.name, names = std::move(names), codes = std::move(codes),
           regions = std::move(regions), start_date] {
    auto& w = *writer_;
    w.attribute("/", "format_name", prov.format_name);
    w.attribute("/", "format_version", prov.format_version);
    w.attribute("/", "software_version", prov.software_version);
    w.attribute("/", "git_commit", prov.git_commit);
    w.attribute("/", "config", prov.config_toml);
    std::string layers;
    for (const auto& l : prov.layers) layers += (layers.empty() ? "" : "\n") + l;
    w.attribute("/", "config_layers", layers);
    w.attribute("/", "seed", static_cast<std::int64_t>(prov.seed));
    w.attribute("/", "replicate", static_cast<std::int64_t>(prov.replicate));
    w.attribute("/", "threads", static_cast<std::int64_t>(prov.threads));
    w.attribute("/", "start_time", prov.start_time);
    w.attribute("/", "steps_requested", prov.steps_requested);
    w.attribute("/", "start_date", start_date);
    w.attribute("/", "region", region);
    w.attribute("/", "complete", std::int64_t{0});
    w.attribute("/", "title", "caremarket simulation of " + region);
    w.attribute("/", "Conventions", std::string("CF-1.8"));

    std::vector<std::int32_t> councils(names.size());
    std::iota(councils.begin(), councils.end(), 0);
    w.dimension("/", engine::ColumnView::of("council", councils, "", "council index"));
    w.text_variable("/", "council_name", names, "council", "council name");
    // Format 1.13: ONS code and English region of each council ("" for a council that is not real).
    w.text_variable("/", "council_code", codes, "council", "ONS GSS code of the council");
    w.text_variable("/", "council_region", regions, "council", "English region of the council");

    w.begin_time_series("/", "step", "weeks", "council", councils.size(), series_infos(), kRowsPerWrite,
                        time_coordinate(start_date));
  });
  output_seconds_ += seconds_since(start);
  record_step(model);
}

void Recorder::enqueue(std::function<void()> task) {
  // A task that has failed stops the run when the next task is given (at most 52 steps later),
  // not only at the end.
  if (in_flight_.valid() && in_flight_.wait_for(std::chrono::seconds(0)) == std::future_status::ready) in_flight_.get();
  in_flight_ = std::async(std::launch::async, [previous = std::move(in_flight_), task = std::move(task)]() mutable {
    if (previous.valid()) previous.get();  // one task at a time, in order; an earlier failure fails this one too
    task();
  });
}

void Recorder::write_buffered_rows() {
  if (ts_weeks_.empty()) return;
  enqueue([this, weeks = std::move(ts_weeks_), rows = std::move(ts_rows_)] {
    const std::size_t row_size = rows.size() / weeks.size();
    for (std::size_t k = 0; k < weeks.size(); ++k) writer_->append_time_step(weeks[k], rows.data() + k * row_size);
  });
  ts_weeks_.clear();
  ts_rows_.clear();
}

void Recorder::record_step(const Model& model) {
  const auto start = std::chrono::steady_clock::now();
  ts_weeks_.push_back(model.current_step());
  ts_rows_.insert(ts_rows_.end(), model.metrics().begin(), model.metrics().end());
  if (ts_weeks_.size() == kRowsPerWrite) write_buffered_rows();
  if (snapshot_interval_ > 0 && model.current_step() % snapshot_interval_ == 0) {
    snapshot(model);
  }
  output_seconds_ += seconds_since(start);
}

void Recorder::wait_for_writer() {
  if (in_flight_.valid()) in_flight_.get();
}

Recorder::~Recorder() {
  try {
    wait_for_writer();
  } catch (...) {  // the run is already failing; the temporary file is discarded
  }
}

namespace {

// A copy of an agent table's live rows in ascending id order (the model keeps them grouped by
// council, and keeps the rows of dead agents for a while: Market::end_week; the file promises
// live agents in id order).
template <class Table>
Table in_id_order(const Table& table) {
  const bool all_alive = std::all_of(table.alive.begin(), table.alive.end(), [](auto a) { return a != 0; });
  if (all_alive && std::is_sorted(table.id.begin(), table.id.end())) return table;  // one council, no dead rows
  std::vector<std::int32_t> order;
  order.reserve(table.id.size());
  bool ascending = true;  // true for one council: its rows are in creation order, which is id order
  for (std::size_t row = 0; row < table.id.size(); ++row)
    if (table.alive[row]) {
      ascending = ascending && (order.empty() || table.id[static_cast<std::size_t>(order.back())] < table.id[row]);
      order.push_back(static_cast<std::int32_t>(row));
    }
  if (!ascending)
    std::sort(order.begin(), order.end(), [&](std::int32_t a, std::int32_t b) {
      return table.id[static_cast<std::size_t>(a)] < table.id[static_cast<std::size_t>(b)];
    });
  Table out;
  std::vector<void*> out_columns;
  out.for_each_column([&](const char*, auto& column) { out_columns.push_back(&column); });
  std::size_t k = 0;
  const_cast<Table&>(table).for_each_column([&](const char*, const auto& column) {
    auto& sorted = *static_cast<std::remove_cvref_t<decltype(column)>*>(out_columns[k++]);
    sorted.resize(order.size());
    for (std::size_t j = 0; j < order.size(); ++j) sorted[j] = column[static_cast<std::size_t>(order[j])];
  });
  return out;
}

}  // namespace

// The week's tables are copied (in id order) on the run's thread; the copies are written on
// the writer's thread while the run goes on, since compressing them takes as long as many steps.
void Recorder::snapshot(const Model& model) {
  char name[32];
  std::snprintf(name, sizeof name, "/snapshots/week_%06d", model.current_step());
  // A run that outpaces the writer waits here for a slot, which the task gives back when it has
  // written its snapshot (or failed to). A task after a failed one never runs and never gives its
  // slot back, so the wait also watches the writer and rethrows its error instead of hanging.
  while (!snapshot_slots_.try_acquire_for(std::chrono::milliseconds(5)))
    if (in_flight_.valid() && in_flight_.wait_for(std::chrono::seconds(0)) == std::future_status::ready)
      in_flight_.get();
  auto people = in_id_order(model.market().people);
  auto workers = in_id_order(model.market().workers);
  // The clocks count the warm-up's weeks (Market::week); the file counts reported weeks.
  if (const auto shift = model.warmup_weeks(); shift != 0) {
    for (auto& w : people.need_review_week)
      if (w < (1 << 30)) w -= shift;  // 2^30 and above: never (need.cpp)
    for (auto& w : workers.quit_review_week)
      if (w != 0) w -= shift;  // 0: no clock yet (retention.hpp); a clock is always after the snapshot's week
  }
  enqueue([this, g = std::string(name), week = model.current_step(), people = std::move(people),
           workers = std::move(workers), providers = in_id_order(model.market().providers)] {
    struct Slot {
      std::counting_semaphore<kSnapshotsPending>& slots;
      ~Slot() { slots.release(); }
    } slot{snapshot_slots_};
    writer_->group(g);
    writer_->attribute(g, "week", static_cast<std::int64_t>(week));
    write_table(*writer_, g + "/people", "person", people, "id", "people");
    write_table(*writer_, g + "/workers", "worker", workers, "id", "workers");
    write_table(*writer_, g + "/providers", "provider", providers, "id", "providers");
    write_flags(*writer_, g + "/providers/archetype", kArchetypeNames);
    write_flags(*writer_, g + "/people/route", kRouteNames);
    write_flags(*writer_, g + "/people/placement", kPlacementNames);
    write_flags(*writer_, g + "/people/hospital", kHospitalNames);
  });
}

void Recorder::finish(const Model& model, bool complete, const std::string& stop_reason, const std::string& end_time,
                      double seconds, double warmup_seconds) {
  const auto start = std::chrono::steady_clock::now();
  write_buffered_rows();
  wait_for_writer();
  auto& w = *writer_;
  if (events_) {
    const auto& m = model.market();
    write_table(w, "/events/tenders", "tender", m.tenders, nullptr, "events/tenders");
    write_table(w, "/events/bids", "bid", m.bids, nullptr, "events/bids");
    write_table(w, "/events/providers", "event", m.provider_events, nullptr, "events/providers");
    write_flags(w, "/events/providers/kind",
                std::array<std::string_view, 5>{"entry", "exit", "founding", "closure", "handback"});
    write_flags(w, "/events/providers/archetype", kArchetypeNames);
    // Format 1.14: the archetypes of tender winners (255: nobody bid, outside the flags) and of bids.
    write_flags(w, "/events/tenders/winner_archetype", kArchetypeNames);
    write_flags(w, "/events/bids/archetype", kArchetypeNames);
    write_changes(w, model.changes_applied());
  }
  w.attribute("/", "complete", static_cast<std::int64_t>(complete));
  w.attribute("/", "stop_reason", stop_reason);
  w.attribute("/", "steps_completed", static_cast<std::int64_t>(model.current_step()));
  w.attribute("/", "end_time", end_time);
  w.attribute("/", "wall_seconds", seconds);
  w.attribute("/", "warmup_weeks", static_cast<std::int64_t>(model.warmup_weeks()));
  w.attribute("/", "warmup_seconds", warmup_seconds);
  w.attribute("/", "output_seconds", output_seconds_ + seconds_since(start));
  w.commit();
}

}  // namespace cm
