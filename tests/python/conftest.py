"""Shared fixtures for the caremarket Python test suites.

Run with:  CAREMARKET_BIN=/abs/path/caremarket /usr/bin/python3 -m pytest -q tests/python
Without CAREMARKET_BIN the release build (build/release/cli/caremarket) of this checkout is used.
"""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_BIN = REPO_ROOT / "build" / "release" / "cli" / "caremarket"
TINY = REPO_ROOT / "tests" / "data" / "tiny.toml"
SOMERSET = REPO_ROOT / "configs" / "scenarios" / "somerset.toml"

# Councils declared in tests/data/tiny.toml, in order.
TINY_COUNCILS = ["North Tiny", "South Tiny"]

EXIT_OK = 0
EXIT_RUNTIME = 1
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130

# A minimum wage above a kind's default wage raises that wage, with a warning that
# test_config.py's test_a_wage_below_the_legal_minimum_is_raised_with_a_warning checks; tests
# that set a higher minimum wage for another reason are marked with this to keep their output clean.
RAISED_WAGE = pytest.mark.filterwarnings(r"ignore:providers\.\w+\.wage = .* is below labour\.nlw:UserWarning")


def _binary_path() -> Path:
    env = os.environ.get("CAREMARKET_BIN")
    return Path(env).resolve() if env else DEFAULT_BIN


def _wait_for_binary(path: Path, seconds: float = 60.0) -> bool:
    """The binary may vanish briefly while it is being rebuilt: wait for it to come back
    (only when its directory exists, so that a wrong path fails at once)."""
    if not path.parent.is_dir():
        return False
    deadline = time.monotonic() + seconds
    while True:
        if path.is_file() and os.access(path, os.X_OK):
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.5)


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def caremarket_bin() -> Path:
    path = _binary_path()
    source = "CAREMARKET_BIN" if os.environ.get("CAREMARKET_BIN") else "the default release build"
    if not _wait_for_binary(path):
        pytest.fail(
            f"caremarket binary not found or not executable: {path} (from {source}); "
            "build it (make build) or set CAREMARKET_BIN=/abs/path/caremarket",
            pytrace=False,
        )
    return path


@pytest.fixture(scope="session")
def tiny_scenario() -> Path:
    assert TINY.is_file(), f"missing test scenario {TINY}"
    return TINY


@pytest.fixture(scope="session")
def somerset_scenario() -> Path:
    assert SOMERSET.is_file(), f"missing shipped scenario {SOMERSET}"
    return SOMERSET


@dataclass
class Result:
    args: list[str]
    returncode: int
    stdout: str
    stderr: str

    def __str__(self) -> str:  # shown in assertion messages
        return (
            f"$ caremarket {' '.join(self.args)}\n-> exit {self.returncode}\n"
            f"--- stdout ---\n{self.stdout[-3000:]}\n--- stderr ---\n{self.stderr[-3000:]}"
        )


def run_cli(binary: Path, *args, cwd: Path | None = None, timeout: float = 60.0, env: dict | None = None) -> Result:
    """Runs `caremarket ARGS...` and captures its output (text)."""
    str_args = [str(a) for a in args]
    _wait_for_binary(Path(binary))
    proc = subprocess.run(
        [str(binary), *str_args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )
    return Result(str_args, proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture
def cli(caremarket_bin):
    """cli("run", scenario, "--steps", 10, cwd=..., timeout=...) -> Result."""

    def _run(*args, **kwargs) -> Result:
        return run_cli(caremarket_bin, *args, **kwargs)

    return _run


@pytest.fixture(scope="session")
def session_run(caremarket_bin, tmp_path_factory):
    """Runs the CLI once per distinct argument list in the session and returns (path, Result).

    Several tests read the same output file; running each configuration once keeps the suite fast.
    Outputs are read-only by convention.
    """
    cache: dict[tuple, tuple[Path, Result]] = {}
    root = tmp_path_factory.mktemp("runs")

    def _run(name: str, *args) -> tuple[Path, Result]:
        key = (name, *map(str, args))
        if key not in cache:
            out = root / f"{name}.h5"
            res = run_cli(caremarket_bin, "run", *args, "-o", out, "-q", cwd=root, timeout=120)
            assert res.returncode == EXIT_OK, str(res)
            assert out.is_file(), f"run reported success but {out} is missing\n{res}"
            cache[key] = (out, res)
        return cache[key]

    return _run


# --- the Python package (bindings/) --------------------------------------------------------------
# Built with -DCAREMARKET_PYTHON=ON, the package sits in <build>/python/caremarket. Point
# CAREMARKET_PYTHONPATH at that <build>/python directory; without it the release build and then
# build/py of this checkout are tried. An installed package is not used unless CAREMARKET_PYTHONPATH
# names its directory, so the tests never run against a stale install by accident.
PYTHON_BUILD_CANDIDATES = [REPO_ROOT / "build" / "release" / "python", REPO_ROOT / "build" / "py" / "python"]


def _python_package_dir() -> tuple[Path | None, str]:
    env = os.environ.get("CAREMARKET_PYTHONPATH")
    if env:
        return Path(env).resolve(), "CAREMARKET_PYTHONPATH"
    for candidate in PYTHON_BUILD_CANDIDATES:
        if (candidate / "caremarket" / "__init__.py").is_file() and list((candidate / "caremarket").glob("_core*.so")):
            return candidate.resolve(), f"the build in {candidate.parent.relative_to(REPO_ROOT)}"
    return None, ""


@pytest.fixture(scope="session")
def caremarket_pkg():
    """The `caremarket` package of this checkout's build (see CAREMARKET_PYTHONPATH above)."""
    import importlib
    import sys

    path, source = _python_package_dir()
    if path is None:
        pytest.fail(
            "the caremarket Python package is not built: configure with -DCAREMARKET_PYTHON=ON (e.g. "
            "cmake -S . -B build/py -DCAREMARKET_PYTHON=ON && cmake --build build/py) and set "
            "CAREMARKET_PYTHONPATH=<build>/python",
            pytrace=False,
        )
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))
    try:
        module = importlib.import_module("caremarket")
    except ImportError as error:
        pytest.fail(f"cannot import caremarket from {path} (from {source}): {error}", pytrace=False)
    where = Path(module.__file__).resolve()
    if path not in where.parents:
        pytest.fail(f"imported caremarket from {where}, not from {path} (from {source})", pytrace=False)
    return module


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """Where tests keep what a person may want to look at afterwards (screenshots): the folder
    CAREMARKET_ARTIFACTS names, else build/test-artifacts of this checkout."""
    path = Path(os.environ.get("CAREMARKET_ARTIFACTS") or REPO_ROOT / "build" / "test-artifacts")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def report_module(caremarket_pkg):
    """caremarket.report, the module behind `caremarket report`."""
    import importlib
    return importlib.import_module("caremarket.report")


def chromium(page: Path, profile: Path, *extra: str) -> "subprocess.CompletedProcess[str]":
    """Debian's chromium, headless, on a page (a file): --dump-dom by default. Its stderr has the
    page's console (`CONSOLE` lines) and uncaught errors."""
    import shutil

    assert shutil.which("chromium"), "Debian's chromium is missing: run scripts/install-deps.sh"
    command = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000",
               *(extra or ("--dump-dom",)), page.as_uri()]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def check_rendered(res: "subprocess.CompletedProcess[str]", least_figures: int) -> None:
    """A report rendered by chromium(): no console errors, its load check ran and every figure decoded."""
    import re

    assert res.returncode == 0, res.stderr[-2000:]
    console = [line for line in res.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]
    assert not console, console
    figures = re.search(r'data-figures="(\d+)"', res.stdout)
    loaded = re.search(r'data-figures-loaded="(\d+)"', res.stdout)
    assert figures and loaded, "the page's load check did not run"
    assert int(figures.group(1)) >= least_figures
    assert loaded.group(1) == figures.group(1), "some figures did not decode"
