// `caremarket sweep`: a sweep file's runs on this machine's cores or across MPI ranks, or their
// list (--dry-run), or a Slurm script that runs them (--emit-slurm).
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "agents/parameters.hpp"
#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "engine/cancel.hpp"
#include "engine/config.hpp"
#include "engine/files.hpp"
#include "sweeps/runner.hpp"
#include "sweeps/sweep.hpp"

namespace fs = std::filesystem;

namespace cm::cli {
namespace {

struct SweepOptions {
  std::string file, dir;
  int workers = 0;
  bool dry_run = false, quiet = false;
  bool emit_slurm = false;
  int slurm_nodes = 0, slurm_tasks = 0;  // 0: sized from the runs
  double seconds_per_run = 0;            // 0: measured by a pilot run
  double memory_mb = 0;                  // per task; 0: from the pilot
  std::string slurm_time, slurm_partition, binary;
};

// What one run costs, for sizing a Slurm job: given, or measured by running the sweep's first run
// once on one core here (its output thrown away).
struct RunCost {
  double seconds = 0;
  double peak_mb = 0;  // this process's peak resident memory after the pilot (0: not measured)
  bool measured = false;
};

RunCost pilot_run(const sweeps::SweepSpec& spec, const sweeps::Design& design) {
  const auto dir = fs::temp_directory_path() / ("caremarket-pilot-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  engine::CancelFlag never;
  const auto start = std::chrono::steady_clock::now();
  const auto record = sweeps::execute_run(spec, design.runs.front(), dir / "pilot.h5", never);
  RunCost cost{std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 0, true};
  std::error_code ec;
  fs::remove_all(dir, ec);
  if (record.status != sweeps::RunStatus::done)
    throw std::runtime_error("the pilot run (run 0) failed: " + record.error);
  struct rusage usage {};
  if (getrusage(RUSAGE_SELF, &usage) == 0) cost.peak_mb = static_cast<double>(usage.ru_maxrss) / 1024.0;
  return cost;
}

std::string hms(double seconds) {
  const auto s = static_cast<long long>(std::ceil(seconds));
  char text[32];
  std::snprintf(text, sizeof text, "%02lld:%02lld:%02lld", s / 3600, (s / 60) % 60, s % 60);
  return text;
}

// A Slurm job sized to the sweep: rank 0 coordinates, every other task runs one run at a time.
struct SlurmPlan {
  int nodes = 1, tasks_per_node = 2;
  std::string time;
  long long memory_mb = 0;  // per task
  std::vector<std::string> warnings;
};

SlurmPlan plan_slurm(const SweepOptions& o, std::size_t runs, const RunCost& cost) {
  SlurmPlan p;
  constexpr int kDefaultTasksPerNode = 32, kMostNodes = 4;
  const auto wanted = static_cast<long long>(runs) + 1;  // a task per run, and the coordinator
  // Without sizes: as few nodes as hold a task per run, then as few tasks per node as fill them.
  const int per_node_most = o.slurm_tasks > 0 ? o.slurm_tasks : kDefaultTasksPerNode;
  p.nodes = o.slurm_nodes > 0
                ? o.slurm_nodes
                : static_cast<int>(std::clamp<long long>((wanted + per_node_most - 1) / per_node_most, 1, kMostNodes));
  p.tasks_per_node =
      o.slurm_tasks > 0
          ? o.slurm_tasks
          : static_cast<int>(std::clamp<long long>((wanted + p.nodes - 1) / p.nodes, 2, kDefaultTasksPerNode));
  const long long workers = static_cast<long long>(p.nodes) * p.tasks_per_node - 1;
  const long long rounds = (static_cast<long long>(runs) + workers - 1) / workers;
  // Runs vary in length and nodes in speed: half as long again as the estimate, and 10 minutes
  // for start-up and the index.
  p.time = o.slurm_time.empty() ? hms(static_cast<double>(rounds) * cost.seconds * 1.5 + 600.0) : o.slurm_time;
  const double mb = o.memory_mb > 0 ? o.memory_mb : std::max(512.0, cost.peak_mb * 1.5);
  p.memory_mb = static_cast<long long>(std::ceil(mb / 128.0) * 128.0);  // whole 128 MB
  if (2 * (workers - static_cast<long long>(runs)) > workers)           // most of them idle
    p.warnings.push_back(std::to_string(workers - static_cast<long long>(runs)) + " of " + std::to_string(workers) +
                         " worker tasks would have no run: ask for fewer nodes or tasks");
  else if (rounds > 1 && static_cast<long long>(runs) % workers != 0 &&
           static_cast<long long>(runs) % workers < workers / 2)
    p.warnings.push_back("the last round of runs keeps only " + std::to_string(static_cast<long long>(runs) % workers) +
                         " of " + std::to_string(workers) + " worker tasks busy");
  return p;
}

std::string slurm_script(const fs::path& sweep_file, const fs::path& dir, const sweeps::SweepSpec& spec,
                         std::size_t runs, const SlurmPlan& plan, const RunCost& cost, const std::string& partition,
                         const std::string& binary) {
  std::string s = "#!/bin/bash\n";
  s += "# caremarket sweep '" + spec.name + "': " + std::to_string(runs) +
       " runs. Generated by `caremarket sweep --emit-slurm`.\n";
  char line[256];
  std::snprintf(line, sizeof line,
                "# One run takes about %.3g s on one core (%s); the time asked is the runs per worker task\n",
                cost.seconds, cost.measured ? "measured by a pilot run" : "as given");
  s += line;
  s += "# times that, half as long again, plus 10 minutes.\n";
  s += "# Rank 0 hands out runs one at a time and writes index.h5; every other task runs one run at a time,\n";
  s += "# single-threaded. Resubmit the same script to finish an interrupted sweep: finished runs are skipped.\n";
  s += "#SBATCH --job-name=caremarket-" + spec.name + "\n";
  s += "#SBATCH --nodes=" + std::to_string(plan.nodes) + "\n";
  s += "#SBATCH --ntasks-per-node=" + std::to_string(plan.tasks_per_node) + "\n";
  s += "#SBATCH --cpus-per-task=1\n";
  s += "#SBATCH --mem-per-cpu=" + std::to_string(plan.memory_mb) + "M\n";
  s += "#SBATCH --time=" + plan.time + "\n";
  if (!partition.empty()) s += "#SBATCH --partition=" + partition + "\n";
  s += "#SBATCH --output=" + (fs::absolute(dir) / "slurm-%j.out").string() + "\n\n";
  s += "set -euo pipefail\n";
  s += "CAREMARKET=\"${CAREMARKET:-" + binary + "}\"  # the binary every task runs; set CAREMARKET to change it\n";
  s += "srun \"$CAREMARKET\" sweep " + fs::absolute(sweep_file).string() + " -o " + fs::absolute(dir).string() +
       " --quiet\n";
  return s;
}

// The binary a Slurm job runs: --binary, the `caremarket` on PATH, or this one.
std::string job_binary(const SweepOptions& o) {
  if (!o.binary.empty()) return fs::absolute(o.binary).string();
  if (const char* path = std::getenv("PATH")) {
    std::stringstream dirs(path);
    for (std::string d; std::getline(dirs, d, ':');) {
      std::error_code ec;
      const auto candidate = fs::path(d.empty() ? "." : d) / "caremarket";
      if (fs::is_regular_file(candidate, ec) && ::access(candidate.c_str(), X_OK) == 0)
        return fs::canonical(candidate, ec).string();
    }
  }
  return fs::canonical("/proc/self/exe").string();
}

void print_runs(const sweeps::Design& design) {
  std::printf("run\tpoint\treplicate\tseed\tfile\toverrides\n");
  for (const auto& r : design.runs) {
    std::string sets;
    for (const auto& a : r.assignments) sets += (sets.empty() ? "" : " ") + a;
    for (const auto& pol : r.policies)
      sets += " policy:" + pol.path.filename().string() + (pol.from ? "@" + engine::iso_date(*pol.from) : "");
    std::printf("%d\t%d\t%d\t%llu\t%s\t%s\n", r.index, r.point, r.replicate, static_cast<unsigned long long>(r.seed),
                r.file.c_str(), sets.c_str());
  }
}

int sweep(const SweepOptions& o) {
  sweeps::MpiSession mpi;
  const auto spec = sweeps::load_sweep(o.file);
  const auto design = sweeps::expand(spec);
  const fs::path dir = o.dir.empty() ? fs::path("results") / spec.name : fs::path(o.dir);
  // Every run's config is checked before any run starts, so a typo fails in a second, not an hour in.
  const auto scenario = sweeps::resolve_scenario(spec.scenario, spec.file.parent_path());
  for (const auto& r : design.runs) {
    try {
      load_scenario(scenario, r.policies, r.assignments);
    } catch (const engine::config::ConfigError& e) {
      // A value the sweep set is the sweep file's, not the command line's: say which run and point.
      auto problems = e.problems();
      for (auto& p : problems)
        if (p.origin.rfind("--set", 0) == 0) {  // "--set" or "--set KEY"
          p.origin = spec.file.string();
          p.key = "run " + std::to_string(r.index) + " (point " + std::to_string(r.point) + ", sweep.overrides or " +
                  "sweep.parameters): " + p.key;
        }
      throw engine::config::ConfigError(std::move(problems));
    }
  }
  if (o.dry_run) {
    if (mpi.rank() == 0) {
      std::fputs(sweeps::design_summary(spec, design).c_str(), stderr);
      print_runs(design);
    }
    return 0;
  }
  if (o.emit_slurm) {
    if (mpi.rank() != 0) return 0;
    sweeps::check_output_folder(dir);
    RunCost cost{o.seconds_per_run, 0, false};
    if (cost.seconds <= 0 && !(o.memory_mb > 0 && !o.slurm_time.empty())) {  // nothing to size without it
      std::fprintf(stderr, "timing one run (run 0) to size the job; give --seconds-per-run to skip this\n");
      cost = pilot_run(spec, design);
    }
    const auto plan = plan_slurm(o, design.runs.size(), cost);
    const auto binary = job_binary(o);
    fs::create_directories(dir);
    const auto script = dir / "submit.sbatch";
    {  // whole or not at all
      const auto temporary = fs::path(script.string() + ".tmp-" + std::to_string(::getpid()));
      std::ofstream out(temporary);
      out << slurm_script(o.file, dir, spec, design.runs.size(), plan, cost, o.slurm_partition, binary);
      out.close();
      if (!out) throw std::runtime_error("cannot write " + temporary.string());
      engine::durable_rename(temporary, script);
    }
    std::printf("wrote %s: %zu runs of about %.3g s over %d node(s) x %d task(s), %s, %lld MB per task\n",
                script.c_str(), design.runs.size(), cost.seconds, plan.nodes, plan.tasks_per_node, plan.time.c_str(),
                plan.memory_mb);
    std::printf(
        "the job runs %s%s\nsubmit with: sbatch %s\n", binary.c_str(),
        binary.find("/build/") != std::string::npos ? " (a build-tree binary: every node must see this path)" : "",
        script.c_str());
    for (const auto& w : plan.warnings) std::fprintf(stderr, "caremarket: warning: %s\n", w.c_str());
    return 0;
  }
  engine::SignalGuard signals;
  auto& cancel = engine::process_cancel_flag();
  const auto summary = sweeps::run_sweep(spec, design, {dir, o.workers, o.quiet}, cancel);
  if (!summary.coordinator) return 0;
  std::printf("sweep %s: %lld runs: %lld done (%lld already done before), %lld failed, %lld not run; index: %s\n",
              spec.name.c_str(), static_cast<long long>(summary.total), static_cast<long long>(summary.done),
              static_cast<long long>(summary.skipped), static_cast<long long>(summary.failed),
              static_cast<long long>(summary.total - summary.done - summary.failed), (dir / "index.h5").c_str());
  if (summary.cancelled) return interrupted_exit(summary.signal);
  return summary.failed > 0 ? kExitRuntime : 0;
}

}  // namespace

Command add_sweep(CLI::App& app) {
  auto o = std::make_shared<SweepOptions>();
  auto* sweep_app = app.add_subcommand(
      "sweep", "Run a sweep or replicate ensemble: on this machine's cores, or across MPI ranks under mpirun/srun");
  sweep_app->add_option("sweep", o->file, "Sweep TOML file (see configs/sweeps/)")->required();
  sweep_app
      ->add_option("-o,--output", o->dir, "Folder for runs/, journal.tsv and index.h5 (default: results/<sweep name>)")
      ->check(CLI::Validator(sweeps::non_empty_path, "PATH"));
  sweep_app->add_option("--workers", o->workers, "Runs at once on this machine (default: one per core)")
      ->check(CLI::Range(0, 4096));
  sweep_app->add_flag("--dry-run", o->dry_run, "List the runs and their seeds without running them");
  sweep_app->add_flag("-q,--quiet", o->quiet, "No line per finished run");
  sweep_app->add_flag("--emit-slurm", o->emit_slurm,
                      "Write <output>/submit.sbatch for Slurm instead of running (docs/clusters.md)");
  sweep_app
      ->add_option("--nodes", o->slurm_nodes,
                   "Slurm nodes (with --emit-slurm; default: enough for a task per run, up to 4)")
      ->check(CLI::Range(1, 100000));
  sweep_app
      ->add_option("--tasks-per-node", o->slurm_tasks,
                   "Slurm tasks per node, one run each, rank 0 coordinating (with --emit-slurm; default: up to 32)")
      ->check(CLI::Range(2, 100000));
  sweep_app
      ->add_option(
          "--seconds-per-run", o->seconds_per_run,
          "Seconds one run takes on one core, to size the job (with --emit-slurm; default: timed by a pilot run)")
      ->check(CLI::PositiveNumber);
  sweep_app
      ->add_option("--memory-per-task", o->memory_mb,
                   "MB of memory per task (with --emit-slurm; default: the pilot's peak x 1.5, at least 512)")
      ->check(CLI::PositiveNumber);
  sweep_app->add_option("--time", o->slurm_time,
                        "Slurm time limit HH:MM:SS (with --emit-slurm; default: from runs x seconds per run)");
  sweep_app->add_option("--partition", o->slurm_partition, "Slurm partition (with --emit-slurm)");
  sweep_app->add_option(
      "--binary", o->binary,
      "The caremarket binary the job runs (with --emit-slurm; default: caremarket on PATH, else this one)");
  return {sweep_app, [o] { return sweep(*o); }};
}

}  // namespace cm::cli
