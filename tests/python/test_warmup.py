"""The warm-up (run.warmup_weeks, MODEL.md §12; issue 15 item 6): weeks simulated before step 0
under the baseline and not reported, through the command line and the Python API."""

from __future__ import annotations

import h5py
import numpy as np
import pytest

from conftest import EXIT_OK, run_cli

WARMUP = 26
STEPS = 40


def series_names(f: h5py.File) -> list[str]:
    return [n for n in f if isinstance(f[n], h5py.Dataset) and f[n].ndim == 2]


@pytest.fixture(scope="module")
def runs(caremarket_bin, tiny_scenario, tmp_path_factory):
    """Without warm-up; with one (baseline and a policy from the start)."""
    folder = tmp_path_factory.mktemp("warmup")
    out = {}
    for name, extra in (("plain", ["--steps", WARMUP + STEPS]),
                        ("warm", ["--steps", STEPS, "--set", f"run.warmup_weeks={WARMUP}"]),
                        ("policy", ["--steps", STEPS, "--set", f"run.warmup_weeks={WARMUP}", "--policy",
                                    "collaborative"])):
        out[name] = folder / f"{name}.h5"
        result = run_cli(caremarket_bin, "run", tiny_scenario, "-o", out[name], "--threads", "1", *extra)
        assert result.returncode == EXIT_OK, result
    return out


def test_the_report_starts_where_the_warmup_ends(runs):
    # The warm-up's weeks are the run's first weeks: a run with a warm-up of W weeks reports, from
    # its week 0, what a run without one reports from week W.
    with h5py.File(runs["plain"]) as plain, h5py.File(runs["warm"]) as warm:
        assert warm.attrs["warmup_weeks"] == WARMUP and plain.attrs["warmup_weeks"] == 0
        assert warm.attrs["warmup_seconds"] > 0
        np.testing.assert_array_equal(warm["step"][()], np.arange(STEPS + 1))
        names = series_names(warm)
        assert len(names) > 30
        for name in names:
            np.testing.assert_array_equal(warm[name][()], plain[name][WARMUP:], err_msg=name)
        # Its events are the reported weeks' only, numbered as reported.
        for table in ("tenders", "providers"):
            weeks = warm[f"events/{table}/week"][()]
            plain_weeks = plain[f"events/{table}/week"][()]
            np.testing.assert_array_equal(weeks, plain_weeks[plain_weeks > WARMUP] - WARMUP)


@pytest.fixture(scope="module")
def cm(caremarket_pkg):
    return caremarket_pkg


def test_a_policy_from_the_start_shares_the_warmup_and_acts_from_week_1(cm, runs):
    with h5py.File(runs["warm"]) as base, h5py.File(runs["policy"]) as policy:
        names = series_names(base)
        for name in names:
            np.testing.assert_array_equal(base[name][0], policy[name][0], err_msg=name)
        assert any(not np.array_equal(base[n][1:], policy[n][1:]) for n in names)
    changes = cm.open(runs["policy"]).events["changes"]
    assert set(changes["step"]) == {0} and set(changes["cause"]) == {"policy"}
    assert changes.set_index("key").loc["commissioning.mode", "value"] == '"collaborative"'
    # The stored config is the baseline's, with the policy as entries dated the start: a re-run
    # of the stored config replays the warm-up under the baseline.
    config = cm.open(runs["policy"]).config
    assert config["commissioning"]["mode"] != "collaborative"
    assert {e["cause"] for e in config["schedule"]} == {"policy"}


def test_a_simulation_starts_after_its_warmup(cm, runs, tiny_scenario):
    sim = cm.Simulation(tiny_scenario, policies=["collaborative"],
                        overrides={"run.warmup_weeks": WARMUP}, threads=2)
    assert sim.current_step == 0
    sim.step(STEPS)
    with h5py.File(runs["policy"]) as f:
        np.testing.assert_array_equal(sim.metrics()["people_waiting"].to_numpy(), f["people_waiting"][()].reshape(-1))
        np.testing.assert_array_equal(sim.metrics()["mean_wage"].to_numpy(), f["mean_wage"][()].reshape(-1))


def test_the_warmup_is_checked_like_any_parameter(caremarket_bin, tiny_scenario, tmp_path):
    result = run_cli(caremarket_bin, "run", tiny_scenario, "--set", "run.warmup_weeks=-1", "-o", tmp_path / "x.h5")
    assert result.returncode != EXIT_OK
    assert "run.warmup_weeks" in result.stderr
