"""The HDF5 writer as seen in the files it writes (mirror of tests/cpp/test_hdf5_writer.cpp):
dimension scales attached to every variable, time series appended chunk by chunk (here across a
52-step chunk boundary), chunking and compression as docs/output-format.md §8 specifies, and crash
safety (§2): nothing under the final name until the file is complete, no temporary file left
behind, and an interrupted Simulation.save or run leaving no partial file under the final name.

Run with:  CAREMARKET_BIN=<build>/cli/caremarket CAREMARKET_PYTHONPATH=<build>/python \
           /usr/bin/python3 -m pytest -q tests/python/test_hdf5_writer.py
"""

from __future__ import annotations

import os
import subprocess
import time

import h5py
import numpy as np
import pandas as pd
import pytest

STEPS = 60  # one full 52-step chunk of the time series and a partial one
SEED = 3
COUNCILS = 2  # tests/data/tiny.toml
JUNK = b"an earlier file that must survive until the new one is complete\n"


@pytest.fixture(scope="module")
def cm(caremarket_pkg):
    return caremarket_pkg


@pytest.fixture(scope="module")
def written(cm, tiny_scenario, tmp_path_factory):
    directory = tmp_path_factory.mktemp("writer")
    results = cm.run(tiny_scenario, seed=SEED, steps=STEPS, output=directory / "run.h5", progress=False, threads=1)
    return directory, results


def catalogue(cm) -> list[str]:
    return [name for name, _, _ in cm._core.metric_catalogue()]


def scales_of(dataset: h5py.Dataset) -> list[list[str]]:
    return [[scale.name for scale in dim.values()] for dim in dataset.dims]


def datasets(group: h5py.Group) -> dict[str, h5py.Dataset]:
    out = {}
    group.visititems(lambda name, obj: out.__setitem__(name, obj) if isinstance(obj, h5py.Dataset) else None)
    return out


# --- committed file: series with scales attached ----------------------------------------------------


def test_every_time_series_has_its_dimension_scales_attached(cm, written):
    _, results = written
    with h5py.File(results.path, "r") as f:
        step, council = f["step"], f["council"]
        assert h5py.h5ds.is_scale(step.id) and h5py.h5ds.is_scale(council.id)
        np.testing.assert_array_equal(step[()], np.arange(STEPS + 1, dtype=np.int32))
        np.testing.assert_array_equal(council[()], np.arange(COUNCILS, dtype=np.int32))
        assert step.attrs["units"] == "weeks"
        for name in catalogue(cm):
            series = f[name]
            assert series.shape == (STEPS + 1, COUNCILS), name
            assert h5py.h5ds.is_attached(series.id, step.id, 0), f"{name}: step not attached to axis 0"
            assert h5py.h5ds.is_attached(series.id, council.id, 1), f"{name}: council not attached to axis 1"
            assert not h5py.h5ds.is_attached(series.id, council.id, 0), name
            assert series.attrs["units"] is not None and series.attrs["long_name"], name
        # council_name is a variable over council too.
        assert scales_of(f["council_name"]) == [["/council"]]


def test_every_column_of_events_and_snapshots_has_its_scale_attached(written):
    _, results = written
    groups = {
        "events/tenders": "tender", "events/bids": "bid", "events/providers": "event",
        "snapshots/week_000050/people": "person", "snapshots/week_000050/workers": "worker",
        "snapshots/week_000050/providers": "provider",
    }
    with h5py.File(results.path, "r") as f:
        for group, dimension in groups.items():
            scale = f[group][dimension]
            assert h5py.h5ds.is_scale(scale.id), group
            columns = [name for name in f[group] if name != dimension]
            assert columns, group
            for name in columns:
                column = f[group][name]
                assert column.ndim == 1 and column.shape == scale.shape, f"{group}/{name}"
                assert h5py.h5ds.is_attached(column.id, scale.id, 0), f"{group}/{name}"


def test_appended_rows_hold_every_week_across_the_chunk_boundary(cm, written, tiny_scenario):
    """Rows buffered and flushed 52 at a time, then the rest at the end: all 61 rows equal the
    metrics of the same simulation stepped in memory."""
    _, results = written
    sim = cm.Simulation(tiny_scenario, seed=SEED, threads=1)
    sim.step(STEPS)
    history = sim._core.metrics_history()  # (week, metric, council)
    with h5py.File(results.path, "r") as f:
        for k, name in enumerate(catalogue(cm)):
            np.testing.assert_array_equal(f[name][()], history[:, k, :], err_msg=name)
    pd.testing.assert_frame_equal(results.timeseries, sim.metrics(), check_exact=True)
    assert results.timeseries.loc[(STEPS, "South Tiny"), "people_needing_care"] > 0


def test_groups_track_creation_order(written):
    """netCDF-4 convention (§8): groups track and index link creation order."""
    _, results = written
    with h5py.File(results.path, "r") as f:
        for group in ("/", "/events", "/events/tenders", "/snapshots", "/snapshots/week_000050/people"):
            flags = f[group].id.get_create_plist().get_link_creation_order()
            assert flags & h5py.h5p.CRT_ORDER_TRACKED and flags & h5py.h5p.CRT_ORDER_INDEXED, group


# --- storage: chunks and filters --------------------------------------------------------------------


def test_series_and_columns_are_chunked_and_compressed(cm, written):
    _, results = written
    level = results.config["output"]["compression"]
    assert level == 1  # the default
    with h5py.File(results.path, "r") as f:
        for name in catalogue(cm):
            series = f[name]
            assert series.chunks == (52, COUNCILS), name
            assert series.maxshape == (None, COUNCILS), name
            assert (series.compression, series.compression_opts, series.shuffle) == ("gzip", level, True), name
        step = f["step"]
        assert step.chunks == (52,) and step.maxshape == (None,)
        assert step.compression is None and not step.shuffle
        assert f["council_name"].chunks is None and f["council_name"].compression is None
        for name, column in datasets(f["events"]).items():
            if column.shape[0] > 0:
                assert column.chunks == (min(column.shape[0], 65536),), name
                assert (column.compression, column.compression_opts, column.shuffle) == ("gzip", level, True), name
        snapshot = datasets(f["snapshots/week_000050"])
        assert len(snapshot) > 40
        for name, column in snapshot.items():
            assert column.chunks == (column.shape[0],), name
            assert column.compression == "gzip" and column.compression_opts == level, name


@pytest.mark.parametrize("level", [0, 9])
def test_compression_level_follows_the_configuration(cm, tiny_scenario, tmp_path, level):
    results = cm.run(tiny_scenario, steps=3, overrides={"output.compression": level}, output=tmp_path / "c.h5",
                     progress=False)
    with h5py.File(results.path, "r") as f:
        for name in ["people_served", "snapshots/week_000000/people/need_hours", "events/tenders/winner"]:
            column = f[name]
            assert column.chunks is not None, name
            if level == 0:
                assert column.compression is None and not column.shuffle, name
            else:
                assert (column.compression, column.compression_opts, column.shuffle) == ("gzip", level, True), name


def test_an_empty_column_is_contiguous_and_unfiltered(cm, tiny_scenario, tmp_path):
    results = cm.run(tiny_scenario, steps=1, output=tmp_path / "one.h5", progress=False)
    with h5py.File(results.path, "r") as f:
        log = f["events/providers"]
        assert log["event"].shape == (0,)
        for name in log:
            assert log[name].shape == (0,) and log[name].chunks is None and log[name].compression is None, name


# --- crash safety -----------------------------------------------------------------------------------


def test_no_temporary_file_is_left(cm, written, caremarket_bin, tiny_scenario, tmp_path):
    directory, results = written
    assert sorted(p.name for p in directory.iterdir()) == ["run.h5"]
    out = tmp_path / "nested" / "cli.h5"  # parent directories are created
    res = subprocess.run([str(caremarket_bin), "run", str(tiny_scenario), "--steps", "5", "-q", "-o", str(out)],
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    assert sorted(p.name for p in out.parent.iterdir()) == ["cli.h5"]


def test_a_blocked_output_name_leaves_nothing_behind(cm, caremarket_bin, tiny_scenario, tmp_path):
    """When a directory is in the way of the output name, the run is refused before it starts (bad
    input, exit 2; the file could never be moved onto that name) and nothing is left, whoever wrote
    it. A failure at the commit itself (a full disk) is tested in test_cli.py."""
    blocked = tmp_path / "blocked.h5"
    blocked.mkdir()
    res = subprocess.run([str(caremarket_bin), "run", str(tiny_scenario), "--steps", "2", "-q", "-o", str(blocked)],
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 2, res.stderr
    assert "caremarket: error:" in res.stderr and "is a folder" in res.stderr
    with pytest.raises(ValueError, match="is a folder"):
        cm.run(tiny_scenario, steps=2, output=blocked, progress=False)
    sim = cm.Simulation(tiny_scenario, threads=1)
    sim.step(2)
    with pytest.raises(ValueError, match="is a folder"):
        sim.save(blocked, progress=False)
    assert [p.name for p in tmp_path.iterdir()] == ["blocked.h5"]
    assert blocked.is_dir() and not any(blocked.iterdir())


class _Watch:
    """Stands in for the progress counter of caremarket.run / Simulation.save: at each week it records
    what is on disk, and raises KeyboardInterrupt (a Ctrl-C) once `stop_at` weeks are done."""

    def __init__(self, target, stop_at=None):
        self.target = target
        self.stop_at = stop_at
        self.seen: list[tuple[int, bytes | None, list[str]]] = []

    def record(self, done):
        content = self.target.read_bytes() if self.target.exists() else None
        siblings = sorted(p.name for p in self.target.parent.iterdir() if p.name != self.target.name)
        self.seen.append((done, content, siblings))
        if self.stop_at is not None and done >= self.stop_at:
            raise KeyboardInterrupt


def _counter(watch):
    """A StepCounter replacement that reports each week done to `watch`."""

    class Counter:
        def __init__(self, bar):
            pass

        def __call__(self, done, total=None):
            watch.record(done)

    return Counter


def test_nothing_under_the_final_name_until_the_run_is_complete(cm, tiny_scenario, tmp_path, monkeypatch):
    import caremarket._results as results_module

    target = tmp_path / "run.h5"
    target.write_bytes(JUNK)
    watch = _Watch(target)
    monkeypatch.setattr(results_module, "StepCounter", _counter(watch))
    results = cm.run(tiny_scenario, steps=20, output=target, progress=False)
    assert len(watch.seen) >= 20
    temporary = f"run.h5.tmp-{os.getpid()}"
    for done, content, siblings in watch.seen:
        assert content == JUNK, f"week {done}: the earlier file was replaced before the run ended"
        assert siblings == [temporary], f"week {done}: {siblings}"
    assert results.complete and results.steps == 20
    assert target.read_bytes() != JUNK
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.h5"]


def test_an_interrupted_run_leaves_a_whole_file_marked_incomplete(cm, tiny_scenario, tmp_path, monkeypatch):
    import caremarket._results as results_module

    target = tmp_path / "run.h5"
    watch = _Watch(target, stop_at=7)
    monkeypatch.setattr(results_module, "StepCounter", _counter(watch))
    with pytest.raises(KeyboardInterrupt):
        cm.run(tiny_scenario, steps=30, output=target, progress=False)
    assert all(content is None for _, content, _ in watch.seen)  # nothing under the name meanwhile
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.h5"]
    with pytest.warns(cm.IncompleteRunWarning):
        results = cm.open(target)
    assert results.provenance["stop_reason"] == "cancelled" and not results.complete
    weeks = results.steps
    assert 7 <= weeks < 30
    with h5py.File(target, "r") as f:
        assert f["step"].shape == (weeks + 1,)
        for name in catalogue(cm):
            assert f[name].shape == (weeks + 1, COUNCILS), name


@pytest.mark.parametrize("earlier", [False, True], ids=["no-earlier-file", "earlier-file"])
def test_a_failed_save_leaves_no_file_under_the_final_name(cm, tiny_scenario, tmp_path, earlier):
    """Simulation.save() closes a copy of what the simulation recorded (no re-run, nothing to
    interrupt): written under a temporary name and moved onto the target only when complete. A save
    that fails (here: its folder cannot be written) leaves the target as it was and no other file."""
    sim = cm.Simulation(tiny_scenario, seed=SEED, threads=1)
    sim.step(30)
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / "saved.h5"
    if earlier:
        target.write_bytes(JUNK)
    folder.chmod(0o500)  # no new files: the temporary file cannot be made
    try:
        if os.geteuid() == 0:  # root writes anyway: fail the write instead, with a name too long to make
            target = folder / ("x" * 250 + ".h5")
        with pytest.raises(Exception):
            sim.save(target)
    finally:
        folder.chmod(0o700)
    assert sorted(p.name for p in folder.iterdir()) == (["saved.h5"] if earlier else [])
    if earlier:
        assert (folder / "saved.h5").read_bytes() == JUNK
    # The simulation is untouched and saves completely next time, replacing the earlier file.
    assert sim.current_step == 30
    saved = sim.save(folder / "saved.h5")
    assert saved.complete and saved.steps == 30
    assert sorted(p.name for p in folder.iterdir()) == ["saved.h5"]


def test_a_killed_command_line_run_leaves_nothing_under_the_final_name(caremarket_bin, somerset_scenario, tmp_path):
    """SIGKILL (no chance to clean up): the target keeps its earlier content; only the temporary
    `<output>.tmp-<pid>` is left behind (docs/output-format.md §2)."""
    target = tmp_path / "killed.h5"
    target.write_bytes(JUNK)
    proc = subprocess.Popen(
        [str(caremarket_bin), "run", str(somerset_scenario), "--steps", "100000", "-q", "-o", str(target)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    temporary = tmp_path / f"killed.h5.tmp-{proc.pid}"
    try:
        deadline = time.monotonic() + 30
        while not (temporary.exists() and temporary.stat().st_size > 0):
            assert proc.poll() is None, "the run ended before it could be killed"
            assert time.monotonic() < deadline, "no temporary file appeared"
            time.sleep(0.05)
        time.sleep(0.5)  # some weeks into the run
        assert proc.poll() is None
        assert target.read_bytes() == JUNK
    finally:
        proc.kill()
        proc.wait(timeout=30)
    assert proc.returncode == -9
    assert target.read_bytes() == JUNK
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["killed.h5", temporary.name])
