#include "sweeps/sweep.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
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
            "sweep.sampling", [](SweepSpec& v) -> int& { return v.sampling; },
            {"grid", "latin_hypercube", "sobol_sequence", "saltelli", "morris", "design", "sobol"}, 0,
            "How points are chosen (\"sobol\" is the plain Sobol sequence, \"sobol_sequence\")")
        .integer(
            "sweep.samples", [](SweepSpec& v) -> std::int64_t& { return v.samples; }, 0, {0, 10000000}, "",
            "Points (latin_hypercube, sobol_sequence), base samples N (saltelli: N(d+2) points), or "
            "trajectories r (morris: r(d+1) points)")
        .boolean(
            "sweep.second_order", [](SweepSpec& v) -> bool& { return v.second_order; }, false,
            "saltelli: add the points second-order indices need (N(2d+2) points)")
        .integer(
            "sweep.levels", [](SweepSpec& v) -> std::int64_t& { return v.levels; }, 4, {2, 1000}, "",
            "morris: levels of the grid each parameter moves on")
        .text(
            "sweep.design", [](SweepSpec& v) -> std::string& { return v.design_file; }, "",
            "design: CSV file of points, a header of parameter keys and one row per point (relative to the "
            "sweep file)")
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

const char* sampling_name(Sampling s) {
  switch (s) {
    case Sampling::grid: return "grid";
    case Sampling::latin_hypercube: return "latin_hypercube";
    case Sampling::sobol_sequence: return "sobol_sequence";
    case Sampling::saltelli: return "saltelli";
    case Sampling::morris: return "morris";
    case Sampling::design: return "design";
  }
  return "grid";
}

namespace {

std::uint64_t saturating_product(const std::vector<std::uint64_t>& factors, bool& overflow) {
  std::uint64_t out = 1;
  overflow = false;
  for (const auto f : factors) overflow = overflow || __builtin_mul_overflow(out, f, &out);
  return overflow ? std::numeric_limits<std::uint64_t>::max() : out;
}

// Points per sample of a sampled design: Saltelli's A, d mixed points (and d more for second
// order), B; a Morris trajectory's d + 1 points.
std::uint64_t points_per_sample(const SweepSpec& spec) {
  const auto d = static_cast<std::uint64_t>(spec.parameters.size());
  switch (static_cast<Sampling>(spec.sampling)) {
    case Sampling::saltelli: return spec.second_order ? 2 * d + 2 : d + 2;
    case Sampling::morris: return d + 1;
    default: return 1;
  }
}

// "4 x 3 grid points", "64 samples x 7 points", ... for messages and the dry-run summary.
std::string describe_points(const SweepSpec& spec) {
  const auto sampling = static_cast<Sampling>(spec.sampling);
  if (sampling == Sampling::grid) {
    std::string described;
    for (const auto& a : spec.parameters) {
      const std::uint64_t levels = a.key == "policy" ? a.policies.size()
                                   : !a.values.empty()
                                       ? a.values.size()
                                       : static_cast<std::uint64_t>(std::max<std::int64_t>(a.points, 0));
      described += (described.empty() ? "" : " x ") + std::to_string(levels);
    }
    return described.empty() ? std::string("1 point") : described + " grid points";
  }
  if (sampling == Sampling::design) return std::to_string(spec.design_points.size()) + " design points";
  const auto per = points_per_sample(spec);
  const std::string samples = std::to_string(std::max<std::int64_t>(spec.samples, 0));
  if (sampling == Sampling::saltelli) return samples + " base samples x " + std::to_string(per) + " points";
  if (sampling == Sampling::morris) return samples + " trajectories x " + std::to_string(per) + " points";
  return samples + " samples";
}

}  // namespace

std::uint64_t design_points(const SweepSpec& spec) {
  std::vector<std::uint64_t> factors;
  const auto sampling = static_cast<Sampling>(spec.sampling);
  if (sampling == Sampling::grid) {
    for (const auto& a : spec.parameters)
      factors.push_back(a.key == "policy"   ? a.policies.size()
                        : !a.values.empty() ? a.values.size()
                                            : static_cast<std::uint64_t>(std::max<std::int64_t>(a.points, 0)));
  } else if (sampling == Sampling::design) {
    factors.push_back(spec.design_points.size());
  } else {
    factors.push_back(static_cast<std::uint64_t>(std::max<std::int64_t>(spec.samples, 0)));
    factors.push_back(points_per_sample(spec));
  }
  bool overflow = false;
  return saturating_product(factors, overflow);
}

void check_size(const SweepSpec& spec) {
  // Counted before anything is allocated, saturating instead of overflowing: a grid of lists
  // multiplies, and 4 axes of 100,000 points each is 10^20, beyond 64 bits.
  const std::uint64_t points = design_points(spec);
  bool overflow = points == std::numeric_limits<std::uint64_t>::max();
  const auto replicates = static_cast<std::uint64_t>(std::max<std::int64_t>(spec.replicates, 0));
  bool overflow_runs = false;
  const std::uint64_t runs = saturating_product({points, replicates}, overflow_runs);
  overflow = overflow || overflow_runs;
  if (!overflow && runs <= static_cast<std::uint64_t>(kMaxRuns)) return;
  const std::string described = describe_points(spec) + " x " + std::to_string(replicates) + " replicate(s)";
  const std::string total =
      overflow ? "more than " + with_commas(std::numeric_limits<std::uint64_t>::max()) : with_commas(runs);
  throw engine::config::ConfigError(
      {{spec.file.string(), "sweep",
        "has " + described + " = " + total + " runs; a sweep may have at most " +
            with_commas(static_cast<std::uint64_t>(kMaxRuns)) +
            " runs (fewer points, samples or replicates, or split it into several sweeps)"}});
}

std::string design_summary(const SweepSpec& spec, const Design& design) {
  std::string s = "sweep " + spec.name + " (" + spec.file.string() + "): sampling " + sampling_name(design.sampling);
  if (design.sampling == Sampling::saltelli)
    s += spec.second_order ? " (first, total and second order)" : " (first and total order)";
  if (design.sampling == Sampling::morris) s += " over " + std::to_string(spec.levels) + " levels";
  if (design.sampling == Sampling::design) s += " from " + spec.design_file;
  s += "; " + describe_points(spec) + " = " + std::to_string(design.points) + " points x " +
       std::to_string(spec.replicates) + " replicate(s) = " + with_commas(design.runs.size()) + " runs";
  s += spec.steps > 0 ? " of " + std::to_string(spec.steps) + " weeks" : std::string(" of the scenario's run.steps");
  s += "\nscenario: " + design.scenario.string() + "\n";
  for (std::size_t j = 0; j < design.axis_names.size(); ++j) {
    char line[256];
    std::snprintf(line, sizeof line, "  %-40s %s [%g, %g]\n", design.axis_names[j].c_str(),
                  design.axis_names[j] == "policy" ? "policy"
                  : design.axis_integer[j]         ? "integer"
                                                   : "real",
                  design.axis_range[j].first, design.axis_range[j].second);
    s += line;
  }
  return s;
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

namespace {

std::string trimmed(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r"), e = s.find_last_not_of(" \t\r");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

}  // namespace

std::optional<DesignTable> read_design_csv(const std::filesystem::path& path, std::vector<Problem>& problems) {
  std::ifstream in(path);
  if (!in) {
    problems.push_back({path.string(), "", "cannot be read"});
    return std::nullopt;
  }
  DesignTable t;
  const std::size_t before = problems.size();
  std::string line;
  for (std::int64_t number = 1; std::getline(in, line); ++number) {
    line = trimmed(line);
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> fields;
    std::stringstream ss(line);
    for (std::string f; std::getline(ss, f, ',');) fields.push_back(trimmed(f));
    if (!line.empty() && line.back() == ',') fields.emplace_back();
    const std::string where = "line " + std::to_string(number);
    if (t.columns.empty()) {
      for (auto& f : fields) {
        if (f.size() >= 2 && f.front() == '"' && f.back() == '"') f = f.substr(1, f.size() - 2);
        if (f.empty()) problems.push_back({path.string(), where, "the header has an empty column name"});
      }
      t.columns = fields;
      continue;
    }
    if (fields.size() != t.columns.size()) {
      problems.push_back({path.string(), where,
                          "has " + std::to_string(fields.size()) + " values; the header has " +
                              std::to_string(t.columns.size()) + " columns"});
      if (problems.size() - before >= 10) break;
      continue;
    }
    std::vector<double> row;
    for (std::size_t j = 0; j < fields.size(); ++j) {
      char* end = nullptr;
      const double v = std::strtod(fields[j].c_str(), &end);
      if (fields[j].empty() || end != fields[j].c_str() + fields[j].size() || !std::isfinite(v)) {
        problems.push_back(
            {path.string(), where + ", column " + t.columns[j], "\"" + fields[j] + "\" is not a finite number"});
        continue;
      }
      row.push_back(v);
    }
    if (row.size() == fields.size()) t.rows.push_back(std::move(row));
    if (problems.size() - before >= 10) break;  // a file of another kind: the first few say so
  }
  if (t.columns.empty())
    problems.push_back({path.string(), "", "is empty: it needs a header of parameter keys and a row per point"});
  else if (t.rows.empty() && problems.size() == before)
    problems.push_back({path.string(), "", "has a header but no points"});
  if (problems.size() != before) return std::nullopt;
  return t;
}

namespace {

std::string read_text(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream os;
  os << in.rdbuf();
  return os.str();
}

// Where a relative path of the sweep file was sought, for messages.
std::string looked_for(const std::string& given, const std::filesystem::path& resolved,
                       const std::filesystem::path& sweep_file) {
  const std::filesystem::path p(given);
  if (p.is_absolute()) return "no such file";
  return "no such file (looked for " + std::filesystem::absolute(resolved).lexically_normal().string() +
         ": a relative path is read from the sweep file's folder, " +
         std::filesystem::absolute(sweep_file).parent_path().lexically_normal().string() + ")";
}

// Every axis's extreme values (or listed values), each set alone on the scenario: a value the
// parameter does not allow is reported against the sweep file's entry, not against "--set". A
// scenario that does not load is left to the check of every run, which shows its own problems.
void check_axis_values(const SweepSpec& spec, const std::filesystem::path& scenario,
                       const engine::config::Document& doc) {
  try {
    (void)load_scenario(scenario, {}, {});
  } catch (const engine::config::ConfigError&) {
    return;
  }
  const auto docs = parameter_docs();
  std::vector<Problem> problems;
  for (std::size_t i = 0; i < spec.parameters.size(); ++i) {
    const auto& a = spec.parameters[i];
    if (a.key == "policy") continue;
    const bool integer = std::any_of(docs.begin(), docs.end(),
                                     [&](const ParameterDoc& d) { return d.key == a.key && d.kind == "integer"; });
    std::vector<double> tried = a.values.empty() ? a.range : a.values;
    if (static_cast<Sampling>(spec.sampling) == Sampling::design && !spec.design_points.empty()) {
      double lo = spec.design_points[0][i], hi = lo;
      for (const auto& row : spec.design_points) lo = std::min(lo, row[i]), hi = std::max(hi, row[i]);
      tried = {lo, hi};
    }
    const std::string at = "sweep.parameters[" + std::to_string(i) + "]";
    const std::string origin = doc.origin_of(at).empty() ? spec.file.string() : doc.origin_of(at);
    for (const double v : tried) {
      const std::string text = format_value(v, integer);
      try {
        (void)load_scenario(scenario, {}, {a.key + "=" + text});
      } catch (const engine::config::ConfigError& e) {
        for (const auto& p : e.problems())
          problems.push_back(
              {origin, at + " (" + a.key + ")",
               p.message +
                   (static_cast<Sampling>(spec.sampling) == Sampling::design ? " (in " + spec.design_file + ")" : "")});
        break;
      }
    }
  }
  if (!problems.empty()) throw engine::config::ConfigError(std::move(problems));
}

}  // namespace

SweepSpec load_sweep(const std::filesystem::path& file) {
  engine::config::Document doc;
  doc.overlay_file(file);
  // Schema problems and the checks below are reported together, one per mistake: a check that
  // depends on a value already reported as wrong is not made.
  SweepSpec spec;
  std::vector<Problem> problems;
  schema().read_into(doc.table(), spec, problems, engine::config::ReadContext{&doc, "", ""});
  spec.file = file;
  spec.text = read_text(file);
  if (spec.sampling == 6) spec.sampling = static_cast<int>(Sampling::sobol_sequence);  // "sobol", the old name
  const auto reported = [&](const std::string& key) {
    return std::any_of(problems.begin(), problems.end(), [&](const Problem& p) { return p.key == key; });
  };
  const bool sampling_known = !reported("sweep.sampling");
  auto problem = [&](const std::string& key, const std::string& msg) {
    problems.push_back({doc.origin_of(key), key, msg});
  };
  const auto base = file.parent_path();
  std::filesystem::path scenario_path;
  if (spec.from_state.empty() && !reported("sweep.scenario")) {
    scenario_path = resolve_scenario(spec.scenario, base);
    if (!std::filesystem::exists(scenario_path)) {
      if (is_path(spec.scenario))
        problem("sweep.scenario", "\"" + spec.scenario + "\": " + looked_for(spec.scenario, scenario_path, file));
      else
        problem("sweep.scenario", "\"" + spec.scenario + "\" is not a shipped scenario (looked for " +
                                      scenario_path.string() + "); give a shipped name or a path to a .toml file");
      scenario_path.clear();
    }
  }
  const auto kinds = [] {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& d : parameter_docs()) out.emplace_back(d.key, d.kind);
    return out;
  }();
  std::vector<std::string> keys;
  for (const auto& [k, kind] : kinds) keys.push_back(k);
  const auto sampling = static_cast<Sampling>(spec.sampling);
  // A design's parameters are its CSV's columns; [[sweep.parameters]] may name them (and give ranges).
  if (sampling_known && sampling == Sampling::design) {
    if (spec.design_file.empty()) {
      problem("sweep.design",
              "sampling = \"design\" needs design = \"points.csv\" (a header of parameter keys, a row per point)");
    } else {
      const auto path = std::filesystem::path(spec.design_file).is_absolute() ? std::filesystem::path(spec.design_file)
                                                                              : base / spec.design_file;
      if (!std::filesystem::exists(path)) {
        problem("sweep.design", "\"" + spec.design_file + "\": " + looked_for(spec.design_file, path, file));
      } else if (auto table = read_design_csv(path, problems)) {
        std::vector<std::string> named;
        for (const auto& a : spec.parameters) named.push_back(a.key);
        if (spec.parameters.empty()) {
          for (const auto& c : table->columns) spec.parameters.push_back(Axis{c, {}, {}, 0, {}});
          named = table->columns;
        }
        std::string missing, extra;
        for (const auto& k : named)
          if (std::find(table->columns.begin(), table->columns.end(), k) == table->columns.end())
            missing += (missing.empty() ? "" : ", ") + k;
        for (const auto& c : table->columns)
          if (std::find(named.begin(), named.end(), c) == named.end()) extra += (extra.empty() ? "" : ", ") + c;
        std::set<std::string> distinct(table->columns.begin(), table->columns.end());
        if (distinct.size() != table->columns.size())
          problems.push_back({path.string(), "line 1", "names a column twice; give each parameter one column"});
        else if (!missing.empty() || !extra.empty())
          problems.push_back({path.string(), "line 1",
                              "its columns must be the sweep's parameters" +
                                  (missing.empty() ? std::string() : "; missing: " + missing) +
                                  (extra.empty() ? std::string() : "; not in [[sweep.parameters]]: " + extra)});
        else
          for (const auto& row : table->rows) {
            std::vector<double> ordered;
            for (const auto& k : named)
              ordered.push_back(row[static_cast<std::size_t>(
                  std::find(table->columns.begin(), table->columns.end(), k) - table->columns.begin())]);
            spec.design_points.push_back(std::move(ordered));
          }
        // A range given beside a design states the space the design covers (Morris effects and the
        // index's low/high use it): a point outside it is a mistake in one or the other.
        for (std::size_t j = 0; j < spec.parameters.size() && !spec.design_points.empty(); ++j) {
          const auto& r = spec.parameters[j].range;
          if (r.size() != 2) continue;
          for (std::size_t point = 0; point < spec.design_points.size(); ++point) {
            const double v = spec.design_points[point][j];
            if (v >= r[0] && v <= r[1]) continue;
            problems.push_back({path.string(), "column " + spec.parameters[j].key,
                                "has " + format_value(v, false) + " at point " + std::to_string(point) + " (data row " +
                                    std::to_string(point + 1) + "), outside the range [" + format_value(r[0], false) +
                                    ", " + format_value(r[1], false) + "] of sweep.parameters[" + std::to_string(j) +
                                    "]"});
            break;
          }
        }
      }
    }
  }
  for (std::size_t i = 0; i < spec.parameters.size(); ++i) {
    const auto& a = spec.parameters[i];
    const std::string at = "sweep.parameters[" + std::to_string(i) + "]";
    if (a.key == "policy") {
      if (a.policies.empty()) problem(at + ".policies", "must list the policies of a \"policy\" axis");
      if (sampling_known && sampling != Sampling::grid)
        problem(at + ".key", "a \"policy\" axis needs sampling = \"grid\"");
      for (const auto& p : a.policies) {
        if (p.empty()) continue;
        const auto at_sign = p.rfind('@');
        if (at_sign != std::string::npos && !engine::parse_iso_date(std::string_view(p).substr(at_sign + 1))) {
          problem(at + ".policies", "\"" + p + "\": the start date after '@' is not a date YYYY-MM-DD");
          continue;
        }
        const auto path = resolve_policy(p.substr(0, at_sign), base);
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
    if (has_range && a.range.size() != 2) {
      problem(at + ".range", "must be [low, high]");
      continue;
    }
    if (has_range && !(a.range[0] < a.range[1])) {
      problem(at + ".range", "low must be below high (got [" + format_value(a.range[0], false) + ", " +
                                 format_value(a.range[1], false) + "])");
      continue;
    }
    if (!sampling_known) continue;
    if (sampling == Sampling::design) {
      if (has_values) problem(at + ".values", "a design's values are its CSV's rows; give no values here");
      continue;
    }
    if (sampling == Sampling::grid) {
      if (has_values == has_range)
        problem(at, "give either values = [...] or range = [low, high] with points");
      else if (has_range && a.points < 2)
        problem(at + ".points", "a grid over a range needs points >= 2");
    } else if (!has_range) {
      problem(at + ".range", std::string("sampling = \"") + sampling_name(sampling) +
                                 "\" needs a range = [low, high] for every parameter");
    }
  }
  if (sampling_known && sampling != Sampling::grid && sampling != Sampling::design && spec.samples < 1 &&
      !reported("sweep.samples"))
    problem("sweep.samples", std::string("sampling = \"") + sampling_name(sampling) + "\" needs samples >= 1");
  if (sampling_known && sampling != Sampling::grid && sampling != Sampling::design && spec.parameters.empty())
    problem("sweep.parameters",
            std::string("sampling = \"") + sampling_name(sampling) + "\" needs at least one parameter");
  if (!problems.empty()) throw engine::config::ConfigError(std::move(problems));
  check_size(spec);
  if (!scenario_path.empty()) check_axis_values(spec, scenario_path, doc);
  return spec;
}

namespace {

// A sampled design's points in the unit cube, one row per point, in design order.
std::vector<std::vector<double>> unit_points(const SweepSpec& spec) {
  const auto dims = spec.parameters.size();
  const auto n = static_cast<std::size_t>(spec.samples);
  const auto sampling = static_cast<Sampling>(spec.sampling);
  std::vector<std::vector<double>> out;
  auto sobol_rows = [](std::size_t dimension, std::size_t rows) {
    boost::random::sobol engine(static_cast<unsigned>(dimension));
    engine.discard(dimension);  // skip the all-zero first point
    const double scale = 1.0 / (static_cast<double>(boost::random::sobol::max()) + 1.0);
    std::vector<std::vector<double>> r(rows, std::vector<double>(dimension));
    for (auto& row : r)
      for (auto& u : row) u = static_cast<double>(engine()) * scale;
    return r;
  };
  switch (sampling) {
    case Sampling::sobol_sequence: return sobol_rows(dims, n);
    case Sampling::saltelli: {
      // Saltelli (2002, 2010): two quasi-random matrices A and B from one Sobol sequence of twice
      // the dimension; per base sample A, then A with column j from B (j = 1..d), then (second
      // order) B with column j from A, then B: the order sweeps/analyse.cpp reads them in.
      const auto ab = sobol_rows(2 * dims, n);
      for (const auto& row : ab) {
        const std::vector<double> a(row.begin(), row.begin() + static_cast<std::ptrdiff_t>(dims));
        const std::vector<double> b(row.begin() + static_cast<std::ptrdiff_t>(dims), row.end());
        out.push_back(a);
        for (std::size_t j = 0; j < dims; ++j) {
          auto mixed = a;
          mixed[j] = b[j];
          out.push_back(std::move(mixed));
        }
        if (spec.second_order)
          for (std::size_t j = 0; j < dims; ++j) {
            auto mixed = b;
            mixed[j] = a[j];
            out.push_back(std::move(mixed));
          }
        out.push_back(b);
      }
      return out;
    }
    case Sampling::morris: {
      // Morris (1991) trajectories on a grid of p levels {0, 1/(p-1), ..., 1}: a random start from
      // which each parameter, in a random order, moves once by delta = p / (2(p-1)), up or down
      // (Campolongo et al. 2007's steps without their optimisation of spread).
      const auto p = static_cast<double>(spec.levels);
      const double delta = p / (2.0 * (p - 1.0));
      const auto starts = static_cast<std::uint32_t>(std::floor((p - 1.0) * (1.0 - delta) + 1e-9)) + 1;
      for (std::size_t t = 0; t < n; ++t) {
        engine::Stream stream(static_cast<std::uint64_t>(spec.root_seed), 0, 0, t, 0x30e5);
        std::vector<double> x(dims);
        std::vector<int> direction(dims);
        for (std::size_t j = 0; j < dims; ++j) {
          const double low = static_cast<double>(stream.below(starts)) / (p - 1.0);
          direction[j] = stream.bernoulli(0.5) ? 1 : -1;
          x[j] = direction[j] > 0 ? low : low + delta;
        }
        std::vector<std::size_t> order(dims);
        for (std::size_t j = 0; j < dims; ++j) order[j] = j;
        for (std::size_t j = dims; j > 1; --j)
          std::swap(order[j - 1], order[stream.below(static_cast<std::uint32_t>(j))]);
        out.push_back(x);
        for (const auto j : order) {
          x[j] += direction[j] * delta;
          out.push_back(x);
        }
      }
      return out;
    }
    default: {  // Latin hypercube: one random permutation of strata per dimension
      out.assign(n, std::vector<double>(dims));
      for (std::size_t j = 0; j < dims; ++j) {
        engine::Stream stream(static_cast<std::uint64_t>(spec.root_seed), 0, 0, j, 0x1a7);
        std::vector<std::size_t> order(n);
        for (std::size_t i = 0; i < n; ++i) order[i] = i;
        for (std::size_t i = n; i > 1; --i) std::swap(order[i - 1], order[stream.below(static_cast<std::uint32_t>(i))]);
        for (std::size_t i = 0; i < n; ++i)
          out[i][j] = (static_cast<double>(order[i]) + stream.uniform()) / static_cast<double>(n);
      }
      return out;
    }
  }
}

}  // namespace

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
  } else if (sampling == Sampling::design) {
    points = spec.design_points;
  } else {
    const auto unit = unit_points(spec);
    for (const auto& row : unit) {
      std::vector<double> p;
      for (std::size_t j = 0; j < row.size(); ++j) {
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
  d.sampling = sampling;
  for (std::size_t j = 0; j < spec.parameters.size(); ++j) {
    const auto& a = spec.parameters[j];
    d.axis_integer.push_back(a.key != "policy" && is_integer(a.key));
    if (a.key == "policy") {
      d.axis_range.emplace_back(0.0, static_cast<double>(a.policies.size()) - 1.0);
    } else if (a.range.size() == 2) {
      d.axis_range.emplace_back(a.range[0], a.range[1]);
    } else {
      double lo = std::numeric_limits<double>::infinity(), hi = -lo;
      for (const auto& p : points) lo = std::min(lo, p[j]), hi = std::max(hi, p[j]);
      d.axis_range.emplace_back(lo, hi);
    }
  }
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
