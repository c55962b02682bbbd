"""Calibration by history matching (caremarket calibrate, caremarket.calibrate): verified on a known
truth, resumable, and refusing bad calibration files with exit 2."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import REPO_ROOT
from test_sweep import cli

TINY = REPO_ROOT / "tests/data/tiny.toml"
TRUTH = 0.3  # retention.base_quit_per_year of the synthetic world
PRIOR = (0.02, 0.6)


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text).replace("TINY", str(TINY)))
    return path


@pytest.fixture(scope="module")
def synthetic_observation(caremarket_bin, caremarket_pkg, tmp_path_factory):
    """Turnover in the second financial year of the model at the known parameter: the mean of 8
    replicates, and its standard error."""
    tmp = tmp_path_factory.mktemp("truth")
    sweep = write(tmp / "truth.toml", f"""
        [sweep]
        name = "truth"
        scenario = "TINY"
        steps = 104
        replicates = 8
        root_seed = 99
        overrides = ["output.snapshot_interval=0", "output.events=false"]
        [[sweep.parameters]]
        key = "retention.base_quit_per_year"
        values = [{TRUTH}]
    """)
    assert cli(caremarket_bin, "sweep", sweep, "-o", tmp / "out", "-q").returncode == 0
    turnover = caremarket_pkg.read_yearly(tmp / "out").xs(2026, level="year")["turnover_rate"]
    return float(turnover.mean()), float(turnover.std(ddof=1) / np.sqrt(len(turnover)))


def calibration_file(tmp: Path, observed: float, sd: float, **changes) -> Path:
    settings = {"name": '"synthetic"', "scenario": '"TINY"', "steps": 104, "replicates": 4, "root_seed": 5,
                "waves": 3, "points_per_wave": 12, "observed_realisations": 8,
                "overrides": '["output.snapshot_interval=0", "output.events=false"]', **changes}
    lines = "\n".join(f"        {k} = {v}" for k, v in settings.items())
    return write(tmp / "cal.toml", f"""
        [calibration]
{lines}

        [[calibration.parameters]]
        key = "retention.base_quit_per_year"
        range = [{PRIOR[0]}, {PRIOR[1]}]

        [[calibration.targets]]
        name = "turnover"
        outcome = "turnover_rate"
        years = [2, 2]
        observed = {observed}
        sd = {sd}
        discrepancy = 0.0
    """)


def test_a_known_truth_is_not_ruled_out_and_the_space_left_is_narrow(caremarket_bin, synthetic_observation, tmp_path):
    observed, sd = synthetic_observation
    res = cli(caremarket_bin, "calibrate", calibration_file(tmp_path, observed, sd), "-o", tmp_path / "out")
    assert res.returncode == 0, res.stderr
    nroy = pd.read_csv(tmp_path / "out" / "nroy.csv")
    left = nroy["retention.base_quit_per_year"]
    assert left.min() < TRUTH < left.max(), (left.min(), left.max())
    # Of the prior's 0.58, at most a third is left; turnover moves about 2 points per point of the
    # quit rate here, and the observation and a run's noise allow some 0.1 of turnover either way.
    assert left.max() - left.min() < (PRIOR[1] - PRIOR[0]) / 3, (left.min(), left.max())
    waves = pd.read_csv(tmp_path / "out" / "waves.csv")
    assert waves["share_not_ruled_out"].iloc[-1] < 0.4
    assert (waves["validation_turnover"] >= 0.8).all()  # the emulator predicts held-out points
    for name in ["summary.md", "runs.csv", "emulator_validation.png", "implausibility.png", "space.png"]:
        assert (tmp_path / "out" / name).exists(), name
    assert "# Calibration synthetic" in res.stdout
    # A wrong observation moves the space: far from the truth it excludes it.
    res = cli(caremarket_bin, "calibrate", calibration_file(tmp_path, observed + 0.25, sd), "-o", tmp_path / "moved")
    assert res.returncode == 0, res.stderr
    moved = pd.read_csv(tmp_path / "moved" / "nroy.csv")["retention.base_quit_per_year"]
    assert moved.min() > TRUTH, moved.min()


def test_calibration_goes_on_from_its_finished_runs(caremarket_pkg, synthetic_observation, tmp_path):
    observed, sd = synthetic_observation
    file = calibration_file(tmp_path, observed, sd, waves=1)
    first = caremarket_pkg.calibrate(file, tmp_path / "out", progress=False)
    runs = sorted((tmp_path / "out" / "wave_1" / "runs" / "runs").glob("*.h5"))
    stamps = {p: p.stat().st_mtime_ns for p in runs}
    again = caremarket_pkg.calibrate(file, tmp_path / "out", progress=False)
    assert {p: p.stat().st_mtime_ns for p in runs} == stamps  # nothing was run again
    pd.testing.assert_frame_equal(first.runs, again.runs)
    assert first.stopped.startswith("after 1 wave")


@pytest.mark.parametrize("change, expected", [
    (("range = [0.02, 0.6]", "range = [0.6, 0.02]"), "calibration.parameters[0].range low must be below high"),
    (('outcome = "turnover_rate"', 'outcome = "turnover"'), '"turnover" has no yearly values; with years give one of'),
    (("years = [2, 2]", "years = [2, 9]"), "goes beyond the runs' 104 weeks"),
    (('key = "retention.base_quit_per_year"', 'key = "retention.base_quit"'), "is not a numeric model parameter"),
    (("waves = 3", "wave = 3"), "calibration.wave is not a known key"),
    (("sd = ", "sd = -"), "calibration.targets[0].sd must be above 0"),
    (("replicates = 4", "replicates = 1"), "calibration.replicates = 1 must be between 2 and 1000"),
    (("range = [0.02, 0.6]", "range = [0.02, 1.5]"),
     "calibration.parameters[0].range: retention.base_quit_per_year = 1.5 is not allowed"),
])
def test_bad_calibration_files_exit_2_naming_file_and_key(caremarket_bin, tmp_path, change, expected):
    file = calibration_file(tmp_path, 0.5, 0.02)
    file.write_text(file.read_text().replace(*change))
    res = cli(caremarket_bin, "calibrate", file, "-o", tmp_path / "out")
    assert res.returncode == 2, res.stderr
    assert str(file) in res.stderr and expected in res.stderr, res.stderr
    assert not (tmp_path / "out" / "wave_1").exists()  # refused before any run


WIDE_SETS = "retention.base_quit_per_year\n" + "\n".join(str(v) for v in (0.05, 0.12, 0.2, 0.28, 0.36, 0.44, 0.52, 0.6)) + "\n"


def compare_args(prefix: Path, *extra):
    return ["compare", TINY, "-p", "collaborative", "-n", "4", "--steps", "60", "-o", prefix, "-q", *extra]


def test_parameter_sets_widen_the_intervals_and_say_why(caremarket_bin, caremarket_pkg, tmp_path):
    (tmp_path / "wide.csv").write_text(WIDE_SETS)
    with_sets = cli(caremarket_bin, *compare_args(tmp_path / "sets", "--parameter-sets", tmp_path / "wide.csv"))
    assert with_sets.returncode == 0, with_sets.stderr
    assert "over 8 parameter sets" in with_sets.stdout and "not knowing which set is the world" in with_sets.stdout
    fixed = cli(caremarket_bin, *compare_args(tmp_path / "fixed"))
    assert fixed.returncode == 0, fixed.stderr
    assert "the parameters held fixed; --parameter-sets adds their uncertainty" in fixed.stdout
    sets = pd.read_csv(tmp_path / "sets.csv").set_index("outcome")
    alone = pd.read_csv(tmp_path / "fixed.csv").set_index("outcome")
    assert (sets["parameter_sets"] == 8).all() and "share_parameters" not in alone.columns
    # Over quit rates from 0.05 to 0.6, how much the policy changes turnover depends mostly on the
    # quit rate: the parameters hold most of the variance, and the interval is wider than chance's.
    row = sets.loc["turnover_rate"]
    assert row.share_parameters > 0.5, row
    assert row.share_parameters + row.share_chance == pytest.approx(1)
    assert row.ci_high - row.ci_low > alone.loc["turnover_rate", "ci_high"] - alone.loc["turnover_rate", "ci_low"]
    # The same from Python, number for number.
    frame = caremarket_pkg.compare(TINY, "collaborative", replicates=4, steps=60, output=tmp_path / "py",
                                   parameter_sets=pd.read_csv(tmp_path / "wide.csv"))
    for column in ["difference", "ci_low", "ci_high", "share_parameters"]:
        assert np.allclose(frame.loc[sets.index, column], sets[column], rtol=1e-8, equal_nan=True), column


def test_a_calibration_feeds_a_comparison(caremarket_bin, synthetic_observation, tmp_path):
    observed, sd = synthetic_observation
    assert cli(caremarket_bin, "calibrate", calibration_file(tmp_path, observed, sd, waves=1), "-o", tmp_path / "cal",
               "-q").returncode == 0
    res = cli(caremarket_bin, *compare_args(tmp_path / "cmp", "--parameter-sets", tmp_path / "cal" / "nroy.csv",
                                            "--sets", "5"))
    assert res.returncode == 0, res.stderr
    table = pd.read_csv(tmp_path / "cmp.csv")
    assert (table["parameter_sets"] == 5).all()


@pytest.mark.parametrize("text, expected", [
    ("retention.base_quit_per_year,implausibility\n0.2,1\n0.3,2\n", "column implausibility is not a numeric model parameter"),
    ("retention.base_quit_per_year\n0.2\n", "has 1 set(s); parameter uncertainty needs at least 2"),
    ("retention.base_quit_per_year\n0.2\n7\n", "retention.base_quit_per_year = 7"),
])
def test_bad_parameter_sets_exit_2(caremarket_bin, tmp_path, text, expected):
    (tmp_path / "sets.csv").write_text(text)
    res = cli(caremarket_bin, *compare_args(tmp_path / "c", "--parameter-sets", tmp_path / "sets.csv"))
    assert res.returncode == 2, res.stderr
    assert "sets.csv" in res.stderr and expected in res.stderr, res.stderr
    assert not (tmp_path / "c.csv").exists()


def test_a_changed_calibration_file_is_refused_in_the_folder_of_the_old_one(caremarket_bin, tmp_path):
    file = calibration_file(tmp_path, 0.5, 0.02, waves=1, points_per_wave=4, replicates=2, steps=8)
    file.write_text(file.read_text().replace("years = [2, 2]", "years = [1, 1]"))
    assert cli(caremarket_bin, "calibrate", file, "-o", tmp_path / "out", "-q").returncode == 0
    file.write_text(file.read_text().replace("range = [0.02, 0.6]", "range = [0.1, 0.6]"))
    res = cli(caremarket_bin, "calibrate", file, "-o", tmp_path / "out", "-q")
    assert res.returncode == 2
    assert "holds a calibration of another file" in res.stderr and "give a new output folder" in res.stderr
