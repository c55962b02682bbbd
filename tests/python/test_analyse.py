"""Sensitivity designs and their analysis (mirrors tests/cpp/test_analyse.cpp): Saltelli, Morris
and explicit designs through `caremarket sweep`, `caremarket analyse` and `caremarket.analyse`;
yearly outcomes in the index; sweep files and analyses that explain their mistakes."""

from __future__ import annotations

import math
import textwrap
from pathlib import Path

import h5py
import numpy as np
import pandas as pd
import pytest

from conftest import REPO_ROOT
from test_sweep import cli, sweep_file

TINY = REPO_ROOT / "tests/data/tiny.toml"


def saltelli_body(samples: int = 6, steps: int = 30, replicates: int = 2, extra: str = "") -> str:
    return f"""
        [sweep]
        name = "gsa"
        scenario = "SCENARIO"
        sampling = "saltelli"
        samples = {samples}
        replicates = {replicates}
        steps = {steps}
        overrides = ["output.snapshot_interval=0", "output.events=false"]
        {extra}
        [[sweep.parameters]]
        key = "founding.coordinators"
        range = [0, 8]
        [[sweep.parameters]]
        key = "labour.outside_wage"
        range = [11, 14]
    """


@pytest.fixture(scope="module")
def saltelli_sweep(caremarket_bin, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("saltelli")
    path = sweep_file(tmp, saltelli_body())
    res = cli(caremarket_bin, "sweep", path, "-o", tmp / "out", "-q")
    assert res.returncode == 0, res.stderr
    return tmp / "out"


def test_saltelli_design_has_its_blocks(caremarket_bin, tmp_path):
    path = sweep_file(tmp_path, saltelli_body(samples=5, extra="second_order = true"))
    res = cli(caremarket_bin, "sweep", path, "--dry-run")
    assert res.returncode == 0, res.stderr
    # The summary goes to stderr; stdout stays the table of runs.
    assert "sampling saltelli (first, total and second order); 5 base samples x 6 points = 30 points" in res.stderr
    rows = [line.split("\t") for line in res.stdout.strip().splitlines()[1:]]
    assert len(rows) == 30 * 2
    values = [dict(kv.split("=") for kv in r[5].split() if "=" in kv) for r in rows if r[2] == "0"]
    x = np.array([[float(v["founding.coordinators"]), float(v["labour.outside_wage"])] for v in values])
    for b in range(5):  # A, AB_1, AB_2, BA_1, BA_2, B
        a, ab1, ab2, ba1, ba2, bb = x[6 * b: 6 * b + 6]
        assert ab1[0] == bb[0] and ab1[1] == a[1]
        assert ab2[0] == a[0] and ab2[1] == bb[1]
        assert ba1[0] == a[0] and ba1[1] == bb[1]
        assert ba2[0] == bb[0] and ba2[1] == a[1]


def test_analyse_prints_sobol_indices_and_python_agrees(caremarket_bin, caremarket_pkg, saltelli_sweep, tmp_path):
    res = cli(caremarket_bin, "analyse", saltelli_sweep, "--outcome", "micro_enterprises", "--bootstrap", "200",
              "-o", tmp_path / "s.csv")
    assert res.returncode == 0, res.stderr
    header = next(line for line in res.stdout.splitlines() if line.startswith("parameter"))
    assert header.split() == ["parameter", "S1", "S1_conf", "ST", "ST_conf"]
    assert "sobol of micro_enterprises over the last 52 weeks" in res.stdout
    table = pd.read_csv(tmp_path / "s.csv").set_index("parameter")
    frame = caremarket_pkg.analyse(saltelli_sweep, "micro_enterprises", bootstrap=200)
    assert list(frame.columns) == ["S1", "S1_conf", "ST", "ST_conf"]
    pd.testing.assert_frame_equal(frame, table, check_exact=False, rtol=1e-15)
    assert frame.attrs["method"] == "sobol" and frame.attrs["points_used"] == 6 * 4
    assert frame.attrs["min_replicates"] == 2 and frame.attrs["runs_used"] == 48
    # Coordinators start micro-enterprises; the outside wage hardly moves their number in 30 weeks.
    assert frame.index[0] == "founding.coordinators"
    assert frame.loc["founding.coordinators", "ST"] > frame.loc["labour.outside_wage", "ST"]


def test_yearly_outcomes_are_financial_year_means_of_the_runs(caremarket_pkg, caremarket_bin, tmp_path):
    # Two financial years from 1 April: the second year's mean is the last 52 weeks' mean.
    path = sweep_file(tmp_path, saltelli_body(samples=1, steps=104, replicates=1))
    assert cli(caremarket_bin, "sweep", path, "-o", tmp_path / "out", "-q").returncode == 0
    index = caremarket_pkg.read_index(tmp_path / "out")
    yearly = caremarket_pkg.read_yearly(tmp_path / "out")
    assert list(yearly.index.get_level_values("year").unique()) == [2025, 2026]
    assert (yearly["weeks"] == 52).all()
    for name in ["workers", "micro_enterprises", "people_waiting", "mean_wage", "vacancy_rate"]:
        second = yearly.xs(2026, level="year")[name]
        assert np.allclose(second.to_numpy(), index[f"last_year_{name}"].to_numpy(), rtol=1e-12, atol=0), name
    # The first year: the mean of weeks 1-52 of the run's own series (workers: summed over councils).
    run = caremarket_pkg.open(tmp_path / "out" / index.loc[0, "file"])
    workers = run.timeseries["workers"].groupby(level=0).sum().to_numpy()
    assert yearly.loc[(0, 2025), "workers"] == pytest.approx(workers[1:53].mean(), rel=1e-12)
    # And the year picks them for analyse: year 2 is the last 52 weeks.
    last = caremarket_pkg.analyse(tmp_path / "out", "workers", method="regression", bootstrap=0)
    assert last.attrs["column"] == "last_year_workers"
    by_year = caremarket_pkg.analyse(tmp_path / "out", "workers", method="regression", year=2, bootstrap=0)
    assert by_year.attrs["column"] == "yearly_workers" and "2026-27" in by_year.attrs["when"]
    pd.testing.assert_series_equal(last["src"], by_year["src"], rtol=1e-9)


def test_morris_sweep_prints_mu_star(caremarket_bin, tmp_path):
    body = saltelli_body(samples=4, replicates=1).replace('"saltelli"', '"morris"')
    path = sweep_file(tmp_path, body)
    dry = cli(caremarket_bin, "sweep", path, "--dry-run")
    assert "sampling morris over 4 levels; 4 trajectories x 3 points = 12 points" in dry.stderr
    assert cli(caremarket_bin, "sweep", path, "-o", tmp_path / "out", "-q").returncode == 0
    res = cli(caremarket_bin, "analyse", tmp_path / "out", "--outcome", "workers")
    assert res.returncode == 0, res.stderr
    header = next(line for line in res.stdout.splitlines() if line.startswith("parameter"))
    assert header.split() == ["parameter", "mu_star", "mu_star_conf", "mu", "sigma"]
    rows = [line.split() for line in res.stdout.splitlines() if line.startswith(("founding.", "labour."))]
    assert len(rows) == 2 and all(float(r[1]) >= abs(float(r[3])) for r in rows)  # mu* >= |mu|


def test_an_explicit_design_runs_its_points(caremarket_bin, caremarket_pkg, tmp_path):
    (tmp_path / "points.csv").write_text("labour.outside_wage,founding.coordinators\n# a comment\n11.5,0\n12,4\n13.25,8\n12.5,2\n")
    path = sweep_file(tmp_path, """
        [sweep]
        scenario = "SCENARIO"
        sampling = "design"
        design = "points.csv"
        steps = 10
        overrides = ["output.snapshot_interval=0"]
    """)
    res = cli(caremarket_bin, "sweep", path, "-o", tmp_path / "out", "-q")
    assert res.returncode == 0, res.stderr
    index = caremarket_pkg.read_index(tmp_path / "out")
    assert index["param_labour_outside_wage"].tolist() == [11.5, 12, 13.25, 12.5]
    assert index["param_founding_coordinators"].tolist() == [0, 4, 8, 2]
    assert index.attrs["sampling"] == "design" and 'design = "points.csv"' in index.attrs["sweep_text"]
    assert index.attrs["ranges"]["labour.outside_wage"] == (11.5, 13.25)
    frame = caremarket_pkg.analyse(tmp_path / "out", "workers", bootstrap=50)
    assert frame.attrs["method"] == "regression" and set(frame.columns) == {"src", "src_conf"}
    # Sobol needs a Saltelli design: refused with exit 2, naming what would work.
    res = cli(caremarket_bin, "analyse", tmp_path / "out", "--outcome", "workers", "--method", "sobol")
    assert res.returncode == 2
    assert 'needs a Saltelli design (sampling = "saltelli"); this sweep\'s sampling is "design"' in res.stderr


def test_the_index_keeps_the_design_and_integers(caremarket_pkg, saltelli_sweep):
    with h5py.File(saltelli_sweep / "index.h5", "r") as f:
        assert f.attrs["format_version"] == "2.0"  # param_* of integer parameters became integers
        assert f.attrs["sampling"] == "saltelli" and f.attrs["samples"] == 6
        assert f.attrs["parameters"] == "founding.coordinators labour.outside_wage"
        assert 'sampling = "saltelli"' in f.attrs["sweep_text"]
        assert (f["param_labour_outside_wage"].attrs["low"], f["param_labour_outside_wage"].attrs["high"]) == (11, 14)
        assert [d[0].name for d in f["yearly_workers"].dims] == ["/run", "/year"]
    index = caremarket_pkg.read_index(saltelli_sweep)
    assert index.attrs["ranges"] == {"founding.coordinators": (0.0, 8.0), "labour.outside_wage": (11.0, 14.0)}


def test_integer_parameters_stay_integers(caremarket_bin, caremarket_pkg, tmp_path):
    body = saltelli_body(samples=3, steps=4, replicates=1).replace(
        'key = "founding.coordinators"\n        range = [0, 8]', 'key = "run.warmup_weeks"\n        range = [0, 3]')
    path = sweep_file(tmp_path, body)
    assert cli(caremarket_bin, "sweep", path, "-o", tmp_path / "out", "-q").returncode == 0
    with h5py.File(tmp_path / "out" / "index.h5", "r") as f:
        assert f["param_run_warmup_weeks"].dtype.kind == "i"
        assert f["param_labour_outside_wage"].dtype.kind == "f"


@pytest.mark.parametrize("body, expected", [
    # A copied sweep file: the relative scenario path, where it was sought, and from which folder.
    ("""
        [sweep]
        scenario = "../scenarios/somerset.toml"
        [[sweep.parameters]]
        key = "labour.nlw"
        values = [12]
     """, ["s.toml: sweep.scenario \"../scenarios/somerset.toml\": no such file (looked for ",
           "a relative path is read from the sweep file's folder"]),
    # A bad sampling is one problem, not one per parameter besides.
    ("""
        [sweep]
        scenario = "SCENARIO"
        sampling = "sobl"
        samples = 4
        [[sweep.parameters]]
        key = "labour.nlw"
        range = [11, 13]
        [[sweep.parameters]]
        key = "founding.coordinators"
        range = [0, 4]
     """, ["1 problem(s)", 'sweep.sampling = \'sobl\': must be one of "grid", "latin_hypercube", "sobol_sequence", '
                           '"saltelli", "morris", "design"']),
    ("""
        [sweep]
        scenario = "SCENARIO"
        sampling = "saltelli"
        samples = 4
        [[sweep.parameters]]
        key = "labour.nlw"
        range = [13, 13]
     """, ["s.toml: sweep.parameters[0].range low must be below high (got [13, 13])"]),
    # A value the parameter does not allow is the sweep file's entry, not "--set".
    ("""
        [sweep]
        scenario = "SCENARIO"
        sampling = "latin_hypercube"
        samples = 4
        [[sweep.parameters]]
        key = "founding.coordinators"
        range = [-5, 4]
     """, ["s.toml: sweep.parameters[0] (founding.coordinators) = -5: must be between 0 and 1000"]),
    ("""
        [sweep]
        scenario = "SCENARIO"
        sampling = "design"
        design = "missing.csv"
     """, ['sweep.design "missing.csv": no such file (looked for ']),
])
def test_sweep_files_explain_their_mistakes(caremarket_bin, tmp_path, body, expected):
    path = sweep_file(tmp_path, body)
    res = cli(caremarket_bin, "sweep", path, "--dry-run")
    assert res.returncode == 2, res.stdout
    for text in expected:
        assert text in res.stderr, res.stderr
    assert "--set" not in res.stderr
    if "1 problem(s)" in expected:
        assert res.stderr.count("\n  ") == 1, res.stderr


@pytest.mark.parametrize("csv, expected", [
    ("labour.outside_wage\n12\n", ["points.csv: line 1 its columns must be the sweep's parameters; "
                                   "missing: founding.coordinators"]),
    ("labour.outside_wage,founding.coordinators,labour.nlw\n12,1,11\n", ["not in [[sweep.parameters]]: labour.nlw"]),
    ("labour.outside_wage,founding.coordinators\n12,abc\n", ['points.csv: line 2, column founding.coordinators "abc" '
                                                             "is not a finite number"]),
    ("labour.outside_wage,founding.coordinators\n12\n", ["points.csv: line 2 has 1 values; the header has 2 columns"]),
    ("labour.outside_wage,founding.coordinators\n", ["has a header but no points"]),
])
def test_design_files_that_do_not_match_are_refused(caremarket_bin, tmp_path, csv, expected):
    (tmp_path / "points.csv").write_text(csv)
    path = sweep_file(tmp_path, """
        [sweep]
        scenario = "SCENARIO"
        sampling = "design"
        design = "points.csv"
        [[sweep.parameters]]
        key = "labour.outside_wage"
        [[sweep.parameters]]
        key = "founding.coordinators"
    """)
    res = cli(caremarket_bin, "sweep", path, "--dry-run")
    assert res.returncode == 2
    for text in expected:
        assert text in res.stderr, res.stderr


@pytest.mark.parametrize("args, expected", [
    (["--outcome", "no_such_outcome"], "--outcome no_such_outcome is not in"),
    (["--outcome", "workers", "--method", "morris"], '--method morris needs a Morris design (sampling = "morris")'),
    (["--outcome", "workers", "--year", "7"], "--year 7: the runs cover the financial years starting in 2025 to 2025"),
    (["--outcome", "extraction_typo", "--year", "1"], "with --year give a headline outcome"),
])
def test_analyse_refuses_bad_input_with_exit_2(caremarket_bin, saltelli_sweep, args, expected):
    res = cli(caremarket_bin, "analyse", saltelli_sweep, *args)
    assert res.returncode == 2
    assert expected in res.stderr, res.stderr


def test_analyse_of_a_folder_without_an_index(caremarket_bin, tmp_path):
    res = cli(caremarket_bin, "analyse", tmp_path, "--outcome", "workers")
    assert res.returncode == 2 and "no sweep index (index.h5) here" in res.stderr


def ishigami(x1, x2, x3):
    return np.sin(x1) + 7 * np.sin(x2) ** 2 + 0.1 * x3 ** 4 * np.sin(x1)


def test_ten_thousand_runs_of_ishigami_through_the_model_design(caremarket_bin, caremarket_pkg, tmp_path):
    """A Saltelli design of three model parameters, expanded by `caremarket sweep --dry-run`,
    mapped onto [-pi, pi]^3; Ishigami's values written as the outcome of an index of 10,000 runs;
    `caremarket.analyse` recovers its known indices (Ishigami and Homma 1990)."""
    path = sweep_file(tmp_path, """
        [sweep]
        name = "ishigami"
        scenario = "SCENARIO"
        sampling = "saltelli"
        samples = 2000
        [[sweep.parameters]]
        key = "labour.outside_wage"
        range = [10, 14]
        [[sweep.parameters]]
        key = "founding.demand_elasticity"
        range = [0, 2]
        [[sweep.parameters]]
        key = "commissioning.dp_uptake_multiplier"
        range = [0.5, 2]
    """)
    res = cli(caremarket_bin, "sweep", path, "--dry-run")
    assert res.returncode == 0, res.stderr
    rows = [line.split("\t") for line in res.stdout.strip().splitlines()[1:]]
    assert len(rows) == 10_000
    keys = ["labour.outside_wage", "founding.demand_elasticity", "commissioning.dp_uptake_multiplier"]
    ranges = [(10, 14), (0, 2), (0.5, 2)]
    values = [dict(kv.split("=") for kv in r[5].split() if "=" in kv) for r in rows]
    x = np.array([[float(v[k]) for k in keys] for v in values])
    unit = np.column_stack([(x[:, j] - lo) / (hi - lo) for j, (lo, hi) in enumerate(ranges)])
    y = ishigami(*(-math.pi + 2 * math.pi * unit.T))
    with h5py.File(tmp_path / "index.h5", "w") as f:
        f.attrs["format_name"] = "caremarket-sweep-index"
        f.attrs["format_version"] = "2.0"
        f.attrs["sampling"] = "saltelli"
        f.attrs["parameters"] = " ".join(keys)
        f["run"] = np.arange(len(rows))
        f["point"] = np.array([int(r[1]) for r in rows])
        f["status"] = np.ones(len(rows), dtype=np.uint8)
        for j, k in enumerate(keys):
            f["param_" + k.replace(".", "_")] = x[:, j]
            f["param_" + k.replace(".", "_")].attrs["low"], f["param_" + k.replace(".", "_")].attrs["high"] = ranges[j]
        f["last_year_workers"] = y
    frame = caremarket_pkg.analyse(tmp_path, "workers", bootstrap=100)
    v1, v2 = 0.5 * (1 + 0.1 * math.pi ** 4 / 5) ** 2, 49 / 8
    v13 = 0.01 * math.pi ** 8 * (1 / 18 - 1 / 50)
    v = v1 + v2 + v13
    truth = pd.DataFrame({"S1": [v1 / v, v2 / v, 0], "ST": [(v1 + v13) / v, v2 / v, v13 / v]}, index=keys)
    for k in keys:
        for column in ["S1", "ST"]:
            # 2,000 base samples: within 0.05 of the truth, and within the interval plus 0.02.
            error = abs(frame.loc[k, column] - truth.loc[k, column])
            assert error < 0.05, (k, column, frame.loc[k, column])
            assert error < frame.loc[k, column + "_conf"] + 0.02, (k, column)


def test_a_design_point_outside_its_given_range_is_refused(caremarket_bin, tmp_path):
    (tmp_path / "points.csv").write_text("founding.coordinators\n1\n8\n")
    path = sweep_file(tmp_path, """
        [sweep]
        scenario = "SCENARIO"
        sampling = "design"
        design = "points.csv"
        [[sweep.parameters]]
        key = "founding.coordinators"
        range = [0, 2]
    """)
    res = cli(caremarket_bin, "sweep", path, "--dry-run")
    assert res.returncode == 2
    assert ("points.csv: column founding.coordinators has 8 at point 1 (data row 2), outside the range [0, 2] "
            "of sweep.parameters[0]") in res.stderr


def test_a_bad_override_is_the_sweep_files_not_the_command_lines(caremarket_bin, tmp_path):
    path = sweep_file(tmp_path, """
        [sweep]
        scenario = "SCENARIO"
        overrides = ["labour.nlw=-3"]
        [[sweep.parameters]]
        key = "founding.coordinators"
        values = [1]
    """)
    res = cli(caremarket_bin, "sweep", path, "--dry-run")
    assert res.returncode == 2
    assert "s.toml: run 0 (point 0, sweep.overrides or sweep.parameters): labour.nlw" in res.stderr
    assert "--set" not in res.stderr


def test_analyse_refuses_a_bad_table_path_before_printing(caremarket_bin, saltelli_sweep, tmp_path):
    for bad in ["", str(tmp_path)]:
        res = cli(caremarket_bin, "analyse", saltelli_sweep, "--outcome", "workers", "-o", bad)
        assert res.returncode == 2, bad
        assert res.stdout == "", bad
    res = cli(caremarket_bin, "analyse", saltelli_sweep, "--outcome", "workers", "-o", tmp_path / "new" / "t.csv")
    assert res.returncode == 0 and (tmp_path / "new" / "t.csv").exists()
