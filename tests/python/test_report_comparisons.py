"""`caremarket report` of comparisons (issue 22): several policies against one baseline on one page,
each outcome with its paired difference, 95% interval and a plain verdict; bands on the charts; the
scenario's facts; results by council. And `caremarket compare` that grows with more replicates."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from pathlib import Path

import h5py
import pytest
from conftest import check_rendered, chromium

STEPS = "60"


def cli(caremarket_bin, *args, timeout=600):
    return subprocess.run([str(caremarket_bin), *map(str, args)], capture_output=True, text=True, timeout=timeout)


def compare(caremarket_bin, scenario, prefix, *args):
    res = cli(caremarket_bin, "compare", scenario, *args, "-o", prefix, "-q")
    assert res.returncode == 0, res.stderr
    return Path(f"{prefix}.h5")


@pytest.fixture(scope="module")
def comparisons(caremarket_bin, tiny_scenario, tmp_path_factory):
    out = tmp_path_factory.mktemp("comparisons")
    return {
        "support": compare(caremarket_bin, tiny_scenario, out / "support", "-p", "micro_enterprise_support", "-n", "4",
                           "--steps", STEPS),
        "floor": compare(caremarket_bin, tiny_scenario, out / "floor", "-p", "living_wage_floor", "-n", "4",
                         "--steps", STEPS),
        "itself": compare(caremarket_bin, tiny_scenario, out / "itself", "-p", "collaborative", "-b", "collaborative",
                          "-n", "3", "--steps", STEPS),
        "shorter": compare(caremarket_bin, tiny_scenario, out / "shorter", "-p", "living_wage_floor", "-n", "3",
                           "--steps", "53"),
    }


def report(caremarket_bin, *args):
    return cli(caremarket_bin, "report", *args, timeout=300)


def rows(page: str) -> dict[str, dict[str, str]]:
    """The outcome rows of each policy's table: {outcome: {"cells": [...], "verdict": ...}} of the
    first table (one comparison)."""
    out = {}
    for name, body in re.findall(r"<tr data-outcome='(\w+)'>(.*?)</tr>", page, flags=re.S):
        cells = [html.unescape(re.sub(r"<[^>]+>", " ", c)).split() for c in re.findall(r"<td[^>]*>(.*?)</td>", body,
                                                                                       flags=re.S)]
        verdict = re.search(r"class='[^']*verdict'>([^<]*)<", body).group(1)
        out.setdefault(name, {"cells": [" ".join(c) for c in cells], "verdict": verdict})
    return out


def table(path: Path) -> dict[str, dict[str, float]]:
    with h5py.File(path, "r") as f:
        names = f["name"].asstr()[()]
        return {n: {c: float(f[c][k]) for c in ("baseline", "policy", "difference", "ci_low", "ci_high")}
                for k, n in enumerate(names)}


def test_a_comparison_report_gives_intervals_and_verdicts_from_the_comparison(caremarket_bin, comparisons, tmp_path):
    out = tmp_path / "r.html"
    res = report(caremarket_bin, comparisons["support"], "-o", out)
    assert res.returncode == 0, res.stderr
    page = out.read_text()
    found = rows(page)
    numbers = table(comparisons["support"])
    assert len(found) == 18
    for name, row in found.items():
        low, high = numbers[name]["ci_low"], numbers[name]["ci_high"]
        spans = low <= 0 <= high
        assert (row["verdict"] == "no clear difference") == spans, (name, row, low, high)
        # Costs are costs, never "worse"; the market's shape is more or less, never better or worse.
        if name in ("council_spend", "price_per_hour"):
            assert row["verdict"] in ("costs more", "costs less", "no clear difference"), (name, row)
        if name in ("micro_enterprises", "chain_share_council_hours"):
            assert row["verdict"] in ("more", "fewer", "less", "no clear difference"), (name, row)
    # Support raises micro-enterprises beyond chance in the tiny region (as the compare table says).
    assert found["micro_enterprises"]["verdict"] == "more"
    assert numbers["micro_enterprises"]["ci_low"] > 0
    # The scenario's facts, the horizon and the replicates.
    import tomllib
    councils = tomllib.loads((Path(__file__).parents[1] / "data" / "tiny.toml").read_text())["councils"]
    budget = sum(c["budget_million"] for c in councils)
    assert f"<th>Care budget</th><td>£{budget:,.1f} m a year" in page
    people = sum(c["people"] for c in councils)
    assert f"<th>People with care needs at the start</th><td>{people:,}</td>" in page
    assert f"over {STEPS} weeks" in page and "with 4 paired replicates" in page
    assert "covers chance only" in page
    # Money a week and a year, and totals over the horizon.
    assert "a week" in found["council_spend"]["cells"][1] and "m a year" in found["council_spend"]["cells"][1]
    assert f"Council spend, weeks 1 to {STEPS}" in page
    # A "why" built from the outputs, and results by council (tiny has two).
    assert "held back by the budget" in page and "Wages and price" in page
    assert "<h3>By council</h3>" in page and "North Tiny" in page and "South Tiny" in page
    # Charts with bands, no run-file legends.
    assert page.count("<figure>") >= 8
    assert "p00001_r000" not in page


def test_a_policy_against_itself_has_no_clear_difference_anywhere(caremarket_bin, comparisons, tmp_path):
    out = tmp_path / "r.html"
    assert report(caremarket_bin, comparisons["itself"], "-o", out).returncode == 0
    found = rows(out.read_text())
    assert {row["verdict"] for row in found.values()} == {"no clear difference"}


def test_several_policies_share_one_page_and_one_colour_each(caremarket_bin, report_module, comparisons, tmp_path,
                                                            monkeypatch):
    out = tmp_path / "r.html"
    res = report(caremarket_bin, comparisons["support"], comparisons["floor"], "-o", out)
    assert res.returncode == 0, res.stderr
    page = out.read_text()
    assert "At a glance" in page
    assert "micro_enterprise_support against the baseline" in page and "living_wage_floor against the baseline" in page

    # Every chart draws each arm in one colour, the same in every chart.
    import caremarket._comparison_report as cr

    colours: dict[str, set] = {}

    def capture(plot):
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fig, ax = plt.subplots()
        plot(ax)
        for line in ax.get_lines():
            colours.setdefault(line.get_label(), set()).add(matplotlib.colors.to_hex(line.get_color()))
        plt.close(fig)
        return "data:image/png;base64,"
    monkeypatch.setattr(report_module, "figure", capture)
    cr.render_comparisons(cr.load_all([comparisons["support"], comparisons["floor"]]))
    assert set(colours) == {"baseline", "micro_enterprise_support", "living_wage_floor"}
    assert all(len(c) == 1 for c in colours.values()), colours
    assert len({next(iter(c)) for c in colours.values()}) == 3


def test_comparisons_of_other_lengths_are_compared_over_the_common_horizon(caremarket_bin, report_module,
                                                                          comparisons, tmp_path):
    out = tmp_path / "r.html"
    res = report(caremarket_bin, comparisons["support"], comparisons["shorter"], "-o", out)
    assert res.returncode == 0, res.stderr
    page = html.unescape(out.read_text())
    assert "differ in length" in page and "over the 53 weeks they share" in page
    assert "weeks 2 to 53" in page

    # Recomputed from the runs, the statistics are the comparison file's at its own length (the same
    # C++ statistics, region values summed in another order: agreement to rounding).
    import caremarket._comparison_report as cr

    c = cr.load_all([comparisons["support"]])[0]
    again = cr.statistics_over(c, c.steps)
    for name in c.table.index[:18]:
        for column in ("baseline", "policy", "difference", "ci_low", "ci_high"):
            assert again.loc[name, column] == pytest.approx(c.table.loc[name, column], rel=1e-9, abs=1e-9), \
                (name, column)
    # Over a shorter horizon the numbers move (they are not the file's).
    shorter = cr.statistics_over(c, 40)
    assert shorter.loc["people_served", "baseline"] != pytest.approx(c.table.loc["people_served", "baseline"])


def test_comparisons_of_other_councils_are_refused(caremarket_bin, comparisons, repo_root, tmp_path):
    other = compare(caremarket_bin, repo_root / "tests/data/two_councils.toml", tmp_path / "other", "-p",
                    "living_wage_floor", "-n", "2", "--steps", "20")
    res = report(caremarket_bin, comparisons["support"], other, "-o", tmp_path / "r.html")
    assert res.returncode == 2
    assert "simulate different councils" in res.stderr
    assert not (tmp_path / "r.html").exists()


def test_mixed_inputs_and_a_baseline_with_a_comparison_are_refused(caremarket_bin, comparisons, tmp_path):
    run = next((comparisons["support"].parent / "support-runs" / "runs").glob("*.h5"))
    res = report(caremarket_bin, comparisons["support"], run, "-o", tmp_path / "r.html")
    assert res.returncode == 2 and "not comparisons" in res.stderr
    res = report(caremarket_bin, comparisons["support"], "--baseline", run, "-o", tmp_path / "r.html")
    assert res.returncode == 2 and "--baseline is for a single run" in res.stderr


def test_a_comparison_without_its_runs_is_refused(caremarket_bin, comparisons, tmp_path):
    lone = tmp_path / "lone.h5"
    shutil.copy(comparisons["floor"], lone)
    res = report(caremarket_bin, lone, "-o", tmp_path / "r.html")
    assert res.returncode == 2 and "lone-runs" in res.stderr


def test_a_comparison_over_parameter_sets_says_its_intervals_cover_them(caremarket_bin, tiny_scenario, comparisons,
                                                                       tmp_path):
    (tmp_path / "sets.csv").write_text("retention.base_quit_per_year\n0.2\n0.4\n0.6\n")
    sets = compare(caremarket_bin, tiny_scenario, tmp_path / "sets", "-p", "living_wage_floor", "-n", "2",
                   "--steps", "60", "--parameter-sets", tmp_path / "sets.csv")
    out = tmp_path / "r.html"
    res = report(caremarket_bin, sets, "-o", out)
    assert res.returncode == 0, res.stderr
    page = html.unescape(out.read_text())
    assert "uncertainty about the model's parameters: 3 parameter sets, 2 replicate pairs each" in page
    found = rows(out.read_text())
    numbers = table(sets)
    for name, row in found.items():  # the file's intervals, over the sets
        spans = numbers[name]["ci_low"] <= 0 <= numbers[name]["ci_high"]
        assert (row["verdict"] == "no clear difference") == spans, name
    # Longer (60 weeks) than another on a page (53): refused, since sets are reported over their own length only.
    res = report(caremarket_bin, comparisons["shorter"], sets, "-o", tmp_path / "r2.html")
    assert res.returncode == 2 and "over parameter sets" in res.stderr, res.stderr


def test_the_comparison_report_renders_in_headless_chromium(caremarket_bin, comparisons, tmp_path, artifacts_dir):
    out = tmp_path / "report.html"
    assert report(caremarket_bin, comparisons["support"], comparisons["floor"], "-o", out).returncode == 0
    check_rendered(chromium(out, tmp_path / "profile"), least_figures=8)
    # A screenshot kept for a person to look at.
    shot = artifacts_dir / "report-comparisons.png"
    shot.unlink(missing_ok=True)
    res = chromium(out, tmp_path / "profile", "--window-size=1200,4000", f"--screenshot={shot}")
    assert res.returncode == 0 and shot.is_file() and shot.stat().st_size > 10_000, res.stderr[-2000:]


# --- compare that grows --------------------------------------------------------------------------


def test_compare_grows_with_more_replicates_and_equals_a_fresh_comparison(caremarket_bin, tiny_scenario, tmp_path):
    args = ["-p", "micro_enterprise_support", "--steps", "40"]
    compare(caremarket_bin, tiny_scenario, tmp_path / "grown", *args, "-n", "3")
    runs = tmp_path / "grown-runs" / "runs"
    before = {p.name: p.stat().st_mtime_ns for p in runs.glob("*.h5")}
    assert len(before) == 6
    res = cli(caremarket_bin, "compare", tiny_scenario, *args, "-n", "5", "-o", tmp_path / "grown", "-q")
    assert res.returncode == 0, res.stderr
    assert "adding replicates 4 to 5 of each point to the 3 already there" in res.stderr
    assert "5 paired replicates" in res.stdout
    after = {p.name: p.stat().st_mtime_ns for p in runs.glob("*.h5")}
    assert len(after) == 10
    assert all(after[name] == mtime for name, mtime in before.items()), "a run already done was run again"
    # The grown comparison is the comparison made at once with 5 replicates, number for number.
    compare(caremarket_bin, tiny_scenario, tmp_path / "fresh", *args, "-n", "5")
    assert (tmp_path / "grown.csv").read_text() == (tmp_path / "fresh.csv").read_text()
    # Running it again runs nothing.
    res = cli(caremarket_bin, "compare", tiny_scenario, *args, "-n", "5", "-o", tmp_path / "grown")
    assert res.returncode == 0 and "done" not in res.stderr.replace("already done", ""), res.stderr


def test_compare_refuses_other_changes_with_exit_2(caremarket_bin, tiny_scenario, tmp_path):
    first = {"-p": "micro_enterprise_support", "-n": "3", "--steps": "30"}
    compare(caremarket_bin, tiny_scenario, tmp_path / "c", *[x for kv in first.items() for x in kv])
    for key, value in (("-n", "2"), ("--steps", "31"), ("--seed", "7"), ("-s", "labour.nlw=13"),
                       ("-p", "living_wage_floor")):
        args = [x for kv in {**first, key: value}.items() for x in kv]
        res = cli(caremarket_bin, "compare", tiny_scenario, *args, "-o", tmp_path / "c", "-q")
        assert res.returncode == 2, (key, value, res.stderr)
        assert "only the number of replicates may grow" in res.stderr, res.stderr


def test_a_sweep_on_an_executor_grows_as_the_command_line_does(caremarket_pkg, tiny_scenario, tmp_path):
    """caremarket.sweep(executor=...) readies the folder as run_sweep does: a grown design re-keys the
    journal (no run's outcomes land on another run) and another design is refused."""
    from concurrent.futures import ThreadPoolExecutor

    def sweep_file(name, replicates, steps=20):
        path = tmp_path / f"{name}.toml"
        path.write_text(f"""[sweep]
name = "grow"
scenario = "{tiny_scenario}"
replicates = {replicates}
steps = {steps}
root_seed = 3
[[sweep.parameters]]
key = "labour.nlw"
values = [12.21, 12.6, 13.0, 13.5]
""")
        return path

    columns = ["point", "replicate", "seed", "last_year_people_served", "last_year_mean_wage"]
    with ThreadPoolExecutor(2) as pool:
        caremarket_pkg.sweep(sweep_file("a", 2), tmp_path / "grown", executor=pool)
        grown = caremarket_pkg.sweep(sweep_file("b", 3), tmp_path / "grown", executor=pool)
        fresh = caremarket_pkg.sweep(sweep_file("c", 3), tmp_path / "fresh", executor=pool)
        assert (grown.status == "done").all()
        assert grown[columns].equals(fresh[columns])
        with pytest.raises(ValueError, match="only the number of replicates may grow"):
            caremarket_pkg.sweep(sweep_file("d", 3, steps=21), tmp_path / "grown", executor=pool)


def test_a_growth_cut_short_after_the_journal_is_rewritten_is_finished_once(caremarket_bin, tiny_scenario, tmp_path):
    """The journal is re-keyed (and says its replicates) before design.txt moves on: a growth stopped
    between the two re-keys nothing twice."""
    args = ["-p", "micro_enterprise_support", "--steps", "30"]
    compare(caremarket_bin, tiny_scenario, tmp_path / "c", *args, "-n", "2")
    folder = tmp_path / "c-runs"
    design = (folder / "design.txt").read_text()
    assert cli(caremarket_bin, "compare", tiny_scenario, *args, "-n", "4", "-o", tmp_path / "c", "-q").returncode == 0
    journal = (folder / "journal.tsv").read_text()
    assert "# replicates 4" in journal
    (folder / "design.txt").write_text(design)  # as if stopped before design.txt was written
    res = cli(caremarket_bin, "compare", tiny_scenario, *args, "-n", "4", "-o", tmp_path / "c")
    assert res.returncode == 0, res.stderr
    assert (folder / "journal.tsv").read_text() == journal
    done = [line.split("\t")[0] for line in journal.splitlines() if "\tdone\t" in line]
    assert sorted(map(int, done)) == list(range(8))
    assert not re.search(r"\] p\d+_r\d+\.h5 done", res.stderr), res.stderr

    # Stopped at the same moment, then run again with the first -n: the journal is keyed back to
    # 2 replicates a point, and the comparison is that of -n 2 made at once.
    (folder / "design.txt").write_text(design)
    res = cli(caremarket_bin, "compare", tiny_scenario, *args, "-n", "2", "-o", tmp_path / "c", "-q")
    assert res.returncode == 0, res.stderr
    assert "# replicates 2" in (folder / "journal.tsv").read_text()
    compare(caremarket_bin, tiny_scenario, tmp_path / "fresh", *args, "-n", "2")
    assert (tmp_path / "c.csv").read_text() == (tmp_path / "fresh.csv").read_text()
