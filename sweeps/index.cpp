#include "sweeps/index.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "agents/metrics.hpp"
#include "agents/run.hpp"
#include "engine/hdf5_writer.hpp"
#include "sweeps/compare.hpp"

namespace cm::sweeps {
namespace {

// yearly_<outcome> (run × year): each headline outcome's mean over each financial year, NaN where
// a run is not done or does not cover the year; year_weeks: the weeks of each run in each year.
void write_yearly(engine::H5Writer& w, const std::vector<RunRecord>& records) {
  std::int32_t first = std::numeric_limits<std::int32_t>::max(), last = std::numeric_limits<std::int32_t>::min();
  for (const auto& r : records)
    if (r.status == RunStatus::done && r.yearly.years() > 0) {
      first = std::min(first, r.yearly.first_year);
      last = std::max(last, r.yearly.first_year + static_cast<std::int32_t>(r.yearly.years()) - 1);
    }
  std::vector<std::int32_t> years;
  for (std::int32_t y = first; last >= first && y <= last; ++y) years.push_back(y);
  w.dimension("/", engine::ColumnView::of("year", years, "", "financial year, by the calendar year of its 1 April"));
  if (years.empty()) return;
  const std::size_t n = records.size(), ny = years.size(), width = yearly_row_width();
  const auto& headline = headline_outcomes();
  const auto& catalogue = metric_catalogue();
  for (std::size_t h = 0; h <= headline.size(); ++h) {  // h = 0: the weeks
    std::vector<double> v(n * ny, h == 0 ? 0.0 : std::numeric_limits<double>::quiet_NaN());
    for (std::size_t i = 0; i < n; ++i) {
      const auto& y = records[i].yearly;
      if (records[i].status != RunStatus::done) continue;
      for (std::size_t k = 0; k < y.years(); ++k) {
        const auto col = static_cast<std::size_t>(y.first_year - first) + k;
        if (y.rows[k * width] > 0 || h == 0) v[i * ny + col] = y.rows[k * width + h];
      }
    }
    if (h == 0) {
      w.matrix_variable("/", engine::ColumnView::of("year_weeks", v, "weeks", "weeks of the run in the financial year"),
                        "run", "year", ny);
      continue;
    }
    const auto& name = headline[h - 1];
    std::size_t k = 0;
    while (k < kMetricCount && name != catalogue[k].name) ++k;
    w.matrix_variable("/",
                      engine::ColumnView::of("yearly_" + name, v, catalogue[k].units,
                                             std::string(catalogue[k].long_name) + " (mean over the financial year)"),
                      "run", "year", ny);
  }
}

}  // namespace

std::string param_column(const std::string& key) {
  std::string s = "param_" + key;
  for (auto& ch : s) ch = ch == '.' ? '_' : ch;
  return s;
}

void write_index(const SweepSpec& spec, const Design& design, const std::vector<RunRecord>& records,
                 const std::filesystem::path& dir) {
  engine::H5Writer w(dir / "index.h5", 4);
  const std::size_t n = design.runs.size();
  w.attribute("/", "format_name", std::string("caremarket-sweep-index"));
  w.attribute("/", "format_version", std::string("2.0"));
  w.attribute("/", "sweep", spec.name);
  w.attribute("/", "sweep_file", spec.file.string());
  w.attribute("/", "software_version", software_version());
  w.attribute("/", "root_seed", static_cast<std::int64_t>(spec.root_seed));
  w.attribute("/", "replicates", static_cast<std::int64_t>(spec.replicates));
  w.attribute("/", "points", static_cast<std::int64_t>(design.points));
  w.attribute("/", "sampling", std::string(sampling_name(design.sampling)));
  w.attribute("/", "samples", static_cast<std::int64_t>(spec.samples));
  w.attribute("/", "second_order", static_cast<std::int64_t>(spec.second_order ? 1 : 0));
  w.attribute("/", "levels", static_cast<std::int64_t>(spec.levels));
  w.attribute("/", "design_file", spec.design_file);
  w.attribute("/", "steps", static_cast<std::int64_t>(spec.steps));
  w.attribute("/", "sweep_text", spec.text);
  {
    std::string parameters;  // in design order: the order sampled designs move them in
    for (const auto& name : design.axis_names) parameters += (parameters.empty() ? "" : " ") + name;
    w.attribute("/", "parameters", parameters);
  }
  std::vector<std::int32_t> run(n), point(n), replicate(n);
  std::vector<std::int64_t> seed(n);
  std::vector<std::uint8_t> status(n);
  std::vector<std::string> error(n), file(n);
  for (std::size_t i = 0; i < n; ++i) {
    run[i] = design.runs[i].index;
    point[i] = design.runs[i].point;
    replicate[i] = design.runs[i].replicate;
    seed[i] = static_cast<std::int64_t>(design.runs[i].seed);
    status[i] = static_cast<std::uint8_t>(records[i].status);
    error[i] = records[i].error;
    file[i] = "runs/" + design.runs[i].file;
  }
  w.dimension("/", engine::ColumnView::of("run", run, "", "run index"));
  w.variable("/", engine::ColumnView::of("point", point, "", "design point"), {"run"});
  w.variable("/", engine::ColumnView::of("replicate", replicate, "", "replicate"), {"run"});
  w.variable("/", engine::ColumnView::of("seed", seed, "", "seed of the run"), {"run"});
  w.variable("/", engine::ColumnView::of("status", status, "", "0 pending, 1 done, 2 failed"), {"run"});
  w.attribute("/status", "flag_values", std::vector<std::uint8_t>{0, 1, 2});  // CF: of the variable's type
  w.attribute("/status", "flag_meanings", std::string("pending done failed"));
  w.text_variable("/", "error", error, "run", "error message of a failed run");
  w.text_variable("/", "file", file, "run", "the run's output file, relative to the sweep folder");
  for (std::size_t j = 0; j < design.axis_names.size(); ++j) {
    const std::string name = param_column(design.axis_names[j]);
    if (design.axis_integer[j] || design.axis_names[j] == "policy") {  // whole numbers stay integers
      std::vector<std::int64_t> values(n);
      for (std::size_t i = 0; i < n; ++i) values[i] = std::llround(design.runs[i].values[j]);
      w.variable("/", engine::ColumnView::of(name, values, "", design.axis_names[j]), {"run"});
    } else {
      std::vector<double> values(n);
      for (std::size_t i = 0; i < n; ++i) values[i] = design.runs[i].values[j];
      w.variable("/", engine::ColumnView::of(name, values, "", design.axis_names[j]), {"run"});
    }
    w.attribute("/" + name, "low", design.axis_range[j].first);
    w.attribute("/" + name, "high", design.axis_range[j].second);
    w.attribute("/" + name, "parameter", design.axis_names[j]);
    if (design.axis_names[j] == "policy") {
      std::string names;
      for (const auto& a : spec.parameters)
        if (a.key == "policy")
          for (const auto& p : a.policies) names += (names.empty() ? "" : " ") + (p.empty() ? std::string("none") : p);
      w.attribute("/" + name, "flag_meanings", names);
    }
  }
  const auto& catalogue = metric_catalogue();
  for (std::size_t k = 0; k < kMetricCount; ++k) {
    for (const bool year : {false, true}) {
      std::vector<double> v(n, std::numeric_limits<double>::quiet_NaN());
      for (std::size_t i = 0; i < n; ++i) {
        const auto& src = year ? records[i].last_year_outcomes : records[i].final_outcomes;
        if (records[i].status == RunStatus::done && src.size() == kMetricCount) v[i] = src[k];
      }
      const std::string name = std::string(year ? "last_year_" : "final_") + catalogue[k].name;
      w.variable("/",
                 engine::ColumnView::of(
                     name, v, catalogue[k].units,
                     std::string(catalogue[k].long_name) + (year ? " (mean of the last 52 weeks)" : " (final week)")),
                 {"run"});
    }
  }
  write_yearly(w, records);
  w.commit();
}

}  // namespace cm::sweeps
