"""Shared helpers of the calibration scripts: reading caremarket output files, region values,
summaries over seeds and Markdown tables.

The scripts read files written by `caremarket run` (docs/output-format.md) with h5py. A region
value of a series sums counts and money over councils and averages rates, shares and means over
councils weighted by the count they describe, as the model's own region values do (docs/ODD.md
§7.12); for one council it is the council's own value.
"""
from __future__ import annotations

import argparse
import math
import tomllib
from pathlib import Path
from typing import Iterable, Sequence

import h5py
import numpy as np

# Series that are rates, shares or means, and the count each is weighted by over councils.
WEIGHTS = {
    "vacancy_rate": "workers",
    "turnover_rate": "workers",
    "turnover_rate_nlw": "workers",
    "turnover_rate_nlw_plus_150": "workers",
    "mean_wage": "workers",
    "mean_effective_pay": "workers",
    "zero_hours_share": "workers",
    "mean_stress": "workers",
    "hires_from_care_share": "hires",
    "chain_share_council_hours": "people_council_managed",
    "in_house_share_council_hours": "people_council_managed",
    "hhi_council_hours": "people_council_managed",
    "price_per_hour": "people_council_managed",
    "mean_wellbeing": "people_needing_care",
    "wellbeing_all": "people_needing_care",
    "wellbeing_served": "people_served",
    "continuity": "people_served",
}

# Codes of docs/output-format.md §6 and §7.
CHAIN, AGENCY, MICRO = 0, 1, 2
ENTRY, EXIT, FOUNDING, CLOSURE, HANDBACK = 0, 1, 2, 3, 4
ROUTE_COUNCIL_MANAGED = 2
PLACEMENT_SPOT = 2


class Run:
    """One caremarket output file, opened read-only."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.file = h5py.File(self.path, "r")
        if self.file.attrs.get("format_name") != "caremarket":
            raise SystemExit(f"{self.path}: not a caremarket output file")
        self.steps = int(self.file.attrs["steps_completed"])
        self._cache: dict[str, np.ndarray] = {}

    def close(self) -> None:
        self.file.close()

    def series(self, name: str) -> np.ndarray:
        """The region value of a time series at every step 0..steps."""
        if name not in self._cache:
            values = self.file[name][:]
            weight = WEIGHTS.get(name)
            if weight is None:
                self._cache[name] = values.sum(axis=1)
            else:
                w = self.file[weight][:]
                total = w.sum(axis=1)
                with np.errstate(invalid="ignore", divide="ignore"):
                    self._cache[name] = np.where(total > 0, (values * w).sum(axis=1) / total, 0.0)
        return self._cache[name]

    def events(self, log: str) -> dict[str, np.ndarray]:
        group = self.file[f"events/{log}"]
        return {k: group[k][:] for k in group}

    def snapshot_weeks(self) -> list[int]:
        return sorted(int(k.split("_")[1]) for k in self.file.get("snapshots", {}))

    def snapshot(self, week: int, table: str) -> dict[str, np.ndarray]:
        key = f"snapshots/week_{week:06d}/{table}"
        if key not in self.file:
            raise SystemExit(f"{self.path}: no snapshot at week {week} (snapshots at weeks "
                             f"{self.snapshot_weeks()}; set output.snapshot_interval to a divisor of {week})")
        group = self.file[key]
        return {k: group[k][:] for k in group}

    def config(self) -> dict:
        return tomllib.loads(self.file.attrs["config"])

    def provenance(self) -> str:
        a = self.file.attrs
        return f"caremarket {a['software_version']} (commit {a['git_commit']}), format {a['format_version']}"


def need_steps(run: Run, last: int, what: str) -> None:
    if run.steps < last:
        raise SystemExit(f"{run.path}: {what} needs step {last}, but the run has {run.steps} steps")


def summary(values: Sequence[float]) -> dict[str, float]:
    v = np.asarray(values, dtype=float)
    return {"n": len(v), "integral": bool(np.all(np.isfinite(v)) and np.all(v == np.round(v))), "first": float(v[0]), "mean": float(v.mean()),
            "sd": float(v.std(ddof=1)) if len(v) > 1 else 0.0, "min": float(v.min()), "max": float(v.max())}


def fmt(x: float, kind: str) -> str:
    """Format one value: 'pct' as a percentage, 'pts' as percentage points, 'gbp' as pounds,
    'count' with no decimals below 1,000 rounded, 'ratio' with two decimals, '3' with three."""
    if not math.isfinite(x):
        return "n/a"
    if kind == "pct":
        return f"{100 * x:.1f}%"
    if kind == "pts":
        return f"{100 * x:.1f}"
    if kind == "gbp":
        return f"£{x:.2f}"
    if kind == "count":
        return f"{x:,.1f}" if abs(x) < 1000 else f"{x:,.0f}"
    if kind == "int":
        return f"{x:,.0f}"
    if kind == "ratio":
        return f"{x:.2f}"
    return f"{x:.3f}"


def fmt_summary(s: dict[str, float], kind: str) -> str:
    if s["n"] == 1:
        return fmt(s["mean"], kind)
    sd_kind = "pts" if kind == "pct" else kind
    sd = fmt(s["sd"], sd_kind).lstrip("£")
    ends = "int" if kind == "count" and s["integral"] else kind
    return f"{fmt(s['mean'], kind)} ({sd}) [{fmt(s['min'], ends)}–{fmt(s['max'], ends)}]"


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def arm_parser(description: str, measures_help: str) -> argparse.ArgumentParser:
    """The arguments targets.py and facts.py share: --baseline and --support runs, or
    --measures-only FILE... for the raw measures."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="*", help="with --measures-only: the files to measure")
    parser.add_argument("--baseline", nargs="+", default=[], metavar="FILE", help="runs without a policy, one per seed")
    parser.add_argument("--support", nargs="+", default=[], metavar="FILE",
                        help="runs with the micro-enterprise support policy, the same seeds")
    parser.add_argument("--measures-only", action="store_true", help=measures_help)
    return parser


def check_arms(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Exits with the parser's error when the files given do not fit --measures-only or the arms."""
    if args.measures_only and not args.files:
        parser.error("--measures-only needs files")
    if not args.measures_only and (args.files or not (args.baseline or args.support)):
        parser.error("give --baseline FILE... and/or --support FILE... (or --measures-only FILE...)")


def measure_files(paths: Sequence[str | Path], measure, **kwargs) -> dict[str, list[float]]:
    """Apply measure(run, **kwargs) -> dict to every file; collect each key's values in file order."""
    out: dict[str, list[float]] = {}
    for path in paths:
        run = Run(path)
        try:
            for key, value in measure(run, **kwargs).items():
                out.setdefault(key, []).append(float(value))
        finally:
            run.close()
    return out


def text_table(values: dict[str, list[float]]) -> str:
    """Plain listing: first file (seed 1), mean, sd, min and max of every measure."""
    lines = []
    for key, v in values.items():
        s = summary(v)
        lines.append(f"{key:28s} first={s['first']:.4f} mean={s['mean']:.4f} sd={s['sd']:.4f} "
                     f"min={s['min']:.4f} max={s['max']:.4f}")
    return "\n".join(lines)
