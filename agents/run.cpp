#include "agents/run.hpp"

#include <chrono>
#include <ctime>
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
  return {
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
      row("chain share of council hours", kChainShareCouncilHours, "", true),
      row("council spend", kCouncilSpend, "GBP/week", true),
      row("council price per hour", kPricePerHour, "GBP/h", true),
      row("money leaving the region", kExtraction, "GBP/week", true),
      row("money retained locally", kLocalRetained, "GBP/week", true),
      row("wellbeing of people served", kWellbeingServed, "ASCOT /24", false, kAscotPoints),
      row("wellbeing of all with need", kWellbeingAll, "ASCOT /24", false, kAscotPoints),
  };
}

namespace {
std::string utc_now() {
  const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}
}  // namespace

RunOutcome run_to_file(const RunRequest& request, const engine::CancelFlag& cancel, const ProgressFn& progress) {
  const auto& spec = request.scenario.spec;
  RunOutcome outcome;
  outcome.seed = request.seed.value_or(static_cast<std::uint64_t>(spec.run.seed));
  outcome.steps_requested = request.steps.value_or(spec.run.steps);
  std::optional<engine::ThreadLimit> limit;
  if (request.threads >= 0) limit.emplace(request.threads);
  const int threads = limit ? limit->threads() : 1;
  const auto t0 = std::chrono::steady_clock::now();

  Provenance prov{kFormatName,
                  kFormatVersion,
                  software_version(),
                  git_commit(),
                  request.scenario.resolved_toml,
                  request.scenario.layers,
                  outcome.seed,
                  request.replicate,
                  threads,
                  utc_now(),
                  outcome.steps_requested};
  Model model(request.scenario, outcome.seed, request.replicate);
  outcome.warmup_weeks = model.warmup_weeks();
  const auto warmup_start = std::chrono::steady_clock::now();
  const std::int64_t total = outcome.warmup_weeks + outcome.steps_requested;
  const bool warm = model.warm_up([&](std::int32_t done, std::int32_t) {
    if (progress) progress(done, total);
    return !cancel.requested();
  });
  outcome.warmup_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - warmup_start).count();
  if (!warm) {
    outcome.reason = StopReason::cancelled;
    outcome.wrote_file = false;
    outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return outcome;
  }
  Recorder recorder(request.output, model, prov);
  const std::vector<double> first = model.metrics();
  std::vector<double> year_sum;
  int year_weeks = 0;
  if (progress) progress(outcome.warmup_weeks, total);
  while (outcome.steps_done < outcome.steps_requested) {
    if (cancel.requested()) {
      outcome.reason = StopReason::cancelled;
      break;
    }
    model.step();
    recorder.record_step(model);
    ++outcome.steps_done;
    if (outcome.steps_done > outcome.steps_requested - 52) {
      const auto region = region_values(model.metrics(), model.councils());
      if (year_sum.empty()) year_sum.assign(region.size(), 0.0);
      for (std::size_t k = 0; k < region.size(); ++k) year_sum[k] += region[k];
      ++year_weeks;
    }
    if (progress) progress(outcome.warmup_weeks + outcome.steps_done, total);
  }
  outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  recorder.finish(model, outcome.reason == StopReason::completed,
                  outcome.reason == StopReason::completed ? "completed" : "cancelled", utc_now(), outcome.seconds,
                  outcome.warmup_seconds);
  outcome.summary = summarise(first, model.metrics(), model.councils());
  outcome.final_region = region_values(model.metrics(), model.councils());
  outcome.last_year_region = year_sum.empty() ? outcome.final_region : year_sum;
  for (auto& v : outcome.last_year_region)
    if (year_weeks > 0) v /= year_weeks;
  return outcome;
}

}  // namespace cm
