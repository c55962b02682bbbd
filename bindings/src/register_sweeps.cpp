// Sweeps and comparisons from Python: the same C++ design, runner, journal and index as
// `caremarket sweep` / `caremarket compare`, so both give the same seeds, files and numbers.
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <tbb/task_arena.h>

#include "agents/metrics.hpp"
#include "register.hpp"
#include "sweeps/analyse.hpp"
#include "sweeps/compare.hpp"
#include "sweeps/runner.hpp"
#include "sweeps/sweep.hpp"

namespace cmpy {
namespace {

// Runs a C++ call with the GIL released, turning SIGINT into a clean stop at a run boundary.
template <class Fn>
auto interruptible(Fn&& fn) {
  engine::process_cancel_flag().reset();
  engine::SignalGuard signals;
  py::gil_scoped_release release;
  return fn(engine::process_cancel_flag());
}

}  // namespace

namespace {

// One dict per row of a comparison table; with the parameter-set shares when `shares`.
py::list comparison_rows(const std::vector<cm::sweeps::OutcomeComparison>& outcomes, bool shares) {
  py::list rows;
  for (const auto& o : outcomes) {
    py::dict row;
    row["outcome"] = o.name;
    row["units"] = o.units;
    row["label"] = o.label;
    row["baseline"] = o.baseline;
    row["policy"] = o.policy;
    row["difference"] = o.difference;
    row["ci_low"] = o.ci_low;
    row["ci_high"] = o.ci_high;
    row["sd_difference"] = o.sd_difference;
    if (shares) {
      row["share_parameters"] = o.share_parameters;
      row["share_chance"] = o.share_chance;
    }
    rows.append(row);
  }
  return rows;
}

}  // namespace

void register_sweeps(py::module_& m) {
  namespace sw = cm::sweeps;
  m.def(
      "sweep_design",
      [](const std::filesystem::path& file) {
        const auto spec = sw::load_sweep(file);
        const auto design = sw::expand(spec);
        py::list runs;
        for (const auto& r : design.runs) {
          py::dict d;
          d["run"] = r.index;
          d["point"] = r.point;
          d["replicate"] = r.replicate;
          d["seed"] = r.seed;
          d["file"] = "runs/" + r.file;
          d["values"] = r.values;
          std::vector<std::string> policies;
          for (const auto& p : r.policies)
            policies.push_back(p.path.string() + (p.from ? "@" + engine::iso_date(*p.from) : ""));
          d["policies"] = policies;
          d["overrides"] = r.assignments;
          runs.append(d);
        }
        return py::make_tuple(spec.name, design.axis_names, runs);
      },
      py::arg("file"), "The runs of a sweep file: (name, axis names, list of run dicts).");

  m.def(
      "run_sweep",
      [](const std::filesystem::path& file, const std::filesystem::path& dir, int workers) {
        const auto spec = sw::load_sweep(file);
        const auto design = sw::expand(spec);
        const auto summary = interruptible([&](const engine::CancelFlag& cancel) {
          return sw::run_sweep(spec, design, {dir, workers, true}, cancel);
        });
        if (summary.cancelled) {
          PyErr_SetString(PyExc_KeyboardInterrupt,
                          "sweep interrupted; call it again to finish (finished runs are kept)");
          throw py::error_already_set();
        }
        return py::make_tuple(summary.total, summary.skipped, summary.done, summary.failed);
      },
      py::arg("file"), py::arg("dir"), py::arg("workers") = 0,
      "Runs what is not done yet on this machine's cores; returns (total, skipped, done, failed).");

  m.def(
      "execute_sweep_run",
      [](const std::filesystem::path& file, int index, const std::filesystem::path& dir) {
        const auto spec = sw::load_sweep(file);
        const auto design = sw::expand(spec);
        if (index < 0 || static_cast<std::size_t>(index) >= design.runs.size()) throw py::index_error("no such run");
        const auto& plan = design.runs[static_cast<std::size_t>(index)];
        std::filesystem::create_directories(dir / "runs");
        const auto record = interruptible([&](const engine::CancelFlag& cancel) {
          // One thread per run: an executor runs several at once.
          tbb::task_arena one(1);
          return one.execute([&] { return sw::execute_run(spec, plan, dir / "runs" / plan.file, cancel); });
        });
        sw::append_journal(dir, plan.index, record);
        return py::make_tuple(static_cast<int>(record.status), record.error);
      },
      py::arg("file"), py::arg("index"), py::arg("dir"),
      "Runs one run of a sweep (for an executor) and records it in the sweep's journal.");

  m.def(
      "prepare_sweep_folder",
      [](const std::filesystem::path& file, const std::filesystem::path& dir) {
        const auto design = sw::expand(sw::load_sweep(file));
        sw::check_output_folder(dir);
        std::filesystem::create_directories(dir / "runs");
        try {
          sw::FolderLock lock(dir);  // as run_sweep: one sweep at a time touches the folder
          sw::detail::remove_unfinished_files(dir);
          sw::detail::check_same_design(design, dir);  // refuses another sweep; re-keys a growing one
        } catch (const sw::InputError& e) {
          throw py::value_error(e.what());
        }
      },
      py::arg("file"), py::arg("dir"),
      "Readies <dir> for a sweep run by an executor, as run_sweep does before its runs: refuses a folder "
      "of another sweep (ValueError), re-keys the journal of one grown to more replicates, removes "
      "runs killed in flight.");

  m.def(
      "write_sweep_index",
      [](const std::filesystem::path& file, const std::filesystem::path& dir) {
        const auto spec = sw::load_sweep(file);
        const auto design = sw::expand(spec);
        sw::write_index(spec, design, sw::read_state(design, dir), dir);
      },
      py::arg("file"), py::arg("dir"), "Rebuilds <dir>/index.h5 from the journal and the run files.");

  m.def(
      "paired_statistics",
      [](const std::vector<std::vector<double>>& baseline, const std::vector<std::vector<double>>& policy) {
        if (baseline.size() != policy.size())
          throw py::value_error("paired_statistics: " + std::to_string(baseline.size()) + " baseline runs but " +
                                std::to_string(policy.size()) + " policy runs; the runs are paired");
        for (const auto* arm : {&baseline, &policy})
          for (const auto& run : *arm)
            if (run.size() != cm::kMetricCount)
              throw py::value_error("paired_statistics: a run has " + std::to_string(run.size()) + " outcomes, not " +
                                    std::to_string(cm::kMetricCount) + " (one per metric of metric_catalogue())");
        return comparison_rows(sw::paired_statistics(baseline, policy), false);
      },
      py::arg("baseline"), py::arg("policy"),
      "The comparison table of `caremarket compare` (sweeps/compare.hpp) from paired runs: row r of\n"
      "`baseline` and of `policy` are one replicate's last-year outcomes, one per metric of\n"
      "metric_catalogue(). One dict per headline outcome: means, mean paired difference (policy -\n"
      "baseline), its 95% t interval and the standard deviation of the differences.");

  m.def(
      "place_statistics",
      [](const std::vector<std::filesystem::path>& baseline, const std::vector<std::filesystem::path>& policy) {
        const auto c = sw::place_statistics(baseline, policy);
        py::list rows;
        for (std::size_t k = 0; k < c.places.size(); ++k)
          for (auto item : comparison_rows(c.outcomes[k], false)) {
            auto row = item.cast<py::dict>();
            row["place"] = c.places[k];
            rows.append(row);
          }
        return py::make_tuple(rows, c.regions);
      },
      py::arg("baseline"), py::arg("policy"),
      "Each council's (or region's) comparison rows from paired run files, as `caremarket compare`\n"
      "writes PREFIX.by_council.csv: (rows with a 'place' key, whether the places are regions).");

  m.def(
      "t_quantile_975", [](double df) { return sw::t_quantile_975(df); }, py::arg("df"),
      "The 97.5% quantile of Student's t with df degrees of freedom.");

  m.def(
      "analyse",
      [](const std::filesystem::path& dir, const std::string& outcome, const std::string& method, int year,
         int bootstrap, double confidence, std::uint64_t seed) {
        sw::AnalysisRequest r;
        r.dir = dir;
        r.outcome = outcome;
        if (method == "sobol")
          r.method = sw::AnalysisMethod::sobol;
        else if (method == "morris")
          r.method = sw::AnalysisMethod::morris;
        else if (method == "regression")
          r.method = sw::AnalysisMethod::regression;
        else if (!method.empty())
          throw py::value_error("method=" + method +
                                ": give \"sobol\", \"morris\", \"regression\" or None (the design's own)");
        if (year != 0) r.year = year;
        r.bootstrap = bootstrap;
        r.confidence = confidence;
        r.seed = seed;
        sw::Analysis a;
        try {
          py::gil_scoped_release release;
          a = sw::analyse(r);
        } catch (const sw::InputError& e) {
          throw py::value_error(e.what());
        }
        py::list effects, pairs;
        for (const auto& e : a.effects) {
          py::dict row;
          row["parameter"] = e.parameter;
          if (a.method == sw::AnalysisMethod::sobol) {
            row["S1"] = e.S1, row["S1_conf"] = e.S1_conf, row["ST"] = e.ST, row["ST_conf"] = e.ST_conf;
          } else if (a.method == sw::AnalysisMethod::morris) {
            row["mu_star"] = e.mu_star, row["mu_star_conf"] = e.mu_star_conf, row["mu"] = e.mu, row["sigma"] = e.sigma;
          } else {
            row["src"] = e.src, row["src_conf"] = e.src_conf;
          }
          effects.append(row);
        }
        for (const auto& p : a.pairs) {
          py::dict row;
          row["parameter_1"] = p.first, row["parameter_2"] = p.second, row["S2"] = p.S2, row["S2_conf"] = p.S2_conf;
          pairs.append(row);
        }
        py::dict info;
        info["method"] = sw::method_name(a.method);
        info["outcome"] = a.outcome;
        info["column"] = a.column;
        info["when"] = a.when;
        info["points"] = a.points;
        info["points_used"] = a.points_used;
        info["runs_used"] = a.runs_used;
        info["min_replicates"] = a.min_replicates;
        info["max_replicates"] = a.max_replicates;
        info["within_sd"] = a.within_sd;
        info["between_sd"] = a.between_sd;
        info["r_squared"] = a.r_squared;
        info["bootstrap"] = a.bootstrap;
        info["confidence"] = a.confidence;
        info["table"] = sw::format_analysis(a);
        return py::make_tuple(effects, pairs, info);
      },
      py::arg("dir"), py::arg("outcome"), py::arg("method") = "", py::arg("year") = 0, py::arg("bootstrap") = 1000,
      py::arg("confidence") = 0.95, py::arg("seed") = 1,
      "`caremarket analyse` (sweeps/analyse.hpp): (effects, second-order pairs, description).");

  m.def(
      "compare_runs",
      [](const std::filesystem::path& scenario, const std::string& policy, const std::string& baseline_policy,
         const std::vector<std::string>& overrides, std::int64_t replicates, std::int64_t steps, std::int64_t seed,
         const std::filesystem::path& dir, const std::filesystem::path& parameter_sets, std::int64_t max_sets,
         int workers) {
        sw::ComparisonRequest r;
        r.scenario = scenario;
        r.policy = policy;
        r.baseline_policy = baseline_policy;
        r.overrides = overrides;
        r.replicates = replicates;
        r.steps = steps;
        r.root_seed = seed;
        r.dir = dir;
        r.parameter_sets = parameter_sets;
        r.max_sets = max_sets;
        r.workers = workers;
        r.quiet = true;
        engine::CancelFlag cancel;
        sw::Comparison c;
        {
          py::gil_scoped_release release;
          c = sw::compare(r, cancel);
        }
        return py::make_tuple(comparison_rows(c.outcomes, true), c.replicates, c.parameter_sets);
      },
      py::arg("scenario"), py::arg("policy"), py::arg("baseline_policy"), py::arg("overrides"), py::arg("replicates"),
      py::arg("steps"), py::arg("seed"), py::arg("dir"), py::arg("parameter_sets"), py::arg("max_sets"),
      py::arg("workers"),
      "`caremarket compare` (sweeps/compare.hpp) on this machine's cores: (rows, pairs per set, parameter sets).");

  py::list outcomes;
  for (const auto& name : sw::headline_outcomes()) outcomes.append(name);
  m.attr("HEADLINE_OUTCOMES") = outcomes;
}

}  // namespace cmpy
