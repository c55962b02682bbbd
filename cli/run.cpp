// `caremarket run`: one scenario, with its policies, into one HDF5 file, with a progress bar and a
// summary table.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "agents/checkpoint_file.hpp"
#include "agents/parameters.hpp"
#include "agents/run.hpp"
#include "cli/command.hpp"
#include "cli/config_args.hpp"
#include "cli/exit_codes.hpp"
#include "engine/cancel.hpp"
#include "engine/files.hpp"
#include "engine/progress.hpp"

namespace fs = std::filesystem;

namespace cm::cli {
namespace {

struct RunOptions {
  ConfigArgs config;
  std::optional<std::string> output;
  std::optional<std::uint64_t> seed;
  std::optional<std::uint64_t> replicate;
  int threads = 0;
  std::optional<std::int64_t> steps;
  bool quiet = false;
  std::int64_t checkpoint_every = 0;
  std::optional<std::string> checkpoint;
  std::optional<std::string> resume;
  std::optional<std::int64_t> stop_after;
};

// The request of `run --resume CHECKPOINT`: the checkpoint's run, with the output, thread count and
// weeks the command line gives; a scenario, policies, seed or replicate given must be the
// checkpoint's own.
void resume_request(const RunOptions& o, RunRequest& request) {
  const fs::path path = *o.resume;
  auto checkpoint = read_checkpoint(path);
  auto scenario = load_scenario_text(checkpoint.config_toml, "checkpoint " + path.string());
  scenario.layers = checkpoint.layers;
  if (!o.config.scenario.empty() || !o.config.policies.empty() || !o.config.sets.empty()) {
    if (o.config.load().resolved_toml != checkpoint.config_toml)
      throw CheckpointError("checkpoint " + path.string() +
                            " was written for another config than the one given (leave out the scenario, "
                            "--policy and --set to resume with the checkpoint's own)");
  }
  if (o.seed && *o.seed != checkpoint.seed)
    throw CheckpointError("checkpoint " + path.string() + " is of seed " + std::to_string(checkpoint.seed) + ", not " +
                          std::to_string(*o.seed));
  if (o.replicate && *o.replicate != checkpoint.replicate)
    throw CheckpointError("checkpoint " + path.string() + " is of replicate " + std::to_string(checkpoint.replicate) +
                          ", not " + std::to_string(*o.replicate));
  if (o.steps && *o.steps <= checkpoint.week)
    throw CheckpointError("checkpoint " + path.string() + " is at week " + std::to_string(checkpoint.week) +
                          ": --steps must be more");
  if (!o.output && checkpoint.output.empty())
    throw CheckpointError("checkpoint " + path.string() +
                          " was saved by a Python simulation and names no output file: give one with -o FILE");
  request.output = o.output ? fs::path(*o.output) : fs::path(checkpoint.output);
  // It goes on checkpointing as it did, to the same file, unless told otherwise.
  if (o.checkpoint_every == 0) request.checkpoint_every = checkpoint.checkpoint_every;
  if (!o.checkpoint && !o.output) request.checkpoint = checkpoint.checkpoint;
  request.scenario = std::move(scenario);
  request.resume = std::move(checkpoint);
  request.resumed_from = fs::absolute(path);
}

std::string format_value(double v, const std::string& units) {
  char buf[64];
  if (units == "" || units == "0..1")
    std::snprintf(buf, sizeof buf, "%.3f", v);
  else if (units == "/year")
    std::snprintf(buf, sizeof buf, "%.1f%%", v * 100);
  else if (units == "GBP/h")
    std::snprintf(buf, sizeof buf, "£%.2f", v);
  else if (units == "GBP/week")
    std::snprintf(buf, sizeof buf, "£%.0f", v);
  else if (units == "ASCOT /24")
    std::snprintf(buf, sizeof buf, "%.1f", v);
  else
    std::snprintf(buf, sizeof buf, "%.0f", v);
  return buf;
}

void print_summary(const RunOutcome& outcome, const RunRequest& request) {
  const auto& start = request.scenario.spec.run.start_date;
  const std::string first = engine::iso_date(start),
                    last = engine::iso_date(engine::date_of_step(start, outcome.steps_done));
  std::printf("\n%s — %lld weeks from %s to %s, seed %llu, replicate %llu\n", request.scenario.spec.region.name.c_str(),
              static_cast<long long>(outcome.steps_done), first.c_str(), last.c_str(),
              static_cast<unsigned long long>(outcome.seed), static_cast<unsigned long long>(request.replicate));
  std::printf("%-32s %18s %18s %14s\n", "", ("week 0 " + first.substr(0, 7)).c_str(),
              ("week " + std::to_string(outcome.steps_done) + " " + last.substr(0, 7)).c_str(), "units");
  for (const auto& row : outcome.summary) {
    // Flows (spend, turnover, prices) start with the first week: at week 0 there is none yet,
    // unless a warm-up ran (week 0 shows its last week).
    const std::string start = row.flow && outcome.warmup_weeks == 0 ? "-" : format_value(row.start, row.units);
    std::printf("%-32s %18s %18s %14s\n", row.label.c_str(), start.c_str(), format_value(row.end, row.units).c_str(),
                row.units.c_str());
  }
}

// Each council's (or England's regions') headline values at the last week, one line each.
void print_places(const RunOutcome& outcome) {
  if (outcome.places.empty()) return;
  struct Column {
    const char* title;
    Metric metric;
    const char* units;
  };
  const Column columns[] = {{"served", kPeopleServed, "people"},
                            {"waiting", kPeopleWaiting, "people"},
                            {"workers", kWorkers, "workers"},
                            {"vacancies", kVacancyRate, ""},
                            {"wage", kMeanWage, "GBP/h"},
                            {"eff. pay", kMeanEffectivePay, "GBP/h"},
                            {"travel", kUnpaidTravelMinutes, "min/h"},
                            {"price/h", kPricePerHour, "GBP/h"},
                            {"spend/week", kCouncilSpend, "GBP/week"}};
  std::printf("\nBy %s at week %lld (travel: unpaid minutes between visits per contact hour)\n",
              outcome.places_are_regions ? "region" : "council", static_cast<long long>(outcome.steps_done));
  std::printf("%-26s", "");
  for (const auto& c : columns) std::printf(" %10s", c.title);
  std::printf("\n");
  for (const auto& place : outcome.places) {
    std::printf("%-26.26s", place.name.c_str());
    for (const auto& c : columns) {
      const double v = place.values[c.metric];
      std::printf(" %10s", std::string(c.units) == "min/h" ? (std::to_string(static_cast<int>(std::lround(v)))).c_str()
                                                           : format_value(v, c.units).c_str());
    }
    std::printf("\n");
  }
}

int run(const RunOptions& o) {
  RunRequest request;
  request.threads = o.threads;
  request.steps = o.steps;
  request.checkpoint_every = o.checkpoint_every;
  request.stop_after = o.stop_after;
  if (o.resume) {
    resume_request(o, request);
    // What the stopped run left half-written (its temporary files) goes.
    engine::remove_stale_temporaries(request.output);
    engine::remove_stale_temporaries(request.checkpoint.empty() ? default_checkpoint_path(request.output)
                                                                : request.checkpoint);
  } else {
    request.scenario = o.config.load();
    request.seed = o.seed;
    request.replicate = o.replicate.value_or(0);
    // Default name: the scenario and its policies, so that runs of different policies do not collide.
    std::string stem = o.config.scenario.empty() ? "somerset" : fs::path(o.config.scenario).stem().string();
    for (const auto& p : o.config.policies) stem += "+" + fs::path(p).stem().string();
    request.output = o.output ? fs::path(*o.output) : fs::path("results") / (stem + ".h5");
  }
  engine::check_output_path(request.output);  // before the model is built: England takes seconds
  if (o.checkpoint) request.checkpoint = *o.checkpoint;
  if (request.checkpoint_every > 0 || request.stop_after)
    engine::check_output_path(request.checkpoint.empty() ? default_checkpoint_path(request.output) : request.checkpoint,
                              "checkpoint file");

  engine::SignalGuard signals;
  auto& cancel = engine::process_cancel_flag();
  const auto steps =
      o.steps.value_or(request.resume ? request.resume->steps_requested : request.scenario.spec.run.steps);
  const long total = static_cast<long>(steps + request.scenario.spec.run.warmup_weeks);
  engine::ProgressBar bar(total, "caremarket", !o.quiet && engine::ProgressBar::stderr_is_terminal());
  const auto outcome =
      run_to_file(request, cancel, [&](std::int64_t done, std::int64_t) { bar.update(static_cast<long>(done)); });
  bar.finish();
  if (outcome.reason == StopReason::cancelled && !outcome.wrote_file) {
    std::fprintf(stderr, "caremarket: interrupted in the warm-up (%lld weeks); no file written\n",
                 static_cast<long long>(outcome.warmup_weeks));
    return interrupted_exit(cancel.signal());
  }
  if (outcome.reason == StopReason::cancelled) {
    std::fprintf(stderr,
                 "caremarket: interrupted after %lld of %lld weeks; wrote %s with the weeks done, marked incomplete "
                 "(attribute complete = 0)\n",
                 static_cast<long long>(outcome.steps_done), static_cast<long long>(outcome.steps_requested),
                 request.output.c_str());
    if (outcome.last_checkpoint_step >= 0) {
      const auto checkpoint = request.checkpoint.empty() ? default_checkpoint_path(request.output) : request.checkpoint;
      std::fprintf(stderr, "caremarket: checkpoint at week %lld: go on with  caremarket run --resume %s\n",
                   static_cast<long long>(outcome.last_checkpoint_step), checkpoint.c_str());
    }
    return interrupted_exit(cancel.signal());
  }
  if (outcome.reason == StopReason::stopped) {
    const auto checkpoint = request.checkpoint.empty() ? default_checkpoint_path(request.output) : request.checkpoint;
    std::fprintf(stderr,
                 "caremarket: stopped at week %lld of %lld as asked (--stop-after); wrote %s with the weeks done, "
                 "marked incomplete, and the checkpoint %s: go on with  caremarket run --resume %s\n",
                 static_cast<long long>(outcome.steps_done), static_cast<long long>(outcome.steps_requested),
                 request.output.c_str(), checkpoint.c_str(), checkpoint.c_str());
    return 0;
  }
  if (!o.quiet) {
    print_summary(outcome, request);
    print_places(outcome);
    if (outcome.resumed_at >= 0)
      std::printf("\nresumed at week %lld from %s\n", static_cast<long long>(outcome.resumed_at),
                  request.resumed_from.c_str());
    if (outcome.warmup_weeks > 0)
      std::printf("\nwrote %s (%.2f s, of which the %lld-week warm-up %.2f s)\n", request.output.c_str(),
                  outcome.seconds, static_cast<long long>(outcome.warmup_weeks), outcome.warmup_seconds);
    else
      std::printf("\nwrote %s (%.2f s)\n", request.output.c_str(), outcome.seconds);
  }
  return 0;
}

}  // namespace

Command add_run(CLI::App& app) {
  auto o = std::make_shared<RunOptions>();
  auto* run_app = app.add_subcommand("run", "Run a scenario and write its trajectory to HDF5");
  o->config.add_to(run_app, false);
  run_app->add_option("-o,--output", o->output, "Output HDF5 file (default: results/<scenario>[+<policy>...].h5)");
  run_app->add_option("--seed", o->seed, "Root random seed (default: run.seed of the scenario)")
      ->check(CLI::Range(std::uint64_t{0}, std::uint64_t{9'000'000'000'000'000}));
  run_app->add_option("--replicate", o->replicate, "Replicate number: an independent stream family under the same seed")
      ->check(CLI::Range(std::uint64_t{0}, std::uint64_t{9'000'000'000'000'000}));
  run_app->add_option("--threads", o->threads, "Worker threads (default: all cores)")->check(CLI::Range(0, 4096));
  run_app->add_option("--steps", o->steps, "Weeks to simulate (default: run.steps of the scenario)")
      ->check(CLI::Range(1, 100000));
  run_app->add_flag("-q,--quiet", o->quiet, "No progress bar and no summary");
  run_app
      ->add_option("--checkpoint-every", o->checkpoint_every,
                   "Write the run's state every N weeks (replacing the last; removed when the run completes), "
                   "to go on after a crash with --resume")
      ->check(CLI::Range(1, 100000));
  run_app->add_option("--checkpoint", o->checkpoint,
                      "Checkpoint file for --checkpoint-every (default: the output's name + .checkpoint)");
  run_app
      ->add_option("--stop-after", o->stop_after,
                   "Stop after this many weeks (not counting the warm-up), leaving a checkpoint to go on from with "
                   "--resume: a long run split into jobs of a set length")
      ->check(CLI::Range(1, 100000));
  run_app->add_option("--resume", o->resume,
                      "Go on from a checkpoint: the run it saved, with its config, seed and output (-o, --threads and "
                      "--steps may differ)");
  return {run_app, [o] { return run(*o); }};
}

}  // namespace cm::cli
