"""The calibration scripts (scripts/calibration/) on a tiny ensemble: every table has its rows and
every number in it is finite.

The ensemble is tests/data/tiny.toml, 20 weeks, 2 seeds per arm, snapshots every 10 weeks, with
the windows of the scripts shrunk to fit (target window 10 weeks, burn-in 5).
"""
from __future__ import annotations

import math
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPTS = REPO / "scripts" / "calibration"
sys.path.insert(0, str(SCRIPTS))

import facts  # noqa: E402
import policies  # noqa: E402
import targets  # noqa: E402

SEEDS = 2
WINDOWS = ["--window", "10", "--four-year", "10", "--follow-up", "10", "--burn-in", "5"]
NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?")


def script(name: str, *args: str) -> str:
    done = subprocess.run([sys.executable, str(SCRIPTS / name), *map(str, args)], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def table_rows(markdown: str) -> list[list[str]]:
    """The body rows of every Markdown table in the text, as lists of cells."""
    rows = []
    for line in markdown.splitlines():
        if line.startswith("| ") and not line.startswith("|---"):
            rows.append([c.strip() for c in line.strip().strip("|").split("|")])
    return [r for r in rows if not (r[0].startswith("Target") or r[0].startswith("Measure"))]


def assert_finite(cells: list[str]) -> None:
    for cell in cells:
        assert "n/a" not in cell and "nan" not in cell.lower() and "inf" not in cell.lower(), cells
        numbers = NUMBER.findall(cell)
        assert numbers, cells
        assert all(math.isfinite(float(n.replace(",", ""))) for n in numbers), cells


@pytest.fixture(scope="module")
def ensemble(tmp_path_factory, caremarket_bin, tiny_scenario):
    runs = tmp_path_factory.mktemp("calibration")
    page = runs / "calibration.md"
    done = subprocess.run(
        [sys.executable, str(SCRIPTS / "run_calibration.py"), "--bin", str(caremarket_bin),
         "--scenario", str(tiny_scenario), "--seeds", str(SEEDS), "--policy-seeds", str(SEEDS),
         "--policies", "collaborative", "--steps", "20", *WINDOWS, "--set", "output.snapshot_interval=10",
         # Micro-enterprises with staff besides their owner (2 on average, not 0.4), so that the
         # leaving rate of their staff exists in so small an ensemble whatever the random draws.
         "--set", "founding.mean_extra_staff=2",
         "--jobs", "2", "--runs", str(runs), "-o", str(page)],
        capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return runs, page.read_text()


def files(runs: Path, arm: str) -> list[Path]:
    return [runs / f"{arm}_s{s}.h5" for s in range(1, SEEDS + 1)]


@pytest.mark.parametrize("name", ["targets.py", "facts.py", "policies.py", "run_calibration.py"])
def test_help(name):
    assert "usage:" in script(name, "--help")


def test_driver_writes_every_table(ensemble):
    _, page = ensemble
    for heading in ("## Targets of the specification", "## Other measured facts", "## Policy responses"):
        assert heading in page
    assert "run_calibration.py --scenario" in page and "--runs" not in page
    rows = table_rows(page)
    assert len(rows) == len(targets.TARGETS) + len(facts.ROWS) + len(policies.ROWS)
    names = {t.name for t in targets.TARGETS}
    for row in rows:
        assert_finite([row[4]] if row[0] in names else row[1:])


def test_targets_table(ensemble):
    runs, _ = ensemble
    out = script("targets.py", "--baseline", *files(runs, "baseline"), "--support", *files(runs, "support"), *WINDOWS)
    rows = table_rows(out)
    assert [r[0] for r in rows] == [t.name for t in targets.TARGETS]
    for row in rows:
        assert row[3].startswith(("tuned", "held out")), row
        assert_finite([row[4]])


def test_targets_raw_measures(ensemble):
    runs, _ = ensemble
    out = script("targets.py", "--measures-only", *files(runs, "support"), *WINDOWS)
    keys = [line.split()[0] for line in out.splitlines()]
    assert {t.key for t in targets.TARGETS} <= set(keys)
    assert_finite([line.split(None, 1)[1] for line in out.splitlines()])


def test_facts_table(ensemble):
    runs, _ = ensemble
    out = script("facts.py", "--baseline", *files(runs, "baseline"), "--support", *files(runs, "support"),
                 "--mid", "10", "--burn-in", "5")
    rows = table_rows(out)
    assert len(rows) == len(facts.ROWS)
    for row in rows:
        assert len(row) == 3
        assert_finite(row[1:])


def test_policies_table(ensemble):
    runs, _ = ensemble
    out = script("policies.py", "--arm", "baseline", *files(runs, "baseline"),
                 "--arm", "collaborative", *files(runs, "collaborative"), "--from", "6", "--mid", "10")
    rows = table_rows(out)
    assert [r[0] for r in rows] == [text.replace("MID", "10") for _, text, _ in policies.ROWS]
    for row in rows:
        assert len(row) == 3
        assert_finite(row[1:])
    price = {r[0]: r for r in rows}["Council price per council-managed hour (£)"]
    assert float(price[2]) == pytest.approx(32.14, abs=0.01)   # collaborative pays the £32.14 floor


def test_a_window_beyond_the_run_is_an_error(ensemble):
    runs, _ = ensemble
    done = subprocess.run([sys.executable, str(SCRIPTS / "targets.py"), "--baseline", *map(str, files(runs, "baseline"))],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert "needs step 260" in done.stderr
