#!/usr/bin/env /usr/bin/python3
"""Choose run.warmup_weeks: the shortest whole number of years after which the market is steady.

    /usr/bin/python3 scripts/warmup/steady_state.py [--scenario somerset] [--years 0 1 2 3]
                                                    [--seeds 10] [--jobs 2]

For each candidate warm-up (whole years) the scenario runs two reported years under seeds
1..N (one thread each, --jobs at a time). A candidate passes when, for each of turnover, vacancy
rate, unmet share of everyone with need (hours_unmet_all / hours_needed_all) and chain share of
council hours, the mean of the first reported year over the seeds lies within 2 standard errors of
the second year's mean: |mean(y1) - mean(y2)| <= 2 SE(mean(y2)) (MODEL.md §12, issue 15 item 6).
The table also shows the standard error of the gap paired by seed, a stricter test that a slow
trend fails (a drift of a few per cent a year). Prints one row per candidate and measure, and the
shortest candidate that passes.
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
# Measure -> (numerator, weight): a region value is sum(numerator * weight) / sum(weight) over
# councils, or sum(numerator) / sum(weight) when the measure is a ratio of two sums.
MEASURES = ["turnover_rate", "vacancy_rate", "unmet_share", "chain_share_council_hours"]


def region_series(path: Path) -> dict[str, np.ndarray]:
    """The four measures for the region, one value a week (weeks 1..end)."""
    with h5py.File(path, "r") as f:
        g = {k: f[k][1:].astype(float) for k in ("turnover_rate", "workers", "vacancy_rate", "vacancies",
                                                  "hours_unmet_all", "hours_needed_all",
                                                  "chain_share_council_hours", "people_council_managed")}

    def weighted(x: np.ndarray, w: np.ndarray) -> np.ndarray:
        total = w.sum(axis=1)
        return np.where(total > 0, (x * w).sum(axis=1) / np.where(total > 0, total, 1), 0.0)

    return {
        "turnover_rate": weighted(g["turnover_rate"], g["workers"]),
        "vacancy_rate": g["vacancies"].sum(axis=1) / (g["workers"].sum(axis=1) + g["vacancies"].sum(axis=1)),
        "unmet_share": g["hours_unmet_all"].sum(axis=1) / g["hours_needed_all"].sum(axis=1),
        "chain_share_council_hours": weighted(g["chain_share_council_hours"], g["people_council_managed"]),
    }


def run(scenario: str, warmup: int, seed: int, out: Path) -> dict[str, np.ndarray]:
    path = out / f"w{warmup}_s{seed}.h5"
    subprocess.run([str(BIN), "run", scenario, "--seed", str(seed), "--steps", "104", "--threads", "1", "-q",
                    "--set", f"run.warmup_weeks={warmup}", "--set", "output.snapshot_interval=0",
                    "--set", "output.events=false", "-o", str(path)], check=True)
    return region_series(path)


def yearly_gap(runs: list[dict[str, np.ndarray]], measure: str) -> tuple[float, float, float, float, float]:
    """Means of year 1 and year 2 over seeds, the gap, the standard error of year 2's mean and that
    of the gap paired by seed."""
    y1 = np.array([r[measure][:52].mean() for r in runs])
    y2 = np.array([r[measure][52:104].mean() for r in runs])
    n = np.sqrt(len(runs))
    return y1.mean(), y2.mean(), y1.mean() - y2.mean(), y2.std(ddof=1) / n, (y1 - y2).std(ddof=1) / n


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scenario", default="somerset")
    parser.add_argument("--years", type=int, nargs="+", default=[0, 1, 2, 3])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    chosen = None
    with tempfile.TemporaryDirectory(prefix="caremarket-warmup-") as tmp, ThreadPoolExecutor(args.jobs) as pool:
        print(f"{'warm-up':>8} {'measure':<26} {'year 1':>9} {'year 2':>9} {'gap':>9} {'2 SE':>9}  steady"
              f" {'2 SE paired':>11}")
        for years in args.years:
            runs = list(pool.map(lambda s: run(args.scenario, 52 * years, s, Path(tmp)), range(1, args.seeds + 1)))
            steady = True
            for m in MEASURES:
                a, b, gap, se, paired_se = yearly_gap(runs, m)
                ok = abs(gap) <= 2 * se
                steady &= ok
                print(f"{52 * years:>8} {m:<26} {a:>9.4f} {b:>9.4f} {gap:>+9.4f} {2 * se:>9.4f}  "
                      f"{'yes' if ok else 'no ':<6} {2 * paired_se:>11.4f}")
            if steady and chosen is None:
                chosen = 52 * years
            sys.stdout.flush()
    print(f"shortest steady warm-up: {chosen} weeks" if chosen is not None else "no candidate is steady")
    return 0 if chosen is not None else 1


if __name__ == "__main__":
    sys.exit(main())
