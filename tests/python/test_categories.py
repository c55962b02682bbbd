"""Codes come named in pandas (issue 22, part 3): Results.events and Results.snapshot give every
enumeration (a column with flag_meanings, and the archetype columns of the tender and bid logs) as a
Categorical of its names, and council indices as a Categorical of the council names; codes=True keeps
the file's integer codes. flag_values are read as text ("0 1 2", formats 1.0-1.13) or as numbers
(CF), and files without them (enumerations before format 1.12) take the codes 0 .. n-1.

Run with:  CAREMARKET_PYTHONPATH=<build>/python CAREMARKET_BIN=<build>/cli/caremarket \
           /usr/bin/python3 -m pytest -q tests/python/test_categories.py
"""

from __future__ import annotations

import gzip
import re
import shutil

import h5py
import numpy as np
import pandas as pd
import pytest

from conftest import REPO_ROOT, TINY_COUNCILS

STEPS = 40  # tiny.toml snapshots every 10 weeks; a provider closes by week 40
NOBODY_BID = 255

#: (group, column) -> the names its codes stand for, by code.
ENUMERATIONS = {
    ("events/tenders", "winner_archetype"): "ARCHETYPES",
    ("events/bids", "archetype"): "ARCHETYPES",
    ("events/providers", "archetype"): "ARCHETYPES",
    ("events/providers", "kind"): "PROVIDER_EVENT_KINDS",
    ("snapshots/week_000010/people", "route"): "ROUTES",
    ("snapshots/week_000010/people", "placement"): "PLACEMENTS",
    ("snapshots/week_000010/people", "hospital"): ("home", "awaiting_package", "reablement"),
    ("snapshots/week_000010/providers", "archetype"): "ARCHETYPES",
}
COUNCIL_COLUMNS = ["events/tenders", "events/providers", "snapshots/week_000010/people",
                   "snapshots/week_000010/workers", "snapshots/week_000010/providers"]


@pytest.fixture(scope="module")
def cm(caremarket_pkg):
    return caremarket_pkg


@pytest.fixture(scope="module")
def run_file(session_run, tiny_scenario):
    path, _ = session_run("tiny_categories", tiny_scenario, "--steps", STEPS)
    return path


def frame_of(results, group: str, **kwargs) -> pd.DataFrame:
    if group.startswith("events/"):
        return results.events[group.split("/")[1]]
    week, table = group.split("/")[1:]
    return results.snapshot(int(week[5:]), **kwargs)[table]


def names_of(cm, names) -> list[str]:
    return list(getattr(cm, names) if isinstance(names, str) else names)


def copy_of(run_file, tmp_path, name="copy.h5"):
    path = tmp_path / name
    shutil.copy(run_file, path)
    return path


@pytest.mark.parametrize("group, column", list(ENUMERATIONS), ids=["/".join(k) for k in ENUMERATIONS])
def test_enumerations_are_categoricals_of_their_names(cm, run_file, group, column):
    names = names_of(cm, ENUMERATIONS[group, column])
    decoded = frame_of(cm.open(run_file), group)[column]
    with h5py.File(run_file, "r") as f:
        raw = f[group][column][()]
    assert isinstance(decoded.dtype, pd.CategoricalDtype), decoded.dtype
    assert list(decoded.cat.categories) == names and not decoded.cat.ordered
    known = raw < len(names)
    assert (raw[~known] == NOBODY_BID).all() and decoded[~known].isna().all()
    np.testing.assert_array_equal(decoded.cat.codes.to_numpy()[known], raw[known])
    assert decoded[known].astype(str).tolist() == [names[c] for c in raw[known]]


@pytest.mark.parametrize("group", COUNCIL_COLUMNS)
def test_council_indices_are_categoricals_of_the_council_names(cm, run_file, group):
    results = cm.open(run_file)
    decoded = frame_of(results, group)["council"]
    with h5py.File(run_file, "r") as f:
        raw = f[group]["council"][()]
    assert list(decoded.cat.categories) == results.councils == TINY_COUNCILS
    np.testing.assert_array_equal(decoded.cat.codes.to_numpy(), raw)
    assert len(decoded) > 0 and set(decoded) <= set(TINY_COUNCILS)
    if group != "events/providers":  # both councils have agents and tenders (closures: not always)
        assert set(decoded) == set(TINY_COUNCILS)


def test_names_compare_filter_and_group(cm, run_file):
    results = cm.open(run_file)
    providers = results.snapshot(10)["providers"]
    micro = providers[providers["archetype"] == "micro"]
    assert len(micro) > 0 and (micro["archetype"].astype(str) == "micro").all()
    north = providers[providers["council"] == "North Tiny"]
    assert 0 < len(north) < len(providers)
    counts = providers.groupby("archetype", observed=True).size()
    assert set(counts.index) <= set(cm.ARCHETYPES) and counts.sum() == len(providers)
    # The tender log's winners join its bids' archetypes by name.
    tenders, bids = results.events["tenders"], results.events["bids"]
    won = bids[bids["won"] == 1].drop_duplicates("tender").set_index("tender")
    firsts = tenders.loc[tenders["winner"] >= 0]
    joined = firsts.join(won[["provider", "archetype"]], how="inner")
    assert len(joined) > 0
    same = joined[joined["winner"] == joined["provider"]]
    assert (same["winner_archetype"].astype(str) == same["archetype"].astype(str)).all()


def test_codes_true_keeps_the_integer_codes_of_the_file(cm, run_file):
    raw = cm.open(run_file, codes=True)
    assert raw.codes and not cm.open(run_file).codes
    with h5py.File(run_file, "r") as f:
        for group, column in [*ENUMERATIONS, *((g, "council") for g in COUNCIL_COLUMNS)]:
            values = frame_of(raw, group)[column]
            assert values.dtype == f[group][column].dtype, (group, column)
            np.testing.assert_array_equal(values.to_numpy(), f[group][column][()])
    # Per snapshot, either way round.
    decoded = cm.open(run_file)
    assert decoded.snapshot(10, codes=True)["people"]["route"].dtype == np.uint8
    assert isinstance(raw.snapshot(10, codes=False)["people"]["route"].dtype, pd.CategoricalDtype)


def test_columns_carry_their_units_and_long_names(cm, run_file):
    results = cm.open(run_file)
    with h5py.File(run_file, "r") as f:
        for group in ("events/tenders", "events/changes", "snapshots/week_000010/providers"):
            frame = frame_of(results, group)
            assert set(frame.attrs["units"]) == set(frame.attrs["long_name"]) == set(frame.columns)
            for column in frame.columns:
                stored = "week" if column == "step" and "week" in f[group] else column  # the logs' `week` is `step`
                assert frame.attrs["units"][column] == str(f[group][stored].attrs.get("units", ""))
                assert frame.attrs["long_name"][column] == str(f[group][stored].attrs.get("long_name", ""))


def test_numeric_flag_values_read_as_text_ones(cm, run_file, tmp_path):
    """CF's flag_values are an array of the variable's type; older files have the text "0 1 2 3". Both
    read alike, and so do the tender and bid logs' archetypes once they carry the attributes."""
    path = copy_of(run_file, tmp_path)
    with h5py.File(path, "r+") as f:
        for group, column in ENUMERATIONS:
            item = f[group][column]
            count = len(item.attrs["flag_meanings"].split()) if "flag_meanings" in item.attrs else len(cm.ARCHETYPES)
            item.attrs["flag_values"] = np.arange(count, dtype=item.dtype)
            if "flag_meanings" not in item.attrs:
                item.attrs["flag_meanings"] = " ".join(cm.ARCHETYPES)
    text, numeric = cm.open(run_file), cm.open(path)
    for group, column in ENUMERATIONS:
        pd.testing.assert_series_equal(frame_of(numeric, group)[column], frame_of(text, group)[column])


def test_flag_values_map_codes_to_meanings_in_their_order(cm, run_file, tmp_path):
    """flag_values[k] is the code of the k-th flag_meaning, whatever their order."""
    path = copy_of(run_file, tmp_path)
    with h5py.File(path, "r+") as f:
        route = f["snapshots/week_000010/people/route"]
        route.attrs["flag_values"] = np.array([3, 2, 1, 0], dtype=np.uint8)
        route.attrs["flag_meanings"] = "direct_payment council_managed self_funder none"
        raw = route[()]
    decoded = cm.open(path).snapshot(10)["people"]["route"]
    assert list(decoded.cat.categories) == ["direct_payment", "council_managed", "self_funder", "none"]
    assert decoded.astype(str).tolist() == [cm.ROUTES[c] for c in raw]


def test_a_code_that_names_nothing_is_missing(cm, run_file, tmp_path):
    path = copy_of(run_file, tmp_path)
    with h5py.File(path, "r+") as f:
        winner = f["events/tenders/winner_archetype"]
        codes = winner[()]
        codes[0] = NOBODY_BID
        winner[...] = codes
    decoded = cm.open(path).events["tenders"]["winner_archetype"]
    assert pd.isna(decoded.iloc[0]) and decoded.iloc[1:].notna().all()
    assert cm.open(path, codes=True).events["tenders"]["winner_archetype"].iloc[0] == NOBODY_BID


def test_flag_values_that_do_not_match_the_meanings_fail_by_name(cm, run_file, tmp_path):
    path = copy_of(run_file, tmp_path)
    with h5py.File(path, "r+") as f:
        f["snapshots/week_000010/people/route"].attrs["flag_values"] = "0 1 2"
    with pytest.raises(cm.FormatError, match=re.escape("/snapshots/week_000010/people/route has 3 flag_values")):
        cm.open(path).snapshot(10)
    assert cm.open(path, codes=True).snapshot(10)["people"]["route"].dtype == np.uint8


@pytest.mark.parametrize("version", ["1.0", "1.9", "1.11", "1.12", "1.13", "1.14"])
def test_fixtures_of_older_formats_decode_alike(cm, tmp_path, version):
    """Files before 1.12 have no flag_values (and three archetypes): their codes are 0 .. n-1 and
    their Categoricals have the categories of today's files, so that runs of any version concatenate."""
    path = tmp_path / f"format-{version}.h5"
    with gzip.open(REPO_ROOT / "tests" / "data" / f"format-{version}.h5.gz", "rb") as source, open(path, "wb") as target:
        shutil.copyfileobj(source, target)
    results = cm.open(path)
    providers = results.snapshot(0)["providers"]
    assert list(providers["archetype"].cat.categories) == list(cm.ARCHETYPES)
    assert providers["archetype"].value_counts()[["chain", "agency", "micro"]].tolist() == [3, 5, 7]
    assert list(providers["council"].cat.categories) == TINY_COUNCILS
    people = results.snapshot(0)["people"]
    assert list(people["route"].cat.categories) == list(cm.ROUTES)
    assert list(people["placement"].cat.categories) == list(cm.PLACEMENTS)
    assert people["route"].notna().all() and people["placement"].notna().all()
    events = results.events
    assert list(events["providers"]["kind"].cat.categories) == list(cm.PROVIDER_EVENT_KINDS)
    assert events["bids"]["archetype"].notna().all()
    assert set(events["bids"]["archetype"]) <= {"chain", "agency", "micro"}
    assert list(events["tenders"]["council"].cat.categories) == TINY_COUNCILS
