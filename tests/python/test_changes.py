"""Parameters that change during a run (issue 14, items 2-5): [[schedule]] entries, policies from a
date (``--policy P --from DATE``; ``policies=[(P, DATE)]``), [[shocks]] and ``Simulation.set``,
through the command line and the Python API. Step s is dated 7·s days after 2025-04-01."""

from __future__ import annotations

import datetime

import h5py
import numpy as np
import pytest

from conftest import EXIT_BAD_INPUT, EXIT_OK, REPO_ROOT, TINY_COUNCILS, run_cli

STEPS = 60
POLICY_STEP = 30  # 2025-10-28
POLICY_DATE = "2025-10-28"
SCHEDULE = REPO_ROOT / "configs" / "schedules" / "england_2025.toml"


@pytest.fixture(scope="module")
def cm(caremarket_pkg):
    return caremarket_pkg


def series(path, name="people_waiting"):
    with h5py.File(path) as f:
        return f[name][()]


@pytest.fixture(scope="module")
def policy_runs(caremarket_bin, tiny_scenario, tmp_path_factory):
    folder = tmp_path_factory.mktemp("dated_policy")
    base, dated = folder / "base.h5", folder / "dated.h5"
    for out, extra in ((base, []), (dated, ["--policy", "collaborative", "--from", POLICY_DATE])):
        result = run_cli(caremarket_bin, "run", tiny_scenario, "--steps", STEPS, "-o", out, *extra)
        assert result.returncode == EXIT_OK, result
    return base, dated


def test_a_dated_policy_equals_the_baseline_until_its_date_and_differs_after(policy_runs):
    base, dated = policy_runs
    with h5py.File(base) as a, h5py.File(dated) as b:
        names = [n for n in a if isinstance(a[n], h5py.Dataset) and a[n].ndim == 2 and n in b]
        assert len(names) > 30
        for name in names:
            np.testing.assert_array_equal(a[name][:POLICY_STEP], b[name][:POLICY_STEP], err_msg=name)
        assert any(not np.array_equal(a[n][POLICY_STEP:], b[n][POLICY_STEP:]) for n in names)


def test_the_changes_are_recorded_with_their_step_and_cause(cm, policy_runs):
    changes = cm.open(policy_runs[1]).events["changes"]
    assert set(changes["cause"]) == {"policy"}
    assert set(changes["step"]) == {POLICY_STEP}
    assert changes.set_index("key").loc["commissioning.mode", "value"] == '"collaborative"'
    assert all("collaborative.toml from 2025-10-28" in d for d in changes["detail"])
    # The stored config holds the policy as [[schedule]] entries: a re-run replays it.
    config = cm.open(policy_runs[1]).config
    assert {e["cause"] for e in config["schedule"]} == {"policy"}
    assert cm.open(policy_runs[0]).events["changes"].empty


def test_python_dated_policies_match_the_command_line(cm, policy_runs, tiny_scenario, tmp_path):
    results = cm.run(tiny_scenario, policies=[("collaborative", datetime.date(2025, 10, 28))], steps=STEPS,
                     output=tmp_path / "py.h5", progress=False)
    np.testing.assert_array_equal(series(results.path), series(policy_runs[1]))
    with pytest.raises(TypeError, match="pair"):
        cm.run(tiny_scenario, policies=[("collaborative", POLICY_DATE, "x")], steps=2, progress=False)


@pytest.mark.parametrize(
    "args, message",
    [
        (["--policy", "collaborative", "--from", "2024-04-01"], "a policy cannot start before the run"),
        (["--from", "2026-04-01"], "must follow the --policy it dates"),
        (["--policy", "collaborative", "--from", "2026-02-30"], "is not a date YYYY-MM-DD"),
        (["--policy", "collaborative", "--from", "2031-04-01"], "after the run's last week"),
    ],
)
def test_bad_policy_dates_exit_2_naming_the_problem(caremarket_bin, tiny_scenario, tmp_path, args, message):
    result = run_cli(caremarket_bin, "run", tiny_scenario, "-o", tmp_path / "x.h5", *args)
    assert result.returncode == EXIT_BAD_INPUT, result
    assert message in result.stderr
    assert not (tmp_path / "x.h5").exists()


def test_a_bad_schedule_exits_2_naming_the_file_and_entry(caremarket_bin, tiny_scenario, tmp_path):
    bad = tmp_path / "bad_schedule.toml"
    bad.write_text('[[schedule]]\nkey = "labour.nlw"\ndates = [2026-04-01, 2027-04-01]\nvalues = [12.71, -1.0]\n')
    result = run_cli(caremarket_bin, "run", tiny_scenario, "--policy", bad, "-o", tmp_path / "x.h5")
    assert result.returncode == EXIT_BAD_INPUT, result
    assert "bad_schedule.toml, schedule[0] at 2027-04-01" in result.stderr
    assert "labour.nlw" in result.stderr


def test_the_england_schedule_raises_wages_each_april(cm, tiny_scenario, tmp_path):
    results = cm.run(tiny_scenario, policies=[SCHEDULE], steps=110, output=tmp_path / "nlw.h5", progress=False)
    wage = results.timeseries["mean_wage"].groupby(level="step").mean()
    # April 2026 and April 2027 fall in steps 53 and 105 (the first steps dated on or after them).
    # The NLW rises by about GBP 0.40-0.50; wages above it (raised by reviews) move less, so the mean
    # rises by less, but by far more than in an ordinary week.
    for april in (53, 105):
        rise = wage[april] - wage[april - 1]
        usual = wage.diff()[april - 20:april - 1].abs().max()
        assert rise > 0.05 and rise > 3 * usual, (april, rise, usual)
    changes = results.events["changes"]
    nlw = changes[changes["key"] == "labour.nlw"]
    assert list(nlw["step"]) == [0, 53, 105] and list(nlw["value"]) == ["12.21", "12.71", "13.09"]
    assert nlw["detail"].str.contains("published").tolist() == [True, True, False]


def test_a_budget_cut_raises_waiting_after_its_date_and_not_before(cm, tiny_scenario, tmp_path):
    shock = tmp_path / "cut.toml"
    shock.write_text('[[shocks]]\nkind = "budget"\ndate = 2025-10-28\nmultiplier = 0.5\nnote = "a test cut"\n')
    base = cm.run(tiny_scenario, steps=80, output=tmp_path / "base.h5", progress=False)
    cut = cm.run(tiny_scenario, policies=[shock], steps=80, output=tmp_path / "cut.h5", progress=False)
    a, b = series(base.path), series(cut.path)
    np.testing.assert_array_equal(a[:POLICY_STEP], b[:POLICY_STEP])
    assert b[POLICY_STEP + 26:].sum() > a[POLICY_STEP + 26:].sum() + 50 * 24
    row = cut.events["changes"].iloc[0]
    assert (row["step"], row["key"], row["value"], row["cause"]) == (POLICY_STEP, "budget (every council)", "x0.5", "shock")
    assert "a test cut" in row["detail"]


def test_a_chain_group_failure_closes_its_branches_in_every_council(cm, tiny_scenario, tmp_path):
    shock = tmp_path / "failure.toml"
    shock.write_text('[[shocks]]\nkind = "group_failure"\ndate = 2025-10-28\ngroup = 0\n')
    results = cm.run(tiny_scenario, policies=[shock], steps=40, output=tmp_path / "fail.h5", progress=False)
    exits = results.events["providers"]
    gone = exits[(exits["step"] == POLICY_STEP) & (exits["kind"] == "exit") & (exits["archetype"] == "chain")]
    assert set(gone["council"]) == set(TINY_COUNCILS)
    chains = results.timeseries["providers_chain"].unstack("council")
    assert (chains.loc[POLICY_STEP - 1] > 0).all() and (chains.loc[POLICY_STEP] == 0).all()


def test_simulation_set_changes_a_parameter_from_the_next_step(cm, tiny_scenario, tmp_path):
    sim = cm.Simulation(tiny_scenario, threads=1)
    sim.step(POLICY_STEP - 1)
    sim.set("commissioning.budget_multiplier", 0.5)
    sim.step(STEPS - POLICY_STEP + 1)
    # The same change written as a schedule gives the same run, step for step.
    schedule = tmp_path / "half.toml"
    schedule.write_text(
        f'[[schedule]]\nkey = "commissioning.budget_multiplier"\ndates = [{POLICY_DATE}]\nvalues = [0.5]\n')
    other = cm.Simulation(tiny_scenario, policies=[schedule], threads=2)
    other.step(STEPS)
    first, second = sim.metrics(), other.metrics()
    np.testing.assert_array_equal(first.to_numpy(), second.to_numpy())
    unchanged = cm.Simulation(tiny_scenario, threads=1)
    unchanged.step(STEPS)
    baseline = unchanged.metrics()
    np.testing.assert_array_equal(first.loc[:POLICY_STEP - 1].to_numpy(), baseline.loc[:POLICY_STEP - 1].to_numpy())
    assert not np.array_equal(first.loc[POLICY_STEP:].to_numpy(), baseline.loc[POLICY_STEP:].to_numpy())
    # The change is part of the config and of the saved file's record.
    entry = sim.config["schedule"][-1]
    assert (entry["key"], entry["cause"], entry["values"]) == ("commissioning.budget_multiplier", "set", [0.5])
    saved = sim.save(tmp_path / "sim.h5", progress=False)
    row = saved.events["changes"].iloc[-1]
    assert (row["step"], row["key"], row["value"], row["cause"]) == (POLICY_STEP, "commissioning.budget_multiplier",
                                                                      "0.5", "set")


def test_simulation_set_checks_the_value_like_a_config(cm, tiny_scenario):
    sim = cm.Simulation(tiny_scenario, threads=1)
    sim.step(2)
    with pytest.raises(cm.ConfigError, match="labour.nlw"):
        sim.set("labour.nlw", -3)
    with pytest.raises(cm.ConfigError, match="cannot change"):
        sim.set("run.steps", 10)
    with pytest.raises(cm.ConfigError, match="did you mean labour.nlw"):
        sim.set("labour.nwl", 13.0)
    sim.set("commissioning.mode", "collaborative")  # a choice, by name
    sim.step(1)
    assert sim.config["commissioning"]["mode"] == "quality_weighted"  # the config at step 0
    assert sim.config["schedule"][-1]["values"] == ["collaborative"]


def test_a_set_above_a_policy_wins_after_the_warm_up_too(caremarket_bin):
    # Somerset warms up, so a policy from the start becomes a change dated the start; a --set of
    # the same key is the layer above it and must hold from the start, not only in the warm-up.
    res = run_cli(caremarket_bin, "validate", "somerset", "--policy", "micro_enterprise_support",
                  "--set", "founding.coordinators=1")
    assert res.returncode == EXIT_OK, res
    assert "coordinators = 1" in res.stdout
    assert 'key = "founding.coordinators"' not in res.stdout  # the policy's change of it is dropped
    assert 'key = "commissioning.accredit_micro"' in res.stdout  # its other changes stay
    plain = run_cli(caremarket_bin, "validate", "somerset", "--policy", "micro_enterprise_support")
    assert 'key = "founding.coordinators"' in plain.stdout
