#include "sweeps/analyse.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <numeric>
#include <sstream>

#include <boost/math/distributions/normal.hpp>

#include "engine/files.hpp"
#include "engine/hdf5_reader.hpp"
#include "engine/rng.hpp"
#include "sweeps/compare.hpp"
#include "sweeps/folder.hpp"
#include "sweeps/index.hpp"

namespace cm::sweeps {

const char* method_name(AnalysisMethod m) {
  switch (m) {
    case AnalysisMethod::sobol: return "sobol";
    case AnalysisMethod::morris: return "morris";
    case AnalysisMethod::regression: return "regression";
  }
  return "regression";
}

namespace {

constexpr std::uint64_t kBootstrapPurpose = 0xa7a1;

double mean(const std::vector<double>& v) {
  return v.empty() ? kNaN : std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}

// Variance with divisor n - ddof.
double variance(const std::vector<double>& v, int ddof) {
  if (v.size() <= static_cast<std::size_t>(ddof)) return kNaN;
  const double m = mean(v);
  double s = 0;
  for (double x : v) s += (x - m) * (x - m);
  return s / static_cast<double>(v.size() - static_cast<std::size_t>(ddof));
}

// Half-width of a normal interval at `confidence` from the bootstrap estimates' spread, as SALib
// reports its *_conf columns.
double half_width(const std::vector<double>& estimates, double confidence) {
  std::vector<double> finite;
  for (double e : estimates)
    if (std::isfinite(e)) finite.push_back(e);
  if (finite.size() < 2) return kNaN;
  const boost::math::normal z;
  return boost::math::quantile(z, 0.5 + confidence / 2) * std::sqrt(variance(finite, 1));
}

// Resamples of 0..n-1 with replacement, one per bootstrap replicate, from counter-based streams.
template <class Estimate>
void bootstrap(std::size_t n, int replicates, std::uint64_t seed, Estimate&& estimate) {
  std::vector<std::size_t> sample(n);
  for (int b = 0; b < replicates; ++b) {
    engine::Stream stream(seed, 0, static_cast<std::uint64_t>(b), 0, kBootstrapPurpose);
    for (auto& s : sample) s = stream.below(static_cast<std::uint32_t>(n));
    estimate(sample);
  }
}

InputError method_mismatch(AnalysisMethod m, Sampling s) {
  const std::string need = m == AnalysisMethod::sobol ? "a Saltelli design (sampling = \"saltelli\")"
                                                      : "a Morris design (sampling = \"morris\")";
  return InputError(std::string("--method ") + method_name(m) + " needs " + need + "; this sweep's sampling is \"" +
                    sampling_name(s) + "\"; --method regression works on any design of numeric parameters");
}

// ---- Sobol indices from a Saltelli design -------------------------------------------------------

void sobol(const PointData& data, int boots, double confidence, std::uint64_t seed, Analysis& a) {
  const std::size_t d = data.parameters.size(), block = data.second_order ? 2 * d + 2 : d + 2;
  // Whole blocks only: a block with a missing point cannot give its differences.
  std::vector<std::size_t> blocks;
  for (std::size_t i = 0; (i + 1) * block <= data.points; ++i) {
    bool whole = true;
    for (std::size_t k = 0; k < block; ++k) whole = whole && std::isfinite(data.y[i * block + k]);
    if (whole) blocks.push_back(i);
  }
  if (blocks.size() < 2)
    throw InputError("a Sobol analysis needs at least two whole Saltelli blocks of " + std::to_string(block) +
                     " finished points; this index has " + std::to_string(blocks.size()));
  a.points_used = blocks.size() * block;
  // Standardised outcome, as SALib does: indices are ratios, so only the arithmetic changes.
  std::vector<double> all;
  for (const auto i : blocks)
    for (std::size_t k = 0; k < block; ++k) all.push_back(data.y[i * block + k]);
  const double centre = mean(all), scale = std::sqrt(variance(all, 0));
  auto f = [&](std::size_t i, std::size_t k) { return scale > 0 ? (data.y[i * block + k] - centre) / scale : 0.0; };
  auto A = [&](std::size_t i) { return f(i, 0); };
  auto B = [&](std::size_t i) { return f(i, block - 1); };
  auto AB = [&](std::size_t i, std::size_t j) { return f(i, 1 + j); };
  auto BA = [&](std::size_t i, std::size_t j) { return f(i, 1 + d + j); };
  struct Estimates {
    std::vector<double> s1, st, s2;
  };
  auto estimate = [&](const std::vector<std::size_t>& which) {
    Estimates e;
    std::vector<double> ab;
    for (const auto r : which) ab.push_back(A(blocks[r])), ab.push_back(B(blocks[r]));
    const double v = variance(ab, 0);
    const auto n = static_cast<double>(which.size());
    for (std::size_t j = 0; j < d; ++j) {
      double first = 0, total = 0;
      for (const auto r : which) {
        const auto i = blocks[r];
        first += B(i) * (AB(i, j) - A(i));
        total += (A(i) - AB(i, j)) * (A(i) - AB(i, j));
      }
      e.s1.push_back(v > 0 ? first / n / v : kNaN);
      e.st.push_back(v > 0 ? 0.5 * total / n / v : kNaN);
    }
    if (data.second_order)
      for (std::size_t j = 0; j < d; ++j)
        for (std::size_t k = j + 1; k < d; ++k) {
          double vjk = 0;
          for (const auto r : which) {
            const auto i = blocks[r];
            vjk += BA(i, j) * AB(i, k) - A(i) * B(i);
          }
          e.s2.push_back(v > 0 ? vjk / n / v - e.s1[j] - e.s1[k] : kNaN);
        }
    return e;
  };
  std::vector<std::size_t> every(blocks.size());
  std::iota(every.begin(), every.end(), 0);
  const auto point = estimate(every);
  const std::size_t pairs = point.s2.size();
  std::vector<std::vector<double>> s1(d), st(d), s2(pairs);
  bootstrap(blocks.size(), boots, seed, [&](const std::vector<std::size_t>& sample) {
    const auto e = estimate(sample);
    for (std::size_t j = 0; j < d; ++j) s1[j].push_back(e.s1[j]), st[j].push_back(e.st[j]);
    for (std::size_t p = 0; p < pairs; ++p) s2[p].push_back(e.s2[p]);
  });
  for (std::size_t j = 0; j < d; ++j) {
    ParameterEffect pe;
    pe.parameter = data.parameters[j];
    pe.S1 = point.s1[j];
    pe.ST = point.st[j];
    pe.S1_conf = half_width(s1[j], confidence);
    pe.ST_conf = half_width(st[j], confidence);
    a.effects.push_back(pe);
  }
  std::size_t p = 0;
  for (std::size_t j = 0; j < d; ++j)
    for (std::size_t k = j + 1; k < d && data.second_order; ++k, ++p)
      a.pairs.push_back({data.parameters[j], data.parameters[k], point.s2[p], half_width(s2[p], confidence)});
  std::stable_sort(a.effects.begin(), a.effects.end(),
                   [](const ParameterEffect& x, const ParameterEffect& y) { return x.ST > y.ST; });
}

// ---- Morris elementary effects -----------------------------------------------------------------

void morris(const PointData& data, int boots, double confidence, std::uint64_t seed, Analysis& a) {
  const std::size_t d = data.parameters.size(), length = d + 1;
  // Each step of a trajectory moves one parameter; its effect is the change in the outcome per
  // whole range of that parameter (the step actually taken, so rounding to integers is allowed for).
  std::vector<std::vector<double>> effects(d);  // per parameter, one per whole trajectory
  std::size_t trajectories = 0;
  for (std::size_t t = 0; (t + 1) * length <= data.points; ++t) {
    bool whole = true;
    for (std::size_t k = 0; k < length; ++k) whole = whole && std::isfinite(data.y[t * length + k]);
    if (!whole) continue;
    ++trajectories;
    for (std::size_t k = 0; k + 1 < length; ++k) {
      const auto from = (t * length + k) * d, to = from + d;
      std::size_t moved = d;
      double step = 0;
      for (std::size_t j = 0; j < d; ++j) {
        const double span = data.ranges[j].second - data.ranges[j].first;
        const double change = span > 0 ? (data.x[to + j] - data.x[from + j]) / span : 0.0;
        if (std::abs(change) > std::abs(step)) step = change, moved = j;
      }
      if (moved == d) continue;  // a step rounded away (an integer parameter on a fine grid)
      effects[moved].push_back((data.y[t * length + k + 1] - data.y[t * length + k]) / step);
    }
  }
  if (trajectories < 2)
    throw InputError("a Morris analysis needs at least two whole trajectories of " + std::to_string(length) +
                     " finished points; this index has " + std::to_string(trajectories));
  a.points_used = trajectories * length;
  for (std::size_t j = 0; j < d; ++j) {
    ParameterEffect pe;
    pe.parameter = data.parameters[j];
    const auto& e = effects[j];
    if (!e.empty()) {
      std::vector<double> absolute;
      for (double v : e) absolute.push_back(std::abs(v));
      pe.mu = mean(e);
      pe.mu_star = mean(absolute);
      pe.sigma = std::sqrt(variance(e, 1));
      std::vector<double> estimates;
      bootstrap(absolute.size(), boots, seed + j, [&](const std::vector<std::size_t>& sample) {
        double s = 0;
        for (const auto i : sample) s += absolute[i];
        estimates.push_back(s / static_cast<double>(sample.size()));
      });
      pe.mu_star_conf = half_width(estimates, confidence);
    }
    a.effects.push_back(pe);
  }
  std::stable_sort(a.effects.begin(), a.effects.end(), [](const ParameterEffect& x, const ParameterEffect& y) {
    return (std::isnan(y.mu_star) && !std::isnan(x.mu_star)) || x.mu_star > y.mu_star;
  });
}

// ---- Standardised regression coefficients ------------------------------------------------------

// Least squares of standardised y on standardised x over the rows `which`: coefficients and R².
std::pair<std::vector<double>, double> standardised_fit(const std::vector<std::vector<double>>& x,
                                                        const std::vector<double>& y,
                                                        const std::vector<std::size_t>& which) {
  const std::size_t d = x.size(), n = which.size();
  std::vector<double> mx(d, 0), sx(d, 0);
  double my = 0, sy = 0;
  for (const auto i : which) my += y[i];
  my /= static_cast<double>(n);
  for (const auto i : which) sy += (y[i] - my) * (y[i] - my);
  sy = std::sqrt(sy / static_cast<double>(n));
  for (std::size_t j = 0; j < d; ++j) {
    for (const auto i : which) mx[j] += x[j][i];
    mx[j] /= static_cast<double>(n);
    for (const auto i : which) sx[j] += (x[j][i] - mx[j]) * (x[j][i] - mx[j]);
    sx[j] = std::sqrt(sx[j] / static_cast<double>(n));
  }
  if (!(sy > 0)) return {std::vector<double>(d, 0.0), kNaN};
  // Normal equations (Z'Z) b = Z'y of the standardised columns, solved with partial pivoting.
  std::vector<std::vector<double>> m(d, std::vector<double>(d + 1, 0.0));
  for (const auto i : which) {
    std::vector<double> z(d);
    for (std::size_t j = 0; j < d; ++j) z[j] = sx[j] > 0 ? (x[j][i] - mx[j]) / sx[j] : 0.0;
    const double zy = (y[i] - my) / sy;
    for (std::size_t j = 0; j < d; ++j) {
      for (std::size_t k = 0; k < d; ++k) m[j][k] += z[j] * z[k];
      m[j][d] += z[j] * zy;
    }
  }
  for (std::size_t j = 0; j < d; ++j)
    if (!(sx[j] > 0)) m[j][j] = 1.0, m[j][d] = 0.0;  // a column that does not vary gets 0
  for (std::size_t c = 0; c < d; ++c) {
    std::size_t pivot = c;
    for (std::size_t r = c + 1; r < d; ++r)
      if (std::abs(m[r][c]) > std::abs(m[pivot][c])) pivot = r;
    std::swap(m[c], m[pivot]);
    if (std::abs(m[c][c]) < 1e-12) return {std::vector<double>(d, kNaN), kNaN};  // collinear
    for (std::size_t r = 0; r < d; ++r)
      if (r != c) {
        const double factor = m[r][c] / m[c][c];
        for (std::size_t k = c; k <= d; ++k) m[r][k] -= factor * m[c][k];
      }
  }
  std::vector<double> b(d);
  for (std::size_t j = 0; j < d; ++j) b[j] = m[j][d] / m[j][j];
  double residual = 0;
  for (const auto i : which) {
    double fit = 0;
    for (std::size_t j = 0; j < d; ++j) fit += b[j] * (sx[j] > 0 ? (x[j][i] - mx[j]) / sx[j] : 0.0);
    const double r = (y[i] - my) / sy - fit;
    residual += r * r;
  }
  return {b, 1.0 - residual / static_cast<double>(n)};
}

void regression(const PointData& data, int boots, double confidence, std::uint64_t seed, Analysis& a) {
  const std::size_t d = data.parameters.size();
  std::vector<std::vector<double>> x(d);
  std::vector<double> y;
  for (std::size_t p = 0; p < data.points; ++p) {
    if (!std::isfinite(data.y[p])) continue;
    for (std::size_t j = 0; j < d; ++j) x[j].push_back(data.x[p * d + j]);
    y.push_back(data.y[p]);
  }
  if (y.size() < d + 2)
    throw InputError("a regression of " + std::to_string(d) + " parameter(s) needs at least " + std::to_string(d + 2) +
                     " points with a finished run; this index has " + std::to_string(y.size()));
  a.points_used = y.size();
  std::vector<std::size_t> every(y.size());
  std::iota(every.begin(), every.end(), 0);
  const auto [b, r2] = standardised_fit(x, y, every);
  a.r_squared = r2;
  std::vector<std::vector<double>> estimates(d);
  bootstrap(y.size(), boots, seed, [&](const std::vector<std::size_t>& sample) {
    const auto fit = standardised_fit(x, y, sample).first;
    for (std::size_t j = 0; j < d; ++j) estimates[j].push_back(fit[j]);
  });
  for (std::size_t j = 0; j < d; ++j) {
    ParameterEffect pe;
    pe.parameter = data.parameters[j];
    pe.src = b[j];
    pe.src_conf = half_width(estimates[j], confidence);
    a.effects.push_back(pe);
  }
  std::stable_sort(a.effects.begin(), a.effects.end(), [](const ParameterEffect& p, const ParameterEffect& q) {
    return std::abs(p.src) > std::abs(q.src);
  });
}

// ---- Reading an index ---------------------------------------------------------------------------

std::optional<Sampling> sampling_of(const std::string& name) {
  for (int s = 0; s <= static_cast<int>(Sampling::design); ++s)
    if (name == sampling_name(static_cast<Sampling>(s))) return static_cast<Sampling>(s);
  return std::nullopt;
}

// Written whole or not at all: a temporary file beside it, renamed onto it.
std::string joined(const std::vector<std::string>& v, const char* sep = ", ") {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

}  // namespace

Analysis analyse_points(const PointData& data, AnalysisMethod method, int bootstrap_replicates, double confidence,
                        std::uint64_t seed) {
  if (method == AnalysisMethod::sobol && data.sampling != Sampling::saltelli)
    throw method_mismatch(method, data.sampling);
  if (method == AnalysisMethod::morris && data.sampling != Sampling::morris)
    throw method_mismatch(method, data.sampling);
  if (data.parameters.empty()) throw InputError("the sweep varies no parameter: there is nothing to analyse");
  Analysis a;
  a.method = method;
  a.points = data.points;
  a.bootstrap = bootstrap_replicates;
  a.confidence = confidence;
  std::vector<double> finite;
  for (double v : data.y)
    if (std::isfinite(v)) finite.push_back(v);
  a.between_sd = std::sqrt(variance(finite, 1));
  switch (method) {
    case AnalysisMethod::sobol: sobol(data, bootstrap_replicates, confidence, seed, a); break;
    case AnalysisMethod::morris: morris(data, bootstrap_replicates, confidence, seed, a); break;
    case AnalysisMethod::regression: regression(data, bootstrap_replicates, confidence, seed, a); break;
  }
  return a;
}

Analysis analyse(const AnalysisRequest& request) {
  std::error_code ec;
  const auto index = std::filesystem::is_directory(request.dir, ec) ? request.dir / "index.h5" : request.dir;
  if (!engine::is_hdf5_file(index))
    throw InputError(index.string() + ": no sweep index (index.h5) here; run `caremarket sweep FILE -o " +
                     request.dir.string() + "` first");
  if (engine::read_root_text_attribute(index, "format_name").value_or("") != "caremarket-sweep-index")
    throw InputError(index.string() + ": not a caremarket sweep index (its format_name is not caremarket-sweep-index)");
  if (request.bootstrap < 0 || request.bootstrap > 1'000'000)
    throw InputError("--bootstrap " + std::to_string(request.bootstrap) + ": give 0 to 1000000 resamples");
  if (!(request.confidence >= 0.5 && request.confidence <= 0.999))
    throw InputError("--confidence " + std::to_string(request.confidence) +
                     ": give a level from 0.5 to 0.999, e.g. 0.95");
  PointData data;
  const auto sampling_text = engine::read_root_text_attribute(index, "sampling").value_or("grid");
  data.sampling = sampling_of(sampling_text).value_or(Sampling::grid);
  data.second_order = engine::read_double_attribute(index, "/", "second_order").value_or(0) != 0;
  const auto names = engine::dataset_names(index, "/");
  auto has = [&](const std::string& n) { return std::find(names.begin(), names.end(), n) != names.end(); };
  // Parameters in design order (the order Saltelli blocks and trajectories move them in).
  const auto listed = engine::read_root_text_attribute(index, "parameters");
  if (listed) {
    std::stringstream ss(*listed);
    for (std::string k; ss >> k;) data.parameters.push_back(k);
  } else {
    for (const auto& n : names)
      if (n.rfind("param_", 0) == 0)
        data.parameters.push_back(engine::read_text_attribute(index, "/" + n, "parameter").value_or(n.substr(6)));
  }
  if (std::find(data.parameters.begin(), data.parameters.end(), "policy") != data.parameters.end())
    throw InputError(index.string() +
                     ": this sweep varies the policy; sensitivity analysis needs numeric parameters "
                     "only (compare policies with `caremarket compare`)");
  const auto read = [&](const std::string& name) {
    auto d = engine::read_number_dataset(index, "/" + name);
    if (!d) throw InputError(index.string() + ": cannot read " + name);
    return *d;
  };
  const auto point = read("point").values;
  const auto status = read("status").values;
  const std::size_t runs = point.size();
  // The outcome: a headline outcome (its last year, or a financial year), or any index variable.
  const auto& headline = headline_outcomes();
  Analysis a;
  std::vector<double> y(runs, kNaN);
  std::string column, when;
  if (request.year) {
    if (std::find(headline.begin(), headline.end(), request.outcome) == headline.end())
      throw InputError("--outcome " + request.outcome +
                       " has no yearly values; with --year give a headline outcome: " + joined(headline));
    column = "yearly_" + request.outcome;
    if (!has(column) || !has("year"))
      throw InputError(index.string() +
                       " has no yearly outcomes (an index of format 1.0, or one with no finished run); run the "
                       "sweep again to add them, or leave out --year");
    const auto years = read("year").values;
    const auto values = read(column);
    const auto weeks = read("year_weeks");
    std::size_t col = years.size();
    const int k = *request.year;
    if (k >= 1900) {
      for (std::size_t c = 0; c < years.size(); ++c)
        if (static_cast<int>(years[c]) == k) col = c;
    } else if (k >= 1 && static_cast<std::size_t>(k) <= years.size()) {
      col = static_cast<std::size_t>(k - 1);
    }
    if (col == years.size()) {
      const std::string span = years.empty() ? std::string("none")
                                             : std::to_string(static_cast<int>(years.front())) + " to " +
                                                   std::to_string(static_cast<int>(years.back()));
      throw InputError("--year " + std::to_string(k) + ": the runs cover the financial years starting in " + span +
                       " (give 1 to " + std::to_string(years.size()) + ", or the year itself)");
    }
    double fewest = 1e9;
    for (std::size_t i = 0; i < runs; ++i) {
      y[i] = values.values[i * years.size() + col];
      if (std::isfinite(y[i])) fewest = std::min(fewest, weeks.values[i * years.size() + col]);
    }
    const int fy = static_cast<int>(years[col]);
    char text[128];
    std::snprintf(text, sizeof text, "financial year %d-%02d (year %zu of the runs%s)", fy, (fy + 1) % 100, col + 1,
                  fewest < 52 ? ", not a whole year in some runs" : "");
    when = text;
  } else {
    column = has(request.outcome) && request.outcome.rfind("param_", 0) != 0 ? request.outcome
                                                                             : "last_year_" + request.outcome;
    if (!has(column))
      throw InputError("--outcome " + request.outcome + " is not in " + index.string() + "; give a headline outcome (" +
                       joined(headline) + ") or an index variable such as final_" + headline.front());
    const auto values = read(column);
    if (values.shape.size() != 1)
      throw InputError("--outcome " + request.outcome + ": " + column + " is not one value per run; give --year");
    y = values.values;
    when = column.rfind("final_", 0) == 0       ? "the final week"
           : column.rfind("last_year_", 0) == 0 ? "the last 52 weeks of each run"
                                                : column;
  }
  // Points: the mean of their finished replicates.
  std::size_t points = 0;
  for (double p : point) points = std::max(points, static_cast<std::size_t>(p) + 1);
  data.points = points;
  const std::size_t d = data.parameters.size();
  data.x.assign(points * d, kNaN);
  data.ranges.assign(d, {0.0, 0.0});
  for (std::size_t j = 0; j < d; ++j) {
    const auto name = param_column(data.parameters[j]);
    if (!has(name)) throw InputError(index.string() + ": no column " + name + " for parameter " + data.parameters[j]);
    const auto values = read(name).values;
    double lo = kNaN, hi = kNaN;
    for (std::size_t i = 0; i < runs; ++i) {
      data.x[static_cast<std::size_t>(point[i]) * d + j] = values[i];
      lo = std::isnan(lo) ? values[i] : std::min(lo, values[i]);
      hi = std::isnan(hi) ? values[i] : std::max(hi, values[i]);
    }
    data.ranges[j] = {engine::read_double_attribute(index, "/" + name, "low").value_or(lo),
                      engine::read_double_attribute(index, "/" + name, "high").value_or(hi)};
  }
  std::vector<std::vector<double>> replicates(points);
  for (std::size_t i = 0; i < runs; ++i)
    if (status[i] == 1 && std::isfinite(y[i])) replicates[static_cast<std::size_t>(point[i])].push_back(y[i]);
  data.y.assign(points, kNaN);
  double within = 0;
  std::size_t within_df = 0, used = 0, fewest = SIZE_MAX, most = 0;
  for (std::size_t p = 0; p < points; ++p) {
    const auto& r = replicates[p];
    fewest = std::min(fewest, r.size());
    most = std::max(most, r.size());
    used += r.size();
    if (r.empty()) continue;
    data.y[p] = mean(r);
    if (r.size() > 1) within += variance(r, 1) * static_cast<double>(r.size() - 1), within_df += r.size() - 1;
  }
  if (used == 0)
    throw InputError(index.string() + ": no run is finished (status done) with a value of " + column +
                     "; run the sweep (again) to finish it");
  const AnalysisMethod method =
      request.method.value_or(data.sampling == Sampling::saltelli ? AnalysisMethod::sobol
                              : data.sampling == Sampling::morris ? AnalysisMethod::morris
                                                                  : AnalysisMethod::regression);
  a = analyse_points(data, method, request.bootstrap, request.confidence, request.seed);
  a.outcome = request.outcome;
  a.column = column;
  a.when = when;
  a.runs_used = used;
  a.min_replicates = fewest == SIZE_MAX ? 0 : fewest;
  a.max_replicates = most;
  a.within_sd = within_df > 0 ? std::sqrt(within / static_cast<double>(within_df)) : kNaN;
  return a;
}

std::string format_analysis(const Analysis& a) {
  std::ostringstream os;
  char line[512];
  std::snprintf(line, sizeof line, "%s of %s over %s (%s)\n", method_name(a.method), a.outcome.c_str(), a.when.c_str(),
                a.column.c_str());
  os << line;
  std::snprintf(line, sizeof line,
                "%zu of %zu points used, %zu runs (%zu to %zu replicates a point); sd of point means %.4g, "
                "replicates' sd about their point %.4g\n",
                a.points_used, a.points, a.runs_used, a.min_replicates, a.max_replicates, a.between_sd, a.within_sd);
  os << line;
  std::snprintf(line, sizeof line, "intervals: +/- half-width of a %g%% normal interval from %d bootstrap resamples\n",
                a.confidence * 100, a.bootstrap);
  os << line;
  if (a.method == AnalysisMethod::regression) {
    std::snprintf(
        line, sizeof line, "R^2 of the linear fit %.3f%s\n", a.r_squared,
        a.r_squared < 0.7 ? " (low: the outcome is not linear in the parameters here; use Sobol or Morris)" : "");
    os << line;
  }
  std::size_t width = 9;
  for (const auto& e : a.effects) width = std::max(width, e.parameter.size());
  const int w = static_cast<int>(width);
  switch (a.method) {
    case AnalysisMethod::sobol:
      std::snprintf(line, sizeof line, "%-*s %9s %9s %9s %9s\n", w, "parameter", "S1", "S1_conf", "ST", "ST_conf");
      os << line;
      for (const auto& e : a.effects) {
        std::snprintf(line, sizeof line, "%-*s %9.4f %9.4f %9.4f %9.4f\n", w, e.parameter.c_str(), e.S1, e.S1_conf,
                      e.ST, e.ST_conf);
        os << line;
      }
      if (!a.pairs.empty()) {
        std::snprintf(line, sizeof line, "second order:\n%-*s %-*s %9s %9s\n", w, "parameter", w, "parameter", "S2",
                      "S2_conf");
        os << line;
        for (const auto& p : a.pairs) {
          std::snprintf(line, sizeof line, "%-*s %-*s %9.4f %9.4f\n", w, p.first.c_str(), w, p.second.c_str(), p.S2,
                        p.S2_conf);
          os << line;
        }
      }
      break;
    case AnalysisMethod::morris:
      std::snprintf(line, sizeof line, "%-*s %12s %12s %12s %12s\n", w, "parameter", "mu_star", "mu_star_conf", "mu",
                    "sigma");
      os << line;
      for (const auto& e : a.effects) {
        std::snprintf(line, sizeof line, "%-*s %12.5g %12.5g %12.5g %12.5g\n", w, e.parameter.c_str(), e.mu_star,
                      e.mu_star_conf, e.mu, e.sigma);
        os << line;
      }
      os << "(mu_star, mu and sigma: change in the outcome per change of the parameter across its whole range)\n";
      break;
    case AnalysisMethod::regression:
      std::snprintf(line, sizeof line, "%-*s %9s %9s\n", w, "parameter", "src", "src_conf");
      os << line;
      for (const auto& e : a.effects) {
        std::snprintf(line, sizeof line, "%-*s %9.4f %9.4f\n", w, e.parameter.c_str(), e.src, e.src_conf);
        os << line;
      }
      break;
  }
  return os.str();
}

void write_analysis_csv(const Analysis& a, const std::filesystem::path& file) {
  auto number = [](double v) {
    char text[64];
    std::snprintf(text, sizeof text, "%.17g", v);
    return std::isfinite(v) ? std::string(text) : std::string();
  };
  std::ostringstream os;
  switch (a.method) {
    case AnalysisMethod::sobol: os << "parameter,S1,S1_conf,ST,ST_conf\n"; break;
    case AnalysisMethod::morris: os << "parameter,mu_star,mu_star_conf,mu,sigma\n"; break;
    case AnalysisMethod::regression: os << "parameter,src,src_conf\n"; break;
  }
  for (const auto& e : a.effects) {
    os << e.parameter;
    switch (a.method) {
      case AnalysisMethod::sobol:
        os << ',' << number(e.S1) << ',' << number(e.S1_conf) << ',' << number(e.ST) << ',' << number(e.ST_conf);
        break;
      case AnalysisMethod::morris:
        os << ',' << number(e.mu_star) << ',' << number(e.mu_star_conf) << ',' << number(e.mu) << ','
           << number(e.sigma);
        break;
      case AnalysisMethod::regression: os << ',' << number(e.src) << ',' << number(e.src_conf); break;
    }
    os << '\n';
  }
  engine::write_text_file(file, os.str(), "analysis table");
  if (!a.pairs.empty()) {
    std::ostringstream pairs;
    pairs << "parameter_1,parameter_2,S2,S2_conf\n";
    for (const auto& p : a.pairs)
      pairs << p.first << ',' << p.second << ',' << number(p.S2) << ',' << number(p.S2_conf) << '\n';
    auto second = file;
    second.replace_extension(".second_order.csv");
    engine::write_text_file(second, pairs.str(), "analysis table");
  }
}

}  // namespace cm::sweeps
