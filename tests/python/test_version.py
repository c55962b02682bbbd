"""One version everywhere: project(VERSION) in CMakeLists.txt is the source (semantic versioning);
the Python package, the command line and the output files report it, and CITATION.cff repeats it.

Run with:  CAREMARKET_PYTHONPATH=<build>/python CAREMARKET_BIN=<build>/cli/caremarket \
           /usr/bin/python3 -m pytest -q tests/python/test_version.py
"""

from __future__ import annotations

import datetime
import re

import pytest

from conftest import REPO_ROOT

SEMVER = re.compile(r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)")


@pytest.fixture(scope="module")
def project_version() -> str:
    text = (REPO_ROOT / "CMakeLists.txt").read_text(encoding="utf-8")
    found = re.findall(r"^project\(caremarket VERSION ([^ )]+)", text, flags=re.MULTILINE)
    assert len(found) == 1, "CMakeLists.txt should set the version once, in project(caremarket VERSION ...)"
    assert SEMVER.fullmatch(found[0]), f"version {found[0]!r} is not MAJOR.MINOR.PATCH"
    return found[0]


def test_python_package_reports_the_project_version(caremarket_pkg, project_version):
    assert caremarket_pkg.__version__ == project_version


def test_command_line_reports_the_project_version(cli, project_version):
    result = cli("--version")
    assert result.returncode == 0, str(result)
    assert result.stdout.split()[0] == project_version, str(result)


def test_citation_file_is_valid_and_repeats_the_version(project_version):
    yaml = pytest.importorskip("yaml")  # Debian's python3-yaml
    citation = yaml.safe_load((REPO_ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert citation["cff-version"] == "1.2.0"
    for key in ("message", "title", "abstract"):
        assert isinstance(citation[key], str) and citation[key].strip(), key
    assert str(citation["version"]) == project_version
    assert isinstance(citation["date-released"], datetime.date)
    assert citation["license"] == "MIT"
    assert citation["authors"] and all(isinstance(a, dict) and a.get("name") for a in citation["authors"])
    assert all(isinstance(k, str) and k for k in citation["keywords"])
