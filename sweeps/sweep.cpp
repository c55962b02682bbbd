#include "sweeps/sweep.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>

#include <boost/random/sobol.hpp>

#include "agents/checkpoint_file.hpp"
#include "agents/parameters.hpp"
#include "engine/config.hpp"
#include "engine/rng.hpp"

namespace cm::sweeps {
namespace {

using engine::config::Problem;
using engine::config::Range;
using engine::config::Schema;

std::shared_ptr<Schema<Axis>> axis_schema() {
  auto s = std::make_shared<Schema<Axis>>();
  s->text(
       "key", [](Axis& a) -> std::string& { return a.key; }, "", "Parameter key path, or \"policy\"")
      .real_vector(
          "values", [](Axis& a) -> std::vector<double>& { return a.values; }, 1, {-1e15, 1e15}, "", "Explicit values")
      .real_vector(
          "range", [](Axis& a) -> std::vector<double>& { return a.range; }, 2, {-1e15, 1e15}, "", "[low, high]")
      .integer(
          "points", [](Axis& a) -> std::int64_t& { return a.points; }, 0, {0, 100000}, "", "Grid points over the range")
      .text_list(
          "policies", [](Axis& a) -> std::vector<std::string>& { return a.policies; },
          "Policy files or shipped names for key = \"policy\" (\"\" for none)");
  return s;
}

const Schema<SweepSpec>& schema() {
  static const Schema<SweepSpec> s = [] {
    Schema<SweepSpec> x;
    x.text(
         "sweep.name", [](SweepSpec& v) -> std::string& { return v.name; }, "sweep", "Name of the sweep")
        .text(
            "sweep.scenario", [](SweepSpec& v) -> std::string& { return v.scenario; }, "somerset",
            "Scenario file (relative to the sweep file) or shipped name")
        .text_list(
            "sweep.policies", [](SweepSpec& v) -> std::vector<std::string>& { return v.policies; },
            "Policy overlays applied to every run")
        .text_list(
            "sweep.overrides", [](SweepSpec& v) -> std::vector<std::string>& { return v.overrides; },
            "key=value overrides applied to every run")
        .integer(
            "sweep.steps", [](SweepSpec& v) -> std::int64_t& { return v.steps; }, 0, {0, 100000}, "weeks",
            "Weeks per run (0: the scenario's run.steps)")
        .integer(
            "sweep.replicates", [](SweepSpec& v) -> std::int64_t& { return v.replicates; }, 1, {1, 100000}, "",
            "Replicates per point")
        .integer(
            "sweep.root_seed", [](SweepSpec& v) -> std::int64_t& { return v.root_seed; }, 1, {0, 9.0e15}, "",
            "Root seed from which every run's seed is derived")
        .boolean(
            "sweep.common_random_numbers", [](SweepSpec& v) -> bool& { return v.common_random_numbers; }, true,
            "Use the same seed for replicate r at every point")
        .integer(
            "sweep.checkpoint_every", [](SweepSpec& v) -> std::int64_t& { return v.checkpoint_every; }, 0, {0, 100000},
            "weeks",
            "Weeks between checkpoints of each run (0: none); a run killed mid-way goes on from its last "
            "checkpoint when the sweep is run again")
        .choice(
            "sweep.sampling", [](SweepSpec& v) -> int& { return v.sampling; }, {"grid", "latin_hypercube", "sobol"}, 0,
            "How points are chosen")
        .integer(
            "sweep.samples", [](SweepSpec& v) -> std::int64_t& { return v.samples; }, 0, {0, 10000000}, "",
            "Points to sample (latin_hypercube, sobol)")
        .table_list<Axis>(
            "sweep.parameters", [](SweepSpec& v) -> std::vector<Axis>& { return v.parameters; }, axis_schema(), 0,
            "Parameters to vary, one [[sweep.parameters]] table each");
    return x;
  }();
  return s;
}

bool is_path(const std::string& s) {
  return s.find('/') != std::string::npos || (s.size() > 5 && s.substr(s.size() - 5) == ".toml");
}

std::string format_value(double v, bool integer) {
  char buf[64];
  if (integer)
    std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(std::llround(v)));
  else
    std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

std::string with_commas(std::uint64_t v) {
  std::string digits = std::to_string(v), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

}  // namespace

void check_size(const SweepSpec& spec) {
  // Counted before anything is allocated, saturating instead of overflowing: a grid of lists
  // multiplies, and 4 axes of 100,000 points each is 10^20, beyond 64 bits.
  std::vector<std::uint64_t> factors;
  std::string described;
  if (static_cast<Sampling>(spec.sampling) == Sampling::grid) {
    for (const auto& a : spec.parameters) {
      const std::uint64_t levels = a.key == "policy" ? a.policies.size()
                                   : !a.values.empty()
                                       ? a.values.size()
                                       : static_cast<std::uint64_t>(std::max<std::int64_t>(a.points, 0));
      factors.push_back(levels);
      described += (described.empty() ? "" : " x ") + std::to_string(levels);
    }
    described = factors.empty() ? std::string("1 point") : described + " grid points";
  } else {
    factors.push_back(static_cast<std::uint64_t>(std::max<std::int64_t>(spec.samples, 0)));
    described = std::to_string(factors.back()) + " samples";
  }
  factors.push_back(static_cast<std::uint64_t>(std::max<std::int64_t>(spec.replicates, 0)));
  described += " x " + std::to_string(factors.back()) + " replicate(s)";
  std::uint64_t runs = 1;
  bool overflow = false;
  for (const auto f : factors) overflow = overflow || __builtin_mul_overflow(runs, f, &runs);
  if (!overflow && runs <= static_cast<std::uint64_t>(kMaxRuns)) return;
  const std::string total =
      overflow ? "more than " + with_commas(std::numeric_limits<std::uint64_t>::max()) : with_commas(runs);
  throw engine::config::ConfigError(
      {{spec.file.string(), "sweep",
        "has " + described + " = " + total + " runs; a sweep may have at most " +
            with_commas(static_cast<std::uint64_t>(kMaxRuns)) +
            " runs (fewer points, samples or replicates, or split it into several sweeps)"}});
}

std::filesystem::path config_dir() {
  if (const char* env = std::getenv("CAREMARKET_CONFIGS"); env && *env) return env;
  for (const auto& candidate :
       {std::filesystem::path(CAREMARKET_SOURCE_CONFIGS), std::filesystem::path(CAREMARKET_INSTALLED_CONFIGS)})
    if (std::filesystem::exists(candidate / "scenarios")) return candidate;
  return CAREMARKET_SOURCE_CONFIGS;
}

std::filesystem::path resolve_scenario(const std::string& name, const std::filesystem::path& base) {
  if (!is_path(name)) return config_dir() / "scenarios" / (name + ".toml");
  const std::filesystem::path p(name);
  return p.is_absolute() ? p : base / p;
}

PolicyFile resolve_dated_policy(const std::string& name, const std::filesystem::path& base) {
  const auto at = name.rfind('@');
  if (at == std::string::npos) return {resolve_policy(name, base), std::nullopt};
  const auto date = engine::parse_iso_date(std::string_view(name).substr(at + 1));
  if (!date)
    throw engine::config::ConfigError(
        {{"policy", "\"" + name + "\"", "has a start date that is not a date YYYY-MM-DD after its '@'"}});
  return {resolve_policy(name.substr(0, at), base), date};
}

std::filesystem::path resolve_policy(const std::string& name, const std::filesystem::path& base) {
  if (!is_path(name)) return config_dir() / "policies" / (name + ".toml");
  const std::filesystem::path p(name);
  return p.is_absolute() ? p : base / p;
}

std::uint64_t run_seed(std::uint64_t root, std::int64_t point, std::int64_t replicate, bool crn) {
  const std::uint64_t h = engine::fold_key(
      engine::fold_key(engine::fold_key(0x5eed5eed5eedULL, root), crn ? 0 : static_cast<std::uint64_t>(point) + 1),
      static_cast<std::uint64_t>(replicate));
  return h % 9'000'000'000'000'000ULL;  // within run.seed's documented range
}

SweepSpec load_sweep(const std::filesystem::path& file) {
  engine::config::Document doc;
  doc.overlay_file(file);
  // Schema problems and the checks below are reported together.
  SweepSpec spec;
  std::vector<Problem> problems;
  schema().read_into(doc.table(), spec, problems, engine::config::ReadContext{&doc, "", ""});
  spec.file = file;
  auto problem = [&](const std::string& key, const std::string& msg) {
    problems.push_back({doc.origin_of(key), key, msg});
  };
  const auto kinds = [] {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& d : parameter_docs()) out.emplace_back(d.key, d.kind);
    return out;
  }();
  std::vector<std::string> keys;
  for (const auto& [k, kind] : kinds) keys.push_back(k);
  const auto sampling = static_cast<Sampling>(spec.sampling);
  for (std::size_t i = 0; i < spec.parameters.size(); ++i) {
    const auto& a = spec.parameters[i];
    const std::string at = "sweep.parameters[" + std::to_string(i) + "]";
    if (a.key == "policy") {
      if (a.policies.empty()) problem(at + ".policies", "must list the policies of a \"policy\" axis");
      if (sampling != Sampling::grid) problem(at + ".key", "a \"policy\" axis needs sampling = \"grid\"");
      for (const auto& p : a.policies) {
        if (p.empty()) continue;
        const auto at_sign = p.rfind('@');
        if (at_sign != std::string::npos && !engine::parse_iso_date(std::string_view(p).substr(at_sign + 1))) {
          problem(at + ".policies", "\"" + p + "\": the start date after '@' is not a date YYYY-MM-DD");
          continue;
        }
        const auto path = resolve_policy(p.substr(0, at_sign), file.parent_path());
        if (!std::filesystem::exists(path))
          problem(at + ".policies", "\"" + p + "\": no such policy (" + path.string() + ")");
      }
      continue;
    }
    const auto it = std::find_if(kinds.begin(), kinds.end(), [&](const auto& kv) { return kv.first == a.key; });
    if (it == kinds.end() || (it->second != "real" && it->second != "integer")) {
      std::string msg = "\"" + a.key + "\" is not a numeric model parameter";
      if (auto near = engine::config::closest(a.key, keys)) msg += "; did you mean \"" + *near + "\"?";
      problem(at + ".key", msg);
      continue;
    }
    const bool has_values = !a.values.empty(), has_range = !a.range.empty();
    if (has_values == has_range) problem(at, "give either values = [...] or range = [low, high]");
    if (has_range && a.range.size() != 2) problem(at + ".range", "must be [low, high]");
    if (has_range && a.range.size() == 2 && !(a.range[0] <= a.range[1]))
      problem(at + ".range", "low must not exceed high");
    if (sampling == Sampling::grid && has_range && a.points < 2)
      problem(at + ".points", "a grid over a range needs points >= 2");
    if (sampling != Sampling::grid && !has_range) problem(at + ".range", "sampling needs a range for every parameter");
  }
  if (sampling != Sampling::grid && spec.samples < 1) problem("sweep.samples", "sampling needs samples >= 1");
  if (!problems.empty()) throw engine::config::ConfigError(std::move(problems));
  check_size(spec);
  return spec;
}

Design expand(const SweepSpec& spec) {
  check_size(spec);
  Design d;
  const auto base = spec.file.parent_path();
  d.scenario = resolve_scenario(spec.scenario, base);
  std::vector<std::vector<double>> points;  // values per point, one per axis
  const auto sampling = static_cast<Sampling>(spec.sampling);
  for (const auto& a : spec.parameters) d.axis_names.push_back(a.key);
  if (sampling == Sampling::grid) {
    std::vector<std::vector<double>> levels;
    for (const auto& a : spec.parameters) {
      std::vector<double> l;
      if (a.key == "policy") {
        for (std::size_t k = 0; k < a.policies.size(); ++k) l.push_back(static_cast<double>(k));
      } else if (!a.values.empty()) {
        l = a.values;
      } else {
        for (std::int64_t k = 0; k < a.points; ++k)
          l.push_back(a.range[0] +
                      (a.range[1] - a.range[0]) * static_cast<double>(k) / static_cast<double>(a.points - 1));
      }
      levels.push_back(l);
    }
    points.push_back({});
    for (const auto& l : levels) {  // cartesian product, first axis slowest
      std::vector<std::vector<double>> next;
      for (const auto& p : points)
        for (double v : l) {
          auto q = p;
          q.push_back(v);
          next.push_back(q);
        }
      points.swap(next);
    }
  } else {
    const auto dims = spec.parameters.size();
    const auto n = static_cast<std::size_t>(spec.samples);
    std::vector<std::vector<double>> unit(n, std::vector<double>(dims));
    if (sampling == Sampling::sobol) {
      boost::random::sobol engine(static_cast<unsigned>(dims));
      engine.discard(dims);  // skip the all-zero first point
      const double scale = 1.0 / (static_cast<double>(boost::random::sobol::max()) + 1.0);
      for (auto& row : unit)
        for (auto& u : row) u = static_cast<double>(engine()) * scale;
    } else {
      for (std::size_t j = 0; j < dims; ++j) {  // one random permutation of strata per dimension
        engine::Stream stream(static_cast<std::uint64_t>(spec.root_seed), 0, 0, j, 0x1a7);
        std::vector<std::size_t> order(n);
        for (std::size_t i = 0; i < n; ++i) order[i] = i;
        for (std::size_t i = n; i > 1; --i) std::swap(order[i - 1], order[stream.below(static_cast<std::uint32_t>(i))]);
        for (std::size_t i = 0; i < n; ++i)
          unit[i][j] = (static_cast<double>(order[i]) + stream.uniform()) / static_cast<double>(n);
      }
    }
    for (const auto& row : unit) {
      std::vector<double> p;
      for (std::size_t j = 0; j < dims; ++j) {
        const auto& r = spec.parameters[j].range;
        p.push_back(r[0] + (r[1] - r[0]) * row[j]);
      }
      points.push_back(p);
    }
  }
  const auto kinds = parameter_docs();
  auto is_integer = [&](const std::string& key) {
    return std::any_of(kinds.begin(), kinds.end(),
                       [&](const ParameterDoc& p) { return p.key == key && p.kind == "integer"; });
  };
  d.points = static_cast<std::int32_t>(points.size());
  std::int32_t index = 0;
  for (std::size_t pt = 0; pt < points.size(); ++pt) {
    for (std::int64_t r = 0; r < spec.replicates; ++r) {
      RunPlan run;
      run.index = index++;
      run.point = static_cast<std::int32_t>(pt);
      run.replicate = static_cast<std::int32_t>(r);
      run.seed = run_seed(static_cast<std::uint64_t>(spec.root_seed), static_cast<std::int64_t>(pt), r,
                          spec.common_random_numbers);
      for (const auto& p : spec.policies) run.policies.push_back(resolve_dated_policy(p, base));
      run.assignments = spec.overrides;
      for (std::size_t j = 0; j < spec.parameters.size(); ++j) {
        const auto& a = spec.parameters[j];
        double v = points[pt][j];
        if (a.key == "policy") {
          const auto& name = a.policies[static_cast<std::size_t>(v)];
          if (!name.empty()) run.policies.push_back(resolve_dated_policy(name, base));
        } else {
          if (is_integer(a.key)) v = static_cast<double>(std::llround(v));
          run.assignments.push_back(a.key + "=" + format_value(v, is_integer(a.key)));
        }
        run.values.push_back(v);
      }
      if (spec.steps > 0) run.assignments.push_back("run.steps=" + std::to_string(spec.steps));
      char name[64];
      std::snprintf(name, sizeof name, "p%05d_r%03d.h5", run.point, run.replicate);
      run.file = name;
      d.runs.push_back(std::move(run));
    }
  }
  d.from_state = spec.from_state;
  if (!d.from_state.empty()) {
    const auto seed = static_cast<std::uint64_t>(shared_checkpoint(d.from_state)->seed);
    for (auto& run : d.runs) run.seed = seed;  // the state's history is of its seed: replicates differ from it on
  }
  return d;
}

std::shared_ptr<const Checkpoint> shared_checkpoint(const std::filesystem::path& path) {
  static std::mutex mutex;
  static std::map<std::filesystem::path, std::shared_ptr<const Checkpoint>> read;
  const std::lock_guard lock(mutex);
  auto& entry = read[std::filesystem::absolute(path)];
  if (!entry) entry = std::make_shared<const Checkpoint>(read_checkpoint(path));
  return entry;
}

LoadedScenario run_scenario(const Design& design, const RunPlan& plan) {
  if (design.from_state.empty()) return load_scenario(design.scenario, plan.policies, plan.assignments);
  const auto state = shared_checkpoint(design.from_state);
  auto scenario = load_scenario_text(state->config_toml, "checkpoint " + design.from_state.string());
  scenario.layers = state->layers;
  const auto next = static_cast<std::int32_t>(state->week + 1);
  for (const auto& p : plan.policies) {
    const auto at =
        p.from ? std::max<std::int64_t>(next, engine::first_step_on_or_after(scenario.spec.run.start_date, *p.from))
               : next;
    scenario = with_policy(scenario, static_cast<std::int32_t>(at), p.path);
  }
  return scenario;
}

}  // namespace cm::sweeps
