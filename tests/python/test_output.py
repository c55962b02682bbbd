"""The HDF5 output of `caremarket run`: layout, provenance, netCDF/xarray compatibility,
determinism across thread counts, reproducibility from provenance, and sanity of the series."""

from __future__ import annotations

import re
import tomllib
from datetime import datetime, timezone
from pathlib import Path

import h5py
import numpy as np
import pytest
import xarray as xr

TINY_COUNCILS = ["North Tiny", "South Tiny"]
TINY_STEPS = 40  # run.steps in tests/data/tiny.toml
TINY_SEED = 7  # run.seed in tests/data/tiny.toml
TINY_SNAPSHOT_INTERVAL = 10  # output.snapshot_interval in tests/data/tiny.toml

# Every per-council weekly series, as declared in agents/metrics.cpp.
METRICS = [
    "people_needing_care", "people_served", "people_waiting", "people_self_funded", "people_council_managed",
    "people_direct_payment", "hours_needed", "hours_delivered", "hours_unmet", "workers", "vacancies",
    "vacancy_rate", "turnover_rate", "turnover_rate_nlw", "turnover_rate_nlw_plus_150", "mean_wage",
    "mean_effective_pay", "zero_hours_share", "hires", "hires_from_care_share", "providers_chain",
    "providers_agency", "micro_enterprises", "micro_enterprises_founded", "micro_enterprises_closed",
    "micro_enterprise_jobs", "micro_enterprise_clients", "provider_entries", "provider_exits", "handbacks",
    "tenders", "chain_share_council_hours", "hhi_council_hours", "council_spend", "price_per_hour",
    "extraction", "local_retained", "mean_wellbeing", "continuity", "mean_stress",
    # format 1.5 (MODEL.md §16)
    "hours_needed_all", "hours_unmet_all", "people_refused", "people_waiting_budget", "budget_used",
    "spot_share_council_hours", "share_paid_at_nlw", "cost_per_hour_delivered",
    # format 1.6
    "median_wage", *(f"hours_{kind}_band_{band}" for kind in ("needed", "unmet") for band in range(1, 5)),
    # format 1.7
    "wellbeing_served",
    # format 1.8
    "wellbeing_all",
    # format 1.9
    "discharge_referrals", "discharge_delayed", "discharge_delay_days", "nhs_delay_cost", "reablement_people",
    "reablement_independent",
    # format 1.10
    "charging_income", "self_funder_spend", "spent_down_to_upper_limit", "reached_care_cap",
    # format 1.12
    "providers_cooperative", "providers_council_run", "providers_personal_assistant", "cooperatives_founded",
    "in_house_share_council_hours", "commuters_in", "commuters_out",
    # format 1.13
    "unpaid_travel_minutes",
]
SHARES = ["vacancy_rate", "zero_hours_share", "hires_from_care_share", "chain_share_council_hours",
          "in_house_share_council_hours",
          "mean_wellbeing", "continuity", "mean_stress", "wellbeing_served", "wellbeing_all"]
COUNTS = ["people_needing_care", "people_served", "people_waiting", "people_self_funded", "people_council_managed",
          "people_direct_payment", "workers", "vacancies", "hires", "providers_chain", "providers_agency",
          "micro_enterprises", "micro_enterprises_founded", "micro_enterprises_closed", "micro_enterprise_jobs",
          "micro_enterprise_clients", "provider_entries", "provider_exits", "handbacks", "tenders"]
# Provider event kinds (flag_meanings of events/providers/kind).
ENTRY, EXIT, FOUNDING, CLOSURE, HANDBACK = range(5)

# Attributes that legitimately differ between two runs of the same configuration.
RUN_SPECIFIC_ATTRS = {"threads", "start_time", "end_time", "wall_seconds", "warmup_seconds", "output_seconds"}
# HDF5 dimension-scale bookkeeping (object references); the scales themselves are compared as datasets.
DIMENSION_ATTRS = {"DIMENSION_LIST", "REFERENCE_LIST"}


# --------------------------------------------------------------------------------------------
# helpers


def contents(path: Path) -> dict:
    """Every group and dataset of a file: {name: ("group", attrs) | ("dataset", dtype, shape, data, attrs)}."""
    out = {}
    with h5py.File(path, "r") as f:
        def attrs_of(obj):
            result = {}
            for key, value in obj.attrs.items():
                if key in DIMENSION_ATTRS or (obj.name == "/" and key in RUN_SPECIFIC_ATTRS):
                    continue
                result[key] = value.tolist() if isinstance(value, np.ndarray) else value
            return result

        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                if obj.dtype.kind == "O":
                    data = [v.decode() if isinstance(v, bytes) else v for v in obj[()].tolist()]
                else:
                    data = obj[()].tobytes()  # exact, bit for bit (NaNs included)
                out[name] = ("dataset", obj.dtype.str, obj.shape, data, attrs_of(obj))
            else:
                out[name] = ("group", attrs_of(obj))

        out["/"] = ("group", attrs_of(f))
        f.visititems(visit)
    return out


def differences(a: Path, b: Path) -> list[str]:
    ca, cb = contents(a), contents(b)
    diffs = [f"only in {a.name}: {k}" for k in sorted(ca.keys() - cb.keys())]
    diffs += [f"only in {b.name}: {k}" for k in sorted(cb.keys() - ca.keys())]
    for key in sorted(ca.keys() & cb.keys()):
        if ca[key] != cb[key]:
            kind = ca[key][0]
            if kind == "dataset" and ca[key][3] != cb[key][3]:
                diffs.append(f"data differ: {key}")
            else:
                diffs.append(f"metadata differ: {key}")
    return diffs


def datasets_differing(a: Path, b: Path) -> set[str]:
    return {d.split(": ", 1)[1] for d in differences(a, b) if d.startswith("data differ")}


def series(path: Path) -> dict[str, np.ndarray]:
    with h5py.File(path, "r") as f:
        return {name: f[name][()] for name in METRICS}


# --------------------------------------------------------------------------------------------
# runs shared by the tests (each configuration is run once per session)


@pytest.fixture(scope="session")
def base(session_run, tiny_scenario) -> Path:
    return session_run("base", tiny_scenario, "--threads", "1")[0]


@pytest.fixture(scope="session")
def base_threads2(session_run, tiny_scenario) -> Path:
    return session_run("threads2", tiny_scenario, "--threads", "2")[0]


@pytest.fixture(scope="session")
def h5(base):
    with h5py.File(base, "r") as f:
        yield f


# --------------------------------------------------------------------------------------------
# layout and provenance


def test_format_identity(h5):
    assert h5.attrs["format_name"] == "caremarket"
    assert h5.attrs["format_version"] == "1.14"
    assert h5.attrs["start_date"] == "2025-04-01"
    assert 0 < h5.attrs["output_seconds"] <= h5.attrs["wall_seconds"] + 1


def test_provenance_attributes(h5, cli, tiny_scenario):
    strings = ["software_version", "git_commit", "config", "config_layers", "start_time", "end_time",
               "stop_reason", "region"]
    integers = ["seed", "replicate", "threads", "steps_requested", "steps_completed", "complete"]
    for name in strings:
        assert name in h5.attrs, f"missing root attribute {name}"
        assert isinstance(h5.attrs[name], str), f"{name} should be a string, is {type(h5.attrs[name])}"
    for name in integers:
        assert name in h5.attrs, f"missing root attribute {name}"
        value = h5.attrs[name]
        assert isinstance(value, np.integer) and value.dtype == np.int64, f"{name}: {value!r} ({type(value)})"
    assert isinstance(h5.attrs["wall_seconds"], np.floating)

    assert int(h5.attrs["seed"]) == TINY_SEED
    assert int(h5.attrs["replicate"]) == 0
    assert int(h5.attrs["threads"]) == 1
    assert int(h5.attrs["steps_requested"]) == TINY_STEPS
    assert int(h5.attrs["steps_completed"]) == TINY_STEPS
    assert int(h5.attrs["complete"]) == 1
    assert h5.attrs["stop_reason"] == "completed"
    assert h5.attrs["region"] == "Tinyshire"
    assert h5.attrs["config_layers"].splitlines() == [str(tiny_scenario)]
    assert 0 < float(h5.attrs["wall_seconds"]) < 120

    stamp = "%Y-%m-%dT%H:%M:%SZ"
    start = datetime.strptime(h5.attrs["start_time"], stamp).replace(tzinfo=timezone.utc)
    end = datetime.strptime(h5.attrs["end_time"], stamp).replace(tzinfo=timezone.utc)
    assert start <= end <= datetime.now(timezone.utc)
    assert (end - start).total_seconds() <= float(h5.attrs["wall_seconds"]) + 2

    version = cli("--version")
    assert version.returncode == 0
    assert h5.attrs["software_version"] == version.stdout.split()[0]
    assert h5.attrs["git_commit"] in version.stdout
    assert re.fullmatch(r"unknown|[0-9a-f]{7,40}(-dirty)?", h5.attrs["git_commit"]), h5.attrs["git_commit"]


def test_config_attribute_is_the_resolved_config(h5, cli, tiny_scenario):
    res = cli("validate", tiny_scenario)
    assert res.returncode == 0, str(res)
    printed = "\n".join(line for line in res.stdout.splitlines() if not line.startswith("#"))
    assert tomllib.loads(h5.attrs["config"]) == tomllib.loads(printed)
    assert h5.attrs["config"].strip() == printed.strip()


def test_dimensions(h5):
    step = h5["step"]
    assert step.dtype == np.int32
    assert step.shape == (TINY_STEPS + 1,)
    assert step.maxshape == (None,), "step is the unlimited dimension"
    np.testing.assert_array_equal(step[()], np.arange(TINY_STEPS + 1))
    council = h5["council"]
    assert council.dtype == np.int32
    np.testing.assert_array_equal(council[()], np.arange(len(TINY_COUNCILS)))
    assert h5py.h5ds.is_scale(step.id) and h5py.h5ds.is_scale(council.id)
    names = [v.decode() if isinstance(v, bytes) else v for v in h5["council_name"][()]]
    assert names == TINY_COUNCILS


def test_metric_datasets(h5):
    found = sorted(name for name, obj in h5.items()
                   if isinstance(obj, h5py.Dataset) and obj.ndim == 2)
    assert found == sorted(METRICS)
    for name in METRICS:
        ds = h5[name]
        assert ds.dtype == np.float64, name
        assert ds.shape == (TINY_STEPS + 1, len(TINY_COUNCILS)), name
        assert ds.dims[0][0].name == "/step" and ds.dims[1][0].name == "/council", name
        assert ds.attrs.get("units"), f"{name} has no units"
        assert ds.attrs.get("long_name"), f"{name} has no long_name"
        assert np.all(np.isfinite(ds[()])), f"{name} has non-finite values"


def test_snapshot_groups(h5):
    expected = [f"week_{w:06d}" for w in range(0, TINY_STEPS + 1, TINY_SNAPSHOT_INTERVAL)]
    assert sorted(h5["snapshots"]) == expected
    for name in expected:
        group = h5["snapshots"][name]
        assert int(group.attrs["week"]) == int(name[5:])
        for table, dim in (("people", "person"), ("workers", "worker"), ("providers", "provider")):
            g = group[table]
            ids = g[dim][()]
            assert h5py.h5ds.is_scale(g[dim].id), f"{name}/{table}/{dim} is not a dimension scale"
            assert ids.size > 0 and np.all(np.diff(ids) > 0), f"{name}/{table}: ids must be unique and sorted"
            for column, ds in g.items():
                assert ds.shape == ids.shape, f"{name}/{table}/{column} has {ds.shape}, ids {ids.shape}"
                if column != dim:
                    assert ds.dims[0][0].name == g[dim].name, f"{name}/{table}/{column} not attached to {dim}"
            assert np.all((g["council"][()] >= 0) & (g["council"][()] < len(TINY_COUNCILS)))
    week0 = h5["snapshots/week_000000"]
    assert week0["people"]["person"].shape == (1500,)
    assert week0["workers"]["worker"].shape == (700,)
    assert week0["providers"]["provider"].shape == (2 + 3 + 4 + 1 + 2 + 3,)


def test_snapshots_agree_with_series(h5):
    """At each snapshot week the per-agent tables add up to the weekly series."""
    nc = len(TINY_COUNCILS)
    for name, group in h5["snapshots"].items():
        week = int(group.attrs["week"])
        people, workers, providers = group["people"], group["workers"], group["providers"]
        alive = people["alive"][()].astype(bool) & (people["need_band"][()] > 0)
        by_council = np.bincount(people["council"][()][alive], minlength=nc)
        np.testing.assert_array_equal(by_council, h5["people_needing_care"][week], err_msg=name)

        employed = workers["alive"][()].astype(bool) & (workers["employer"][()] >= 0)
        np.testing.assert_array_equal(np.bincount(workers["council"][()][employed], minlength=nc),
                                      h5["workers"][week], err_msg=name)

        open_ = providers["alive"][()].astype(bool)
        arch = providers["archetype"][()]
        for code, metric in ((0, "providers_chain"), (1, "providers_agency"), (2, "micro_enterprises")):
            counts = np.bincount(providers["council"][()][open_ & (arch == code)], minlength=nc)
            np.testing.assert_array_equal(counts, h5[metric][week], err_msg=f"{name}: {metric}")
        # Employers of employed workers are providers in the snapshot.
        assert np.isin(workers["employer"][()][employed], providers["provider"][()]).all(), name


def test_events(h5):
    tenders, bids, events = h5["events/tenders"], h5["events/bids"], h5["events/providers"]
    n_tenders = tenders["tender"].shape[0]
    assert n_tenders > 0, "the tiny scenario lets its lots at the start"
    np.testing.assert_array_equal(tenders["tender"][()], np.arange(n_tenders))
    np.testing.assert_array_equal(bids["bid"][()], np.arange(bids["bid"].shape[0]))
    np.testing.assert_array_equal(events["event"][()], np.arange(events["event"].shape[0]))
    # Bids point at tenders, and each tender's bid count matches the bid log.
    tender_of_bid = bids["tender"][()]
    assert np.all((tender_of_bid >= 0) & (tender_of_bid < n_tenders))
    np.testing.assert_array_equal(np.bincount(tender_of_bid, minlength=n_tenders), tenders["bids"][()])
    weeks = tenders["week"][()]
    assert np.all((weeks >= 0) & (weeks < TINY_STEPS)) and np.all(np.diff(weeks) >= 0)
    assert np.all((tenders["council"][()] >= 0) & (tenders["council"][()] < len(TINY_COUNCILS)))
    won = tenders["winner"][()] >= 0
    for t in np.nonzero(won)[0]:
        assert tenders["winner"][t] in bids["provider"][()][tender_of_bid == t], f"tender {t}: winner did not bid"
    assert np.all(tenders["winning_bid"][()][won] >= tenders["lowest_bid"][()][won])
    assert np.all(tenders["price"][()][won] >= tenders["winning_bid"][()][won])
    assert "flag_meanings" in events["kind"].attrs
    assert events["kind"].attrs["flag_meanings"].split() == ["entry", "exit", "founding", "closure", "handback"]


def test_provider_events_match_series(h5):
    """Events logged with week w are counted in the series at step w (the step that made them)."""
    ev = h5["events/providers"]
    kind, week, council = ev["kind"][()], ev["week"][()], ev["council"][()]
    nc = len(TINY_COUNCILS)

    def per_step(kinds):
        table = np.zeros((TINY_STEPS + 1, nc))
        sel = np.isin(kind, kinds)
        np.add.at(table, (week[sel], council[sel]), 1)
        return table

    np.testing.assert_array_equal(per_step([FOUNDING]), h5["micro_enterprises_founded"][()])
    np.testing.assert_array_equal(per_step([CLOSURE]), h5["micro_enterprises_closed"][()])
    np.testing.assert_array_equal(per_step([ENTRY]), h5["provider_entries"][()])
    np.testing.assert_array_equal(per_step([EXIT, CLOSURE]), h5["provider_exits"][()])
    np.testing.assert_array_equal(per_step([HANDBACK]), h5["handbacks"][()])


# --------------------------------------------------------------------------------------------
# netCDF-4 / xarray


def test_xarray_root(base):
    with xr.open_dataset(base, engine="h5netcdf") as ds:
        assert dict(ds.sizes) == {"step": TINY_STEPS + 1, "council": len(TINY_COUNCILS)}
        assert set(ds.data_vars) == set(METRICS) | {"council_name", "council_code", "council_region"}
        for name in METRICS:
            assert ds[name].dims == ("step", "council"), name
            assert ds[name].dtype == np.float64, name
        np.testing.assert_array_equal(ds["step"].values, np.arange(TINY_STEPS + 1))
        assert list(ds["council_name"].values) == TINY_COUNCILS
        assert ds.attrs["format_name"] == "caremarket"
        assert ds["hours_unmet"].attrs["units"] == "h/week"
        # Selecting by council name works as it would for any netCDF file.
        north = ds.set_coords("council_name").swap_dims({"council": "council_name"}).sel(council_name="North Tiny")
        assert float(north["people_needing_care"].isel(step=0)) == 900


@pytest.mark.parametrize(
    "group, dim, columns",
    [
        ("events/tenders", "tender", {"week", "council", "lot", "bids", "winner", "price"}),
        ("events/bids", "bid", {"tender", "provider", "amount", "cost"}),
        ("events/providers", "event", {"week", "council", "provider", "kind", "archetype"}),
        ("snapshots/week_000000/people", "person", {"alive", "need_band", "council", "wellbeing", "provider"}),
        ("snapshots/week_000040/workers", "worker", {"alive", "employer", "wage", "stress"}),
        ("snapshots/week_000020/providers", "provider", {"alive", "archetype", "council", "staff", "quality"}),
    ],
)
def test_xarray_groups(base, group, dim, columns):
    with xr.open_dataset(base, engine="h5netcdf", group=group) as ds:
        assert list(ds.sizes) == [dim]
        assert dim in ds.coords
        assert ds.sizes[dim] > 0
        assert columns <= set(ds.data_vars), f"{columns - set(ds.data_vars)} missing from {group}"
        assert all(ds[v].dims == (dim,) for v in ds.data_vars)
        with h5py.File(base, "r") as f:
            np.testing.assert_array_equal(ds[dim].values, f[group][dim][()])


def test_xarray_reads_people_by_id(base):
    with xr.open_dataset(base, engine="h5netcdf", group="snapshots/week_000010/people") as ds:
        some = ds["person"].values[[0, -1]]
        picked = ds.sel(person=some)
        assert list(picked["person"].values) == list(some)


# --------------------------------------------------------------------------------------------
# determinism and reproducibility


def test_identical_across_thread_counts(base, base_threads2):
    with h5py.File(base_threads2, "r") as f:
        assert int(f.attrs["threads"]) == 2
    assert len(contents(base)) > 300, "the comparison should cover the series, events and snapshots"
    diffs = differences(base, base_threads2)
    assert not diffs, "--threads 1 and --threads 2 differ:\n" + "\n".join(diffs[:40])


def test_identical_across_thread_counts_larger_run(session_run, tiny_scenario):
    """More steps, snapshots every 5 weeks and a different policy mix: still bit-identical."""
    args = [tiny_scenario, "--steps", "60", "--seed", "3", "--set", "output.snapshot_interval=5",
            "--set", "commissioning.mode=collaborative", "--set", "founding.coordinators=2",
            "--set", "commissioning.accredit_micro=true"]
    one, _ = session_run("big1", *args, "--threads", "1")
    two, _ = session_run("big2", *args, "--threads", "2")
    diffs = differences(one, two)
    assert not diffs, "--threads 1 and --threads 2 differ:\n" + "\n".join(diffs[:40])


def test_rerun_is_identical(base, session_run, tiny_scenario):
    again, _ = session_run("base_again", tiny_scenario, "--threads", "1", "--seed", str(TINY_SEED))
    diffs = differences(base, again)
    assert not diffs, "two runs of the same configuration differ:\n" + "\n".join(diffs[:40])


def test_different_seeds_differ(base_threads2, session_run, tiny_scenario):
    other, _ = session_run("seed8", tiny_scenario, "--threads", "2", "--seed", "8")
    with h5py.File(other, "r") as f:
        assert int(f.attrs["seed"]) == 8
    differing = datasets_differing(base_threads2, other)
    assert {"hours_needed", "turnover_rate", "snapshots/week_000000/people/need_band"} <= differing, sorted(differing)


def test_replicates_differ(base_threads2, session_run, tiny_scenario):
    rep1, _ = session_run("rep1", tiny_scenario, "--threads", "2", "--replicate", "1")
    rep2, _ = session_run("rep2", tiny_scenario, "--threads", "2", "--replicate", "2")
    with h5py.File(rep1, "r") as f:
        assert int(f.attrs["replicate"]) == 1 and int(f.attrs["seed"]) == TINY_SEED
    for other in (rep1, rep2):
        differing = datasets_differing(base_threads2, other)
        assert {"hours_needed", "snapshots/week_000040/workers/wage"} <= differing, sorted(differing)
    assert {"hours_needed"} <= datasets_differing(rep1, rep2)


def test_output_options_do_not_change_the_trajectory(base_threads2, session_run, tiny_scenario):
    plain, _ = session_run("nocompress_noevents", tiny_scenario, "--threads", "2", "--set", "output.compression=0",
                           "--set", "output.events=false", "--set", "output.snapshot_interval=0")
    with h5py.File(plain, "r") as f:
        assert "events" not in f
        assert "snapshots" not in f or len(f["snapshots"]) == 0
        assert f["hours_needed"].compression is None
    with h5py.File(base_threads2, "r") as f:
        assert f["hours_needed"].compression == "gzip"
    for name in METRICS:
        with h5py.File(plain, "r") as a, h5py.File(base_threads2, "r") as b:
            assert a[name][()].tobytes() == b[name][()].tobytes(), f"{name} depends on output options"


def test_provenance_round_trip(session_run, tiny_scenario, tmp_path_factory):
    """The config, seed, replicate and steps stored in a file are enough to reproduce it exactly."""
    original, _ = session_run("prov", tiny_scenario, "--seed", "11", "--replicate", "3", "--steps", "30",
                              "--threads", "2", "--set", "labour.nlw=12.5",
                              "--set", "commissioning.mode=lowest_price", "--set", "output.snapshot_interval=15")
    with h5py.File(original, "r") as f:
        config = f.attrs["config"]
        seed, replicate = int(f.attrs["seed"]), int(f.attrs["replicate"])
        steps = int(f.attrs["steps_completed"])
        assert (seed, replicate, steps) == (11, 3, 30)
        assert int(f.attrs["steps_requested"]) == 30
    assert tomllib.loads(config)["labour"]["nlw"] == 12.5
    folder = tmp_path_factory.mktemp("roundtrip")
    scenario = folder / "from_provenance.toml"
    scenario.write_text(config, encoding="utf-8")
    copy, _ = session_run("prov_copy", scenario, "--seed", str(seed), "--replicate", str(replicate),
                          "--steps", str(steps), "--threads", "1")
    with h5py.File(copy, "r") as f:
        assert f.attrs["config"] == config, "re-resolving a resolved config must not change it"
    diffs = [d for d in differences(original, copy) if d != "metadata differ: /"]
    assert not diffs, "re-running from provenance differs:\n" + "\n".join(diffs[:40])


# --------------------------------------------------------------------------------------------
# sanity of the series


@pytest.fixture(scope="session")
def trajectories(base, session_run, tiny_scenario):
    """Series of a few different runs, so invariants are checked under several policy mixes."""
    runs = {"base": base}
    runs["lowest_price"] = session_run("inv_lowest", tiny_scenario, "--threads", "2", "--steps", "60",
                                       "--set", "commissioning.mode=lowest_price",
                                       "--set", "output.snapshot_interval=0")[0]
    runs["squeezed"] = session_run("inv_squeezed", tiny_scenario, "--threads", "2", "--steps", "60",
                                   "--set", "commissioning.budget_multiplier=0.3", "--set", "labour.fill_per_week=0.01",
                                   "--set", "founding.coordinators=3", "--set", "commissioning.accredit_micro=true",
                                   "--set", "output.snapshot_interval=0")[0]
    return {name: series(path) for name, path in runs.items()}


TINY = 1e-9


def _check(name, ok, label):
    assert np.all(ok), f"{name}: {label} violated at (step, council) {np.argwhere(~ok)[:5].tolist()}"


def test_hours_invariants(trajectories):
    for name, s in trajectories.items():
        needed, delivered, unmet = s["hours_needed"], s["hours_delivered"], s["hours_unmet"]
        tol = TINY * np.maximum(1, needed)
        _check(name, delivered <= needed + tol, "hours_delivered <= hours_needed")
        _check(name, delivered >= 0, "hours_delivered >= 0")
        _check(name, np.abs(unmet - np.maximum(0, needed - delivered)) <= tol, "hours_unmet = needed - delivered")
        assert np.all(delivered[1:].sum(axis=1) > 0), f"{name}: no care delivered in some week"


def test_share_invariants(trajectories):
    for name, s in trajectories.items():
        for share in SHARES:
            _check(name, (s[share] >= 0) & (s[share] <= 1), f"{share} in [0, 1]")
        _check(name, (s["hhi_council_hours"] >= 0) & (s["hhi_council_hours"] <= 10000 + 1e-6), "hhi in [0, 10000]")
        staff, vac = s["workers"], s["vacancies"]
        expected = np.divide(vac, staff + vac, out=np.zeros_like(vac), where=staff + vac > 0)
        _check(name, np.abs(s["vacancy_rate"] - expected) <= 1e-12, "vacancy_rate = vacancies / (workers + vacancies)")


def test_count_invariants(trajectories):
    for name, s in trajectories.items():
        for count in COUNTS:
            _check(name, s[count] >= 0, f"{count} >= 0")
            _check(name, s[count] == np.round(s[count]), f"{count} is a whole number")
        need = s["people_needing_care"]
        _check(name, need > 0, "people_needing_care > 0")
        _check(name, s["people_served"] <= need, "people_served <= people_needing_care")
        _check(name, s["people_waiting"] <= need, "people_waiting <= people_needing_care")
        routes = s["people_self_funded"] + s["people_council_managed"] + s["people_direct_payment"]
        _check(name, routes <= need, "people on a route <= people_needing_care")
        _check(name, s["people_served"] + s["people_waiting"] <= routes, "served + waiting <= people on a route")
        _check(name, s["micro_enterprise_jobs"] <= s["workers"], "micro_enterprise_jobs <= workers")
        _check(name, s["micro_enterprise_clients"] <= need, "micro_enterprise_clients <= people_needing_care")
        # Provider stocks change only through entries, foundings, exits and closures.
        stock = s["providers_chain"] + s["providers_agency"] + s["micro_enterprises"]
        flows = s["provider_entries"][1:] + s["micro_enterprises_founded"][1:] - s["provider_exits"][1:]
        _check(name, np.diff(stock, axis=0) == flows, "provider stock-flow balance")


def test_money_and_rate_invariants(trajectories):
    for name, s in trajectories.items():
        for metric in ("council_spend", "extraction", "local_retained", "price_per_hour", "turnover_rate",
                       "turnover_rate_nlw", "turnover_rate_nlw_plus_150"):
            _check(name, s[metric] >= 0, f"{metric} >= 0")
        staffed = s["workers"] > 0
        _check(name, ~staffed | (s["mean_wage"] >= 0.5 * 12.21), "mean_wage plausible")
        _check(name, ~staffed | (s["mean_effective_pay"] > 0), "mean_effective_pay > 0")
        assert np.all(s["council_spend"][1:].sum(axis=1) > 0), f"{name}: a council spent nothing in some week"


def _text_attr(value) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def test_every_event_and_snapshot_column_has_units_and_a_long_name(h5):
    """Format 1.14: event-log and snapshot columns describe themselves: a long_name, and the units of
    the docs' tables (docs/output-format.md §6, §7) where they have any (codes, ids and counts none)."""
    snapshot = h5["snapshots"][sorted(h5["snapshots"])[0]]
    groups = {f"events/{name}": h5["events"][name] for name in ("tenders", "bids", "providers")}
    groups.update({name: snapshot[name] for name in ("people", "workers", "providers")})
    checked = 0
    for where, group in groups.items():
        for name, column in group.items():
            if name in ("person", "worker", "provider", "tender", "bid", "event"):
                continue  # the dimension coordinates (docs §4)
            assert "long_name" in column.attrs, f"{where}/{name}"
            assert _text_attr(column.attrs["long_name"]).strip(), f"{where}/{name}"
            checked += 1
    assert checked > 80
    units = {(w, n): _text_attr(g[n].attrs.get("units", "")) for w, g in groups.items() for n in g}
    assert units[("people", "need_hours")] == "h/week"
    assert units[("workers", "wage")] == units[("events/bids", "amount")] == "GBP/h"
    assert units[("people", "capital")] == "GBP"
    assert units[("people", "council")] == units[("events/tenders", "week")] == ""


def test_enumerations_have_cf_flag_values_of_their_type(h5):
    """Format 1.14: flag_values is an array of the variable's type (CF), beside flag_meanings, on
    every enumeration, the tender winners' and bidders' archetypes included."""
    snapshot = h5["snapshots"][sorted(h5["snapshots"])[0]]
    enumerations = [snapshot["providers/archetype"], snapshot["people/route"], snapshot["people/placement"],
                    snapshot["people/hospital"], h5["events/providers/kind"], h5["events/providers/archetype"],
                    h5["events/tenders/winner_archetype"], h5["events/bids/archetype"]]
    for variable in enumerations:
        values, meanings = variable.attrs["flag_values"], _text_attr(variable.attrs["flag_meanings"]).split()
        assert isinstance(values, np.ndarray) and values.dtype == variable.dtype, variable.name
        assert values.tolist() == list(range(len(meanings))), variable.name
    assert _text_attr(h5["events/bids/archetype"].attrs["flag_meanings"]).split()[:3] == ["chain", "agency", "micro"]
