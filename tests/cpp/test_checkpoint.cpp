// The model's state as bytes (agents/checkpoint.hpp): a model read back from a saved state steps
// on exactly as the one that never stopped, whatever the thread count; another replicate's streams
// give another future from the same history; bytes that are not such a state are refused.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "agents/model.hpp"
#include "agents/parameters.hpp"
#include "engine/archive.hpp"
#include "engine/dates.hpp"
#include "engine/parallel.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;

namespace {

const fs::path kRoot = CAREMARKET_SOURCE_DIR;

// Two councils with a warm-up, an NLW schedule, a budget shock and a policy from a date: state that
// changes hands at the checkpoints below (clocks redrawn, wages raised, contracts re-let).
cm::LoadedScenario load(const std::vector<cm::PolicyFile>& policies = {}, int warmup = 20) {
  static testing_files::TempDir dir;  // one path for every load: the changes' records name it
  std::ifstream in(kRoot / "tests/data/two_councils.toml");
  const std::string base((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return cm::load_scenario(dir.write("scenario.toml", base + R"(
[[schedule]]
key = "labour.nlw"
dates = [2025-04-01, 2026-04-01]
values = [12.21, 12.90]

[[shocks]]
kind = "budget"
date = 2025-09-02
multiplier = 0.9
)"),
                           policies, {"run.steps=150", "run.warmup_weeks=" + std::to_string(warmup)});
}

const cm::PolicyFile kPolicyFromWeek40{kRoot / "configs/policies/collaborative.toml",
                                       engine::parse_iso_date("2026-01-06")};  // step 40

// The name of the first top-level section (engine::ArchiveWriter::section) in which two states
// differ, or "" when they are equal: what a failure names.
std::string first_difference(const std::vector<std::byte>& a, const std::vector<std::byte>& b) {
  std::size_t at = 0;
  auto u64 = [](const std::vector<std::byte>& v, std::size_t pos) {
    std::uint64_t x = 0;
    std::memcpy(&x, v.data() + pos, sizeof x);
    return x;
  };
  while (at + 8 <= a.size() && at + 8 <= b.size()) {
    const auto name_length = u64(a, at);
    const std::string name(reinterpret_cast<const char*>(a.data() + at + 8), name_length);
    const std::size_t body = at + 8 + name_length + 8;
    const auto la = u64(a, body - 8), lb = u64(b, body - 8);
    if (la != lb || body + la > a.size() || body + lb > b.size() ||
        !std::equal(a.begin() + static_cast<std::ptrdiff_t>(at), a.begin() + static_cast<std::ptrdiff_t>(body + la),
                    b.begin() + static_cast<std::ptrdiff_t>(at)))
      return name;
    at = body + la;
  }
  return a.size() == b.size() ? "" : "(length)";
}

// Steps `model` to reported week `until`, returning each week's metrics.
std::vector<std::vector<double>> step_to(cm::Model& model, int until) {
  std::vector<std::vector<double>> weeks;
  while (model.current_step() < until) {
    model.step();
    weeks.push_back(model.metrics());
  }
  return weeks;
}

}  // namespace

TEST(Checkpoint, AModelReadBackStepsOnAsTheOneThatNeverStopped) {
  const auto scenario = load({kPolicyFromWeek40});
  engine::ThreadLimit two(2);
  cm::Model straight(scenario, 7, 0);
  straight.warm_up();
  const auto straight_weeks = step_to(straight, 90);
  const auto straight_state = straight.save_state();

  // Saved in the warm-up, before the policy's date and after it; each time read back into a new
  // model that runs to week 90 on one thread.
  for (const int saved_at : {-8, 30, 60}) {
    cm::Model first(scenario, 7, 0);
    while (first.current_step() < saved_at) first.step();
    const auto state = first.save_state();
    engine::ThreadLimit one(1);
    auto resumed = cm::Model::from_state(scenario, 7, 0, state, 0);
    EXPECT_EQ(resumed.current_step(), saved_at);
    EXPECT_EQ(first_difference(resumed.save_state(), state), "") << "saved at " << saved_at << ": read back";
    resumed.warm_up();
    const auto weeks = step_to(resumed, 90);
    ASSERT_EQ(weeks.size(), static_cast<std::size_t>(90 - std::max(saved_at, 0)));
    for (std::size_t k = 0; k < weeks.size(); ++k)
      ASSERT_EQ(weeks[k], straight_weeks[straight_weeks.size() - weeks.size() + k])
          << "saved at " << saved_at << ", week " << 91 - static_cast<int>(weeks.size() - k) << " differs";
    EXPECT_EQ(first_difference(resumed.save_state(), straight_state), "") << "saved at " << saved_at << ": week 90";
    EXPECT_EQ(resumed.changes_applied().size(), straight.changes_applied().size());
    EXPECT_EQ(resumed.market().tenders.week, straight.market().tenders.week);
  }
}

TEST(Checkpoint, AnotherReplicateGivesAnotherFutureFromTheSameHistory) {
  const auto scenario = load({}, 0);
  cm::Model first(scenario, 7, 0);
  step_to(first, 30);
  const auto state = first.save_state();
  auto same = cm::Model::from_state(scenario, 7, 0, state, 0);
  auto other = cm::Model::from_state(scenario, 7, 0, state, 3);
  auto other_again = cm::Model::from_state(scenario, 7, 0, state, 3);
  const auto a = step_to(same, 60), b = step_to(other, 60), c = step_to(other_again, 60);
  EXPECT_NE(a, b) << "another replicate's streams changed nothing in 30 weeks";
  EXPECT_EQ(b, c);
}

TEST(Checkpoint, APolicyFromTheStatesWeekOnEqualsARunWithThatPolicyDated) {
  // Branching: the baseline's state at week 39, read back under a scenario with the policy from
  // week 40, runs on as the run that had the policy dated week 40 from the start.
  const auto baseline = load({}, 0);
  const auto dated = load({kPolicyFromWeek40}, 0);
  cm::Model base(baseline, 7, 0);
  step_to(base, 39);
  auto branch = cm::Model::from_state(dated, 7, 0, base.save_state(), 0);
  cm::Model whole(dated, 7, 0);
  step_to(whole, 39);
  EXPECT_EQ(step_to(branch, 80), step_to(whole, 80));
  EXPECT_EQ(first_difference(branch.save_state(), whole.save_state()), "");
}

TEST(Checkpoint, BytesThatAreNotTheScenariosStateAreRefused) {
  const auto scenario = load({kPolicyFromWeek40}, 0);
  cm::Model first(scenario, 7, 0);
  step_to(first, 50);
  const auto state = first.save_state();
  // Truncated anywhere: refused, never read half.
  for (const std::size_t keep : {std::size_t{0}, std::size_t{10}, state.size() / 3, state.size() - 1}) {
    const std::vector<std::byte> cut(state.begin(), state.begin() + static_cast<std::ptrdiff_t>(keep));
    EXPECT_THROW(cm::Model::from_state(scenario, 7, 0, cut, 0), engine::ArchiveError) << "kept " << keep;
  }
  auto longer = state;
  longer.push_back(std::byte{0});
  EXPECT_THROW(cm::Model::from_state(scenario, 7, 0, longer, 0), engine::ArchiveError);
  // A scenario whose history differs (the policy was in force at week 40; here it never is).
  EXPECT_THROW(cm::Model::from_state(load({}, 0), 7, 0, state, 0), engine::ArchiveError);
}
