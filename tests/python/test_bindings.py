"""The Python package: caremarket.Simulation, caremarket.run, caremarket.open (bindings/).

Run with:  CAREMARKET_PYTHONPATH=<build>/python CAREMARKET_BIN=<build>/cli/caremarket \
           /usr/bin/python3 -m pytest -q tests/python/test_bindings.py
Every comparison with the command line is exact: the same config and seed give bit-identical
results whatever the thread count.
"""

from __future__ import annotations

import gc
import os
import shutil
import signal
import threading
import warnings

import h5py
import numpy as np
import pandas as pd
import pytest

from conftest import RAISED_WAGE, TINY_COUNCILS

SEED = 3
STEPS = 25  # tiny.toml snapshots every 10 weeks: 0, 10, 20
IGNORED_ATTRS = {"start_time", "end_time", "wall_seconds", "warmup_seconds", "output_seconds", "threads"}  # differ between two runs


@pytest.fixture(scope="module")
def cm(caremarket_pkg):
    return caremarket_pkg


@pytest.fixture(scope="module")
def cli_file(cm, session_run, tiny_scenario):
    path, _ = session_run("tiny_seed3", tiny_scenario, "--seed", SEED, "--steps", STEPS)
    with h5py.File(path, "r") as f:
        cli_build = (f.attrs["software_version"], f.attrs["git_commit"])
    if cli_build != (cm.__version__, cm.GIT_COMMIT):
        pytest.fail(
            f"the caremarket binary ({cli_build}) and the Python package ({cm.__version__}, {cm.GIT_COMMIT}) are "
            "different builds: point CAREMARKET_BIN and CAREMARKET_PYTHONPATH at the same build directory",
            pytrace=False,
        )
    return path


@pytest.fixture
def sim(cm, tiny_scenario):
    return cm.Simulation(tiny_scenario, seed=SEED, threads=1)


def catalogue(cm):
    return [name for name, _, _ in cm._core.metric_catalogue()]


def assert_same_file(a, b):
    """Every dataset (time series, events, snapshots) and every attribute but the timings equal."""
    with h5py.File(a, "r") as fa, h5py.File(b, "r") as fb:
        for key in set(fa.attrs) | set(fb.attrs):
            if key not in IGNORED_ATTRS:
                assert fa.attrs.get(key) == fb.attrs.get(key), f"root attribute {key}"
        names_a, names_b = [], []
        fa.visit(names_a.append)
        fb.visit(names_b.append)
        assert sorted(names_a) == sorted(names_b)
        for name in names_a:
            if isinstance(fa[name], h5py.Dataset):
                np.testing.assert_array_equal(fa[name][()], fb[name][()], err_msg=name)


# --- views --------------------------------------------------------------------------------------


def test_views_are_zero_copy(cm, sim):
    first = sim.people["need_hours"]
    second = sim.people["need_hours"]
    assert np.shares_memory(first, second), "two views of one column must be the same memory, not copies"
    assert first.base is second.base
    assert isinstance(first.base, cm._core.ColumnBuffer)
    assert first.base.live and first.base.step == 0
    assert (first.base.table, first.base.name) == ("people", "need_hours")
    assert first.dtype == np.float32 and first.shape == (sim.people.rows,)
    assert sim.people["id"].dtype == np.int32 and sim.providers["archetype"].dtype == np.uint8
    assert not np.shares_memory(sim.people["need_hours"], sim.people["hours_received"])


def test_views_are_read_only(sim):
    view = sim.workers["wage"]
    assert not view.flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        view[0] = 99.0
    with pytest.raises(ValueError):
        view += 1
    with pytest.raises(ValueError):
        view.setflags(write=True)
    with pytest.raises(TypeError):
        sim.workers["wage"] = view  # the mapping itself is read-only
    editable = view.copy()
    editable[0] = 99.0
    assert sim.workers["wage"][0] != 99.0


def test_mapping_of_columns(sim):
    assert list(sim.people)[:4] == ["id", "council", "serial", "locality"]
    assert "need_hours" in sim.people and "nope" not in sim.people
    assert {"wage", "employer", "stress"} <= set(sim.workers)
    assert {"archetype", "staff", "contract_price"} <= set(sim.providers)
    with pytest.raises(KeyError, match="no column 'nope' in people"):
        sim.people["nope"]
    frame = sim.providers.to_frame()
    assert frame.index.name == "provider" and len(frame) == sim.providers.rows
    np.testing.assert_array_equal(frame.index.to_numpy(), sim.providers["id"])


def test_views_taken_before_a_step_stay_valid(sim):
    wage = sim.workers["wage"]
    ids = sim.workers["id"]
    expected_wage, expected_ids = wage.copy(), ids.copy()
    sim.step(4)
    # The old views still hold week 0, untouched by the rows added, removed and moved since.
    np.testing.assert_array_equal(wage, expected_wage)
    np.testing.assert_array_equal(ids, expected_ids)
    assert not wage.base.live and wage.base.step == 0
    current = sim.workers["wage"]
    assert current.base.live and current.base.step == 4
    assert not np.shares_memory(current, wage)
    assert len(current) == sim.workers.rows
    # Slices of a view keep the memory alive too.
    tail = sim.people["wellbeing"][10:]
    expected_tail = tail.copy()
    sim.step()
    gc.collect()
    np.testing.assert_array_equal(tail, expected_tail)


def test_views_outlive_the_simulation(cm, tiny_scenario):
    sim = cm.Simulation(tiny_scenario, seed=SEED, threads=1)
    view = sim.people["need_hours"]
    expected = view.copy()
    del sim
    gc.collect()
    assert view.base.live  # nothing stepped: still the model's memory, kept alive by the view
    np.testing.assert_array_equal(view, expected)


# --- the same run as the command line ------------------------------------------------------------


def test_step_by_step_equals_the_command_line(cm, sim, cli_file):
    with h5py.File(cli_file, "r") as f:
        for _ in range(20):
            sim.step()
        # Every agent column equals the CLI's snapshot of week 20 (the file's rows are in id order,
        # the model's grouped by council).
        snap = f["snapshots/week_000020"]
        for table, dim in (("people", "person"), ("workers", "worker"), ("providers", "provider")):
            order = np.argsort(getattr(sim, table)["id"], kind="stable")
            np.testing.assert_array_equal(getattr(sim, table)["id"][order], snap[table][dim][()], err_msg=table)
            for column in getattr(sim, table):
                if column != "id":
                    np.testing.assert_array_equal(
                        getattr(sim, table)[column][order], snap[table][column][()], err_msg=f"{table}.{column}"
                    )
        while sim.current_step < STEPS:
            sim.step()
        # Every time series equals the CLI's, exactly.
        history = sim._core.metrics_history()  # (week, metric, council)
        assert history.shape == (STEPS + 1, len(catalogue(cm)), len(TINY_COUNCILS))
        for k, name in enumerate(catalogue(cm)):
            np.testing.assert_array_equal(history[:, k, :], f[name][()], err_msg=name)
    pd.testing.assert_frame_equal(sim.metrics(), cm.open(cli_file).timeseries, check_exact=True)


def test_run_in_chunks_equals_the_command_line(cm, tiny_scenario, cli_file):
    sim = cm.Simulation(tiny_scenario, seed=SEED)
    assert sim.run(STEPS, progress=False, chunk=7) == STEPS
    pd.testing.assert_frame_equal(sim.metrics(), cm.open(cli_file).timeseries, check_exact=True)
    # run() without steps goes to the scenario's run.steps (40 in tiny.toml).
    assert sim.run(progress=False) == 40 and sim.run(progress=False) == 40


def test_metrics_frame(cm, sim):
    sim.step(3)
    frame = sim.metrics()
    assert frame.shape == (4 * len(TINY_COUNCILS), len(catalogue(cm)))
    assert frame.index.names == ["step", "council"]
    assert list(frame.index.get_level_values("step").unique()) == [0, 1, 2, 3]
    assert list(frame.index.get_level_values("council").unique()) == TINY_COUNCILS
    assert list(frame.columns) == catalogue(cm)
    assert (frame.dtypes == np.float64).all()
    assert frame.attrs["units"]["mean_wage"] == "GBP/h"
    assert frame.loc[(0, "North Tiny"), "hires"] == 0.0  # flows are 0 at step 0
    assert frame.loc[(3, "South Tiny"), "people_needing_care"] > 0
    assert list(cm.metrics().index) == catalogue(cm)


def test_save_writes_the_command_line_file(cm, sim, cli_file, tmp_path):
    sim.run(STEPS, progress=False)
    saved = sim.save(tmp_path / "saved.h5", progress=False)
    assert isinstance(saved, cm.Results) and saved.complete and saved.steps == STEPS
    assert_same_file(saved.path, cli_file)
    assert not list(tmp_path.glob("*.save-*")) and not list(tmp_path.glob("*.tmp-*"))


# --- configuration -------------------------------------------------------------------------------


def test_config_error_for_bad_overrides(cm, tiny_scenario, tmp_path):
    with pytest.raises(cm.ConfigError) as caught:
        cm.Simulation(tiny_scenario, overrides={"commissioning.mode": "bogus", "labour.nlw": -1.0})
    error = caught.value
    assert isinstance(error, ValueError)
    text = str(error)
    assert text.startswith("the configuration has 2 problem(s)")
    assert "commissioning.mode" in text and "bogus" in text and "labour.nlw" in text
    assert [p.key for p in error.problems] == ["commissioning.mode", "labour.nlw"]
    assert error.problems[0].origin == "--set commissioning.mode"

    with pytest.raises(cm.ConfigError, match="labour.nlww"):
        cm.Simulation(tiny_scenario, overrides={"labour.nlww": 12.0})
    with pytest.raises(cm.ConfigError, match="no shipped scenario"):
        cm.Simulation("no_such_scenario")
    with pytest.raises(cm.ConfigError, match="does not exist"):
        cm.Simulation(tmp_path / "missing.toml")
    out = tmp_path / "never.h5"
    with pytest.raises(cm.ConfigError):
        cm.run(tiny_scenario, overrides={"commissioning.mode": "bogus"}, output=out, progress=False)
    assert not out.exists()


@RAISED_WAGE
def test_overrides_policies_and_shipped_names(cm, tiny_scenario):
    sim = cm.Simulation(
        tiny_scenario,
        policies=["micro_enterprise_support"],
        overrides={"commissioning.mode": "collaborative", "labour.nlw": 12.5, "output.events": False},
    )
    assert sim.config["commissioning"]["mode"] == "collaborative"
    assert sim.config["labour"]["nlw"] == 12.5 and sim.config["output"]["events"] is False
    assert sim.layers[1].endswith("micro_enterprise_support.toml")
    assert sim.layers[2:] == ["--set commissioning.mode", "--set labour.nlw", "--set output.events"]
    assert set(cm.scenarios()) >= {"somerset", "west_midlands", "england"}
    assert "collaborative" in cm.policies()
    somerset = cm.Simulation("somerset")
    assert somerset.councils == ["Somerset"] and somerset.current_step == 0 and somerset.people.rows > 10000


# --- results -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def results(cm, tiny_scenario, tmp_path_factory):
    out = tmp_path_factory.mktemp("results") / "run.h5"
    return cm.run(tiny_scenario, seed=SEED, steps=STEPS, output=out, progress=False, threads=1)


def test_run_equals_the_command_line(cm, results, cli_file):
    assert results.path.is_file()
    assert_same_file(results.path, cli_file)
    pd.testing.assert_frame_equal(results.timeseries, cm.open(cli_file).timeseries, check_exact=True)


def test_results_timeseries_and_xarray(cm, results):
    ts = results.timeseries
    assert ts.index.names == ["step", "council"]
    assert ts.shape == ((STEPS + 1) * len(TINY_COUNCILS), len(catalogue(cm)))
    assert list(ts.columns) == catalogue(cm)
    assert ts.attrs["units"]["hours_unmet"] == "h/week"
    ds = results.to_xarray()
    assert dict(ds.sizes) == {"step": STEPS + 1, "council": len(TINY_COUNCILS)}
    assert ds["people_served"].dims == ("step", "council")
    assert list(ds["council"].values) == TINY_COUNCILS
    assert list(ds["council_index"].values) == [0, 1]
    np.testing.assert_array_equal(ds["step"].values, np.arange(STEPS + 1))
    np.testing.assert_array_equal(
        ds["people_served"].values, ts["people_served"].to_numpy().reshape(STEPS + 1, len(TINY_COUNCILS))
    )
    assert ds.attrs["format_name"] == "caremarket"


def test_results_events_snapshot_config_provenance(cm, results):
    events = results.events
    assert set(events) == {"tenders", "bids", "providers", "changes"}
    assert events["tenders"].index.name == "tender" and {"step", "council", "lot", "winner"} <= set(events["tenders"])
    assert events["bids"].index.name == "bid" and {"tender", "provider", "amount"} <= set(events["bids"])
    assert events["providers"].index.name == "event" and {"step", "kind"} <= set(events["providers"])
    assert len(events["tenders"]) > 0 and events["tenders"]["step"].between(0, STEPS).all()

    assert results.snapshot_steps == [0, 10, 20]
    snap = results.snapshot(10)
    assert set(snap) == {"people", "workers", "providers"}
    assert snap["people"].index.name == "person" and "need_hours" in snap["people"]
    assert snap["workers"].index.name == "worker" and snap["providers"].index.name == "provider"
    assert (snap["people"]["alive"] == 1).all()
    with pytest.raises(KeyError, match="snapshots are at steps"):
        results.snapshot(11)

    assert results.config["region"]["name"] == "Tinyshire"
    assert results.config["run"]["steps"] == 40  # the scenario's; the steps run are provenance
    prov = results.provenance
    assert prov["format_name"] == "caremarket" and prov["format_version"] == cm.FORMAT_VERSION
    assert prov["seed"] == SEED and prov["replicate"] == 0 and prov["steps_completed"] == STEPS
    assert prov["complete"] == 1 and prov["stop_reason"] == "completed"
    assert isinstance(prov["seed"], int) and isinstance(prov["wall_seconds"], float)


def test_the_names_of_time_before_0_2_0_still_answer_with_a_deprecation_warning(cm, results, sim):
    """0.2.0 names time by the step everywhere (as the files do); the week-named attributes of
    earlier releases give the same values and say what replaces them."""
    sim.step(2)
    with pytest.warns(DeprecationWarning, match="Simulation.current_step"):
        assert sim.week == sim.current_step == 2
    with pytest.warns(DeprecationWarning, match="Results.steps"):
        assert results.weeks == results.steps == STEPS
    with pytest.warns(DeprecationWarning, match="Results.snapshot_steps"):
        assert results.snapshot_weeks == results.snapshot_steps
    with pytest.warns(DeprecationWarning, match=r"snapshot\(step=...\)"):
        old = results.snapshot(week=10)
    pd.testing.assert_frame_equal(old["people"], results.snapshot(step=10)["people"])
    with pytest.raises(TypeError, match="not both"), pytest.warns(DeprecationWarning):
        results.snapshot(10, week=10)


def test_run_without_output_keeps_a_temporary_file(cm, tiny_scenario):
    res = cm.run(tiny_scenario, steps=2, progress=False)
    path = res.path
    assert path.is_file() and res.steps == 2
    del res
    gc.collect()
    assert not path.exists()


# --- open() refuses what it cannot read -----------------------------------------------------------


def test_open_rejects_a_file_that_is_not_caremarket_output(cm, tmp_path):
    other = tmp_path / "other.h5"
    with h5py.File(other, "w") as f:
        f["x"] = np.arange(3)
        f.attrs["format_name"] = "tskit.trees"
    with pytest.raises(cm.FormatError, match=r"not caremarket output: its format_name is 'tskit.trees'"):
        cm.open(other)
    bare = tmp_path / "bare.h5"
    with h5py.File(bare, "w") as f:
        f["x"] = np.arange(3)
    with pytest.raises(cm.FormatError, match="not caremarket output: it has no format_name attribute"):
        cm.open(bare)
    text = tmp_path / "notes.h5"
    text.write_text("not HDF5 at all\n")
    with pytest.raises(cm.FormatError, match="not an HDF5 file"):
        cm.open(text)
    with pytest.raises(FileNotFoundError):
        cm.open(tmp_path / "missing.h5")
    assert issubclass(cm.FormatError, ValueError)


def test_open_rejects_a_newer_major_format_version(cm, cli_file, tmp_path):
    newer = tmp_path / "v2.h5"
    shutil.copy(cli_file, newer)
    with h5py.File(newer, "r+") as f:
        f.attrs["format_version"] = "2.0"
    with pytest.raises(cm.FormatError, match=r"format version 2\.0, newer than this package reads \(format 1\.x"):
        cm.open(newer)
    minor = tmp_path / "v1_99.h5"
    shutil.copy(cli_file, minor)
    with h5py.File(minor, "r+") as f:
        f.attrs["format_version"] = "1.99"  # a newer minor version only adds: still readable
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert cm.open(minor).steps == STEPS


def test_open_warns_on_an_incomplete_run(cm, cli_file, tmp_path):
    partial = tmp_path / "partial.h5"
    shutil.copy(cli_file, partial)
    with h5py.File(partial, "r+") as f:
        f.attrs["complete"] = np.int64(0)
    with pytest.warns(cm.IncompleteRunWarning, match="incomplete run") as record:
        res = cm.open(partial)
    assert record[0].filename == __file__  # attributed to the caller of open()
    assert not res.complete


# --- Ctrl-C ---------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _python_handles_sigint():
    """Python turns SIGINT into KeyboardInterrupt only when SIGINT was not ignored at its start, and a
    shell ignores it for background jobs (CI may run the suite so): install the handler here."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


#: Weeks a run is asked for when a test interrupts it after 0.3 s: seconds of work on the tiny
#: scenario even for a fast build (4,000 weeks took under 0.3 s once the model was optimised).
LONG_RUN_WEEKS = 40_000


def _interrupt_soon(seconds=0.3):
    timer = threading.Timer(seconds, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    return timer


@pytest.mark.skipif(threading.current_thread() is not threading.main_thread(), reason="signals need the main thread")
def test_ctrl_c_stops_a_simulation_at_a_step_boundary(cm, tiny_scenario):
    sim = cm.Simulation(tiny_scenario, seed=SEED)
    timer = _interrupt_soon()
    try:
        with pytest.raises(KeyboardInterrupt):
            sim.run(LONG_RUN_WEEKS, progress=False)  # only Ctrl-C ends it early
    finally:
        timer.cancel()
    stopped = sim.current_step
    assert 0 < stopped < LONG_RUN_WEEKS
    assert len(sim.metrics()) == (stopped + 1) * len(TINY_COUNCILS)
    assert sim.people["id"].shape == (sim.people.rows,)
    assert sim.step() == stopped + 1  # still usable


@pytest.mark.skipif(threading.current_thread() is not threading.main_thread(), reason="signals need the main thread")
def test_ctrl_c_during_run_writes_an_incomplete_file(cm, tiny_scenario, tmp_path):
    out = tmp_path / "interrupted.h5"
    timer = _interrupt_soon()
    try:
        with pytest.raises(KeyboardInterrupt) as caught:
            cm.run(tiny_scenario, steps=LONG_RUN_WEEKS, output=out, progress=False)
    finally:
        timer.cancel()
    assert any("interrupted at a week boundary" in note for note in getattr(caught.value, "__notes__", []))
    with pytest.warns(cm.IncompleteRunWarning):
        res = cm.open(out)
    assert res.provenance["stop_reason"] == "cancelled" and 0 < res.steps < LONG_RUN_WEEKS
    assert len(res.timeseries) == (res.steps + 1) * len(TINY_COUNCILS)


def test_columns_are_refused_while_the_model_steps(sim):
    """Another thread (here a progress callback) cannot read columns mid-step or step re-entrantly."""

    def peek(done):
        sim.people["id"]

    with pytest.raises(RuntimeError, match="busy"):
        sim._core.advance(3, 1, peek)
    assert sim.current_step == 1  # stopped at the first boundary
    with pytest.raises(RuntimeError, match="busy"):
        sim._core.advance(3, 1, lambda done: sim.step())
    assert sim.current_step == 2 and sim.people["id"].shape == (sim.people.rows,)
    weeks = []
    sim._core.advance(3, 1, lambda done: weeks.append(sim.current_step))  # the week is readable meanwhile
    assert weeks == [3, 4, 5]


# --- outputs that are not files (issue 12) -------------------------------------------------------


def test_run_and_save_refuse_an_output_that_is_not_a_regular_file(cm, tiny_scenario, tmp_path):
    fifo = tmp_path / "fifo.h5"
    os.mkfifo(fifo)
    for output in (fifo, tmp_path, ""):
        with pytest.raises(ValueError, match="not a regular file|name is empty"):
            cm.run(tiny_scenario, steps=2, output=output, progress=False)
    sim = cm.Simulation(tiny_scenario)
    sim.run(2, progress=False)
    with pytest.raises(ValueError, match="is a FIFO"):
        sim.save(fifo, progress=False)
    assert os.path.exists(fifo) and not list(tmp_path.glob("*.save-*")) and not list(tmp_path.glob("*.tmp-*"))
