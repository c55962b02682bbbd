#!/usr/bin/env /usr/bin/python3
"""Run the calibration ensemble and write its tables as Markdown (docs/calibration.md).

    /usr/bin/python3 scripts/calibration/run_calibration.py            # the defaults below

Runs `caremarket run` for the scenario without a policy ('baseline') and with the micro-enterprise
support policy ('support') for seeds 1..SEEDS, and each other policy for seeds 1..POLICY_SEEDS,
all for STEPS weeks, JOBS runs at a time (each on one thread: results do not depend on the thread
count). Then it measures the files with targets.py, facts.py and policies.py (beside this script)
and writes one Markdown page: the calibration targets (each labelled tuned or held out), other
measured facts and the policy responses. The defaults are those of docs/ODD.md §9: Somerset, ten
seeds, 520 weeks, a five-year target window, three seeds per policy.

Run files go to --runs (a temporary folder, removed at the end, unless --runs is given); with
--reuse, files already there from an earlier complete run of the same command are not run again.
"""
from __future__ import annotations

import argparse
import concurrent.futures
import os
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE))

import common  # noqa: E402
import facts  # noqa: E402
import policies  # noqa: E402
import targets  # noqa: E402

SUPPORT = "micro_enterprise_support"
POLICIES = ["collaborative", "quality_weighted", "living_wage_floor", "ethical_care_charter", "direct_payments_plus",
            "prevention", "hospital_discharge", "capital_limits_raised", "insourcing", "cooperative_support"]


def default_binary() -> Path:
    env = os.environ.get("CAREMARKET_BIN")
    return Path(env) if env else ROOT / "build" / "release" / "cli" / "caremarket"


def complete(path: Path, steps: int) -> bool:
    try:
        run = common.Run(path)
    except (OSError, SystemExit):
        return False
    try:
        return int(run.file.attrs.get("complete", 0)) == 1 and run.steps == steps
    finally:
        run.close()


def run_one(binary: Path, scenario: Path, policy: str | None, seed: int, steps: int, out: Path,
            sets: list[str], reuse: bool) -> Path:
    if reuse and complete(out, steps):
        return out
    cmd = [str(binary), "run", str(scenario), "-q", "--seed", str(seed), "--steps", str(steps),
           "--threads", "1", "-o", str(out)]
    if policy:
        cmd += ["--policy", str(ROOT / "configs" / "policies" / f"{policy}.toml")]
    for s in sets:
        cmd += ["--set", s]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"run_calibration: {' '.join(map(shlex.quote, cmd))} failed "
                         f"(status {done.returncode}):\n{done.stderr.strip()}")
    return out


def shown_arguments(argv: list[str]) -> list[str]:
    """The arguments that change the tables: without --runs, --reuse, --jobs and --bin."""
    shown, skip = [], False
    for a in argv:
        if skip:
            skip = False
            continue
        name = a.split("=", 1)[0]
        if name in ("--runs", "--jobs", "--bin"):
            skip = "=" not in a
            continue
        if name == "--reuse":
            continue
        shown.append(a)
    return shown


def write_page(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    tmp.replace(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", type=Path, default=default_binary(),
                        help="caremarket binary (default $CAREMARKET_BIN or build/release/cli/caremarket)")
    parser.add_argument("--scenario", type=Path, default=ROOT / "configs" / "scenarios" / "somerset.toml")
    parser.add_argument("--seeds", type=int, default=10, help="seeds of the baseline and support arms (default 10)")
    parser.add_argument("--policy-seeds", type=int, default=3,
                        help="seeds of each other policy arm (default 3; 0 leaves the policy table out)")
    parser.add_argument("--policies", nargs="*", default=POLICIES, help=f"other policy arms (default: {' '.join(POLICIES)})")
    parser.add_argument("--steps", type=int, default=520, help="weeks per run (default 520)")
    parser.add_argument("--window", type=int, default=260, help="last step of the target window (default 260)")
    parser.add_argument("--burn-in", type=int, default=52, help="first step of averages (default 52)")
    parser.add_argument("--four-year", type=int, default=208, help="step of the four-year figures (default 208)")
    parser.add_argument("--follow-up", type=int, default=260, help="weeks of follow-up for survival (default 260)")
    parser.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=VALUE",
                        help="passed to every run (e.g. output.snapshot_interval=10)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="runs at a time (default: the cores)")
    parser.add_argument("--runs", type=Path, default=None, help="keep the run files in this folder")
    parser.add_argument("--reuse", action="store_true", help="do not run again a complete file already in --runs")
    parser.add_argument("--output", "-o", type=Path, default=ROOT / "docs" / "calibration.md",
                        help="Markdown page to write (default docs/calibration.md)")
    args = parser.parse_args(argv)
    if not args.bin.is_file():
        parser.error(f"no caremarket binary at {args.bin}")
    if args.seeds < 1:
        parser.error("--seeds must be at least 1")
    if not args.steps >= args.window >= args.four_year >= 0 or args.window <= args.burn_in:
        parser.error("need STEPS >= WINDOW >= FOUR_YEAR and WINDOW > BURN_IN")

    started = time.perf_counter()
    tmp = None
    if args.runs is None:
        tmp = tempfile.TemporaryDirectory(prefix="caremarket-calibration-")
        runs_dir = Path(tmp.name)
    else:
        runs_dir = args.runs
        runs_dir.mkdir(parents=True, exist_ok=True)
    policy_seeds = args.policy_seeds if args.policies else 0
    n = max(args.seeds, policy_seeds)
    jobs = {}   # (arm, seed) -> future
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        plan = [("baseline", None, s) for s in range(1, n + 1)] + [("support", SUPPORT, s) for s in range(1, n + 1)]
        plan += [(p, p, s) for p in args.policies for s in range(1, policy_seeds + 1)]
        for arm, policy, seed in plan:
            out = runs_dir / f"{arm}_s{seed}.h5"
            jobs[arm, seed] = pool.submit(run_one, args.bin, args.scenario, policy, seed, args.steps, out,
                                          args.sets, args.reuse)
        files = {key: f.result() for key, f in jobs.items()}
    ran = time.perf_counter() - started

    def arm_files(arm: str, count: int) -> list[Path]:
        return [files[arm, s] for s in range(1, count + 1)]

    opts = dict(window=args.window, burn_in=args.burn_in, four_year=args.four_year, follow_up=args.follow_up)
    target_values = {arm: common.measure_files(arm_files(arm, args.seeds), targets.measure, **opts)
                     for arm in ("baseline", "support")}
    fact_values = {arm: common.measure_files(arm_files(arm, args.seeds), facts.measure, mid=args.window,
                                             burn_in=args.burn_in) for arm in ("baseline", "support")}
    first = common.Run(files["baseline", 1])
    provenance = first.provenance()
    first.close()

    try:
        scenario = args.scenario.resolve().relative_to(ROOT)
    except ValueError:
        scenario = args.scenario
    command = "/usr/bin/python3 scripts/calibration/run_calibration.py" + "".join(
        f" {shlex.quote(a)}" for a in shown_arguments(argv if argv is not None else sys.argv[1:]))
    years = args.steps / 52
    lines = [
        "# Calibration tables",
        "",
        "Generated by `scripts/calibration/run_calibration.py`; do not edit by hand. To regenerate:",
        "",
        f"    {command}",
        "",
        f"Scenario `{scenario}`, {args.steps} weeks ({years:.3g} years), seeds 1–{args.seeds} without a policy "
        f"(*baseline*) and with `{SUPPORT}` (*support*); {provenance}. Definitions are in docs/ODD.md §9 and "
        "in the scripts' `--help`. \"Mean (sd) [range]\" is over the seeds.",
        "",
        "## Targets of the specification",
        "",
        f"Rates are means of the weekly values over steps {args.burn_in}–{args.window}; counts at step "
        f"{args.window}; four-year figures at step {args.four_year}; closures per year over steps 1–{args.window}; "
        f"survival is {args.follow_up} weeks of follow-up of enterprises founded before step {args.window}. "
        "*Tuned*: a parameter (named) was set to hit the target, so meeting it shows little. *Held out*: no "
        "parameter was set for it.",
        "",
        targets.targets_table(target_values),
        "",
        "## Other measured facts",
        "",
        f"First half: steps {args.burn_in}–{args.window}; second half: steps {args.window + 1}–{args.steps}.",
        "",
        facts.facts_table(fact_values, args.window, args.steps),
        "",
    ]
    if policy_seeds:
        arms = [("baseline", "baseline"), ("support", SUPPORT)] + [(p, p) for p in args.policies]
        policy_values = {name: common.measure_files(arm_files(arm, policy_seeds), policies.measure,
                                                    start=args.burn_in + 1, mid=args.window)
                         for arm, name in arms}
        lines += [
            "## Policy responses",
            "",
            f"Seeds 1–{policy_seeds} of each arm (common random numbers). Means over steps {args.burn_in + 1}–"
            f"{args.steps} and the seeds, except micro-enterprises (step {args.window}) and the counts (sums over "
            f"steps 1–{args.steps}). Illustrative: {policy_seeds} seeds are few for the noisier measures "
            "(people waiting, hand-backs).",
            "",
            policies.policies_table(policy_values, args.window),
            "",
        ]
    write_page(args.output, "\n".join(lines))
    if tmp is not None:
        tmp.cleanup()
    total = time.perf_counter() - started
    print(f"run_calibration: {len(files)} runs in {ran:.1f} s, tables in {total - ran:.1f} s; wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
