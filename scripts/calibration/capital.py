#!/usr/bin/env /usr/bin/python3
"""The means test's steady state: where people's capital bands and funding routes settle.

    /usr/bin/python3 scripts/calibration/capital.py [--scenario somerset] [--seeds 4] [--jobs 2]
                                                    [--warmup-years 20] [--set KEY=VALUE ...]

Spending down moves people from above the upper capital limit to between the limits and from
self-funding to council funding; newcomers bring new capital. The stock's shares of the capital
bands (eligibility.share_above_upper, share_between) should be the ones this flow settles at, and
the routes should split as the calibrated market expects (about a third self-funding, the council
funding as many as version 1 did: eligibility.entrant_share_above_upper and capital_mean_excess
were tuned with this script).

Two measurements under seeds 1..N (one thread each, --jobs at a time), with --set applied:
  1. a run with a warm-up of --warmup-years, long enough to forget the starting shares: the stock's
     capital bands at its step 0 (the shares to put in share_above_upper / share_between) and the
     routes over the following year;
  2. the default warm-up and 20 reported years: yearly route shares and the self-funders reaching
     the upper limit a week, to show the starting shares hold (no drift).
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import h5py
import numpy as np

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(os.environ.get("CAREMARKET_BIN", ROOT / "build" / "release" / "cli" / "caremarket"))
ROUTES = ["people_self_funded", "people_council_managed", "people_direct_payment", "people_refused"]


def run(scenario: str, seed: int, steps: int, sets: list[str], out: Path) -> None:
    cmd = [str(BIN), "run", scenario, "--seed", str(seed), "--steps", str(steps), "--threads", "1", "-q",
           "-o", str(out)]
    for s in sets:
        cmd += ["--set", s]
    subprocess.run(cmd, check=True)


def route_shares(f: h5py.File, first: int, last: int) -> np.ndarray:
    """Mean share of people needing care on each route, weeks first..last."""
    needing = f["people_needing_care"][first:last + 1].sum(axis=1)
    return np.array([(f[r][first:last + 1].sum(axis=1) / needing).mean() for r in ROUTES])


def stock_bands(f: h5py.File) -> np.ndarray:
    people = f["snapshots/week_000000/people"]
    alive = people["alive"][()] > 0
    return np.bincount(people["capital_band"][()][alive], minlength=3) / alive.sum()  # at the last assessment


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scenario", default="somerset", help="a shipped scenario or a TOML file (default: somerset)")
    parser.add_argument("--seeds", type=int, default=4, help="seeds 1..N (default: 4)")
    parser.add_argument("--jobs", type=int, default=2, help="runs at a time, one thread each (default: 2)")
    parser.add_argument("--warmup-years", type=int, default=20, help="the long warm-up of measurement 1 (default: 20)")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="a parameter (repeatable)")
    args = parser.parse_args()
    if not BIN.is_file():
        sys.exit(f"capital.py: no caremarket binary at {BIN}: build it or set CAREMARKET_BIN")
    seeds = range(1, args.seeds + 1)
    with tempfile.TemporaryDirectory(prefix="caremarket-capital-") as tmp:
        long_sets = args.set + [f"run.warmup_weeks={52 * args.warmup_years}", "output.snapshot_interval=52"]
        long_runs = [Path(tmp) / f"long-{s}.h5" for s in seeds]
        reported = [Path(tmp) / f"twenty-{s}.h5" for s in seeds]
        with ThreadPoolExecutor(max_workers=args.jobs) as pool:
            jobs = [pool.submit(run, args.scenario, s, 52, long_sets, out) for s, out in zip(seeds, long_runs)]
            jobs += [pool.submit(run, args.scenario, s, 1040, args.set + ["output.snapshot_interval=0"], out)
                     for s, out in zip(seeds, reported)]
            for job in jobs:
                job.result()
        bands, routes = [], []
        for path in long_runs:
            with h5py.File(path, "r") as f:
                bands.append(stock_bands(f))
                routes.append(route_shares(f, 1, 52))
        print(f"after a {args.warmup_years}-year warm-up ({args.seeds} seeds):")
        print("  capital bands of the stock (below, between, above):", np.round(np.mean(bands, axis=0), 3).tolist())
        print("  routes (self-funded, council-managed, direct payment, refused):",
              np.round(np.mean(routes, axis=0), 3).tolist())
        print("default warm-up, 20 reported years: routes as shares of people needing care, and self-funders "
              "reaching the upper limit a week")
        print("  year  self   managed  direct  refused  spent down")
        for year in (1, 2, 5, 10, 15, 20):
            first, last = 52 * (year - 1) + 1, 52 * year
            shares, down = [], []
            for path in reported:
                with h5py.File(path, "r") as f:
                    shares.append(route_shares(f, first, last))
                    # Absent from builds before the means test (format 1.10): compare their routes.
                    if "spent_down_to_upper_limit" in f:
                        down.append(f["spent_down_to_upper_limit"][first:last + 1].sum(axis=1).mean())
            s = np.mean(shares, axis=0)
            spent = f"{np.mean(down):.2f}" if down else "—"
            print(f"  {year:4d}  {s[0]:.3f}  {s[1]:.3f}    {s[2]:.3f}   {s[3]:.3f}    {spent}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
