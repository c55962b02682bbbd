"""Real England (MODEL.md §15): the councils table made from the public data, scenarios cut from it
(`caremarket scenario`, caremarket.scenario), councils addressed by name or code, geography from
distances (rural councils travel more and pay less per hour worked), per-council and per-region
results."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import h5py
import numpy as np
import pytest

from conftest import EXIT_BAD_INPUT, EXIT_OK, REPO_ROOT

DATA = REPO_ROOT.parent / "shared" / "data" / "england"
ENGLAND = REPO_ROOT / "configs" / "scenarios" / "england.toml"
MAKE_ENGLAND = REPO_ROOT / "scripts" / "make_england.py"
MAKE_SCENARIOS = REPO_ROOT / "scripts" / "make_scenarios.sh"

needs_data = pytest.mark.skipif(not DATA.is_dir(), reason=f"the England data folder {DATA} is not beside the repository")


@pytest.fixture(scope="module")
def caremarket(caremarket_pkg):
    return caremarket_pkg


@pytest.fixture(scope="module")
def england() -> dict:
    with open(ENGLAND, "rb") as f:
        return tomllib.load(f)


def _adults_by_band_from_age_csv() -> tuple[float, float, float]:
    """England's population 18-64, 65-84 and 85+, summed straight from age.csv's English rows."""
    bands = [0.0, 0.0, 0.0]
    with open(DATA / "age.csv", newline="") as f:
        for row in csv.DictReader(f):
            if not row["code"].startswith("E"):
                continue
            bands[0] += sum(float(row[str(a)]) for a in range(18, 65))
            bands[1] += sum(float(row[str(a)]) for a in range(65, 85))
            bands[2] += sum(float(row[str(a)]) for a in range(85, 90)) + float(row["90+"])
    return tuple(bands)


# --- the table ---------------------------------------------------------------------------------

def test_every_one_of_the_153_councils_is_in_the_table_once(england):
    councils = england["councils"]
    codes = [c["code"] for c in councils]
    assert len(councils) == 153
    assert len(set(codes)) == 153 and len({c["name"] for c in councils}) == 153
    # The types of council with adult social-care duties, in the numbers the data's README counts.
    kinds = {k: sum(c["kind"] == k for c in councils) for k in {c["kind"] for c in councils}}
    assert kinds == {"county": 21, "unitary": 63, "metropolitan district": 36, "London borough": 32,
                     "City of London": 1}
    assert sum(len(c["areas"]) for c in councils) == 6856
    for c in councils:
        assert len(c["areas"]) == len(c["area_latitudes"]) == len(c["area_longitudes"]) >= 1, c["name"]
        assert 49.8 < min(c["area_latitudes"]) and max(c["area_latitudes"]) < 55.9, c["name"]
    somerset = next(c for c in councils if c["code"] == "E06000066")
    assert somerset["name"] == "Somerset" and len(somerset["areas"]) == 71


@needs_data
def test_england_population_totals_are_the_data_s(england):
    expected = _adults_by_band_from_age_csv()
    table = [sum(c["age_thousands"][b] for c in england["councils"]) * 1000 for b in range(3)]
    # Each council's bands are written to the nearest person (three decimals of thousands).
    for b in range(3):
        assert abs(table[b] - expected[b]) <= 153, (b, table[b], expected[b])
    # The README's published sums: 34,908,590 aged 18-64 and 1,446,612 aged 85+.
    assert round(expected[0]) == 34_908_590 and round(expected[2]) == 1_446_612


@needs_data
def test_the_shipped_scenarios_are_what_the_scripts_make_from_the_data(caremarket_bin, tmp_path):
    """england.toml, somerset.toml and west_midlands.toml are regenerated from the data folder and
    compared byte for byte with the committed files: nothing was edited by hand or left stale."""
    env = dict(os.environ, CAREMARKET=str(caremarket_bin), OUT=str(tmp_path))
    done = subprocess.run(["sh", str(MAKE_SCENARIOS), "--data", str(DATA)], capture_output=True, text=True, env=env,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    for name in ("england.toml", "somerset.toml", "west_midlands.toml"):
        made = (tmp_path / name).read_text()
        assert made == (REPO_ROOT / "configs" / "scenarios" / name).read_text(), f"{name} differs from the scripts'"


@needs_data
def test_make_england_writes_nothing_without_o_and_says_what_it_would(tmp_path):
    done = subprocess.run([sys.executable, str(MAKE_ENGLAND), "--data", str(DATA)], capture_output=True, text=True,
                          cwd=tmp_path, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "153 councils, 6,856 small areas" in done.stdout
    assert list(tmp_path.iterdir()) == []


@needs_data
@pytest.mark.parametrize("damage", ["missing", "changed"])
def test_make_england_refuses_a_missing_or_changed_data_file(tmp_path, damage):
    data = tmp_path / "england"
    shutil.copytree(DATA, data)
    victim = data / "msoa_latlong.csv"
    if damage == "missing":
        victim.unlink()
    else:
        with open(victim, "ab") as f:
            f.write(b"E02999999,51.0,-1.0,E02999999\n")
    out = tmp_path / "england.toml"
    done = subprocess.run([sys.executable, str(MAKE_ENGLAND), "--data", str(data), "-o", str(out)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stderr
    assert "msoa_latlong.csv" in done.stderr and ("missing" in done.stderr if damage == "missing"
                                                   else "changed since it was published" in done.stderr)
    assert not out.exists()


def test_make_england_has_help():
    done = subprocess.run([sys.executable, str(MAKE_ENGLAND), "--help"], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0 and "--data" in done.stdout and "-o" in done.stdout


# --- caremarket scenario ------------------------------------------------------------------------

def test_a_council_s_scenario_runs(cli, tmp_path):
    kent = tmp_path / "kent.toml"
    made = cli("scenario", "Kent", "-o", kent)
    assert made.returncode == EXIT_OK, made
    text = kent.read_text()
    assert 'code = "E10000016"' in text and "sha256" in text  # the council, with its data's provenance
    ran = cli("run", kent, "--steps", 4, "-o", tmp_path / "kent.h5", timeout=120)
    assert ran.returncode == EXIT_OK, ran
    with h5py.File(tmp_path / "kent.h5") as f:
        assert [s.decode() for s in f["council_code"][()]] == ["E10000016"]
        assert [s.decode() for s in f["council_region"][()]] == ["South East"]


def test_councils_are_chosen_by_name_code_or_plain_name(cli):
    by_code = cli("scenario", "E10000016")
    by_name = cli("scenario", "Kent")
    by_plain = cli("scenario", "kent county council")
    assert by_code.returncode == by_name.returncode == by_plain.returncode == EXIT_OK, by_plain
    strip = lambda text: text.split("\n", 1)[1]  # noqa: E731 (the first line quotes the command)
    assert strip(by_code.stdout) == strip(by_name.stdout) == strip(by_plain.stdout)


@pytest.mark.parametrize("args, words", [
    (["Kentt"], ['"Kentt" is not a council', 'did you mean "Kent"?']),
    (["Kent", "E10000016"], ["listed twice"]),
    (["--region", "Wessex"], ['"Wessex" is not an English region', '"South West"']),
    (["Kent", "-s", "councils[Kent].budget_million=-1"], ["--set councils[Kent].budget_million", "between 0"]),
    (["Kent", "-s", "councils[Kemt].people=10"], ['did you mean "Kent"?']),
])
def test_bad_scenario_requests_exit_2_naming_the_input(cli, tmp_path, args, words):
    out = tmp_path / "x.toml"
    done = cli("scenario", *args, "-o", out)
    assert done.returncode == EXIT_BAD_INPUT, done
    for w in words:
        assert w in done.stderr, done
    assert not out.exists()


def test_a_missing_table_is_bad_input_named(cli, tmp_path):
    for args in (["--list"], ["Kent"]):
        done = cli("scenario", *args, "--table", tmp_path / "none.toml")
        assert done.returncode == EXIT_BAD_INPUT and "none.toml" in done.stderr, done


def test_overrides_by_council_land_in_the_scenario(cli, tmp_path):
    out = tmp_path / "two.toml"
    done = cli("scenario", "York", "E06000014", "Hull", "-s", 'councils["York"].budget_million=77.5',
               "-s", "councils[E06000010].reference_rate=25.25", "--commuting-zone", "Humber", "-o", out)
    # York and E06000014 are the same council: listed twice.
    assert done.returncode == EXIT_BAD_INPUT and "listed twice" in done.stderr, done
    done = cli("scenario", "York", "Kingston upon Hull", "-s", 'councils["York"].budget_million=77.5',
               "-s", "councils[E06000010].reference_rate=25.25", "--commuting-zone", "Humber", "-o", out)
    assert done.returncode == EXIT_OK, done
    with open(out, "rb") as f:
        scenario = tomllib.load(f)
    york, hull = scenario["councils"]
    assert york["budget_million"] == 77.5 and hull["reference_rate"] == 25.25
    assert york["commuting_zone"] == hull["commuting_zone"] == "Humber"


def test_python_cuts_the_same_scenario_and_runs_it(caremarket, cli, tmp_path):
    text = caremarket.scenario("Rutland", {"councils[Rutland].wage": 13.4}, output=tmp_path / "r.toml")
    cli_text = cli("scenario", "Rutland", "-s", "councils[Rutland].wage=13.4").stdout
    assert text.split("\n", 1)[1] == cli_text.split("\n", 1)[1]
    with pytest.raises(caremarket.ConfigError, match='did you mean "Rutland"'):
        caremarket.scenario("Rutlnd")
    res = caremarket.run(tmp_path / "r.toml", steps=2, output=tmp_path / "r.h5")
    assert list(res.council_info["code"]) == ["E06000017"]


def test_a_council_is_addressed_by_name_or_code_in_sets_and_policy_files(caremarket, tmp_path):
    def budget(**kwargs) -> float:
        config = caremarket.Simulation("west_midlands", **kwargs).config
        return next(c for c in config["councils"] if c["name"] == "Coventry")["budget_million"]

    assert budget() != 91.5
    assert budget(overrides={'councils["Coventry"].budget_million': 91.5}) == 91.5
    assert budget(overrides={"councils[E08000026].budget_million": 91.5}) == 91.5
    policy = tmp_path / "coventry.toml"
    policy.write_text("[councils.Coventry]\nbudget_million = 91.5\n")
    # Without a warm-up the policy is a layer of the config; with one (the default) it is a change
    # at the start, which the run applies to the council it names.
    assert budget(policies=[policy], overrides={"run.warmup_weeks": 0}) == 91.5
    changes = caremarket.Simulation("west_midlands", policies=[policy]).config["schedule"]
    assert [(e["council"], e["key"], e["values"]) for e in changes] == [("Coventry", "budget_million", [91.5])]
    with pytest.raises(caremarket.ConfigError, match='did you mean "Coventry"'):
        caremarket.Simulation("west_midlands", overrides={"councils[Coventy].budget_million": 91.5})


# --- geography and results ----------------------------------------------------------------------

def _rural_and_urban(tmp_path: Path, cli) -> tuple[Path, Path]:
    """Somerset as it is, and the same council squeezed into a hundredth of the area (each small
    area's centroid moved a tenth of the way from the council's centre): everything else equal."""
    rural = tmp_path / "rural.toml"
    assert cli("scenario", "Somerset", "-o", rural).returncode == EXIT_OK
    with open(rural, "rb") as f:
        council = tomllib.load(f)["councils"][0]
    lat0, lon0 = np.mean(council["area_latitudes"]), np.mean(council["area_longitudes"])
    lats = [lat0 + (x - lat0) / 10 for x in council["area_latitudes"]]
    lons = [lon0 + (x - lon0) / 10 for x in council["area_longitudes"]]
    urban = tmp_path / "urban.toml"
    made = cli("scenario", "Somerset", "-o", urban,
               "-s", f"councils[Somerset].area_km2={council['area_km2'] / 100}",
               "-s", f"councils[Somerset].area_latitudes={lats}",
               "-s", f"councils[Somerset].area_longitudes={lons}")
    assert made.returncode == EXIT_OK, made
    return rural, urban


def test_rural_councils_travel_more_and_pay_less_per_hour_worked(cli, tmp_path):
    rural, urban = _rural_and_urban(tmp_path, cli)
    seeds = (1, 2, 3)
    out = {}
    for name, scenario in (("rural", rural), ("urban", urban)):
        for seed in seeds:
            path = tmp_path / f"{name}{seed}.h5"
            done = cli("run", scenario, "--steps", 52, "--seed", seed, "-o", path, "-q", timeout=120)
            assert done.returncode == EXIT_OK, done
            with h5py.File(path) as f:
                out[name, seed] = (f["unpaid_travel_minutes"][-13:].mean(), f["mean_effective_pay"][-13:].mean(),
                                   f["mean_wage"][-13:].mean())
    for seed in seeds:
        (r_travel, r_pay, r_wage), (u_travel, u_pay, u_wage) = out["rural", seed], out["urban", seed]
        # Travel per contact hour: the rural council's trips are longer (sqrt(100) = 10 times the
        # distance at a speed 45/25 = 1.8 times as fast: about 5.6 times the minutes).
        assert r_travel > 3 * u_travel, (seed, r_travel, u_travel)
        # Pay per hour worked falls with unpaid travel; the wages themselves hardly differ.
        assert r_pay < u_pay - 0.25, (seed, r_pay, u_pay)
        assert abs(r_wage - u_wage) < 0.5, (seed, r_wage, u_wage)


def test_england_runs_its_153_councils_and_reports_them_by_region(caremarket, tmp_path):
    res = caremarket.run("england", steps=2, output=tmp_path / "england.h5")
    with open(ENGLAND, "rb") as f:
        codes = [c["code"] for c in tomllib.load(f)["councils"]]
    assert list(res.council_info["code"]) == codes
    regions = res.by_region()
    assert sorted(regions.index.get_level_values("region").unique()) == sorted(
        ["East Midlands", "East of England", "London", "North East", "North West", "South East", "South West",
         "West Midlands", "Yorkshire and The Humber"])
    # Counts add up over regions to England's; rates stay rates.
    total = res.timeseries.groupby(level="step")["people_needing_care"].sum()
    assert np.allclose(regions.groupby(level="step")["people_needing_care"].sum(), total)
    assert regions["vacancy_rate"].between(0, 1).all()


def test_compare_gives_each_council_its_differences(cli, tmp_path):
    prefix = tmp_path / "wm"
    done = cli("compare", "west_midlands", "-p", "living_wage_floor", "-n", 2, "--steps", 8, "-o", prefix,
               "--quiet", timeout=300)
    assert done.returncode == EXIT_OK, done
    assert "Differences by council" in done.stdout and "Wolverhampton" in done.stdout
    with open(f"{prefix}.by_council.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    councils = ["Birmingham", "Coventry", "Dudley", "Sandwell", "Solihull", "Walsall", "Wolverhampton"]
    assert sorted({r["council"] for r in rows}) == councils
    assert len(rows) == 7 * 18 and all(r["replicates"] == "2" for r in rows)
    with h5py.File(f"{prefix}.h5") as f:
        assert f.attrs["format_version"] == "1.2" and f.attrs["places"] == "council"
        assert [s.decode() for s in f["place_name"][()]] == councils
        assert f["place_difference"].shape == (7, 18)
        # The councils' spend differences add up to the region's (spend is summed over councils).
        names = [s.decode() for s in f["name"][()]]
        outcome_names = [s.decode() for s in f["place_outcome_name"][()]]
        region = f["difference"][names.index("council_spend")]
        by_council = f["place_difference"][:, outcome_names.index("council_spend")]
        assert np.isclose(by_council.sum(), region, rtol=1e-9), (by_council.sum(), region)


def test_python_compare_gives_each_council_the_cli_s_numbers(caremarket, cli, tmp_path):
    frame = caremarket.compare("west_midlands", "living_wage_floor", replicates=2, steps=8,
                               output=tmp_path / "py")
    places = frame.attrs["by_place"]
    assert sorted(places.index.get_level_values("council").unique()) == [
        "Birmingham", "Coventry", "Dudley", "Sandwell", "Solihull", "Walsall", "Wolverhampton"]
    done = cli("compare", "west_midlands", "-p", "living_wage_floor", "-n", 2, "--steps", 8,
               "-o", tmp_path / "cli", "--quiet", timeout=300)
    assert done.returncode == EXIT_OK, done
    with open(tmp_path / "cli.by_council.csv", newline="") as f:
        row = next(r for r in csv.DictReader(f) if r["council"] == "Dudley" and r["outcome"] == "council_spend")
    assert np.isclose(places.loc[("Dudley", "council_spend"), "difference"], float(row["difference"]), rtol=1e-9)
