"""Files of every released format version still open: caremarket.open reads the fixtures in
tests/data (one small run of tests/data/tiny.toml per version, written by the commit that released
it; tests/data/README.md), their time series, events and snapshots come out as the Results API
offers, and the fixture of the current version has the layout a fresh run writes.

Run with:  CAREMARKET_PYTHONPATH=<build>/python CAREMARKET_BIN=<build>/cli/caremarket \
           /usr/bin/python3 -m pytest -q tests/python/test_format_fixtures.py
"""

from __future__ import annotations

import gzip
import re
import shutil
import warnings

import h5py
import numpy as np
import pytest

from conftest import REPO_ROOT, TINY_COUNCILS

DATA = REPO_ROOT / "tests" / "data"

# Format version -> the commit that wrote its fixture (its git_commit attribute; tests/data/README.md).
FIXTURES = {
    "1.0": "bf88464a5089",
    "1.1": "f10e918c50d2",
    "1.2": "5f1211b4a33e",
    "1.3": "2a08ae078115",
    "1.4": "126a069240c1",
    "1.5": "ec61cabb8053",
    "1.6": "b4be6efe5a16",
    "1.7": "ec093fa43043",
    "1.8": "f0ca3dab66da",
    "1.9": "ee9de1d02fef",
    "1.10": "6d5243f431d9",
    "1.11": "df32f74a4125",  # a run stopped at week 6 and resumed (tests/data/README.md)
    "1.12": "85bfb9c112c0",
    "1.13": "ba96f569e856",
    "1.14": "384c72b765b1",
}
WEEKS = 12
SNAPSHOT_WEEKS = [0, 10]
# tests/data/tiny.toml at the start: people, workers and providers (chains + agencies + micros).
START_PEOPLE = {"North Tiny": 900, "South Tiny": 600}
START_WORKERS = 700
START_PROVIDERS = 3 + 5 + 7

# What each minor version added (docs/output-format.md §1).
ADDED = {
    "1.1": {"root attributes": {"output_seconds"}},
    "1.2": {"people": {"need_review_week"}, "workers": {"quit_review_week", "quit_review_chance"}},
    "1.3": {"people": {"serial"}, "workers": {"serial"}, "providers": {"serial"}},
    "1.4": {"root attributes": {"start_date"}},
    "1.5": {"events": {"changes"}, "providers": {"wage_raised", "offered_hours", "council_income"}},
    "1.6": {"root attributes": {"warmup_weeks", "warmup_seconds"},
            "series": {"median_wage"} | {f"hours_{k}_band_{b}" for k in ("needed", "unmet") for b in range(1, 5)}},
    "1.7": {"series": {"wellbeing_served"}},
    "1.8": {"series": {"wellbeing_all"}},
    "1.9": {"people": {"hospital"}, "series": {"discharge_referrals", "discharge_delayed", "discharge_delay_days",
                                               "nhs_delay_cost", "reablement_people", "reablement_independent"}},
    "1.10": {"people": {"capital", "care_spend"},
             "series": {"charging_income", "self_funder_spend", "spent_down_to_upper_limit", "reached_care_cap"}},
    "1.11": {"root attributes": {"resumed_from", "resumed_at_step", "resumed_time"}},  # resumed runs only
    "1.12": {"series": {"providers_cooperative", "providers_council_run", "providers_personal_assistant",
                        "cooperatives_founded", "in_house_share_council_hours", "commuters_in", "commuters_out"}},
    "1.13": {"series": {"unpaid_travel_minutes"}, "providers": {"travel_minutes", "trip_clients", "trip_areas"}},
}


def key(version: str) -> tuple[int, int]:
    major, minor = version.split(".")
    return int(major), int(minor)


@pytest.fixture(scope="module")
def cm(caremarket_pkg):
    return caremarket_pkg


@pytest.fixture(scope="module")
def fixture_files(tmp_path_factory):
    """The fixtures unpacked (gzip) into a temporary folder: version -> path of the .h5 file."""
    folder = tmp_path_factory.mktemp("format_fixtures")
    files = {}
    for version in FIXTURES:
        packed = DATA / f"format-{version}.h5.gz"
        assert packed.is_file(), f"missing format fixture {packed} (tests/data/README.md says how to make it)"
        path = folder / f"format-{version}.h5"
        with gzip.open(packed, "rb") as source, open(path, "wb") as target:
            shutil.copyfileobj(source, target)
        files[version] = path
    return files


@pytest.fixture(scope="module")
def opened(cm, fixture_files):
    """version -> caremarket.Results; opening warns about nothing (every fixture is a complete run)."""
    results = {}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for version, path in fixture_files.items():
            results[version] = cm.open(path)
    return results


versions = pytest.mark.parametrize("version", list(FIXTURES))


def test_there_is_a_fixture_of_every_minor_version_up_to_the_current_one(cm):
    current = cm._core.FORMAT_VERSION
    major, minor = key(current)
    wanted = [f"{major}.{m}" for m in range(minor + 1)]
    missing = [v for v in wanted if v not in FIXTURES]
    assert not missing, (
        f"this build writes format {current}, but tests/data has no fixture of format {', '.join(missing)}: "
        "make one from the commit that releases it (tests/data/README.md) and add it to FIXTURES"
    )


@versions
def test_fixture_has_its_version_and_provenance(opened, version):
    results = opened[version]
    prov = results.provenance
    assert prov["format_name"] == "caremarket"
    assert prov["format_version"] == version
    assert prov["git_commit"] == FIXTURES[version]
    assert results.complete
    assert results.steps == WEEKS
    assert prov["seed"] == 7 and prov["replicate"] == 0
    assert results.councils == TINY_COUNCILS
    config = results.config
    assert config["region"]["name"] == "Tinyshire"
    assert [c["name"] for c in config["councils"]] == TINY_COUNCILS
    assert config["output"]["snapshot_interval"] == 10
    assert ("output_seconds" in prov) == (key(version) >= (1, 1))
    assert ("start_date" in prov) == (key(version) >= (1, 4))
    assert ({"warmup_weeks", "warmup_seconds"} <= set(prov)) == (key(version) >= (1, 6))
    assert (results.start_date is not None) == (key(version) >= (1, 4))
    # The 1.11 fixture was stopped at week 6 and resumed: it has what only resumed runs have.
    assert (ADDED["1.11"]["root attributes"] <= set(prov)) == (version == "1.11")
    if version == "1.11":
        assert prov["resumed_at_step"] == 6


@versions
def test_fixture_time_series_open(opened, version):
    ts = opened[version].timeseries
    assert ts.index.names == ["step", "council"]
    assert (ADDED["1.6"]["series"] <= set(ts.columns)) == (key(version) >= (1, 6))
    assert (ADDED["1.7"]["series"] <= set(ts.columns)) == (key(version) >= (1, 7))
    assert (ADDED["1.8"]["series"] <= set(ts.columns)) == (key(version) >= (1, 8))
    assert (ADDED["1.9"]["series"] <= set(ts.columns)) == (key(version) >= (1, 9))
    assert (ADDED["1.10"]["series"] <= set(ts.columns)) == (key(version) >= (1, 10))
    assert (ADDED["1.12"]["series"] <= set(ts.columns)) == (key(version) >= (1, 12))
    assert (ADDED["1.13"]["series"] <= set(ts.columns)) == (key(version) >= (1, 13))
    # 1.13: each council's ONS code and region (empty for the synthetic councils of tiny.toml).
    info = opened[version].council_info
    assert list(info["name"]) == TINY_COUNCILS and (info["code"] == "").all()
    assert ts.index.get_level_values("step").unique().tolist() == list(range(WEEKS + 1))
    assert ts.index.get_level_values("council").unique().tolist() == TINY_COUNCILS
    assert ts.shape[0] == (WEEKS + 1) * len(TINY_COUNCILS)
    assert ts.dtypes.eq(np.float64).all()
    assert ts.loc[0]["people_needing_care"].to_dict() == START_PEOPLE
    assert ts.attrs["units"]["people_needing_care"] == "people"
    for column in ("people_served", "workers", "council_spend"):
        assert column in ts.columns
        assert np.isfinite(ts[column].to_numpy()).all()


@versions
def test_fixture_converts_to_xarray(opened, version):
    results = opened[version]
    ds = results.to_xarray()
    assert dict(ds.sizes) == {"step": WEEKS + 1, "council": len(TINY_COUNCILS)}
    assert ds["council"].values.tolist() == TINY_COUNCILS
    assert ds["council_index"].values.tolist() == list(range(len(TINY_COUNCILS)))
    assert ds["step"].values.tolist() == list(range(WEEKS + 1))
    ts = results.timeseries
    assert set(ts.columns) <= set(ds.data_vars)
    for name in ("people_needing_care", "people_served", "council_spend"):
        assert ds[name].dims == ("step", "council")
        np.testing.assert_array_equal(ds[name].values.reshape(-1), ts[name].to_numpy())
    assert ds.attrs["format_version"] == version
    # 1.4 added the dates: the coordinate time over week, decoded by xarray.
    if key(version) >= (1, 4):
        assert ds["time"].dims == ("step",)
        assert ds["time"].values[0] == np.datetime64(str(results.start_date))
    else:
        assert "time" not in ds.variables


@versions
def test_fixture_event_logs_open(opened, version):
    events = opened[version].events
    logs = {"tenders", "bids", "providers"}
    if key(version) >= (1, 5):
        logs.add("changes")  # 1.5: the parameters' changes (none in this run)
        assert events["changes"].empty and events["changes"].index.name == "change"
    assert set(events) == logs
    assert events["tenders"].index.name == "tender"
    assert events["bids"].index.name == "bid"
    assert events["providers"].index.name == "event"
    assert len(events["tenders"]) > 0 and len(events["bids"]) > 0
    assert {"step", "council", "lot", "winner", "price"} <= set(events["tenders"].columns)
    assert {"tender", "provider", "won", "amount"} <= set(events["bids"].columns)
    assert set(events["bids"]["tender"]) <= set(events["tenders"].index)


@versions
def test_fixture_snapshots_open(opened, version):
    results = opened[version]
    assert results.snapshot_steps == SNAPSHOT_WEEKS
    first = results.snapshot(0)
    assert {t: len(frame) for t, frame in first.items()} == {
        "people": sum(START_PEOPLE.values()), "workers": START_WORKERS, "providers": START_PROVIDERS}
    assert [first[t].index.name for t in ("people", "workers", "providers")] == ["person", "worker", "provider"]
    for added_in, tables in ADDED.items():
        for table, added in tables.items():
            if table not in first:
                continue  # root attributes
            columns = set(first[table].columns)
            assert (added <= columns) == (key(version) >= key(added_in)), (table, sorted(columns))
    last = results.snapshot(SNAPSHOT_WEEKS[-1])
    assert set(last) == {"people", "workers", "providers"}
    with pytest.raises(KeyError):
        results.snapshot(5)


# --- the current version against a fresh run -------------------------------------------------------


def layout(path) -> dict[str, tuple]:
    """Every object of a file: its kind, and for a dataset its type, rank, dimension names and
    attribute names (not its values or, for agent tables and event logs, its length)."""
    found: dict[str, tuple] = {}

    def visit(name, item):
        if isinstance(item, h5py.Group):
            found[name] = ("group", tuple(sorted(item.attrs)))
        else:
            dims = tuple(item.dims[i][0].name if len(item.dims[i]) else None for i in range(item.ndim))
            found[name] = ("dataset", item.dtype.str if item.dtype.kind != "O" else "string", item.ndim, dims,
                           tuple(sorted(a for a in item.attrs if a not in ("REFERENCE_LIST", "DIMENSION_LIST"))))

    with h5py.File(path, "r") as f:
        # Attributes only a resumed run has (the 1.11 fixture was resumed; a fresh run is not).
        found["/"] = ("group", tuple(sorted(a for a in f.attrs if a not in ADDED["1.11"]["root attributes"])))
        f.visititems(visit)
    return found


def test_current_fixture_has_the_layout_of_a_fresh_run(cm, fixture_files, session_run, tiny_scenario):
    current = cm._core.FORMAT_VERSION
    if current not in fixture_files:
        pytest.fail(f"no fixture of the current format {current} (see the test above)", pytrace=False)
    fresh, _ = session_run("tiny_format_fixture", tiny_scenario, "--steps", WEEKS)
    with h5py.File(fresh, "r") as f:
        assert f.attrs["format_version"] == current
    old, new = layout(fixture_files[current]), layout(fresh)
    assert sorted(set(new) - set(old)) == [], "a fresh run writes objects the fixture of its format lacks"
    assert sorted(set(old) - set(new)) == [], "the fixture of the current format has objects a fresh run lacks"
    differ = {name: (old[name], new[name]) for name in old if old[name] != new[name]}
    assert not differ, f"objects whose type, dimensions or attributes changed without a format change: {differ}"
    # Series and coordinates over (step, council) have the same shape and the same coordinates.
    with h5py.File(fixture_files[current], "r") as a, h5py.File(fresh, "r") as b:
        for name in ("step", "council", "council_name", "people_needing_care"):
            assert a[name].shape == b[name].shape, name
        np.testing.assert_array_equal(a["step"][()], b["step"][()])
        assert a["council_name"].asstr()[()].tolist() == b["council_name"].asstr()[()].tolist()


def test_report_needs_wellbeing_on_the_ascot_scale(caremarket_bin, fixture_files, tmp_path):
    """The report shows wellbeing as ASCOT points of 24, which files before 1.8 do not hold (their
    wellbeing is version 1's arbitrary scale): it refuses them, saying why, and reads 1.8."""
    import subprocess

    page = tmp_path / "r.html"
    res = subprocess.run([str(caremarket_bin), "report", str(fixture_files["1.7"]), "-o", str(page)],
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 2, res.stderr
    assert "lacks the time series wellbeing_all" in res.stderr and "format 1.8" in res.stderr, res.stderr
    assert not page.exists()
    res = subprocess.run([str(caremarket_bin), "report", str(fixture_files["1.8"]), "-o", str(page)],
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    text = page.read_text()
    served = re.search(r"Quality of life of people receiving care \(ASCOT, of 24\)</td><td class='num'>([0-9.]+)<", text)
    assert served and 10 < float(served.group(1)) <= 24, text[:2000]


@versions
def test_columns_describe_themselves_from_1_14(fixture_files, version):
    """1.14 added long_name (and units where there are any) on every event and snapshot column, and
    wrote flag_values as an array of the variable's type; earlier files have text or nothing."""
    with h5py.File(fixture_files[version], "r") as f:
        people = f["snapshots/week_000010/people"]
        described = all("long_name" in people[name].attrs for name in people if name != "person")
        assert described == (key(version) >= (1, 14))
        if key(version) >= (1, 14):
            assert people["need_hours"].attrs["units"] in (b"h/week", "h/week")
        flags = f["snapshots/week_000010/providers/archetype"].attrs.get("flag_values")
        if key(version) >= (1, 14):
            assert isinstance(flags, np.ndarray) and flags.dtype == np.uint8
        elif key(version) >= (1, 12):
            assert isinstance(flags, (str, bytes))
