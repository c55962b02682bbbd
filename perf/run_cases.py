#!/usr/bin/env /usr/bin/python3
"""Named whole-run benchmark cases: wall time, agent-steps per second, peak memory, output share.

    /usr/bin/python3 perf/run_cases.py [CASE ...] [--threads N] [--repeat K] [--steps N] [--record]

Cases: somerset, west_midlands, england (the shipped scenarios: England's 153 real councils) and
england_synthetic (perf/england_synthetic.toml: the 153 synthetic councils England was before
version 2, 2.5 million agents), with default outputs and seed 1. Each case
runs K times (default 3) and the fastest wall time is kept (the others show the noise). Peak
memory is the maximum resident set size of the child (its own, from wait4); bytes per agent divide it by
the agents at start (people needing care and workers). Output writing is the run's own
`output_seconds` over its `wall_seconds` (file attributes). A scenario's warm-up (run.warmup_weeks,
simulated before step 0 and not reported) is timed apart: wall_s is the run without it (the whole
process's wall time less the file's `warmup_seconds`), and the warm-up's seconds are printed beside
it (and recorded in the note). With --record, one row per case is
appended to perf/history.csv (date, commit, machine, the measurements and the command); the
current table of perf/RESULTS.md is written from it by hand.
"""
from __future__ import annotations

import argparse
import csv
import datetime
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import h5py

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(os.environ.get("CAREMARKET_BIN", ROOT / "build" / "release" / "cli" / "caremarket"))
CASES = ["somerset", "west_midlands", "england", "england_synthetic"]
# Where each case's scenario is: the shipped ones under configs/scenarios, the synthetic England here.
SCENARIOS = {case: ROOT / "configs" / "scenarios" / f"{case}.toml" for case in CASES}
SCENARIOS["england_synthetic"] = ROOT / "perf" / "england_synthetic.toml"
HISTORY = ROOT / "perf" / "history.csv"
# Columns of perf/history.csv, one row per case measurement. runs_s lists every run's wall time
# (';'-separated; wall_s is the fastest); output_share is a fraction; note is free text.
HISTORY_FIELDS = ["date", "commit", "machine", "case", "threads", "steps", "agents", "wall_s", "runs_s",
                  "agent_steps_per_s", "ns_per_agent_step", "peak_mib", "bytes_per_agent", "file_mib",
                  "output_share", "command", "note"]


def record(rows: list[dict], commit: str) -> None:
    """Append one row per case to perf/history.csv (with its header when the file is new)."""
    cpu = next((l.split(":", 1)[1].strip() for l in Path("/proc/cpuinfo").read_text().splitlines()
                if l.startswith("model name")), platform.processor())
    common = {"date": datetime.date.today().isoformat(), "commit": commit,
              "machine": f"{os.cpu_count()} cores ({cpu})",
              "command": f"/usr/bin/python3 perf/run_cases.py {' '.join(sys.argv[1:])}", "note": ""}
    new = not HISTORY.exists() or HISTORY.stat().st_size == 0
    with open(HISTORY, "a", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=HISTORY_FIELDS, lineterminator="\n")
        if new:
            writer.writeheader()
        for r in rows:
            writer.writerow({**common, "case": r["case"], "threads": r["threads"], "steps": r["steps"],
                             "agents": f"{r['agents']:.0f}", "wall_s": f"{r['wall']:.2f}",
                             "runs_s": ";".join(f"{w:.2f}" for w in r["walls"]),
                             "agent_steps_per_s": f"{r['agent_steps_per_s']:.3g}",
                             "ns_per_agent_step": f"{1e9 / r['agent_steps_per_s']:.0f}",
                             "peak_mib": f"{r['peak_mib']:.0f}",
                             "bytes_per_agent": f"{r['peak_mib'] * 2**20 / r['agents']:.0f}",
                             "file_mib": f"{r['file_mib']:.1f}", "output_share": f"{r['output_share']:.3f}",
                             "note": f"warm-up {r['warmup_weeks']} weeks: {r['warmup']:.2f} s, not in wall_s"
                             if r["warmup_weeks"] else ""})
    print(f"appended {len(rows)} row(s) to {HISTORY.relative_to(ROOT)}")


def run_case(case: str, threads: int, steps: int | None) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / f"{case}.h5"
        cmd = [str(BIN), "run", str(SCENARIOS[case]), "-q", "-o", str(out),
               "--threads", str(threads)]
        if steps:
            cmd += ["--steps", str(steps)]
        start = time.perf_counter()
        child = subprocess.Popen(cmd)
        # wait4 gives this child's own peak: RUSAGE_CHILDREN's is the largest of every child so far,
        # so a small case run after England would report England's memory.
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        total = time.perf_counter() - start
        if child.returncode != 0:
            raise subprocess.CalledProcessError(child.returncode, cmd)
        peak_kib = usage.ru_maxrss
        with h5py.File(out, "r") as f:
            done = int(f.attrs["steps_completed"])
            people = f["people_needing_care"][:].sum(axis=1)
            workers = f["workers"][:].sum(axis=1)
            agents_mean = float((people + workers).mean())
            agents_start = float(people[0] + workers[0])
            size = out.stat().st_size
            # Time spent writing the file, as the run measured it (format 1.1 and later).
            output_share = float(f.attrs["output_seconds"]) / float(f.attrs["wall_seconds"]) if "output_seconds" in f.attrs else float("nan")
            warmup = float(f.attrs.get("warmup_seconds", 0.0))
            warmup_weeks = int(f.attrs.get("warmup_weeks", 0))
        wall = total - warmup
        return {"case": case, "threads": threads, "steps": done, "wall": wall, "agents": agents_start,
                "warmup": warmup, "warmup_weeks": warmup_weeks,
                "agent_steps_per_s": agents_mean * done / wall, "peak_mib": peak_kib / 1024,
                "file_mib": size / 2**20, "output_share": output_share}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("cases", nargs="*", default=CASES, choices=CASES)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--steps", type=int, default=None, help="override the scenario's run.steps")
    parser.add_argument("--record", action="store_true", help="append one row per case to perf/history.csv")
    args = parser.parse_args()
    if not BIN.is_file():
        sys.exit(f"run_cases: no binary at {BIN}; run `make build` first")

    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short=12", "HEAD"], capture_output=True,
                            text=True).stdout.strip() or "unknown"
    rows = []
    for case in args.cases or CASES:
        results = [run_case(case, args.threads, args.steps) for _ in range(args.repeat)]
        best = min(results, key=lambda r: r["wall"])
        best["walls"] = [r["wall"] for r in results]
        # ru_maxrss of children is the largest child so far: report it only when it comes from this case.
        best["peak_mib"] = max(r["peak_mib"] for r in results)
        rows.append(best)
        print(f"{case:14s} threads={best['threads']} steps={best['steps']} wall={best['wall']:.2f}s "
              f"(runs {', '.join(f'{w:.2f}' for w in best['walls'])}) agents={best['agents']:,.0f} "
              f"agent-steps/s={best['agent_steps_per_s']:.3g} ({1e9 / best['agent_steps_per_s']:.0f} ns each) "
              f"peak={best['peak_mib']:.0f} MiB ({best['peak_mib'] * 2**20 / best['agents']:.0f} B/agent) "
              f"file={best['file_mib']:.1f} MiB output={100 * best['output_share']:.1f}% of the run; "
              f"warm-up {best['warmup_weeks']} weeks {best['warmup']:.2f}s beside it", flush=True)

    if args.record:
        record(rows, commit)
    return 0


if __name__ == "__main__":
    sys.exit(main())
