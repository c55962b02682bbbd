#include "sweeps/index.hpp"

#include <cstdint>
#include <limits>
#include <string>

#include "agents/metrics.hpp"
#include "agents/run.hpp"
#include "engine/hdf5_writer.hpp"

namespace cm::sweeps {

void write_index(const SweepSpec& spec, const Design& design, const std::vector<RunRecord>& records,
                 const std::filesystem::path& dir) {
  engine::H5Writer w(dir / "index.h5", 4);
  const std::size_t n = design.runs.size();
  w.attribute("/", "format_name", std::string("caremarket-sweep-index"));
  w.attribute("/", "format_version", std::string("1.0"));
  w.attribute("/", "sweep", spec.name);
  w.attribute("/", "sweep_file", spec.file.string());
  w.attribute("/", "software_version", software_version());
  w.attribute("/", "root_seed", static_cast<std::int64_t>(spec.root_seed));
  w.attribute("/", "replicates", static_cast<std::int64_t>(spec.replicates));
  w.attribute("/", "points", static_cast<std::int64_t>(design.points));
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
  w.attribute("/status", "flag_meanings", std::string("pending done failed"));
  w.text_variable("/", "error", error, "run", "error message of a failed run");
  w.text_variable("/", "file", file, "run", "the run's output file, relative to the sweep folder");
  for (std::size_t j = 0; j < design.axis_names.size(); ++j) {
    std::vector<double> values(n);
    for (std::size_t i = 0; i < n; ++i) values[i] = design.runs[i].values[j];
    const std::string name = "param_" + [&] {
      std::string s = design.axis_names[j];
      for (auto& ch : s) ch = ch == '.' ? '_' : ch;
      return s;
    }();
    w.variable("/", engine::ColumnView::of(name, values, "", design.axis_names[j]), {"run"});
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
      w.variable("/", engine::ColumnView::of(name, v, catalogue[k].units,
                                             std::string(catalogue[k].long_name) + (year ? " (mean of the last 52 weeks)" : " (final week)")),
                 {"run"});
    }
  }
  w.commit();
}

}  // namespace cm::sweeps
