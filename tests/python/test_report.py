"""`caremarket report`: a self-contained HTML page a commissioner can read. It is rendered in
headless Chromium, which must load it with no console errors and decode every figure."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import h5py
import pytest


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
    assert shutil.which("chromium"), "Debian's chromium is missing: run scripts/install-deps.sh"
    base, policy = two_runs
    out = tmp_path / "report.html"
    assert report(caremarket_bin, policy, "--baseline", base, "-o", out).returncode == 0
    profile = tmp_path / "profile"
    res = subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000",
         "--dump-dom", out.as_uri()],
        capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr[-2000:]
    console = [line for line in res.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]
    assert not console, console
    figures = re.search(r'data-figures="(\d+)"', res.stdout)
    loaded = re.search(r'data-figures-loaded="(\d+)"', res.stdout)
    assert figures and loaded, "the page's load check did not run"
    assert int(figures.group(1)) >= 6
    assert loaded.group(1) == figures.group(1), "some figures did not decode"
