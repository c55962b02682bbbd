// Geography from distances (MODEL.md §15): great-circle distance, travel minutes between small
// areas, and the rural council's longer trips (the urban one's slower speed notwithstanding).
#include <gtest/gtest.h>

#include "agents/geography.hpp"
#include "agents/parameters.hpp"

namespace {

// Two councils of three small areas each, the same shape: "Town" packed into 9 km2 with many
// adults, "Moor" spread over 900 km2 with few.
cm::ScenarioSpec two_councils() {
  return cm::load_scenario_text(R"(
[[councils]]
name = "Town"
area_km2 = 9
age_thousands = [60, 20, 5]
areas = ["t1", "t2", "t3"]
area_latitudes = [51.500, 51.510, 51.520]
area_longitudes = [-0.100, -0.100, -0.100]

[[councils]]
name = "Moor"
area_km2 = 900
age_thousands = [30, 15, 5]
areas = ["m1", "m2", "m3"]
area_latitudes = [54.0, 54.1, 54.2]
area_longitudes = [-2.0, -2.0, -2.0]
)",
                                "two.toml")
      .spec;
}

}  // namespace

TEST(Geography, GreatCircleDistanceOfKnownPlaces) {
  // London (Charing Cross) to Paris (Notre-Dame): about 344 km.
  EXPECT_NEAR(cm::great_circle_km(51.5074, -0.1278, 48.8566, 2.3522), 343.5, 1.0);
  // A tenth of a degree of latitude is 11.1 km anywhere.
  EXPECT_NEAR(cm::great_circle_km(54.0, -2.0, 54.1, -2.0), 11.12, 0.02);
  EXPECT_DOUBLE_EQ(cm::great_circle_km(52.0, 1.0, 52.0, 1.0), 0.0);
}

TEST(Geography, MinutesComeFromDistanceRoadFactorAndSpeed) {
  const auto spec = two_councils();
  const cm::Geography g(spec, engine::RngRoot(1, 0));
  ASSERT_TRUE(g.by_distance(0) && g.by_distance(1));
  // Densities: 9,444 adults per km2 (urban speed) and 56 (rural speed).
  EXPECT_DOUBLE_EQ(g.speed_kmh(0), spec.geography.urban_speed_kmh);
  EXPECT_DOUBLE_EQ(g.speed_kmh(1), spec.geography.rural_speed_kmh);
  // Moor's areas 11.12 km apart: 11.12 km x 1.3 at 45 km/h = 19.3 minutes; two apart, twice that.
  const auto first = g.first_locality(1);
  EXPECT_NEAR(g.minutes(first, first + 1), 11.12 * 1.3 * 60 / 45, 0.05);
  EXPECT_NEAR(g.minutes(first, first + 2), 2 * 11.12 * 1.3 * 60 / 45, 0.1);
  EXPECT_FLOAT_EQ(g.minutes(first + 2, first), g.minutes(first, first + 2));
  // Within one area: the mean distance between two points of a 300 km2 square (0.5214 of its side),
  // by road, at 45 km/h.
  EXPECT_FLOAT_EQ(g.minutes(first, first), g.local_trip(1));
  EXPECT_NEAR(g.local_trip(1), 0.5214 * std::sqrt(300.0) * 1.3 * 60 / 45, 0.01);
  // No trip between areas is shorter than one within an area.
  for (int c = 0; c < 2; ++c)
    for (auto a = g.first_locality(c); a < g.first_locality(c) + 3; ++a)
      for (auto b = g.first_locality(c); b < g.first_locality(c) + 3; ++b) EXPECT_GE(g.minutes(a, b), g.local_trip(c));
}

TEST(Geography, ARuralCouncilsTripsAreLongerThoughItsRoadsAreFaster) {
  const auto spec = two_councils();
  const cm::Geography g(spec, engine::RngRoot(1, 0));
  EXPECT_GT(g.speed_kmh(1), g.speed_kmh(0));
  // Ten times the distance (a hundred times the area) at 1.8 times the speed.
  EXPECT_NEAR(g.local_trip(1) / g.local_trip(0), 10 * 25.0 / 45.0, 1e-4);
}

TEST(Geography, ACouncilWithoutSmallAreasIsARing) {
  const auto spec = cm::load_scenario_text("[[councils]]\nname = \"Ring\"\nlocalities = 6\n", "ring.toml").spec;
  const cm::Geography g(spec, engine::RngRoot(1, 0));
  EXPECT_FALSE(g.by_distance(0));
  EXPECT_EQ(g.locality_count(0), 6);
  EXPECT_FLOAT_EQ(g.minutes(0, 0), 0.0f);
  EXPECT_GE(g.minutes(0, 3), spec.geography.edge_minutes_min);
}
