#include "sweeps/compare.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <numeric>
#include <optional>
#include <sstream>
#include <stdexcept>

#include <boost/math/distributions/students_t.hpp>

#include "agents/metrics.hpp"
#include "agents/run.hpp"
#include "engine/files.hpp"
#include "engine/hdf5_writer.hpp"
#include "sweeps/runner.hpp"
#include "sweeps/sweep.hpp"
#include "sweeps/yearly.hpp"

namespace cm::sweeps {

void check_comparison_prefix(const std::filesystem::path& prefix) {
  if (prefix.empty()) throw InputError("the output prefix is an empty path; give a prefix with -o");
  for (const char* ext : {".csv", ".h5"}) engine::check_output_path(prefix.string() + ext, "comparison file");
}

const std::vector<std::string>& headline_outcomes() {
  // MODEL.md §16's headline outcomes, in its order.
  static const std::vector<std::string> names{"people_served",
                                              "people_waiting",
                                              "people_waiting_budget",
                                              "hours_unmet_all",
                                              "workers",
                                              "vacancy_rate",
                                              "turnover_rate",
                                              "mean_wage",
                                              "mean_effective_pay",
                                              "micro_enterprises",
                                              "chain_share_council_hours",
                                              "council_spend",
                                              "price_per_hour",
                                              "extraction",
                                              "local_retained",
                                              "wellbeing_served",
                                              "wellbeing_all",
                                              "continuity"};
  return names;
}

double t_quantile_975(double df) {
  boost::math::students_t_distribution<double> t(df);
  return boost::math::quantile(boost::math::complement(t, 0.025));
}

namespace {

std::size_t metric_index(const std::string& name) {
  const auto& catalogue = metric_catalogue();
  std::size_t k = 0;
  while (k < kMetricCount && name != catalogue[k].name) ++k;
  if (k == kMetricCount) throw std::logic_error("no metric named " + name);
  return k;
}

// Means, mean paired difference, its 95% t interval and the sd of the differences of one outcome,
// given its value in each replicate of each arm.
OutcomeComparison paired(OutcomeComparison o, const std::vector<double>& baseline, const std::vector<double>& policy) {
  const std::size_t n = std::min(baseline.size(), policy.size());
  double sum_b = 0, sum_p = 0, sum_d = 0;
  for (std::size_t r = 0; r < n; ++r) {
    sum_b += baseline[r];
    sum_p += policy[r];
    sum_d += policy[r] - baseline[r];
  }
  const double nn = static_cast<double>(n);
  o.baseline = n ? sum_b / nn : 0;
  o.policy = n ? sum_p / nn : 0;
  o.difference = n ? sum_d / nn : 0;
  double ss = 0;
  for (std::size_t r = 0; r < n; ++r) {
    const double d = policy[r] - baseline[r] - o.difference;
    ss += d * d;
  }
  o.sd_difference = n > 1 ? std::sqrt(ss / (nn - 1)) : 0.0;
  double half = 0;
  if (n > 1) half = t_quantile_975(nn - 1) * o.sd_difference / std::sqrt(nn);
  o.ci_low = o.difference - half;
  o.ci_high = o.difference + half;
  return o;
}

}  // namespace

std::vector<OutcomeComparison> paired_statistics(const std::vector<std::vector<double>>& baseline,
                                                 const std::vector<std::vector<double>>& policy) {
  const std::size_t n = std::min(baseline.size(), policy.size());
  const auto& catalogue = metric_catalogue();
  std::vector<OutcomeComparison> out;
  auto column = [n](const std::vector<std::vector<double>>& runs, auto&& value) {
    std::vector<double> v(n);
    for (std::size_t r = 0; r < n; ++r) v[r] = value(runs[r]);
    return v;
  };
  for (const auto& name : headline_outcomes()) {
    const std::size_t k = metric_index(name);
    auto metric = [k](const std::vector<double>& run) { return run[k]; };
    out.push_back(
        paired({name, catalogue[k].units, catalogue[k].long_name}, column(baseline, metric), column(policy, metric)));
  }

  // ASCOT points held by everyone with need (MODEL.md §18): wellbeing is the ASCOT score over 24, so
  // a person at 19 of 24 holds 19 points. Everyone with need, not people served, so that a policy
  // changing who is served does not pass for a gain; and both arms of a pair at the baseline run's
  // number of people with need, so that a policy that returns people to independence (who leave
  // the population with need) does not pass for a loss of their points.
  const std::size_t wellbeing = metric_index("wellbeing_all"), needing = metric_index("people_needing_care");
  const std::size_t spend = metric_index("council_spend");
  std::vector<double> points_b(n), points_p(n);
  for (std::size_t r = 0; r < n; ++r) {
    points_b[r] = 24.0 * baseline[r][wellbeing] * baseline[r][needing];
    points_p[r] = 24.0 * policy[r][wellbeing] * baseline[r][needing];
  }
  const auto& gained = out.emplace_back(
      paired({"ascot_points_all", "points",
              "ASCOT points of everyone with need, at the baseline's number (24 x wellbeing_all x baseline "
              "people_needing_care)"},
             points_b, points_p));

  // Council spend a year per ASCOT point gained: the ratio of the mean paired differences (an
  // incremental cost-effectiveness ratio, point-years being points held for a year), with a
  // delta-method 95% interval over the pairs. Only where the points gained are clearly above zero:
  // otherwise the ratio has no bounded interval (Fieller) and is left NaN, as are the arms' columns.
  OutcomeComparison ratio{"cost_per_ascot_point", "GBP/point-year",
                          "council spend a year per ASCOT point gained by everyone with need (policy - baseline)"};
  const double nan = std::numeric_limits<double>::quiet_NaN();
  ratio.baseline = ratio.policy = ratio.difference = ratio.ci_low = ratio.ci_high = ratio.sd_difference = nan;
  if (n > 1 && gained.ci_low > 0) {
    auto yearly_spend = [spend](const std::vector<double>& run) { return 52.0 * run[spend]; };
    const auto spend_b = column(baseline, yearly_spend), spend_p = column(policy, yearly_spend);
    const auto cost = paired({}, spend_b, spend_p);
    const double nn = static_cast<double>(n), r = cost.difference / gained.difference;
    double covariance = 0;
    for (std::size_t i = 0; i < n; ++i)
      covariance += (spend_p[i] - spend_b[i] - cost.difference) * (points_p[i] - points_b[i] - gained.difference);
    covariance /= nn - 1;
    const double variance = (cost.sd_difference * cost.sd_difference - 2 * r * covariance +
                             r * r * gained.sd_difference * gained.sd_difference) /
                            (nn * gained.difference * gained.difference);
    const double half = t_quantile_975(nn - 1) * std::sqrt(std::max(0.0, variance));
    ratio.difference = r;
    ratio.ci_low = r - half;
    ratio.ci_high = r + half;
  }
  out.push_back(ratio);
  return out;
}

std::vector<OutcomeComparison> parameter_set_statistics(
    const std::vector<std::vector<std::vector<double>>>& baseline_by_set,
    const std::vector<std::vector<std::vector<double>>>& policy_by_set) {
  struct SetResult {
    std::vector<OutcomeComparison> rows;
    double pairs;
  };
  std::vector<SetResult> per_set;  // sets with at least two finished pairs
  for (std::size_t s = 0; s < std::min(baseline_by_set.size(), policy_by_set.size()); ++s) {
    const auto pairs = std::min(baseline_by_set[s].size(), policy_by_set[s].size());
    if (pairs >= 2)
      per_set.push_back({paired_statistics(baseline_by_set[s], policy_by_set[s]), static_cast<double>(pairs)});
  }
  const auto sets = static_cast<double>(per_set.size());
  auto out = paired_statistics({}, {});  // the rows and their names and units
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (std::size_t k = 0; k < out.size(); ++k) {
    auto& o = out[k];
    bool defined = per_set.size() >= 2;
    double b = 0, p = 0, d = 0, chance = 0;
    for (const auto& set : per_set) {
      const auto& x = set.rows[k];
      defined = defined && std::isfinite(x.difference);
      b += x.baseline / sets;
      p += x.policy / sets;
      d += x.difference / sets;
      chance += x.sd_difference * x.sd_difference / set.pairs / sets;  // a set's mean difference's chance variance
    }
    if (!defined) {
      o.baseline = o.policy = o.difference = o.ci_low = o.ci_high = o.sd_difference = nan;
      o.share_parameters = o.share_chance = nan;
      continue;
    }
    double between = 0;  // the spread of the sets' mean differences: parameters and chance
    for (const auto& set : per_set) between += (set.rows[k].difference - d) * (set.rows[k].difference - d);
    between /= sets - 1;
    const double parameters = std::max(0.0, between - chance);
    o.baseline = b;
    o.policy = p;
    o.difference = d;
    o.sd_difference = std::sqrt(between);
    // Where the effect may lie, not knowing which set is the world: the sets' spread, with t(S-1).
    const double half = t_quantile_975(sets - 1) * std::sqrt(std::max(between, chance));
    o.ci_low = d - half;
    o.ci_high = d + half;
    o.share_parameters = parameters + chance > 0 ? parameters / (parameters + chance) : 0.0;
    o.share_chance = 1.0 - o.share_parameters;
  }
  // A cost per point gained only where the points gained are clearly above zero over the sets, as
  // for one set; like there, the arms' columns of the ratio are not numbers.
  const auto points = std::find_if(out.begin(), out.end(), [](const auto& o) { return o.name == "ascot_points_all"; });
  for (auto& o : out)
    if (o.name == "cost_per_ascot_point") {
      if (points == out.end() || !(points->ci_low > 0)) o.difference = o.ci_low = o.ci_high = nan;
      o.baseline = o.policy = o.sd_difference = nan;
      if (std::isnan(o.difference)) o.share_parameters = o.share_chance = nan;
    }
  return out;
}

DesignTable read_parameter_sets(const std::filesystem::path& file, std::int64_t max_sets) {
  std::vector<engine::config::Problem> problems;
  if (!std::filesystem::exists(file))
    throw engine::config::ConfigError({{file.string(), "", "no such parameter-sets file"}});
  auto table = read_design_csv(file, problems);
  if (!table) throw engine::config::ConfigError(std::move(problems));
  const auto docs = parameter_docs();
  for (const auto& column : table->columns) {
    const auto it = std::find_if(docs.begin(), docs.end(), [&](const ParameterDoc& d) { return d.key == column; });
    if (it == docs.end() || (it->kind != "real" && it->kind != "integer"))
      problems.push_back({file.string(), "column " + column,
                          "is not a numeric model parameter (a parameter-sets file has one column per parameter, "
                          "headed by its key, as caremarket params lists them)"});
  }
  if (!problems.empty()) throw engine::config::ConfigError(std::move(problems));
  if (max_sets > 0 && static_cast<std::int64_t>(table->rows.size()) > max_sets)
    table->rows.resize(static_cast<std::size_t>(max_sets));
  if (table->rows.size() < 2)
    throw engine::config::ConfigError(
        {{file.string(), "",
          "has " + std::to_string(table->rows.size()) + " set(s); parameter uncertainty needs at least 2"}});
  return *table;
}

PlaceComparison place_statistics(const std::vector<std::filesystem::path>& baseline,
                                 const std::vector<std::filesystem::path>& policy) {
  if (baseline.size() != policy.size())
    throw std::invalid_argument("place_statistics: " + std::to_string(baseline.size()) + " baseline files but " +
                                std::to_string(policy.size()) + " policy files; the runs are paired");
  const auto& headline = headline_outcomes();
  PlaceComparison out;
  std::vector<std::vector<std::vector<double>>> base, pol;  // by place: per pair, the outcomes
  for (std::size_t r = 0; r < baseline.size(); ++r) {
    const auto b = place_outcomes(baseline[r]);
    const auto p = place_outcomes(policy[r]);
    if (b.places.empty() || b.places != p.places || (r > 0 && b.places != out.places)) return {};
    if (r == 0) {
      out.places = b.places;
      out.regions = b.regions;
      base.resize(b.places.size());
      pol.resize(b.places.size());
    }
    for (std::size_t k = 0; k < b.places.size(); ++k) {
      // paired_statistics reads vectors indexed like the metric catalogue: fill the headline slots.
      std::vector<double> bv(kMetricCount, 0.0), pv(kMetricCount, 0.0);
      for (std::size_t h = 0; h < headline.size(); ++h) {
        bv[metric_index(headline[h])] = b.values[k * headline.size() + h];
        pv[metric_index(headline[h])] = p.values[k * headline.size() + h];
      }
      base[k].push_back(std::move(bv));
      pol[k].push_back(std::move(pv));
    }
  }
  for (std::size_t k = 0; k < out.places.size(); ++k) {
    std::vector<OutcomeComparison> kept;
    for (auto& o : paired_statistics(base[k], pol[k]))
      if (std::find(headline.begin(), headline.end(), o.name) != headline.end()) kept.push_back(std::move(o));
    out.outcomes.push_back(std::move(kept));
  }
  return out;
}

namespace {
// Each council's (or region's) paired statistics, from the finished pairs' run files.
void compare_places(Comparison& c, const Design& design, const std::vector<RunRecord>& records,
                    const std::filesystem::path& dir, std::size_t replicates) {
  std::vector<std::filesystem::path> base, pol;
  for (std::size_t r = 0; r < replicates; ++r) {
    if (records[r].status != RunStatus::done || records[replicates + r].status != RunStatus::done) continue;
    base.push_back(dir / "runs" / design.runs[r].file);
    pol.push_back(dir / "runs" / design.runs[replicates + r].file);
  }
  auto places = place_statistics(base, pol);
  c.places = std::move(places.places);
  c.places_are_regions = places.regions;
  c.place_outcomes = std::move(places.outcomes);
}
}  // namespace

Comparison compare(const ComparisonRequest& request, const engine::CancelFlag& cancel) {
  SweepSpec spec;
  spec.name = "compare";
  spec.scenario = request.scenario.string();
  spec.overrides = request.overrides;
  spec.steps = request.steps;
  spec.replicates = request.replicates;
  spec.root_seed = request.root_seed;
  spec.common_random_numbers = true;
  spec.file = std::filesystem::absolute(request.dir / "compare.toml");
  if (!request.from_state.empty()) spec.from_state = std::filesystem::absolute(request.from_state);
  Axis arms;
  arms.key = "policy";
  arms.policies = {request.baseline_policy, request.policy};
  spec.parameters.push_back(arms);
  // Policies named relative to the working directory stay so (the spec's folder is the output dir).
  for (auto& p : spec.parameters[0].policies)
    if (!p.empty() && (p.find('/') != std::string::npos || p.ends_with(".toml")))
      p = std::filesystem::absolute(p).string();
  if (request.policy_from) spec.parameters[0].policies[1] += "@" + engine::iso_date(*request.policy_from);
  if (std::filesystem::path(spec.scenario).extension() == ".toml")
    spec.scenario = std::filesystem::absolute(spec.scenario).string();
  std::optional<DesignTable> sets;
  if (!request.parameter_sets.empty()) {
    // Each set a pair of points (baseline, policy): parameters from the set, then the arm.
    sets = read_parameter_sets(request.parameter_sets, request.max_sets);
    spec.sampling = static_cast<int>(Sampling::design);
    std::vector<Axis> axes;
    for (const auto& key : sets->columns) axes.push_back(Axis{key, {}, {}, 0, {}});
    axes.push_back(spec.parameters[0]);
    spec.parameters = axes;
    for (const auto& row : sets->rows)
      for (const double arm : {0.0, 1.0}) {
        auto point = row;
        point.push_back(arm);
        spec.design_points.push_back(point);
      }
  }
  Design design = expand(spec);
  if (sets)  // pairs share seeds; sets do not, so that their spread holds their own chance
    for (auto& run : design.runs)
      run.seed = run_seed(static_cast<std::uint64_t>(spec.root_seed), run.point / 2, run.replicate, false);
  if (!request.prefix.empty()) check_comparison_prefix(request.prefix);
  check_output_folder(request.dir);
  std::filesystem::create_directories(request.dir);
  Comparison c;
  c.lock = std::make_shared<FolderLock>(request.dir);
  SweepOptions options{request.dir, request.workers, request.quiet};
  const auto summary = run_sweep(spec, design, options, cancel);
  c.cancelled = summary.cancelled;
  const auto records = read_state(design, request.dir, false);  // run_sweep has said what it distrusted
  // Runs are point-major: set s's baseline is point 2s, its policy point 2s + 1 (one set: s = 0).
  const std::size_t set_count = sets ? sets->rows.size() : 1;
  std::vector<std::vector<std::vector<double>>> base(set_count), pol(set_count);
  const auto replicates = static_cast<std::size_t>(request.replicates);
  for (std::size_t s = 0; s < set_count; ++s)
    for (std::size_t r = 0; r < replicates; ++r) {
      const auto& b = records[(2 * s) * replicates + r];
      const auto& p = records[(2 * s + 1) * replicates + r];
      if (b.status != RunStatus::done || p.status != RunStatus::done) continue;  // pairs only
      base[s].push_back(b.last_year_outcomes);
      pol[s].push_back(p.last_year_outcomes);
    }
  if (!sets) {
    c.replicates = static_cast<std::int64_t>(base[0].size());
    c.outcomes = paired_statistics(base[0], pol[0]);
    compare_places(c, design, records, request.dir, replicates);
    return c;
  }
  // Sets with fewer than two finished pairs have no interval of their own and are left out.
  c.replicates = static_cast<std::int64_t>(replicates);
  for (std::size_t s = 0; s < set_count; ++s)
    if (base[s].size() >= 2) {
      c.replicates = std::min(c.replicates, static_cast<std::int64_t>(base[s].size()));
      ++c.parameter_sets;
    }
  if (c.parameter_sets < 2) c.replicates = 0;  // no comparison over sets: the caller says so
  c.parameters = sets->columns;
  c.outcomes = parameter_set_statistics(base, pol);
  return c;
}

void write_comparison_csv(const Comparison& c, const std::filesystem::path& file) {
  std::ostringstream out;
  out.precision(10);
  const bool sets = c.parameter_sets > 0;
  out << "outcome,units,baseline,policy,difference,ci_low,ci_high,sd_difference,replicates"
      << (sets ? ",parameter_sets,share_parameters,share_chance" : "") << "\n";
  for (const auto& o : c.outcomes) {
    out << o.name << ',' << o.units << ',' << o.baseline << ',' << o.policy << ',' << o.difference << ',' << o.ci_low
        << ',' << o.ci_high << ',' << o.sd_difference << ',' << c.replicates;
    if (sets) out << ',' << c.parameter_sets << ',' << o.share_parameters << ',' << o.share_chance;
    out << '\n';
  }
  engine::write_text_file(file, out.str(), "comparison file");
}

std::filesystem::path places_csv_path(const Comparison& c, const std::filesystem::path& prefix) {
  return prefix.string() + (c.places_are_regions ? ".by_region.csv" : ".by_council.csv");
}

void write_places_csv(const Comparison& c, const std::filesystem::path& prefix) {
  if (c.places.empty()) return;
  std::ostringstream out;
  out.precision(10);
  out << (c.places_are_regions ? "region" : "council")
      << ",outcome,units,baseline,policy,difference,ci_low,ci_high,sd_difference,replicates\n";
  for (std::size_t k = 0; k < c.places.size(); ++k)
    for (const auto& o : c.place_outcomes[k]) {
      // A name with a comma is quoted (CSV); council and region names have no quotes of their own.
      const bool quote = c.places[k].find(',') != std::string::npos;
      out << (quote ? "\"" : "") << c.places[k] << (quote ? "\"" : "") << ',' << o.name << ',' << o.units << ','
          << o.baseline << ',' << o.policy << ',' << o.difference << ',' << o.ci_low << ',' << o.ci_high << ','
          << o.sd_difference << ',' << c.replicates << '\n';
    }
  engine::write_text_file(places_csv_path(c, prefix), out.str(), "comparison file");
}

void write_comparison_h5(const Comparison& c, const ComparisonRequest& request, const std::filesystem::path& file) {
  engine::H5Writer w(file, 4);  // checks the name; commit() moves the file into place durably
  w.attribute("/", "format_name", std::string("caremarket-comparison"));
  w.attribute("/", "format_version", std::string("1.2"));  // 1.1: parameter sets; 1.2: by council or region
  w.attribute("/", "software_version", software_version());
  w.attribute("/", "scenario", request.scenario.string());
  w.attribute("/", "policy", request.policy);
  w.attribute("/", "baseline_policy",
              request.baseline_policy.empty() ? std::string("(scenario as it is)") : request.baseline_policy);
  w.attribute("/", "replicates", c.replicates);
  w.attribute("/", "root_seed", request.root_seed);
  if (c.parameter_sets > 0) {
    std::string keys;
    for (const auto& k : c.parameters) keys += (keys.empty() ? "" : " ") + k;
    w.attribute("/", "statistic",
                std::string("mean over the last 52 weeks of each run; paired by seed within each parameter set; the "
                            "mean over the sets, with a 95% t interval from the sets' spread: it covers parameter "
                            "uncertainty and chance"));
    w.attribute("/", "parameter_sets", c.parameter_sets);
    w.attribute("/", "parameter_sets_file", std::filesystem::absolute(request.parameter_sets).string());
    w.attribute("/", "parameters", keys);
  } else {
    w.attribute("/", "statistic",
                std::string("mean over the last 52 weeks of each run; paired by seed; 95% t interval: chance only, "
                            "the parameters fixed"));
  }
  if (!request.from_state.empty()) {
    const auto state = shared_checkpoint(request.from_state);
    w.attribute("/", "from_state", std::filesystem::absolute(request.from_state).string());
    w.attribute("/", "from_state_week", state->week);
    w.attribute("/", "from_state_seed", static_cast<std::int64_t>(state->seed));
  }
  std::vector<std::int32_t> index(c.outcomes.size());
  std::vector<std::string> names;
  std::vector<double> base, pol, diff, lo, hi, sd;
  for (std::size_t i = 0; i < c.outcomes.size(); ++i) {
    const auto& o = c.outcomes[i];
    index[i] = static_cast<std::int32_t>(i);
    names.push_back(o.name);
    base.push_back(o.baseline);
    pol.push_back(o.policy);
    diff.push_back(o.difference);
    lo.push_back(o.ci_low);
    hi.push_back(o.ci_high);
    sd.push_back(o.sd_difference);
  }
  w.dimension("/", engine::ColumnView::of("outcome", index, "", "outcome row"));
  w.text_variable("/", "name", names, "outcome", "metric name");
  w.variable("/", engine::ColumnView::of("baseline", base, "", "baseline mean"), {"outcome"});
  w.variable("/", engine::ColumnView::of("policy", pol, "", "policy mean"), {"outcome"});
  w.variable("/", engine::ColumnView::of("difference", diff, "", "mean paired difference"), {"outcome"});
  w.variable("/", engine::ColumnView::of("ci_low", lo, "", "95% CI low"), {"outcome"});
  w.variable("/", engine::ColumnView::of("ci_high", hi, "", "95% CI high"), {"outcome"});
  w.variable("/", engine::ColumnView::of("sd_difference", sd, "", "sd of paired differences"), {"outcome"});
  if (c.parameter_sets > 0) {
    std::vector<double> share_p, share_c;
    for (const auto& o : c.outcomes) share_p.push_back(o.share_parameters), share_c.push_back(o.share_chance);
    w.variable("/",
               engine::ColumnView::of("share_parameters", share_p, "",
                                      "share of the effect's variance from the parameter sets"),
               {"outcome"});
    w.variable("/", engine::ColumnView::of("share_chance", share_c, "", "share of the effect's variance from chance"),
               {"outcome"});
  }
  if (!c.places.empty()) {
    // By council (or region): place × headline outcome, the headline outcomes named in place_outcome.
    const std::size_t width = c.place_outcomes.front().size();
    std::vector<std::int32_t> places(c.places.size()), columns(width);
    std::iota(places.begin(), places.end(), 0);
    std::iota(columns.begin(), columns.end(), 0);
    std::vector<std::string> outcome_names;
    for (const auto& o : c.place_outcomes.front()) outcome_names.push_back(o.name);
    w.attribute("/", "places", std::string(c.places_are_regions ? "region" : "council"));
    w.dimension("/", engine::ColumnView::of("place", places, "", "council or region row"));
    w.text_variable("/", "place_name", c.places, "place", c.places_are_regions ? "English region" : "council");
    w.dimension("/", engine::ColumnView::of("place_outcome", columns, "", "headline outcome column"));
    w.text_variable("/", "place_outcome_name", outcome_names, "place_outcome", "metric name");
    auto matrix = [&](const char* name, const char* long_name, double OutcomeComparison::*field) {
      std::vector<double> values;
      for (const auto& row : c.place_outcomes)
        for (const auto& o : row) values.push_back(o.*field);
      w.matrix_variable("/", engine::ColumnView::of(name, values, "", long_name), "place", "place_outcome", width);
    };
    matrix("place_baseline", "baseline mean", &OutcomeComparison::baseline);
    matrix("place_policy", "policy mean", &OutcomeComparison::policy);
    matrix("place_difference", "mean paired difference", &OutcomeComparison::difference);
    matrix("place_ci_low", "95% CI low", &OutcomeComparison::ci_low);
    matrix("place_ci_high", "95% CI high", &OutcomeComparison::ci_high);
  }
  w.commit();
}

}  // namespace cm::sweeps
