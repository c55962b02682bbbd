"""`caremarket report`: a self-contained HTML page a commissioner can read. It is rendered in
headless Chromium, which must load it with no console errors and decode every figure."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import h5py
import pytest
from conftest import check_rendered, chromium


@pytest.fixture(scope="module")
def two_runs(caremarket_bin, tiny_scenario, repo_root, tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    base, policy = out / "base.h5", out / "support.h5"
    for path, extra in [(base, []), (policy, ["-p", str(repo_root / "configs/policies/micro_enterprise_support.toml")])]:
        subprocess.run([str(caremarket_bin), "run", str(tiny_scenario), *extra, "--steps", "60", "-q", "-o", str(path)],
                       check=True)
    return base, policy


def report(caremarket_bin, *args):
    return subprocess.run([str(caremarket_bin), "report", *map(str, args)], capture_output=True, text=True, timeout=300)


def test_report_with_baseline_is_self_contained(caremarket_bin, two_runs, tmp_path):
    base, policy = two_runs
    out = tmp_path / "r" / "report.html"
    res = report(caremarket_bin, policy, "--baseline", base, "-o", out)
    assert res.returncode == 0, res.stderr
    page = out.read_text()
    assert "What happens to care in Tinyshire" in page
    assert "support programme with 4 coordinator(s)" in page          # the policy in plain words
    assert "There is no support programme" in page                     # the baseline in plain words
    for label in ["People receiving care", "Care needed but not delivered", "Staff turnover",
                  "Community micro-enterprises", "Council cost per hour of care", "Money kept in the local economy"]:
        assert label in page
    assert page.count("<th>Difference</th>") == 1
    images = re.findall(r"<img [^>]*src='([^']*)'", page)
    assert len(images) >= 6 and all(src.startswith("data:image/png;base64,") for src in images)
    assert "http://" not in page and "https://" not in page           # nothing fetched from outside
    assert not list(out.parent.glob("*.tmp"))


def test_report_refuses_files_that_are_not_caremarket_output(caremarket_bin, tmp_path):
    bogus = tmp_path / "x.h5"
    with h5py.File(bogus, "w") as f:
        f.attrs["format_name"] = "something-else"
    res = report(caremarket_bin, bogus, "-o", tmp_path / "r.html")
    assert res.returncode == 2
    assert "not caremarket output" in res.stderr
    assert not (tmp_path / "r.html").exists()


def test_report_needs_an_output(caremarket_bin, two_runs):
    res = report(caremarket_bin, two_runs[0])
    assert res.returncode == 2


def test_report_renders_in_headless_chromium(caremarket_bin, two_runs, tmp_path):
    base, policy = two_runs
    out = tmp_path / "report.html"
    assert report(caremarket_bin, policy, "--baseline", base, "-o", out).returncode == 0
    check_rendered(chromium(out, tmp_path / "profile"), least_figures=6)


# --- a baseline must be comparable (issue 12) ------------------------------------------------------


def table_row(page, label):
    """The cells of a headline row: (baseline, this policy, difference) with a baseline."""
    row = re.search(rf"<tr><td>{re.escape(label)}</td>(.*?)</tr>", page)
    assert row, f"no row {label!r}"
    return re.findall(r"<td class='num[^']*'>([^<]*)</td>", row.group(1))


def caveat(page):
    """The visible list of ways the two runs differ other than by policy ('' when there is none)."""
    box = re.search(r"<div class='caveat' id='comparability'>(.*?)</div>", page, re.S)
    return box.group(1) if box else ""


def test_report_says_when_the_runs_differ_only_by_policy(caremarket_bin, two_runs, tmp_path):
    base, policy = two_runs
    out = tmp_path / "report.html"
    assert report(caremarket_bin, policy, "--baseline", base, "-o", out).returncode == 0
    page = out.read_text()
    # micro_enterprise_support sets founding.coordinators and commissioning.accredit_micro: the policy.
    assert caveat(page) == ""
    assert "the two runs have the same councils, length, seed, replicate and settings" in page
    assert "Averages over the last year of the run." in page


def test_report_with_baseline_shows_costs_as_costs_and_the_markets_shape_as_more_or_fewer(caremarket_bin, two_runs,
                                                                                         tmp_path):
    """As the comparison report does (issue 22): council spend and price are costs, never 'worse';
    micro-enterprises are the market's shape, never 'better'."""
    base, policy = two_runs
    out = tmp_path / "report.html"
    assert report(caremarket_bin, policy, "--baseline", base, "-o", out).returncode == 0
    page = out.read_text()

    def verdict(label):
        difference = table_row(page, label)[2]
        return re.search(r"\(([^)]*)\)$", difference).group(1)

    for label in ["Council spend", "Council cost per hour of care"]:
        assert verdict(label) in {"costs more", "costs less", "about the same"}, label
    assert verdict("Community micro-enterprises") in {"more", "fewer", "about the same"}
    assert verdict("Community micro-enterprises") == "more"  # the support programme founds them
    assert verdict("Staff turnover") in {"better", "worse", "about the same"}


def test_report_refuses_a_baseline_of_other_councils(caremarket_bin, two_runs, repo_root, tmp_path):
    other = tmp_path / "other_region.h5"
    subprocess.run([str(caremarket_bin), "run", str(repo_root / "tests/data/two_councils.toml"), "--steps", "30",
                    "-q", "-o", str(other)], check=True)
    out = tmp_path / "r.html"
    res = report(caremarket_bin, two_runs[1], "--baseline", other, "-o", out)
    assert res.returncode == 2, res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr                                  # one line, no traceback
    assert lines[0].startswith("caremarket report: cannot compare ")
    assert str(two_runs[1]) in lines[0] and str(other) in lines[0]     # names both files
    assert "different councils" in lines[0] and "North Tiny, South Tiny" in lines[0] and "A, B" in lines[0]
    assert not out.exists() and not list(tmp_path.glob("*.tmp"))


def test_report_compares_runs_of_different_lengths_over_the_weeks_both_cover(caremarket_bin, two_runs, tiny_scenario,
                                                                            tmp_path):
    base = two_runs[0]                                                  # 60 weeks, seed 7
    short = tmp_path / "short.h5"                                       # the same run stopped at week 30
    subprocess.run([str(caremarket_bin), "run", str(tiny_scenario), "--steps", "30", "-q", "-o", str(short)],
                   check=True)
    out = tmp_path / "r.html"
    res = report(caremarket_bin, short, "--baseline", base, "-o", out)
    assert res.returncode == 0, res.stderr
    page = out.read_text()
    note = caveat(page)
    assert "this run covers 30 weeks and the baseline 60 weeks" in note
    assert "compared over weeks 0 to 30" in note
    assert "seed" not in note and "setting" not in note                # nothing else differs
    assert "Averages over weeks 0 to 30, the last year of the weeks both runs cover." in page
    # Both columns are the mean of weeks 0..30, read here from the files themselves.
    for path, column in [(base, 0), (short, 1)]:
        with h5py.File(path, "r") as f:
            workers = f["workers"][:31].sum(axis=1).mean()
            served = f["people_served"][:31].sum(axis=1).mean()
        assert table_row(page, "Care workers")[column] == f"{workers:,.0f}"
        assert table_row(page, "People receiving care")[column] == f"{served:,.0f}"


def test_report_notes_another_seed_and_settings_outside_the_policy(caremarket_bin, two_runs, tiny_scenario, tmp_path):
    other = tmp_path / "other_seed.h5"
    subprocess.run([str(caremarket_bin), "run", str(tiny_scenario), "--steps", "60", "--seed", "8", "--replicate", "1",
                    "--set", "labour.outside_wage=12.9", "-q", "-o", str(other)], check=True)
    out = tmp_path / "r.html"
    res = report(caremarket_bin, two_runs[1], "--baseline", other, "-o", out)
    assert res.returncode == 0, res.stderr
    note = caveat(out.read_text())
    assert "this run seed 7, replicate 0; the baseline seed 8, replicate 1" in note
    assert "1 setting(s) outside the policy tables" in note
    assert "labour.outside_wage = 12.4 here, 12.9 in the baseline" in note
    assert "coordinators" not in note and "accredit_micro" not in note  # the policy itself is not a caveat
    assert "weeks" not in note                                          # same length


# --- where the page is written -----------------------------------------------------------------------


def _socket(path):
    import socket
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(path))
    return sock


@pytest.mark.parametrize("kind", ["directory", "fifo", "socket", "symlink", "dangling symlink"])
def test_report_refuses_an_output_that_is_not_a_regular_file(caremarket_bin, two_runs, tmp_path, kind):
    out = tmp_path / "out.html"
    target = tmp_path / "target.html"
    if kind == "directory":
        out.mkdir()
    elif kind == "fifo":
        os.mkfifo(out)
    elif kind == "socket":
        sock = _socket(out)
    elif kind == "symlink":
        target.write_text("kept")
        out.symlink_to(target)
    else:
        out.symlink_to(tmp_path / "nowhere.html")
    before = os.lstat(out)
    res = report(caremarket_bin, two_runs[0], "-o", out)
    if kind == "socket":
        sock.close()
    assert res.returncode == 2, res
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"caremarket report: {out}: the output "), res.stderr
    expected = {"directory": "is a directory", "fifo": "is a FIFO", "socket": "is a socket"}.get(kind, "symbolic link")
    assert expected in lines[0]
    after = os.lstat(out)
    assert (after.st_ino, after.st_mode) == (before.st_ino, before.st_mode)   # left as it was
    assert kind != "symlink" or target.read_text() == "kept"
    assert not list(tmp_path.glob("*.tmp")) and not (tmp_path / "nowhere.html").exists()


def test_report_refuses_an_empty_output_path(caremarket_bin, two_runs, tmp_path):
    res = subprocess.run([str(caremarket_bin), "report", str(two_runs[0]), "-o", ""], capture_output=True, text=True,
                         timeout=300, cwd=tmp_path)
    assert res.returncode == 2, res
    assert res.stderr.strip() == "caremarket report: the output path is empty: give -o FILE.html"
    assert not list(tmp_path.iterdir())


def test_report_refuses_to_overwrite_its_input(caremarket_bin, two_runs, tmp_path):
    copy = tmp_path / "run.h5"
    shutil.copy(two_runs[0], copy)
    res = report(caremarket_bin, copy, "-o", tmp_path / "." / "run.h5")
    assert res.returncode == 2 and "the output is the input file" in res.stderr, res
    assert copy.read_bytes() == two_runs[0].read_bytes()


def test_report_syncs_the_page_before_renaming_it(report_module, two_runs, tmp_path, monkeypatch):
    synced, renamed = [], []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(os.readlink(f"/proc/self/fd/{fd}")), real_fsync(fd)))
    monkeypatch.setattr(os, "replace", lambda a, b: (renamed.append((len(synced), Path(a))), real_replace(a, b)))
    out = tmp_path / "r" / "report.html"
    report_module.write_report(two_runs[0], out)
    assert out.read_text().startswith("<!doctype html>")
    [(synced_before, temporary)] = renamed
    assert synced_before == 1 and synced[0] == str(temporary) and temporary.name.endswith(".tmp")
    assert synced[1:] == [str(out.parent)]                              # then the rename itself
    assert not list(out.parent.glob("*.tmp"))


@pytest.mark.parametrize("failing", ["fsync", "replace"])
def test_report_removes_its_temporary_on_failure(report_module, two_runs, tmp_path, monkeypatch, failing):
    out = tmp_path / "report.html"
    out.write_text("an earlier report")

    def fail(*args):
        raise OSError(5, "Input/output error (simulated)")

    monkeypatch.setattr(os, failing, fail)
    with pytest.raises(OSError, match="simulated"):
        report_module.write_report(two_runs[0], out)
    monkeypatch.undo()
    assert out.read_text() == "an earlier report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]


def test_report_main_refuses_an_empty_output_path(report_module, two_runs, capsys):
    assert report_module.main([str(two_runs[0]), "-o", ""]) == 2
    assert capsys.readouterr().err.strip() == "caremarket report: the output path is empty: give -o FILE.html"


def test_the_kinds_of_provider_a_scenario_has_are_listed_and_no_others(caremarket_bin, report_module, two_runs,
                                                                         tmp_path):
    # West Midlands counts council services, cooperatives and personal assistants (issue 18); the tiny
    # scenario none. The run's summary and the report's "Who provides care" chart list a kind only
    # where the run has it.
    out = tmp_path / "wm.h5"
    res = subprocess.run([str(caremarket_bin), "run", "west_midlands", "--steps", "8", "--threads", "2", "-o", str(out)],
                         capture_output=True, text=True, timeout=300, check=True)
    for kind in ("cooperatives", "council services", "personal assistants"):
        assert kind in res.stdout, res.stdout
    wm, tiny = report_module.load(out), report_module.load(two_runs[0])
    for name in ("providers_cooperative", "providers_council_run", "providers_personal_assistant"):
        assert report_module.shown(name, [wm]) and not report_module.shown(name, [tiny]), name
        assert report_module.shown(name, [tiny, wm])  # a baseline with none and a run with some
