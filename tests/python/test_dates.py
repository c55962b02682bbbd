"""Dates (issue 14, item 1): run.start_date, the CF time coordinate of the outputs, and dates in
the summary. Step s is 7·s days after the start date (default 2025-04-01)."""

from __future__ import annotations

import datetime

import h5py
import numpy as np
import pandas as pd
import pytest

from conftest import EXIT_BAD_INPUT, EXIT_OK


@pytest.fixture(scope="module")
def cm(caremarket_pkg):
    return caremarket_pkg


@pytest.fixture(scope="module")
def dated_runs(caremarket_bin, tiny_scenario, tmp_path_factory):
    from conftest import run_cli

    folder = tmp_path_factory.mktemp("dates")
    default, moved = folder / "default.h5", folder / "moved.h5"
    for out, extra in ((default, []), (moved, ["--set", "run.start_date=2030-01-06"])):
        result = run_cli(caremarket_bin, "run", str(tiny_scenario), "--steps", "60", "-o", str(out), *extra)
        assert result.returncode == EXIT_OK, result
    return default, moved


def test_time_coordinate_is_days_since_the_start_date(dated_runs):
    with h5py.File(dated_runs[0]) as f:
        assert f.attrs["start_date"] == "2025-04-01"
        time = f["time"]
        assert time.attrs["units"] == "days since 2025-04-01"
        assert time.attrs["calendar"] == "proleptic_gregorian"
        np.testing.assert_array_equal(time[()], 7 * f["step"][()])
        assert f["people_waiting"].attrs["coordinates"] == "time"


def test_time_opens_as_dates_in_xarray(cm, dated_runs):
    import xarray as xr

    with xr.open_dataset(dated_runs[0], engine="h5netcdf") as ds:
        assert np.issubdtype(ds["time"].dtype, np.datetime64)
        assert "time" in ds["people_waiting"].coords
    ds = cm.open(dated_runs[0]).to_xarray()
    dates = ds["time"].values
    assert np.issubdtype(dates.dtype, np.datetime64)
    assert dates[0] == np.datetime64("2025-04-01")
    assert dates[52] == np.datetime64("2026-03-31")
    assert ds["time"].dims == ("step",)


def test_start_date_moves_every_date(cm, dated_runs):
    moved = cm.open(dated_runs[1])
    assert moved.start_date == datetime.date(2030, 1, 6)
    assert moved.dates[0] == pd.Timestamp("2030-01-06")
    assert moved.dates[-1] == pd.Timestamp("2030-01-06") + pd.Timedelta(days=7 * 60)
    assert moved.to_xarray()["time"].values[10] == np.datetime64("2030-03-17")
    assert moved.config["run"]["start_date"] == datetime.date(2030, 1, 6)
    # The date moves nothing else: the series are those of the default start.
    default = cm.open(dated_runs[0])
    np.testing.assert_array_equal(default.timeseries.values, moved.timeseries.values)


def test_summary_shows_the_dates(cli, tiny_scenario, tmp_path):
    result = cli("run", str(tiny_scenario), "--steps", "52", "-o", str(tmp_path / "s.h5"))
    assert result.returncode == EXIT_OK, result
    assert "52 weeks from 2025-04-01 to 2026-03-31" in result.stdout, result.stdout


@pytest.mark.parametrize("value", ["2025-02-30", "'April 2025'", "7"])
def test_a_bad_start_date_names_the_key(cli, tiny_scenario, tmp_path, value):
    result = cli("run", str(tiny_scenario), "--steps", "2", "-o", str(tmp_path / "x.h5"),
                 "--set", f"run.start_date={value}")
    assert result.returncode == EXIT_BAD_INPUT, result
    assert "run.start_date" in result.stderr and "a date YYYY-MM-DD from 1900 to 2200" in result.stderr, result.stderr
    assert not (tmp_path / "x.h5").exists()


def test_python_accepts_a_date_for_the_start(cm, tiny_scenario):
    sim = cm.Simulation(tiny_scenario, overrides={"run.start_date": datetime.date(2028, 4, 1)})
    assert sim.config["run"]["start_date"] == datetime.date(2028, 4, 1)
    assert "start_date = 2028-04-01" in sim.config_toml
    with pytest.raises(TypeError, match="datetime.date, not a datetime"):
        cm.Simulation(tiny_scenario, overrides={"run.start_date": datetime.datetime(2028, 4, 1)})


def test_financial_years_group_weeks_april_to_march(cm, caremarket_bin, tiny_scenario, tmp_path):
    from conftest import run_cli

    out = tmp_path / "fy.h5"
    assert run_cli(caremarket_bin, "run", str(tiny_scenario), "--steps", "120", "-o", str(out)).returncode == EXIT_OK
    results = cm.open(out)
    years = results.financial_years()
    assert list(years.index) == ["2025/26", "2026/27", "2027/28"]
    assert list(years["weeks"]) == [52, 52, 16]  # weeks 1-52 end on 2026-03-31; 53-104 on 2027-03-30
    assert list(years["complete"]) == [True, True, False]
    from caremarket._region import region

    weekly = region(results.timeseries)
    np.testing.assert_allclose(years.loc["2026/27", "people_waiting"], weekly["people_waiting"].iloc[53:105].mean())
    # Totals: flows (units .../week) summed over the year's weeks, the rest still means.
    totals = results.financial_years(how="total")
    np.testing.assert_allclose(totals.loc["2026/27", "council_spend"], weekly["council_spend"].iloc[53:105].sum())
    np.testing.assert_allclose(totals.loc["2027/28", "hours_delivered"], weekly["hours_delivered"].iloc[105:].sum())
    assert totals.loc["2026/27", "council_spend"] > 50 * years.loc["2026/27", "council_spend"]
    np.testing.assert_allclose(totals["people_waiting"], years["people_waiting"])
    np.testing.assert_allclose(totals["vacancy_rate"], years["vacancy_rate"])
    with pytest.raises(ValueError, match="how is 'mean' or 'total'"):
        results.financial_years(how="sum")
