"""Replicate ensembles for the statistical and metamorphic validation of the model.

Every arm runs the same seeds 1..REPLICATES (common random numbers), so paired differences
between arms cancel most of the noise that agents untouched by a policy would add. Runs are
cached for the session and run two at a time (one thread each), which is what 2 cores hold.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import h5py
import numpy as np
import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SOMERSET = REPO_ROOT / "configs" / "scenarios" / "somerset.toml"
POLICIES = REPO_ROOT / "configs" / "policies"
REPLICATES = 10
YEARS = 5
STEPS = 52 * YEARS


def binary() -> Path:
    env = os.environ.get("CAREMARKET_BIN")
    path = Path(env) if env else REPO_ROOT / "build" / "release" / "cli" / "caremarket"
    if not path.is_file():
        pytest.fail(f"caremarket binary not found at {path}; build it or set CAREMARKET_BIN", pytrace=False)
    return path


@dataclass
class Run:
    """The series of one run (summed or averaged over councils) and its provider events."""

    series: dict[str, np.ndarray]
    events: dict[str, np.ndarray]

    def mean_after(self, name: str, week: int = 52) -> float:
        """Mean of a series from `week` on: the first year fills the 52-week turnover window."""
        return float(self.series[name][week:].mean())

    def final(self, name: str) -> float:
        return float(self.series[name][-1])

    def closures_per_year(self, archetype: int, kind: int = 1) -> float:
        """Events of `kind` (1 = exit, 3 = micro-enterprise closure) of an archetype per year, over its mean count."""
        name = {0: "providers_chain", 1: "providers_agency", 2: "micro_enterprises"}[archetype]
        mask = (self.events["kind"] == kind) & (self.events["archetype"] == archetype) & (self.events["week"] > 0)
        return mask.sum() / YEARS / self.series[name][1:].mean()


def _read(path: Path) -> Run:
    with h5py.File(path, "r") as f:
        assert f.attrs["complete"] == 1
        series = {}
        for name, ds in f.items():
            if isinstance(ds, h5py.Dataset) and ds.ndim == 2:
                data = ds[:]
                rates = ("rate", "share", "mean_", "continuity", "price_per_hour", "hhi")
                series[name] = data.mean(axis=1) if any(r in name for r in rates) else data.sum(axis=1)
        events = {k: f["events/providers"][k][:] for k in ("week", "kind", "archetype")}
    return Run(series, events)


class Ensembles:
    def __init__(self) -> None:
        self._cache: dict[tuple, list[Run]] = {}
        self._dir = tempfile.TemporaryDirectory(prefix="caremarket-validation-")

    def arm(self, *, policies: tuple[str, ...] = (), sets: tuple[str, ...] = (), steps: int = STEPS,
            replicates: int = REPLICATES) -> list[Run]:
        """Seeds 1..replicates of an arm; the first REPLICATES are shared with the arm's other uses."""
        key = (policies, sets, steps)
        runs = self._cache.setdefault(key, [])
        if len(runs) < replicates:
            runs += self._run_arm(policies, sets, steps, len(self._cache), range(len(runs) + 1, replicates + 1))
        return runs[:replicates]

    def _run_arm(self, policies, sets, steps, index, seeds) -> list[Run]:
        exe = binary()

        def one(seed: int) -> Run:
            out = Path(self._dir.name) / f"arm{index}-{len(policies)}-{abs(hash((policies, sets, steps)))}-seed{seed}.h5"
            cmd = [str(exe), "run", str(SOMERSET), "--seed", str(seed), "--steps", str(steps), "--threads", "1", "-q",
                   "-o", str(out), "--set", "output.snapshot_interval=0"]
            for p in policies:
                cmd += ["--policy", str(POLICIES / f"{p}.toml")]
            for s in sets:
                cmd += ["--set", s]
            subprocess.run(cmd, check=True, timeout=600)
            run = _read(out)
            out.unlink()
            return run

        with ThreadPoolExecutor(max_workers=2) as pool:
            return list(pool.map(one, seeds))


@pytest.fixture(scope="session")
def ensembles() -> Ensembles:
    return Ensembles()


def paired(a: list[Run], b: list[Run], stat) -> tuple[float, float]:
    """Mean and standard error of the paired differences stat(b) - stat(a) over replicates."""
    d = np.array([stat(y) - stat(x) for x, y in zip(a, b)])
    return float(d.mean()), float(d.std(ddof=1) / np.sqrt(len(d)))
