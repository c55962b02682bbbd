"""Branching from Python: Simulation.copy(), save_state() / load_state(), apply_policy(), and save()
from what the simulation recorded (docs/checkpoint-format.md §4).

A branch taken at week W and given a policy equals the run that had that policy dated week W + 1
from the start; the simulation it was taken from goes on unchanged; a state saved and loaded goes
on as the simulation that saved it.
"""

from __future__ import annotations

import datetime
import subprocess

import h5py
import numpy as np
import pytest

from conftest import EXIT_OK
from test_checkpoint import differences

BRANCH_WEEK = 40
WEEKS = 100


def date_of_week(week: int) -> str:
    return (datetime.date(2025, 4, 1) + datetime.timedelta(days=7 * week)).isoformat()


@pytest.fixture(scope="module")
def base(caremarket_pkg):
    sim = caremarket_pkg.Simulation("somerset", threads=2)
    sim.step(BRANCH_WEEK)
    return sim


def test_a_branch_with_a_policy_equals_the_run_with_that_policy_dated(caremarket_pkg, caremarket_bin, base, tmp_path):
    branch = base.copy()
    assert branch.current_step == BRANCH_WEEK
    branch.apply_policy("collaborative")
    branch.step(WEEKS - BRANCH_WEEK)
    fresh = caremarket_pkg.Simulation("somerset", policies=[("collaborative", date_of_week(BRANCH_WEEK + 1))], threads=1)
    fresh.step(WEEKS)
    assert branch.metrics().equals(fresh.metrics())
    # And its file equals the command line's run of that policy from that date, dataset for dataset.
    saved = tmp_path / "branch.h5"
    branch.save(saved)
    cli = tmp_path / "cli.h5"
    proc = subprocess.run([caremarket_bin, "run", "somerset", "-p", "collaborative", "--from",
                           date_of_week(BRANCH_WEEK + 1), "--steps", str(WEEKS), "-q", "-o", cli],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == EXIT_OK, proc.stderr
    found = differences(cli, saved)
    # The branch's layers name the policy as applied to a running simulation.
    assert [d for d in found if "config_layers" not in d] == []


def test_the_simulation_a_branch_was_taken_from_goes_on_unchanged(caremarket_pkg, base):
    original = base.copy()  # the fixture is shared: step a copy of it
    branch = original.copy()
    branch.set("commissioning.wage_floor", 13.5)
    branch.step(20)
    original.step(20)
    plain = caremarket_pkg.Simulation("somerset", threads=1)
    plain.step(BRANCH_WEEK + 20)
    assert original.metrics().equals(plain.metrics())
    assert not branch.metrics().equals(plain.metrics()), "the wage floor changed nothing in 20 weeks"


def test_another_replicate_gives_another_future_of_the_same_history(base):
    a, b, c = base.copy(replicate=5), base.copy(replicate=5), base.copy()
    for sim in (a, b, c):
        sim.step(30)
    history = slice(None, BRANCH_WEEK)
    assert a.metrics().loc[history].equals(c.metrics().loc[history])
    assert a.metrics().equals(b.metrics())
    assert not a.metrics().equals(c.metrics())
    assert a.replicate == 5 and c.replicate == base.replicate


def test_a_saved_state_loaded_goes_on_as_the_simulation_that_saved_it(caremarket_pkg, base, tmp_path):
    path = tmp_path / "state.checkpoint"
    base.copy().save_state(path)
    loaded = caremarket_pkg.Simulation.load_state(path, threads=1)
    assert loaded.current_step == BRANCH_WEEK
    assert loaded.metrics().equals(base.metrics()), "the loaded history differs"
    assert loaded.config_toml == base.config_toml
    going_on = base.copy()
    loaded.step(25)
    going_on.step(25)
    assert loaded.metrics().equals(going_on.metrics())
    for column in ("need_hours", "provider", "wellbeing", "capital"):
        np.testing.assert_array_equal(loaded.people[column], going_on.people[column])
    a, b = tmp_path / "a.h5", tmp_path / "b.h5"
    loaded.save(a)
    going_on.save(b)
    assert differences(a, b) == []


def test_a_command_line_checkpoint_loads_in_python(caremarket_pkg, caremarket_bin, tmp_path):
    ckpt = tmp_path / "run.checkpoint"
    proc = subprocess.run([caremarket_bin, "run", "somerset", "--steps", "60", "-q", "-o", tmp_path / "run.h5",
                           "--checkpoint", ckpt, "--stop-after", "30"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == EXIT_OK, proc.stderr
    loaded = caremarket_pkg.Simulation.load_state(ckpt)
    plain = caremarket_pkg.Simulation("somerset")
    plain.step(30)
    assert loaded.metrics().equals(plain.metrics())


def test_a_python_state_resumes_on_the_command_line(caremarket_pkg, caremarket_bin, cli, base, tmp_path):
    path = tmp_path / "py.checkpoint"
    base.copy().save_state(path)
    without_output = cli("run", "--resume", path, "-q")
    assert without_output.returncode == 2 and "-o" in without_output.stderr, str(without_output)
    out = tmp_path / "resumed.h5"
    resumed = cli("run", "--resume", path, "--steps", "60", "-o", out, "-q")
    assert resumed.returncode == EXIT_OK, str(resumed)
    straight = tmp_path / "straight.h5"
    proc = subprocess.run([caremarket_bin, "run", "somerset", "--steps", "60", "-q", "-o", straight],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == EXIT_OK, proc.stderr
    assert [d for d in differences(straight, out) if "config_layers" not in d] == []


def test_saving_does_not_rerun_and_the_simulation_goes_on(caremarket_pkg, base, tmp_path):
    sim = base.copy()
    sim.save(tmp_path / "first.h5")
    sim.step(5)
    saved = sim.save(tmp_path / "second.h5")
    with h5py.File(saved.path, "r") as f:
        assert f.attrs["steps_completed"] == BRANCH_WEEK + 5
        assert f["people_needing_care"].shape[0] == BRANCH_WEEK + 6


def test_a_bad_state_file_is_a_value_error(caremarket_pkg, tmp_path):
    bad = tmp_path / "bad.checkpoint"
    bad.write_bytes(b"not a checkpoint")
    with pytest.raises(ValueError, match="not an HDF5 file"):
        caremarket_pkg.Simulation.load_state(bad)
    with pytest.raises(ValueError, match="does not exist"):
        caremarket_pkg.Simulation.load_state(tmp_path / "missing")


def test_a_simulation_pickles_and_goes_on_in_another_process_as_here(caremarket_pkg, base, tmp_path):
    import pickle

    data = pickle.dumps(base.copy())
    script = tmp_path / "child.py"
    script.write_text(
        "import pickle, sys\n"
        f"sys.path.insert(0, {str(__import__('pathlib').Path(caremarket_pkg.__file__).parents[1])!r})\n"
        "sim = pickle.loads(open(sys.argv[1], 'rb').read())\n"
        "sim.step(10)\n"
        "sim.metrics().to_pickle(sys.argv[2])\n")
    (tmp_path / "sim.pickle").write_bytes(data)
    proc = subprocess.run(["/usr/bin/python3", script, tmp_path / "sim.pickle", tmp_path / "m.pickle"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    import pandas as pd

    here = base.copy()
    here.step(10)
    assert pd.read_pickle(tmp_path / "m.pickle").equals(here.metrics())
