// Config reading: layers, typed schema, and one message per kind of bad input.
#include <gtest/gtest.h>

#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "agents/parameters.hpp"
#include "engine/config.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;
using engine::config::ConfigError;
using engine::config::Document;
using engine::config::Schema;

namespace {
struct Small {
  double rate;
  std::int64_t steps;
  bool on;
  std::string name;
  int mode;
  std::vector<double> list;
};

Schema<Small> small_schema() {
  Schema<Small> s;
  s.real(
       "a.rate", [](Small& x) -> double& { return x.rate; }, 0.5, {0, 1}, "1/year", "a rate")
      .integer(
          "a.steps", [](Small& x) -> std::int64_t& { return x.steps; }, 10, {1, 100}, "weeks", "steps")
      .boolean(
          "b.on", [](Small& x) -> bool& { return x.on; }, false, "switch")
      .text(
          "b.name", [](Small& x) -> std::string& { return x.name; }, "x", "name")
      .choice(
          "b.mode", [](Small& x) -> int& { return x.mode; }, {"low", "high"}, 0, "mode")
      .real_list(
          "b.list", [](Small& x) -> std::vector<double>& { return x.list; }, {1, 2}, {0, 10}, "", "list");
  return s;
}

std::string error_of(const std::string& toml, const std::string& origin = "test.toml") {
  Document doc;
  try {
    doc.overlay_text(toml, origin);
    small_schema().read(doc);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

using testing_files::TempDir;
}  // namespace

TEST(Config, DefaultsFillMissingKeys) {
  Document doc;
  doc.overlay_text("", "empty.toml");
  const auto v = small_schema().read(doc);
  EXPECT_DOUBLE_EQ(v.rate, 0.5);
  EXPECT_EQ(v.steps, 10);
  EXPECT_EQ(v.mode, 0);
  EXPECT_EQ(v.list, (std::vector<double>{1, 2}));
}

TEST(Config, IntegersAreAcceptedForReals) {
  Document doc;
  doc.overlay_text("[a]\nrate = 1\n", "t.toml");
  EXPECT_DOUBLE_EQ(small_schema().read(doc).rate, 1.0);
}

TEST(Config, WrongTypeNamesFileKeyAndExpectation) {
  const auto msg = error_of("[a]\nsteps = \"ten\"\n");
  EXPECT_NE(msg.find("test.toml"), std::string::npos) << msg;
  EXPECT_NE(msg.find("a.steps"), std::string::npos) << msg;
  EXPECT_NE(msg.find("expected an integer"), std::string::npos) << msg;
  EXPECT_NE(msg.find("got a string"), std::string::npos) << msg;
}

TEST(Config, OutOfRangeGivesTheRange) {
  const auto msg = error_of("[a]\nrate = 1.5\n");
  EXPECT_NE(msg.find("a.rate = 1.5"), std::string::npos) << msg;
  EXPECT_NE(msg.find("between 0 and 1 1/year"), std::string::npos) << msg;
}

TEST(Config, UnknownKeySuggestsTheNearest) {
  const auto msg = error_of("[a]\nrat = 0.1\n");
  EXPECT_NE(msg.find("a.rat is not a known parameter"), std::string::npos) << msg;
  EXPECT_NE(msg.find("did you mean 'a.rate'"), std::string::npos) << msg;
  const auto section = error_of("[c]\nx = 1\n");
  EXPECT_NE(section.find("c is not a known parameter"), std::string::npos) << section;
}

TEST(Config, BadChoiceListsAllowedValues) {
  const auto msg = error_of("[b]\nmode = \"hgh\"\n");
  EXPECT_NE(msg.find("one of \"low\", \"high\""), std::string::npos) << msg;
  EXPECT_NE(msg.find("did you mean \"high\""), std::string::npos) << msg;
}

TEST(Config, ListLengthIsChecked) {
  EXPECT_NE(error_of("[b]\nlist = [1, 2, 3]\n").find("a list of 2 numbers"), std::string::npos);
  EXPECT_NE(error_of("[b]\nlist = [1, 20]\n").find("every entry must be between 0 and 10"), std::string::npos);
}

TEST(Config, AllProblemsAreReportedTogether) {
  Document doc;
  doc.overlay_text("[a]\nrate = 5\nsteps = 0\n[b]\non = 1\n", "t.toml");
  try {
    small_schema().read(doc);
    FAIL() << "expected an error";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.problems().size(), 3u);
  }
}

TEST(Config, MalformedTomlGivesLineAndColumn) {
  Document doc;
  try {
    doc.overlay_text("[a]\nrate = = 1\n", "broken.toml");
    FAIL() << "expected an error";
  } catch (const ConfigError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("broken.toml"), std::string::npos) << msg;
    EXPECT_NE(msg.find("line 2"), std::string::npos) << msg;
  }
}

TEST(Config, MissingFileIsNamed) {
  Document doc;
  try {
    doc.overlay_file("/nonexistent/dir/scenario.toml");
    FAIL() << "expected an error";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/dir/scenario.toml: does not exist"), std::string::npos)
        << e.what();
  }
}

TEST(Config, LayersMergeInOrderAndErrorsNameTheLayer) {
  Document doc;
  doc.overlay_text("[a]\nrate = 0.1\nsteps = 5\n", "scenario.toml");
  doc.overlay_text("[a]\nrate = 0.2\n", "policy.toml");
  doc.set("a.steps=7");
  const auto v = small_schema().read(doc);
  EXPECT_DOUBLE_EQ(v.rate, 0.2);
  EXPECT_EQ(v.steps, 7);
  EXPECT_EQ(doc.origin_of("a.rate"), "policy.toml");
  EXPECT_EQ(doc.origin_of("a.steps"), "--set a.steps");

  Document bad;
  bad.overlay_text("[a]\nrate = 0.1\n", "scenario.toml");
  bad.overlay_text("[a]\nrate = 3\n", "policy.toml");
  try {
    small_schema().read(bad);
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.problems().at(0).origin, "policy.toml");
  }
}

TEST(Config, SetParsesTomlValuesAndBareWords) {
  Document doc;
  doc.set("b.mode=high");
  doc.set("b.on=true");
  doc.set("b.list=[3, 4]");
  const auto v = small_schema().read(doc);
  EXPECT_EQ(v.mode, 1);
  EXPECT_TRUE(v.on);
  EXPECT_EQ(v.list, (std::vector<double>{3, 4}));
  EXPECT_THROW(doc.set("no-equals-sign"), ConfigError);
  EXPECT_THROW(doc.set("=3"), ConfigError);
}

TEST(Config, ResolvedTomlRoundTrips) {
  Document doc;
  doc.overlay_text("[a]\nrate = 0.25\n[b]\nmode = \"high\"\n", "t.toml");
  const auto schema = small_schema();
  const auto v = schema.read(doc);
  Document again;
  again.overlay_text(engine::config::to_toml_text(schema.to_table(v)), "resolved");
  const auto w = schema.read(again);
  EXPECT_DOUBLE_EQ(w.rate, v.rate);
  EXPECT_EQ(w.mode, v.mode);
  EXPECT_EQ(w.steps, v.steps);
}

TEST(Scenario, ShippedScenarioLoadsAndResolvedConfigReloads) {
  const fs::path root = CAREMARKET_SOURCE_DIR;
  const auto loaded = cm::load_scenario(root / "configs/scenarios/somerset.toml", {}, {});
  ASSERT_EQ(loaded.spec.councils.size(), 1u);
  EXPECT_EQ(loaded.spec.councils[0].people, 14000);
  const auto again = cm::load_scenario_text(loaded.resolved_toml, "resolved");
  EXPECT_EQ(again.resolved_toml, loaded.resolved_toml);
}

TEST(Scenario, CouncilErrorsNameTheEntry) {
  TempDir dir;
  const auto path =
      dir.write("s.toml", "[[councils]]\nname = \"A\"\npeople = -5\n[[councils]]\nname = \"A\"\nlocalitees = 3\n");
  try {
    cm::load_scenario(path, {}, {});
    FAIL();
  } catch (const ConfigError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("councils[0].people = -5"), std::string::npos) << msg;
    EXPECT_NE(msg.find("councils[1].localitees is not a known parameter; did you mean 'councils[1].localities'"),
              std::string::npos)
        << msg;
  }
}

TEST(Scenario, ConsistencyChecks) {
  TempDir dir;
  const auto path =
      dir.write("s.toml", "[[councils]]\nname = \"A\"\n[need]\ninitial_band_shares = [0.5, 0.5, 0.5, 0.5]\n");
  try {
    cm::load_scenario(path, {}, {});
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("must sum to 1"), std::string::npos) << e.what();
  }
}

TEST(Scenario, ScenarioWithoutCouncilsIsAnError) {
  TempDir dir;
  const auto path = dir.write("s.toml", "[region]\nname = \"x\"\n");
  EXPECT_THROW(cm::load_scenario(path, {}, {}), ConfigError);
}

// A list of tables given as something else names what was given, as written (engine::config::render).
TEST(Scenario, CouncilsThatAreNotAListOfTablesAreNamedAsWritten) {
  TempDir dir;
  auto error = [&](const std::string& councils) {
    try {
      cm::load_scenario(dir.write("s.toml", councils + "[region]\nname = \"x\"\n"), {}, {});
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  const auto scalar = error("councils = 5\n"), list = error("councils = [1, 2]\n");
  EXPECT_NE(scalar.find("councils = 5: expected a list of tables ([[councils]]), got an integer"), std::string::npos)
      << scalar;
  EXPECT_NE(list.find("councils = [ 1, 2 ]: expected a list of tables ([[councils]]), got a list"), std::string::npos)
      << list;
}

// --- Hostile input (issue 12): limits checked before parsing, nothing silently ignored. ---

std::string load_error(const fs::path& path, const std::vector<std::string>& sets = {}) {
  try {
    cm::load_scenario(path, {}, sets);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(ConfigLimits, KeyWithTensOfThousandsOfPartsIsRefusedBeforeParsing) {
  // 50,000 dotted parts overflowed the stack inside the TOML library.
  std::string key = "a";
  for (int i = 0; i < 50000; ++i) key += ".a";
  const std::string msg = error_of(key + " = 1\n");
  EXPECT_NE(msg.find("test.toml: line 1: a key with more than 32 dotted parts"), std::string::npos)
      << msg.substr(0, 200);
  const std::string header = error_of("[" + key + "]\nx = 1\n");
  EXPECT_NE(header.find("more than 32 dotted parts"), std::string::npos) << header.substr(0, 200);
  Document doc;
  EXPECT_THROW(doc.set(key + "=1"), ConfigError);
}

TEST(ConfigLimits, OverLongKeysAndDeepNestingAreRefused) {
  EXPECT_NE(error_of(std::string(5000, 'k') + " = 1\n").find("a key longer than 1024 characters"), std::string::npos);
  EXPECT_NE(error_of("x = " + std::string(40, '[') + std::string(40, ']') + "\n").find("nested more than 32 deep"),
            std::string::npos);
  std::string inline_tables = "x = ";
  for (int i = 0; i < 40; ++i) inline_tables += "{a = ";
  inline_tables += "1" + std::string(40, '}') + "\n";
  EXPECT_NE(error_of(inline_tables).find("nested more than 32 deep"), std::string::npos);
}

TEST(ConfigLimits, OverLargeFilesAreRefusedWithoutReadingThemWhole) {
  TempDir dir;
  const auto path = dir.path() / "big.toml";
  {
    std::ofstream out(path);
    const std::string line = "# " + std::string(1000, 'x') + "\n";
    for (std::size_t written = 0; written <= engine::config::kMaxConfigBytes; written += line.size()) out << line;
  }
  const std::string msg = load_error(path);
  EXPECT_NE(msg.find("a config may have at most 67108864"), std::string::npos) << msg;
}

TEST(ConfigLimits, ValidTomlWithinTheLimitsIsNotRejected) {
  // Dots, brackets and '=' inside strings, comments, values and multi-line strings are not keys.
  const std::string text =
      "[a]  # a comment with [brackets] and a.b.c.d = 1\n"
      "rate = 0.25\n"
      "steps = 12\n"
      "[b]\n"
      "name = \"x.y.z[{\\\"=\"\n"
      "mode = 'high'\n"
      "list = [\n  1.5,  # [ ] { }\n  2.5,\n]\n";
  EXPECT_EQ(error_of(text), "");
  const std::string multi = "[b]\nname = \"\"\"\n[not.a.header]\na.b = \"\"\"\n";
  EXPECT_EQ(error_of(multi), "");
  // The largest shipped scenario is far inside the limits.
  const fs::path root = CAREMARKET_SOURCE_DIR;
  EXPECT_EQ(load_error(root / "configs/scenarios/england.toml"), "");
}

TEST(Config, QuotedKeyWithADotIsAnErrorNotIgnored) {
  // "labour.nlw" = 99 is one key named labour.nlw to TOML, which the reader never looked up.
  const std::string msg = error_of("\"a.rate\" = 0.9\n");
  EXPECT_NE(msg.find("test.toml: \"a.rate\" is a quoted key with a dot in its name"), std::string::npos) << msg;
  EXPECT_NE(msg.find("did you mean a.rate without the quotes?"), std::string::npos) << msg;
  const std::string section = error_of("[b]\n\"mode.x\" = 1\n");
  EXPECT_NE(section.find("\"b.mode.x\" is a quoted key"), std::string::npos) << section;
  TempDir dir;
  const auto path = dir.write("s.toml", "\"commissioning.mode\" = \"collaborative\"\n[[councils]]\nname = \"A\"\n");
  EXPECT_NE(load_error(path).find("\"commissioning.mode\" is a quoted key"), std::string::npos) << load_error(path);
}

TEST(Config, ListsMayMixIntegersAndFloats) {
  Document doc;
  doc.overlay_text("[b]\nlist = [5, 9.5]\n", "test.toml");
  EXPECT_EQ(small_schema().read(doc).list, (std::vector<double>{5, 9.5}));
  const fs::path root = CAREMARKET_SOURCE_DIR;
  const auto loaded = cm::load_scenario(root / "tests/data/tiny.toml", {}, {"need.hours_by_band=[5, 10.5, 18, 30]"});
  EXPECT_EQ(loaded.spec.need.hours_by_band, (std::vector<double>{5, 10.5, 18, 30}));
}

TEST(Scenario, SizesAreCappedBeforeAnythingIsBuilt) {
  TempDir dir;
  std::string councils;
  for (int i = 0; i < 2001; ++i) councils += "[[councils]]\nname = \"c" + std::to_string(i) + "\"\n";
  EXPECT_NE(load_error(dir.write("many.toml", councils)).find("councils has 2001 entries; at most 2000 are allowed"),
            std::string::npos);
  std::string localities;
  for (int i = 0; i < 101; ++i)
    localities += "[[councils]]\nname = \"c" + std::to_string(i) + "\"\nlocalities = 1000\n";
  EXPECT_NE(load_error(dir.write("wide.toml", localities)).find("have 101000 localities in all; at most 100000"),
            std::string::npos);
  const std::string people = "[[councils]]\nname = \"a\"\npeople = 60000000\n";
  EXPECT_NE(load_error(dir.write("crowd.toml", people)).find("people and workers in all; at most 50000000"),
            std::string::npos);
}

TEST(Scenario, DuplicateAndNulNamesAreFound) {
  TempDir dir;
  std::string text;
  for (int i = 0; i < 1500; ++i) text += "[[councils]]\nname = \"c" + std::to_string(i) + "\"\n";
  text += "[[councils]]\nname = \"c7\"\n[[councils]]\nname = \"bad\\u0000name\"\n";
  const std::string msg = load_error(dir.write("s.toml", text));
  EXPECT_NE(msg.find("councils[1500].name = \"c7\": a council listed twice (councils[7] has this name too)"),
            std::string::npos)
      << msg;
  EXPECT_NE(msg.find("councils[1501].name must not contain a NUL character"), std::string::npos) << msg;
}

TEST(Scenario, NoWageBelowTheLegalMinimum) {
  const fs::path root = CAREMARKET_SOURCE_DIR;
  const auto loaded = cm::load_scenario(root / "tests/data/tiny.toml", {}, {"labour.nlw=13.00"});
  EXPECT_DOUBLE_EQ(loaded.spec.providers.of(cm::Archetype::chain).wage, 13.00);
  EXPECT_DOUBLE_EQ(loaded.spec.providers.of(cm::Archetype::agency).wage, 13.00);
  ASSERT_FALSE(loaded.warnings.empty());
  EXPECT_NE(
      loaded.warnings[0].find("providers.chain.wage = 12.21 (default) is below labour.nlw = 13.00 (--set labour.nlw)"),
      std::string::npos)
      << loaded.warnings[0];
  EXPECT_NE(loaded.resolved_toml.find("wage = 13.0"), std::string::npos);  // the output records the wage paid
  const auto plain = cm::load_scenario(root / "tests/data/tiny.toml", {}, {});
  EXPECT_TRUE(plain.warnings.empty());
}

// The behavioural constants that became parameters (issue 13 item 9; docs/ODD.md §7.13 lists what
// stays in code): each is declared with the value the code had as its default, a unit where it has
// one, a range and a source, and a scenario that does not set it gets exactly that value.
TEST(Scenario, FormerConstantsAreDeclaredWithTheirOldValues) {
  struct Expected {
    const char* key;
    const char* fallback;
    const char* unit;
    const char* allowed;
  };
  const Expected expected[] = {
      {"geography.chord_length_factor", "1.5", "", "between 0.01 and 100"},
      {"need.exit_age_factors", "[0.6, 1, 1.3]", "", "3 numbers, each between 0 and 10"},
      {"need.ties_half_saturation", "2", "ties", "between 0.01 and 100 ties"},
      {"need.prevention_full_share", "0.1", "", "between 0.001 and 1"},
      {"need.informal_max_share", "0.5", "", "between 0 and 1"},
      {"need.max_ties", "20", "ties", "between 0 and 255 ties"},
      {"commissioning.strategic_share", "0.05", "", "between 0 and 1"},
      {"commissioning.retender_weeks", "13", "weeks", "between 1 and 1000 weeks"},
      {"providers.entry_reference_gap", "0.05", "", "between 0.0001 and 10"},
      {"providers.entry_attractiveness_max", "3", "", "between 0 and 1000"},
      {"providers.entrant_workers", "2", "workers", "between 0 and 1000 workers"},
      {"providers.margin_smoothing", "0.1", "1/week", "between 0 and 1 1/week"},
      {"providers.continuity_rate", "0.25", "1/week", "between 0 and 1 1/week"},
      {"providers.turnover_continuity_loss", "0.5", "", "between 0 and 1"},
      {"providers.chain_start_weight", "2.5", "", "between 0.01 and 100"},
      {"labour.pay_premium_share", "0.5", "", "between 0 and 1"},
      {"labour.acceptance_tolerance", "0.25", "GBP/h", "between 0 and 100 GBP/h"},
      {"labour.fill_attraction_min", "0.1", "", "between 0 and 100"},
      {"labour.fill_attraction_max", "4", "", "between 0 and 100"},
      {"retention.founder_stress_factor", "0.7", "", "between 0 and 10"},
      {"retention.leaver_rate_smoothing", "0.05", "1/week", "between 0 and 1 1/week"},
      {"founding.reference_private_share", "0.4", "", "between 0.01 and 1"},
      {"outcomes.initial_wellbeing", "0.775", "", "between 0 and 1"},  // 0.6 until wellbeing moved to the ASCOT scale
      {"outcomes.quality_continuity_weight", "0.4", "", "between 0 and 1"},
      {"outcomes.quality_wellbeing_weight", "0.4", "", "between 0 and 1"},
      {"outcomes.quality_turnover_weight", "0.2", "", "between 0 and 1"},
      {"outcomes.quality_rate", "0.02", "1/week", "between 0 and 1 1/week"},
  };
  const auto docs = cm::parameter_docs();
  for (const auto& e : expected) {
    const auto it = std::find_if(docs.begin(), docs.end(), [&](const cm::ParameterDoc& d) { return d.key == e.key; });
    ASSERT_NE(it, docs.end()) << e.key << " is not declared";
    EXPECT_EQ(it->fallback, e.fallback) << e.key;
    EXPECT_EQ(it->unit, e.unit) << e.key;
    EXPECT_EQ(it->allowed, e.allowed) << e.key;
    EXPECT_FALSE(it->doc.empty()) << e.key;
    EXPECT_EQ(it->source.rfind("assumption", 0), 0u) << e.key << ": " << it->source;  // none has a published source
  }
  // The values a scenario gets without setting them: exactly the literals the code used (doubles
  // for double arithmetic; the two float literals convert to the same floats).
  const auto s = cm::load_scenario(fs::path(CAREMARKET_SOURCE_DIR) / "tests/data/tiny.toml", {}, {}).spec;
  EXPECT_EQ(s.geography.chord_length_factor, 1.5);
  EXPECT_EQ(static_cast<float>(s.geography.chord_length_factor), 1.5f);
  EXPECT_EQ(s.need.exit_age_factors, (std::vector<double>{0.6, 1.0, 1.3}));
  EXPECT_EQ(s.need.ties_half_saturation, 2.0);
  EXPECT_EQ(s.need.prevention_full_share, 0.1);
  EXPECT_EQ(s.need.informal_max_share, 0.5);
  EXPECT_EQ(s.need.max_ties, 20);
  EXPECT_EQ(s.commissioning.strategic_share, 0.05);
  EXPECT_EQ(s.commissioning.retender_weeks, 13);
  EXPECT_EQ(s.providers.entry_reference_gap, 0.05);
  EXPECT_EQ(s.providers.entry_attractiveness_max, 3.0);
  EXPECT_EQ(s.providers.entrant_workers, 2);
  EXPECT_EQ(s.providers.margin_smoothing, 0.1);
  EXPECT_EQ(s.providers.continuity_rate, 0.25);
  EXPECT_EQ(s.providers.turnover_continuity_loss, 0.5);
  EXPECT_EQ(s.providers.chain_start_weight, 2.5);
  EXPECT_EQ(1.0 - s.labour.pay_premium_share, 0.5);
  EXPECT_EQ(static_cast<float>(s.labour.acceptance_tolerance), 0.25f);
  EXPECT_EQ(s.labour.fill_attraction_min, 0.1);
  EXPECT_EQ(s.labour.fill_attraction_max, 4.0);
  EXPECT_EQ(s.retention.founder_stress_factor, 0.7);
  EXPECT_EQ(s.retention.leaver_rate_smoothing, 0.05);
  EXPECT_EQ(s.founding.reference_private_share, 0.4);
  EXPECT_EQ(static_cast<float>(s.outcomes.initial_wellbeing), 0.775f);
  EXPECT_EQ(s.outcomes.quality_continuity_weight, 0.4);
  EXPECT_EQ(s.outcomes.quality_wellbeing_weight, 0.4);
  EXPECT_EQ(s.outcomes.quality_turnover_weight, 0.2);
  EXPECT_EQ(s.outcomes.quality_rate, 0.02);
}

TEST(Scenario, FillAttractionBoundsMustBeOrdered) {
  TempDir dir;
  const auto path =
      dir.write("s.toml", "[[councils]]\nname = \"A\"\n[labour]\nfill_attraction_min = 5\nfill_attraction_max = 4\n");
  EXPECT_NE(load_error(path).find("labour.fill_attraction_min must not exceed labour.fill_attraction_max"),
            std::string::npos)
      << load_error(path);
}

// run.start_date: a TOML date or an ISO string, from a file or --set; the resolved config writes it
// back as a TOML date. A date that does not exist, a wrong type or a year out of range is an error
// naming the key and what is allowed.
TEST(Scenario, StartDateIsReadAsADateAndChecked) {
  using namespace std::chrono;
  const std::string council = "[[councils]]\nname = \"A\"\n";
  const auto from_date = cm::load_scenario_text("[run]\nstart_date = 2026-04-01\n" + council, "d.toml");
  EXPECT_EQ(from_date.spec.run.start_date, engine::Date(year{2026}, April, day{1}));
  EXPECT_NE(from_date.resolved_toml.find("start_date = 2026-04-01"), std::string::npos) << from_date.resolved_toml;
  const auto from_text = cm::load_scenario_text("[run]\nstart_date = \"2027-01-31\"\n" + council, "s.toml");
  EXPECT_EQ(from_text.spec.run.start_date, engine::Date(year{2027}, January, day{31}));
  const auto fallback = cm::load_scenario_text(council, "f.toml");
  EXPECT_EQ(fallback.spec.run.start_date, engine::Date(year{2025}, April, day{1}));
  const fs::path root = CAREMARKET_SOURCE_DIR;
  const auto set = cm::load_scenario(root / "tests/data/tiny.toml", {}, {"run.start_date=2030-07-01"});
  EXPECT_EQ(set.spec.run.start_date, engine::Date(year{2030}, July, day{1}));
  for (const std::string bad : {"\"2026-02-30\"", "\"1 April 2026\"", "5", "1800-01-01"}) {
    std::string msg;
    try {
      cm::load_scenario_text("[run]\nstart_date = " + bad + "\n" + council, "bad.toml");
    } catch (const ConfigError& e) {
      msg = e.what();
    }
    EXPECT_NE(msg.find("bad.toml: run.start_date"), std::string::npos) << bad << ": " << msg;
    EXPECT_NE(msg.find("a date YYYY-MM-DD from 1900 to 2200"), std::string::npos) << bad << ": " << msg;
  }
}

TEST(Dates, StepsAreWeeksFromTheStartDate) {
  using namespace std::chrono;
  const engine::Date start{year{2025}, April, day{1}};
  EXPECT_EQ(engine::date_of_step(start, 0), start);
  EXPECT_EQ(engine::date_of_step(start, 52), engine::Date(year{2026}, March, day{31}));
  EXPECT_EQ(engine::iso_date(engine::date_of_step(start, 520)), "2035-03-20");
  EXPECT_EQ(engine::parse_iso_date("2024-02-29"), engine::Date(year{2024}, February, day{29}));
  EXPECT_FALSE(engine::parse_iso_date("2025-02-29"));
  EXPECT_FALSE(engine::parse_iso_date("2025-4-01"));
  EXPECT_FALSE(engine::parse_iso_date("2025-04-01x"));
}

// --- entries of a list addressed by name, code or index (councils[Kent], [councils.Kent]) ---------

namespace {
Document listed_document() {
  Document doc;
  doc.address_entries("councils", {"code", "name"});
  doc.overlay_text(
      "[[councils]]\nname = \"Kent\"\ncode = \"E10000016\"\nbudget = 1.0\n"
      "[[councils]]\nname = \"St. Helens\"\ncode = \"E08000013\"\nbudget = 2.0\n",
      "list.toml");
  return doc;
}
double budget_of(const Document& doc, std::size_t i) { return doc.table()["councils"][i]["budget"].value_or(-1.0); }
std::string set_error(Document doc, const std::string& assignment) {
  try {
    doc.set(assignment);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST(ConfigEntries, ASetAddressesAnEntryByNameCodeQuotedNameOrIndex) {
  for (const char* selector : {"Kent", "E10000016", "\"Kent\"", "'Kent'", "0", "kent"}) {
    auto doc = listed_document();
    doc.set(std::string("councils[") + selector + "].budget=5.5");
    EXPECT_DOUBLE_EQ(budget_of(doc, 0), 5.5) << selector;
    EXPECT_DOUBLE_EQ(budget_of(doc, 1), 2.0) << selector;
    EXPECT_EQ(doc.origin_of("councils[0].budget"), std::string("--set councils[") + selector + "].budget");
  }
  auto doc = listed_document();
  doc.set("councils[\"St. Helens\"].budget=7");  // a dot inside the quoted name is part of it
  EXPECT_DOUBLE_EQ(budget_of(doc, 1), 7.0);
}

TEST(ConfigEntries, ALayerAddressesEntriesAsSubTables) {
  auto doc = listed_document();
  doc.overlay_text("[councils.E08000013]\nbudget = 9.0\n[councils.\"Kent\"]\nbudget = 8.0\n", "policy.toml");
  EXPECT_DOUBLE_EQ(budget_of(doc, 0), 8.0);
  EXPECT_DOUBLE_EQ(budget_of(doc, 1), 9.0);
  EXPECT_EQ(doc.origin_of("councils[1].budget"), "policy.toml");
  EXPECT_EQ(doc.table()["councils"].as_array()->size(), 2u);  // merged into, not replaced
}

TEST(ConfigEntries, AnUnknownEntrySuggestsTheNearestAndAnIndexOutOfRangeSaysHowMany) {
  const auto near = set_error(listed_document(), "councils[Kemt].budget=1");
  EXPECT_NE(near.find("councils[Kemt] names no entry of councils"), std::string::npos) << near;
  EXPECT_NE(near.find("did you mean \"Kent\"?"), std::string::npos) << near;
  const auto part = set_error(listed_document(), "councils[Helens].budget=1");
  EXPECT_NE(part.find("did you mean \"St. Helens\"?"), std::string::npos) << part;
  const auto index = set_error(listed_document(), "councils[2].budget=1");
  EXPECT_NE(index.find("has no entry: councils has 2 (0 to 1)"), std::string::npos) << index;
  const auto other = set_error(listed_document(), "schedule[0].key=1");
  EXPECT_NE(other.find("cannot be set by index or name (only councils[...] can)"), std::string::npos) << other;
  Document empty;
  empty.address_entries("councils", {"code", "name"});
  const auto none = set_error(empty, "councils[Kent].budget=1");
  EXPECT_NE(none.find("has no entries to address yet"), std::string::npos) << none;
}

TEST(ConfigEntries, ACouncilListedTwiceIsRefused) {
  const auto text =
      std::string("[[councils]]\nname = \"A\"\ncode = \"E1\"\n[[councils]]\nname = \"B\"\ncode = \"E1\"\n");
  try {
    cm::load_scenario_text(text, "two.toml");
    FAIL() << "accepted two councils with one code";
  } catch (const ConfigError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("councils[1].code = \"E1\": a council listed twice (councils[0] has this code too)"),
              std::string::npos)
        << msg;
  }
}

TEST(ConfigEntries, SmallAreasSetTheLocalitiesAndAgeBandsTheAdults) {
  const auto loaded = cm::load_scenario_text(
      "[[councils]]\nname = \"A\"\narea_km2 = 10\nage_thousands = [1, 2, 3]\nareas = [\"x\", \"y\"]\n"
      "area_latitudes = [51.0, 51.1]\narea_longitudes = [-1.0, -1.1]\n",
      "areas.toml");
  EXPECT_EQ(loaded.spec.councils[0].localities, 2);
  EXPECT_DOUBLE_EQ(loaded.spec.councils[0].adults_thousands, 6.0);
  for (const auto& [text, words] : std::vector<std::pair<std::string, std::string>>{
           {"areas = [\"x\"]\narea_latitudes = [51.0, 2.0]\narea_longitudes = [1.0]\narea_km2 = 1\n",
            "councils[0].area_latitudes has 2 entries for 1 areas"},
           {"areas = [\"x\"]\narea_latitudes = [51.0]\narea_longitudes = [1.0]\n",
            "councils[0].area_km2 must be above 0"},
           {"areas = [\"x\"]\narea_latitudes = [51.0]\narea_longitudes = [1.0]\narea_km2 = 1\nlocalities = 3\n",
            "councils[0].localities = 3 but the council has 1 small areas"},
           {"age_thousands = [1, 2]\n", "councils[0].age_thousands must have 3 numbers"},
           {"age_thousands = [1, 2, 3]\nadults_thousands = 9\n", "contradicts age_thousands (which sum to 6)"}}) {
    try {
      cm::load_scenario_text("[[councils]]\nname = \"A\"\n" + text, "bad.toml");
      ADD_FAILURE() << "accepted: " << text;
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
    }
  }
}

TEST(ConfigText, ValuesAreWrittenAsAPersonWouldWriteThem) {
  const auto t = toml::parse(R"(f = 12.71
whole = 3.0
big = 1e300
s = "a \"quoted\" \\ word"
n = 7
b = true
short = [1.5, 2.0, 3.25]
long = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29])");
  using engine::config::value_text;
  EXPECT_EQ(value_text(*t.get("f")), "12.71");    // shortest exact, not 12.710000000000001
  EXPECT_EQ(value_text(*t.get("whole")), "3.0");  // stays a float
  EXPECT_EQ(value_text(*t.get("big")), "1e+300");
  EXPECT_EQ(value_text(*t.get("s")), R"("a \"quoted\" \\ word")");
  EXPECT_EQ(value_text(*t.get("n")), "7");
  EXPECT_EQ(value_text(*t.get("b")), "true");
  EXPECT_EQ(value_text(*t.get("short")), "[1.5, 2.0, 3.25]");
  // A long list whole on one line (no "..." as messages shorten values), or a given number a line.
  const std::string one_line = value_text(*t.get("long"));
  EXPECT_TRUE(one_line.ends_with(", 28, 29]")) << one_line;
  EXPECT_EQ(one_line.find('\n'), std::string::npos);
  EXPECT_EQ(value_text(*t.get("long"), 10),
            "[\n  1, 2, 3, 4, 5, 6, 7, 8, 9, 10,\n  11, 12, 13, 14, 15, 16, 17, 18, 19, 20,\n"
            "  21, 22, 23, 24, 25, 26, 27, 28, 29,\n]");
  EXPECT_EQ(engine::config::ascii_lower("Kent County COUNCIL"), "kent county council");
}
