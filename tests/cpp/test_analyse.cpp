// The sensitivity estimators on functions whose indices are known, through the design code the
// model's sweeps use (sweeps::expand): Ishigami for Sobol first, total and second order; a
// linear function for Morris and for regression coefficients.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "sweeps/analyse.hpp"
#include "sweeps/sweep.hpp"

namespace {

using cm::sweeps::AnalysisMethod;
using cm::sweeps::Sampling;

cm::sweeps::SweepSpec spec_of(Sampling sampling, std::int64_t samples, std::vector<std::pair<double, double>> ranges) {
  cm::sweeps::SweepSpec spec;
  spec.sampling = static_cast<int>(sampling);
  spec.samples = samples;
  spec.root_seed = 11;
  for (std::size_t j = 0; j < ranges.size(); ++j) {
    cm::sweeps::Axis a;
    a.key = "x" + std::to_string(j + 1);  // not model parameters: expand() only places points
    a.range = {ranges[j].first, ranges[j].second};
    spec.parameters.push_back(a);
  }
  return spec;
}

// The design's points with f evaluated at each (one replicate a point).
template <class F>
cm::sweeps::PointData evaluate(const cm::sweeps::SweepSpec& spec, F&& f) {
  const auto design = cm::sweeps::expand(spec);
  cm::sweeps::PointData data;
  data.sampling = design.sampling;
  data.second_order = spec.second_order;
  data.parameters = design.axis_names;
  data.ranges = design.axis_range;
  data.points = static_cast<std::size_t>(design.points);
  for (const auto& run : design.runs) {
    data.x.insert(data.x.end(), run.values.begin(), run.values.end());
    data.y.push_back(f(run.values));
  }
  return data;
}

double ishigami(const std::vector<double>& x) {
  return std::sin(x[0]) + 7.0 * std::pow(std::sin(x[1]), 2) + 0.1 * std::pow(x[2], 4) * std::sin(x[0]);
}

// Ishigami and Homma (1990), a = 7, b = 0.1: V = a²/8 + bπ⁴/5 + b²π⁸/18 + 1/2.
constexpr double kPi = std::numbers::pi;
const double kV = 49.0 / 8 + 0.1 * std::pow(kPi, 4) / 5 + 0.01 * std::pow(kPi, 8) / 18 + 0.5;
const double kV1 = 0.5 * std::pow(1 + 0.1 * std::pow(kPi, 4) / 5, 2), kV2 = 49.0 / 8,
             kV13 = std::pow(0.1, 2) * std::pow(kPi, 8) * (1.0 / 18 - 1.0 / 50);
const double kS1[3] = {kV1 / kV, kV2 / kV, 0.0};
const double kST[3] = {(kV1 + kV13) / kV, kV2 / kV, kV13 / kV};

TEST(Sobol, IshigamiFirstAndTotalOrderIndicesAreRecovered) {
  const auto spec = spec_of(Sampling::saltelli, 4096, {{-kPi, kPi}, {-kPi, kPi}, {-kPi, kPi}});
  const auto a = cm::sweeps::analyse_points(evaluate(spec, ishigami), AnalysisMethod::sobol, 200, 0.95, 1);
  ASSERT_EQ(a.effects.size(), 3u);
  EXPECT_EQ(a.points_used, 4096u * 5u);
  for (const auto& e : a.effects) {
    const int j = e.parameter[1] - '1';
    // 4,096 base samples: SALib's estimators are within a few hundredths here; each interval is
    // of the same size, and the truth lies within it (or within 0.02 of it).
    EXPECT_NEAR(e.S1, kS1[j], 0.04) << e.parameter;
    EXPECT_NEAR(e.ST, kST[j], 0.04) << e.parameter;
    EXPECT_LT(std::abs(e.S1 - kS1[j]), e.S1_conf + 0.02) << e.parameter;
    EXPECT_LT(std::abs(e.ST - kST[j]), e.ST_conf + 0.02) << e.parameter;
    EXPECT_GT(e.S1_conf, 0.0);
    EXPECT_LT(e.S1_conf, 0.1);
  }
  // Most influential first by total order: x1, then x2, then x3.
  EXPECT_EQ(a.effects[0].parameter, "x1");
  EXPECT_EQ(a.effects[2].parameter, "x3");
}

TEST(Sobol, IshigamiSecondOrderShowsOnlyTheX1X3Interaction) {
  auto spec = spec_of(Sampling::saltelli, 4096, {{-kPi, kPi}, {-kPi, kPi}, {-kPi, kPi}});
  spec.second_order = true;
  const auto data = evaluate(spec, ishigami);
  EXPECT_EQ(data.points, 4096u * 8u);  // N(2d + 2)
  const auto a = cm::sweeps::analyse_points(data, AnalysisMethod::sobol, 100, 0.95, 1);
  ASSERT_EQ(a.pairs.size(), 3u);
  for (const auto& p : a.pairs) {
    const double truth = (p.first == "x1" && p.second == "x3") ? kV13 / kV : 0.0;
    EXPECT_NEAR(p.S2, truth, 0.06) << p.first << " " << p.second;
  }
}

TEST(Sobol, NeedsASaltelliDesign) {
  const auto spec = spec_of(Sampling::latin_hypercube, 64, {{0, 1}, {0, 1}, {0, 1}});
  EXPECT_THROW(cm::sweeps::analyse_points(evaluate(spec, ishigami), AnalysisMethod::sobol, 10, 0.95, 1),
               cm::sweeps::InputError);
}

const double kCoefficients[3] = {2.0, -0.5, 0.0};
double linear(const std::vector<double>& x) { return 3.0 + kCoefficients[0] * x[0] + kCoefficients[1] * x[1]; }

TEST(Morris, LinearFunctionEffectsAreItsSlopesTimesTheRanges) {
  auto spec = spec_of(Sampling::morris, 20, {{0, 10}, {5, 9}, {-1, 1}});
  spec.levels = 4;
  const auto data = evaluate(spec, linear);
  EXPECT_EQ(data.points, 20u * 4u);  // r(d + 1)
  const auto a = cm::sweeps::analyse_points(data, AnalysisMethod::morris, 50, 0.95, 1);
  const double span[3] = {10, 4, 2};
  for (const auto& e : a.effects) {
    const int j = e.parameter[1] - '1';
    EXPECT_NEAR(e.mu, kCoefficients[j] * span[j], 1e-9) << e.parameter;
    EXPECT_NEAR(e.mu_star, std::abs(kCoefficients[j]) * span[j], 1e-9) << e.parameter;
    EXPECT_NEAR(e.sigma, 0.0, 1e-9) << e.parameter;
  }
  EXPECT_EQ(a.effects[0].parameter, "x1");  // mu* 20, then x2 (2), then x3 (0)
  EXPECT_EQ(a.effects[2].parameter, "x3");
}

TEST(Morris, TrajectoriesMoveOneParameterAtATimeByDelta) {
  auto spec = spec_of(Sampling::morris, 8, {{0, 1}, {0, 1}, {0, 1}, {0, 1}});
  spec.levels = 6;
  const auto design = cm::sweeps::expand(spec);
  const double delta = 6.0 / (2.0 * 5.0);
  for (std::size_t t = 0; t < 8; ++t)
    for (std::size_t k = 0; k < 4; ++k) {
      const auto& from = design.runs[t * 5 + k].values;
      const auto& to = design.runs[t * 5 + k + 1].values;
      int moved = 0;
      for (std::size_t j = 0; j < 4; ++j) {
        EXPECT_GE(to[j], -1e-12);
        EXPECT_LE(to[j], 1 + 1e-12);
        // Every value is a level of the grid {0, 1/5, ..., 1}.
        EXPECT_NEAR(to[j] * 5, std::round(to[j] * 5), 1e-9);
        if (std::abs(to[j] - from[j]) > 1e-12) {
          ++moved;
          EXPECT_NEAR(std::abs(to[j] - from[j]), delta, 1e-12);
        }
      }
      EXPECT_EQ(moved, 1);
    }
}

TEST(Regression, LinearFunctionCoefficientsAreExact) {
  const auto spec = spec_of(Sampling::latin_hypercube, 200, {{0, 10}, {5, 9}, {-1, 1}});
  const auto data = evaluate(spec, linear);
  const auto a = cm::sweeps::analyse_points(data, AnalysisMethod::regression, 50, 0.95, 1);
  EXPECT_NEAR(a.r_squared, 1.0, 1e-9);
  // SRC_j = b_j sd(x_j) / sd(y): with the design's own spreads.
  std::vector<double> sd(3, 0.0), m(3, 0.0);
  double my = 0, sy = 0;
  const auto n = static_cast<double>(data.points);
  for (std::size_t p = 0; p < data.points; ++p) {
    for (std::size_t j = 0; j < 3; ++j) m[j] += data.x[p * 3 + j] / n;
    my += data.y[p] / n;
  }
  for (std::size_t p = 0; p < data.points; ++p) {
    for (std::size_t j = 0; j < 3; ++j) sd[j] += std::pow(data.x[p * 3 + j] - m[j], 2) / n;
    sy += std::pow(data.y[p] - my, 2) / n;
  }
  for (const auto& e : a.effects) {
    const int j = e.parameter[1] - '1';
    EXPECT_NEAR(e.src, kCoefficients[j] * std::sqrt(sd[j] / sy), 1e-9) << e.parameter;
  }
}

TEST(Bootstrap, SameCallGivesTheSameIntervals) {
  const auto spec = spec_of(Sampling::saltelli, 256, {{-kPi, kPi}, {-kPi, kPi}, {-kPi, kPi}});
  const auto data = evaluate(spec, ishigami);
  const auto a = cm::sweeps::analyse_points(data, AnalysisMethod::sobol, 100, 0.95, 7);
  const auto b = cm::sweeps::analyse_points(data, AnalysisMethod::sobol, 100, 0.95, 7);
  const auto c = cm::sweeps::analyse_points(data, AnalysisMethod::sobol, 100, 0.95, 8);
  for (std::size_t j = 0; j < 3; ++j) {
    EXPECT_EQ(a.effects[j].S1_conf, b.effects[j].S1_conf);
    EXPECT_NE(a.effects[j].S1_conf, c.effects[j].S1_conf);
  }
}

}  // namespace
