"""caremarket.open refuses, with its named FormatError, what claims to be caremarket output but is not
readable as such: a format_version that is not exactly "major.minor", and a foreign HDF5 file that
carries format_name = "caremarket" without the layout of docs/output-format.md (issue 12).

Run with:  CAREMARKET_PYTHONPATH=<build>/python CAREMARKET_BIN=<build>/cli/caremarket \
           /usr/bin/python3 -m pytest -q tests/python/test_open_format.py
"""

from __future__ import annotations

import re
import shutil
import warnings

import h5py
import numpy as np
import pytest


@pytest.fixture(scope="module")
def cm(caremarket_pkg):
    return caremarket_pkg


@pytest.fixture(scope="module")
def run_file(session_run, tiny_scenario):
    path, _ = session_run("tiny_open_format", tiny_scenario, "--steps", 12)
    return path


def copy_with(run_file, tmp_path, name="copy.h5", **attrs):
    path = tmp_path / name
    shutil.copy(run_file, path)
    with h5py.File(path, "r+") as f:
        for key, value in attrs.items():
            f.attrs[key] = value
    return path


# --- format_version ---------------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["-1.0", " 1.2", "1.2 ", "1.2\n", "+1.2", "1", "1.", ".2", "1.2.0", "1,2", "v1.2",
                                     "1_0.2", "\u0661.\u0662", ""])
def test_open_refuses_a_format_version_that_is_not_major_dot_minor(cm, run_file, tmp_path, version):
    path = copy_with(run_file, tmp_path, format_version=version)
    with pytest.raises(cm.FormatError) as raised:
        cm.open(path)
    message = str(raised.value)
    assert message.startswith(f"{path}: unreadable format_version {version!r}"), message
    assert "expected text 'major.minor'" in message


def test_open_refuses_a_format_version_that_is_not_text(cm, run_file, tmp_path):
    path = copy_with(run_file, tmp_path, format_version=np.float64(1.2))
    with pytest.raises(cm.FormatError, match=re.escape(f"{path}: unreadable format_version 1.2")):
        cm.open(path)
    path = foreign(tmp_path / "unversioned.h5", version=None)
    with pytest.raises(cm.FormatError, match=re.escape(f"{path}: it has no format_version attribute")):
        cm.open(path)


@pytest.mark.parametrize("version", ["1.0", "1.2", "01.2", "1.10"])
def test_open_reads_a_well_formed_format_version(cm, run_file, tmp_path, version):
    path = copy_with(run_file, tmp_path, format_version=version)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert cm.open(path).steps == 12


# --- a foreign file that claims to be caremarket output ---------------------------------------------


def foreign(path, *, version="1.2", step=True, council=True, council_name=True,
            attrs=("config", "seed", "replicate", "complete")):
    """A small file made with h5py, with format_name = "caremarket" and only what is asked for."""
    values = {"config": '[region]\nname = "Elsewhere"\n', "seed": np.int64(1), "replicate": np.int64(0),
              "complete": np.int64(1)}
    with h5py.File(path, "w") as f:
        f.attrs["format_name"] = "caremarket"
        if version is not None:
            f.attrs["format_version"] = version
        for name in attrs:
            f.attrs[name] = values[name]
        if step:
            f["step"] = np.arange(3, dtype=np.int32)
            f["step"].make_scale("step")
        if council:
            f["council"] = np.arange(2, dtype=np.int32)
            f["council"].make_scale("council")
        if council_name:
            f.create_dataset("council_name", data=["East", "West"], dtype=h5py.string_dtype())
            if council:
                f["council_name"].dims[0].attach_scale(f["council"])
    return path


@pytest.mark.parametrize(
    "missing, kwargs",
    [
        ("the 1-D dimension 'step'", {"step": False}),
        ("the 1-D dimension 'council'", {"council": False}),
        ("the 1-D variable 'council_name'", {"council_name": False}),
        ("root attribute 'config', root attribute 'seed', root attribute 'replicate', root attribute 'complete'",
         {"attrs": ()}),
        ("root attribute 'seed'", {"attrs": ("config", "replicate", "complete")}),
    ],
)
def test_open_refuses_a_foreign_file_without_the_layout(cm, tmp_path, missing, kwargs):
    path = foreign(tmp_path / "foreign.h5", **kwargs)
    with pytest.raises(cm.FormatError) as raised:
        cm.open(path)
    message = str(raised.value)
    assert message.startswith(f"{path} is not readable caremarket output: its format_name is 'caremarket' but "
                              "it lacks "), message
    assert missing in message


def test_open_refuses_coordinates_that_are_not_dimensions(cm, tmp_path):
    path = tmp_path / "plain.h5"
    foreign(path)
    with h5py.File(path, "r+") as f:
        del f["step"]
        f["step"] = np.arange(3, dtype=np.int32)  # a plain dataset, not a dimension scale
    with pytest.raises(cm.FormatError, match="lacks 'step' as a dimension scale"):
        cm.open(path)


def test_a_foreign_file_with_the_root_layout_reads_or_fails_by_name(cm, tmp_path):
    """What passes open()'s checks reads without a raw KeyError: its series (none here), its councils,
    xarray; a broken event log, snapshot or config is a FormatError naming the file and what is wrong."""
    path = foreign(tmp_path / "foreign.h5")
    res = cm.open(path)
    assert res.councils == ["East", "West"]
    assert res.timeseries.shape == (6, 0)
    assert list(res.to_xarray()["council"].values) == ["East", "West"]
    assert res.events == {} and res.snapshot_steps == []
    assert res.config == {"region": {"name": "Elsewhere"}}

    with h5py.File(path, "r+") as f:
        f["wrong_shape"] = np.zeros((2, 2))
        f["wrong_shape"].dims[0].attach_scale(f["step"])
        f["wrong_shape"].dims[1].attach_scale(f["council"])
        f.create_group("events/tenders")["week"] = np.zeros(4, dtype=np.int32)  # no "tender" dimension
        f.create_group("snapshots/week_000001")  # no week attribute
        f.attrs["config"] = "this is [not TOML"
    res = cm.open(path)
    with pytest.raises(cm.FormatError, match=re.escape(f"{path} is not readable caremarket output: /wrong_shape has "
                                                       "shape (2, 2), its dimensions (step, council) (3, 2)")):
        res.timeseries
    with pytest.raises(cm.FormatError, match=re.escape(f"{path} is not readable caremarket output: it has no dataset "
                                                       "/events/tenders/tender")):
        res.events
    with pytest.raises(cm.FormatError, match=re.escape(f"{path} is not readable caremarket output: the snapshot "
                                                       "/snapshots/week_000001 has no week attribute")):
        res.snapshot_steps
    with pytest.raises(cm.FormatError, match=re.escape(f"{path} is not readable caremarket output: its config "
                                                       "attribute is not TOML")):
        res.config


def test_a_snapshot_without_its_tables_fails_by_name(cm, run_file, tmp_path):
    path = copy_with(run_file, tmp_path)
    with h5py.File(path, "r+") as f:
        del f["snapshots/week_000010/workers"]
    with pytest.raises(cm.FormatError, match=re.escape("it has no group /snapshots/week_000010/workers")):
        cm.open(path).snapshot(10)


def test_report_refuses_a_foreign_file_in_one_line(caremarket_bin, tmp_path):
    import subprocess

    path = foreign(tmp_path / "foreign.h5", step=False)
    res = subprocess.run([str(caremarket_bin), "report", str(path), "-o", str(tmp_path / "r.html")],
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 2, res.stderr
    assert res.stderr.strip() == (f"caremarket report: {path} is not readable caremarket output: its format_name is "
                                  "'caremarket' but it lacks the 1-D dimension 'step' (docs/output-format.md)")
    complete = foreign(tmp_path / "complete.h5")  # the root layout but none of the series the page shows
    res = subprocess.run([str(caremarket_bin), "report", str(complete), "-o", str(tmp_path / "r.html")],
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 2, res.stderr
    assert re.fullmatch(rf"caremarket report: {re.escape(str(complete))} lacks the time series \S.* that the report "
                        r"shows\n", res.stderr), res.stderr
    assert not (tmp_path / "r.html").exists()
