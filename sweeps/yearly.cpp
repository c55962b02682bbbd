#include "sweeps/yearly.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>
#include <string>

#include "agents/metrics.hpp"
#include "engine/dates.hpp"
#include "engine/hdf5_reader.hpp"
#include "sweeps/compare.hpp"

namespace cm::sweeps {

std::size_t yearly_row_width() { return 1 + headline_outcomes().size(); }

std::size_t YearlyOutcomes::years() const { return rows.size() / yearly_row_width(); }

std::int32_t financial_year_of(int year, unsigned month) { return month >= 4 ? year : year - 1; }

YearlyOutcomes yearly_outcomes(const std::filesystem::path& run_file) {
  const auto fail = [&](const std::string& why) {
    return std::runtime_error(run_file.string() + ": cannot read the yearly outcomes: " + why);
  };
  const auto start_text = engine::read_root_text_attribute(run_file, "start_date");
  const auto start = start_text ? engine::parse_iso_date(*start_text) : std::nullopt;
  if (!start) throw fail("no start_date attribute");
  const auto& catalogue = metric_catalogue();
  std::map<std::size_t, engine::F64Dataset> series;  // by metric
  auto load = [&](std::size_t k) -> const engine::F64Dataset& {
    auto it = series.find(k);
    if (it != series.end()) return it->second;
    auto d = engine::read_f64_dataset(run_file, std::string("/") + catalogue[k].name);
    if (!d || d->shape.size() != 2) throw fail(std::string("no series ") + catalogue[k].name);
    return series.emplace(k, std::move(*d)).first->second;
  };
  const auto& headline = headline_outcomes();
  std::vector<std::size_t> metrics;
  for (const auto& name : headline) {
    std::size_t k = 0;
    while (k < kMetricCount && name != catalogue[k].name) ++k;
    if (k == kMetricCount) throw fail("no metric " + name);
    metrics.push_back(k);
  }
  const std::size_t steps = load(metrics[0]).shape[0];
  // Weeks 1.. (row 0 is the starting state), by financial year.
  std::vector<std::int32_t> year_of(steps, 0);
  std::int32_t first = 0, last = -1;
  for (std::size_t t = 1; t < steps; ++t) {
    const auto date = engine::date_of_step(*start, static_cast<std::int64_t>(t));
    year_of[t] = financial_year_of(static_cast<int>(date.year()), static_cast<unsigned>(date.month()));
    if (t == 1) first = year_of[t];
    last = year_of[t];
  }
  YearlyOutcomes out;
  out.first_year = first;
  const std::size_t width = yearly_row_width(), years = steps > 1 ? static_cast<std::size_t>(last - first + 1) : 0;
  out.rows.assign(years * width, 0.0);
  for (std::size_t t = 1; t < steps; ++t) out.rows[static_cast<std::size_t>(year_of[t] - first) * width] += 1.0;
  for (std::size_t h = 0; h < metrics.size(); ++h) {
    const auto& values = load(metrics[h]);
    const auto weight_metric = static_cast<std::size_t>(region_weight(static_cast<Metric>(metrics[h])));
    const engine::F64Dataset* weights = weight_metric == kMetricCount ? nullptr : &load(weight_metric);
    const std::size_t councils = values.shape[1];
    if (values.shape[0] != steps || (weights && weights->shape != values.shape)) throw fail("series of unequal length");
    for (std::size_t t = 1; t < steps; ++t) {
      // The region value of the week, as region_values() makes it.
      double sum = 0, total = 0;
      for (std::size_t c = 0; c < councils; ++c) {
        const double w = weights ? weights->values[t * councils + c] : 1.0;
        sum += values.values[t * councils + c] * w;
        total += w;
      }
      const double region = weights ? (total > 0 ? sum / total : 0.0) : sum;
      out.rows[static_cast<std::size_t>(year_of[t] - first) * width + 1 + h] += region;
    }
  }
  for (std::size_t y = 0; y < years; ++y)
    for (std::size_t h = 1; h < width; ++h)
      if (out.rows[y * width] > 0) out.rows[y * width + h] /= out.rows[y * width];
  return out;
}

PlaceOutcomes place_outcomes(const std::filesystem::path& run_file) {
  const auto fail = [&](const std::string& why) {
    return std::runtime_error(run_file.string() + ": cannot read the councils' outcomes: " + why);
  };
  PlaceOutcomes out;
  const auto names = engine::read_text_array(run_file, "/council_name");
  if (!names) throw fail("no council_name");
  if (names->size() < 2) return out;
  const auto regions = engine::read_text_array(run_file, "/council_region");
  out.regions = names->size() > 12 && regions && regions->size() == names->size() &&
                std::none_of(regions->begin(), regions->end(), [](const std::string& r) { return r.empty(); });
  if (names->size() > 12 && !out.regions) return out;
  const auto& key = out.regions ? *regions : *names;
  std::vector<std::size_t> place_of(key.size());
  for (std::size_t c = 0; c < key.size(); ++c) {
    auto it = std::find(out.places.begin(), out.places.end(), key[c]);
    if (it == out.places.end()) it = out.places.insert(out.places.end(), key[c]);
    place_of[c] = static_cast<std::size_t>(it - out.places.begin());
  }
  const auto& catalogue = metric_catalogue();
  const auto& headline = headline_outcomes();
  out.values.assign(out.places.size() * headline.size(), 0.0);
  std::map<std::size_t, engine::F64Dataset> series;
  auto load = [&](std::size_t k) -> const engine::F64Dataset& {
    auto it = series.find(k);
    if (it != series.end()) return it->second;
    auto d = engine::read_f64_dataset(run_file, std::string("/") + catalogue[k].name);
    if (!d || d->shape.size() != 2 || d->shape[1] != key.size())
      throw fail(std::string("no series ") + catalogue[k].name);
    return series.emplace(k, std::move(*d)).first->second;
  };
  for (std::size_t h = 0; h < headline.size(); ++h) {
    std::size_t k = 0;
    while (k < kMetricCount && headline[h] != catalogue[k].name) ++k;
    if (k == kMetricCount) throw fail("no metric " + headline[h]);
    const auto& values = load(k);
    const auto weight_metric = static_cast<std::size_t>(region_weight(static_cast<Metric>(k)));
    const engine::F64Dataset* weights = weight_metric == kMetricCount ? nullptr : &load(weight_metric);
    const std::size_t steps = values.shape[0], councils = values.shape[1];
    // Weeks 1.. (row 0 is the starting state): the last 52 of them, or all when fewer.
    const std::size_t first = steps > 53 ? steps - 52 : 1;
    for (std::size_t p = 0; p < out.places.size(); ++p) {
      double mean = 0;
      for (std::size_t t = first; t < steps; ++t) {
        double sum = 0, total = 0;
        for (std::size_t c = 0; c < councils; ++c) {
          if (place_of[c] != p) continue;
          const double w = weights ? weights->values[t * councils + c] : 1.0;
          sum += values.values[t * councils + c] * w;
          total += w;
        }
        mean += weights ? (total > 0 ? sum / total : 0.0) : sum;
      }
      out.values[p * headline.size() + h] = steps > first ? mean / static_cast<double>(steps - first) : 0.0;
    }
  }
  return out;
}

}  // namespace cm::sweeps
