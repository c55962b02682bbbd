#include "agents/run.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <memory>
#include <optional>

#include "agents/recorder.hpp"
#include "caremarket_version.hpp"
#include "engine/parallel.hpp"

namespace cm {

std::string software_version() { return CAREMARKET_VERSION; }
std::string git_commit() { return CAREMARKET_GIT_COMMIT; }

std::vector<SummaryRow> summarise(const std::vector<double>& first, const std::vector<double>& last, int councils) {
  // Region values: counts and money summed over councils, rates weighted (metrics.cpp).
  const auto start = region_values(first, councils), end = region_values(last, councils);
  auto row = [&](const char* label, Metric k, const char* units, bool flow = false, double scale = 1.0) {
    return SummaryRow{label, scale * start[k], scale * end[k], units, flow};
  };
  constexpr double kAscotPoints = 24.0;  // wellbeing is the ASCOT score over 24; people read it out of 24
  std::vector<SummaryRow> rows{
      row("people needing care", kPeopleNeedingCare, "people"),
      row("people served", kPeopleServed, "people"),
      row("people waiting", kPeopleWaiting, "people"),
      row("hours unmet", kHoursUnmet, "h/week"),
      row("care workers", kWorkers, "workers"),
      row("vacancy rate", kVacancyRate, "", true),
      row("staff turnover", kTurnoverRate, "/year", true),
      row("mean wage", kMeanWage, "GBP/h"),
      row("chain branches", kProvidersChain, "providers"),
      row("local agencies", kProvidersAgency, "providers"),
      row("micro-enterprises", kMicroEnterprises, "providers"),
      row("council spend", kCouncilSpend, "GBP/week", true),
      row("council price per hour", kPricePerHour, "GBP/h", true),
      row("money leaving the region", kExtraction, "GBP/week", true),
      row("money retained locally", kLocalRetained, "GBP/week", true),
      row("wellbeing of people served", kWellbeingServed, "ASCOT /24", false, kAscotPoints),
      row("wellbeing of all with need", kWellbeingAll, "ASCOT /24", false, kAscotPoints),
  };
  // The other kinds of provider, after the three every scenario has, where the run has any.
  auto at = rows.begin() + 11;  // after "micro-enterprises"
  for (auto [label, k] :
       {std::pair{"cooperatives", kProvidersCooperative}, std::pair{"council services", kProvidersCouncilRun},
        std::pair{"personal assistants", kProvidersPersonalAssistant}})
    if (start[k] > 0 || end[k] > 0) at = rows.insert(at, row(label, k, "providers")) + 1;
  rows.insert(at, row("chain share of council hours", kChainShareCouncilHours, "", true));
  return rows;
}

void summarise_places(RunOutcome& outcome, const std::vector<double>& last, const ScenarioSpec& spec) {
  const int councils = static_cast<int>(spec.councils.size());
  if (councils < 2) return;
  const bool regions = councils > 12 && std::all_of(spec.councils.begin(), spec.councils.end(),
                                                    [](const CouncilSpec& c) { return !c.region.empty(); });
  if (councils > 12 && !regions) return;  // as compare: a dozen councils at most, or their regions
  outcome.places_are_regions = regions;
  std::vector<std::string> names;
  std::vector<std::vector<int>> members;
  for (int c = 0; c < councils; ++c) {
    const auto& cs = spec.councils[static_cast<std::size_t>(c)];
    const std::string& name = regions ? cs.region : cs.name;
    auto it = std::find(names.begin(), names.end(), name);
    if (it == names.end()) {
      names.push_back(name);
      members.emplace_back();
      it = names.end() - 1;
    }
    members[static_cast<std::size_t>(it - names.begin())].push_back(c);
  }
  for (std::size_t g = 0; g < names.size(); ++g)  // in the order the councils list them first
    outcome.places.push_back({names[g], group_values(last, councils, members[g])});
}

std::string utc_now() {
  const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += (out.empty() ? "" : "\n") + l;
  return out;
}

Checkpoint make_checkpoint(const LoadedScenario& scenario, std::uint64_t seed, const Model& model,
                           std::vector<std::byte> output_contents, const std::vector<double>& first_metrics,
                           std::int64_t steps_requested) {
  Checkpoint c;
  c.software_version = software_version();
  c.git_commit = git_commit();
  c.config_toml = scenario.resolved_toml;
  c.layers = scenario.layers;
  c.seed = seed;
  c.replicate = model.replicate();
  c.built_replicate = model.built_replicate();
  c.week = model.current_step();
  c.steps_requested = steps_requested;
  c.state = model.save_state();
  c.output_contents = std::move(output_contents);
  c.first_metrics = first_metrics;
  return c;
}

std::filesystem::path default_checkpoint_path(const std::filesystem::path& output) {
  auto path = output;
  path += ".checkpoint";
  return path;
}

RunOutcome run_to_file(const RunRequest& request, const engine::CancelFlag& cancel, const ProgressFn& progress) {
  const auto& spec = request.scenario.spec;
  const Checkpoint* resume = request.resume ? &*request.resume : nullptr;
  RunOutcome outcome;
  outcome.seed = resume ? resume->seed : request.seed.value_or(static_cast<std::uint64_t>(spec.run.seed));
  const std::uint64_t saved_replicate = resume ? resume->replicate : request.replicate;
  const std::uint64_t replicate = resume ? request.continue_replicate.value_or(saved_replicate) : saved_replicate;
  const std::uint64_t built_replicate = resume ? resume->built_replicate : request.replicate;
  outcome.steps_requested = request.steps.value_or(resume ? resume->steps_requested : spec.run.steps);
  std::optional<engine::ThreadLimit> limit;
  if (request.threads >= 0) limit.emplace(request.threads);
  const int threads = limit ? limit->threads() : 1;
  const auto t0 = std::chrono::steady_clock::now();
  const double seconds_before = resume ? resume->seconds : 0.0;
  auto seconds_so_far = [&] {
    return seconds_before + std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  };

  Provenance prov{kFormatName,
                  kFormatVersion,
                  software_version(),
                  git_commit(),
                  request.scenario.resolved_toml,
                  request.scenario.layers,
                  outcome.seed,
                  replicate,
                  threads,
                  resume ? resume->start_time : utc_now(),
                  outcome.steps_requested};
  Model model = resume ? Model::from_state(request.scenario, outcome.seed, built_replicate, resume->state, replicate)
                       : Model(request.scenario, outcome.seed, replicate);
  outcome.warmup_weeks = model.warmup_weeks();
  const std::int64_t total = outcome.warmup_weeks + outcome.steps_requested;
  std::unique_ptr<Recorder> recorder;
  std::vector<double> first, year_sum;
  std::int64_t year_weeks = 0;
  if (resume) {
    outcome.resumed_at = resume->week;
    outcome.steps_done = resume->week;
    outcome.warmup_seconds = resume->warmup_seconds;
    recorder = std::make_unique<Recorder>(request.output, model, resume->output_contents, resume->output_seconds);
    recorder->attribute("resumed_from", request.resumed_from.string());
    recorder->attribute("resumed_at_step", resume->week);
    recorder->attribute("resumed_time", utc_now());
    recorder->attribute("threads", static_cast<std::int64_t>(threads));
    recorder->attribute("steps_requested", outcome.steps_requested);  // --steps may ask more
    // A branch's config (policies after the state's week) and replicate are its own.
    recorder->attribute("config", request.scenario.resolved_toml);
    recorder->attribute("config_layers", join_lines(request.scenario.layers));
    recorder->attribute("replicate", static_cast<std::int64_t>(replicate));
    if (replicate != saved_replicate) {
      recorder->attribute("branched_from_replicate", static_cast<std::int64_t>(saved_replicate));
      recorder->attribute("branched_at_step", resume->week);
    }
    first = resume->first_metrics;
    year_sum = resume->year_sum;
    year_weeks = resume->year_weeks;
  } else {
    const auto warmup_start = std::chrono::steady_clock::now();
    const bool warm = model.warm_up([&](std::int32_t done, std::int32_t) {
      if (progress) progress(done, total);
      return !cancel.requested();
    });
    outcome.warmup_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - warmup_start).count();
    if (!warm) {
      outcome.reason = StopReason::cancelled;
      outcome.wrote_file = false;
      outcome.seconds = seconds_so_far();
      return outcome;
    }
    recorder = std::make_unique<Recorder>(request.output, model, prov);
    first = model.metrics();
  }
  const auto checkpoint_path =
      request.checkpoint.empty() ? default_checkpoint_path(request.output) : request.checkpoint;
  // The run as it stands, to go on from (docs/checkpoint-format.md).
  auto write_state = [&] {
    Checkpoint c =
        make_checkpoint(request.scenario, outcome.seed, model, recorder->contents(), first, outcome.steps_requested);
    c.output = std::filesystem::absolute(request.output).string();
    c.start_time = prov.start_time;
    c.warmup_seconds = outcome.warmup_seconds;
    c.output_seconds = recorder->output_seconds();
    c.seconds = seconds_so_far();
    c.year_sum = year_sum;
    c.year_weeks = year_weeks;
    c.checkpoint_every = request.checkpoint_every;
    c.checkpoint = std::filesystem::absolute(checkpoint_path).string();
    write_checkpoint(checkpoint_path, c);
    outcome.last_checkpoint_step = model.current_step();
  };
  if (progress) progress(outcome.warmup_weeks + outcome.steps_done, total);
  while (outcome.steps_done < outcome.steps_requested) {
    if (cancel.requested()) {
      outcome.reason = StopReason::cancelled;
      break;
    }
    model.step();
    recorder->record_step(model);
    ++outcome.steps_done;
    if (outcome.steps_done > outcome.steps_requested - 52) {
      const auto region = region_values(model.metrics(), model.councils());
      if (year_sum.empty()) year_sum.assign(region.size(), 0.0);
      for (std::size_t k = 0; k < region.size(); ++k) year_sum[k] += region[k];
      ++year_weeks;
    }
    if (request.checkpoint_every > 0 && outcome.steps_done % request.checkpoint_every == 0 &&
        outcome.steps_done < outcome.steps_requested)
      write_state();
    if (progress) progress(outcome.warmup_weeks + outcome.steps_done, total);
    if (request.stop_after &&
        outcome.steps_done - std::max<std::int64_t>(outcome.resumed_at, 0) >= *request.stop_after &&
        outcome.steps_done < outcome.steps_requested) {
      outcome.reason = StopReason::stopped;
      break;
    }
  }
  // Stopped, or interrupted after a checkpoint: one more at the week it stopped, so that no week
  // is run twice.
  const bool checkpointing = request.checkpoint_every > 0 || request.stop_after;
  if ((outcome.reason == StopReason::stopped ||
       (outcome.reason == StopReason::cancelled && outcome.last_checkpoint_step >= 0)) &&
      checkpointing && outcome.last_checkpoint_step < outcome.steps_done)
    write_state();
  outcome.seconds = seconds_so_far();
  const char* reason = outcome.reason == StopReason::completed   ? "completed"
                       : outcome.reason == StopReason::cancelled ? "cancelled"
                                                                 : "stopped";
  recorder->finish(model, outcome.reason == StopReason::completed, reason, utc_now(), outcome.seconds,
                   outcome.warmup_seconds);
  // The run's own checkpoint goes when it completes: one it wrote, or the one it went on from (not
  // a state it branched from, nor one read to write another output).
  std::error_code same_error;
  const bool went_on_from_own = resume && !request.continue_replicate &&
                                std::filesystem::equivalent(request.resumed_from, checkpoint_path, same_error);
  if (outcome.reason == StopReason::completed && (checkpointing || went_on_from_own)) {
    std::error_code ec;  // a checkpoint of a finished run would only run its last week again
    std::filesystem::remove(checkpoint_path, ec);
  }
  outcome.summary = summarise(first, model.metrics(), model.councils());
  summarise_places(outcome, model.metrics(), request.scenario.spec);
  outcome.final_region = region_values(model.metrics(), model.councils());
  outcome.last_year_region = year_sum.empty() ? outcome.final_region : year_sum;
  for (auto& v : outcome.last_year_region)
    if (year_weeks > 0) v /= static_cast<double>(year_weeks);
  return outcome;
}

}  // namespace cm
