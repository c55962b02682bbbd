"""caremarket: an agent-based simulation of a regional adult social-care market in England.

Step a model from Python, with its agents as zero-copy numpy columns::

    import caremarket
    sim = caremarket.Simulation("somerset", policies=["micro_enterprise_support"], seed=1)
    sim.run(104)                                 # two years, with a progress bar
    sim.people["need_hours"]                     # read-only numpy view of the model's memory
    sim.metrics()                                # time series, indexed by (step, council)
    sim.save("support.h5")

or run a whole scenario to a file, as ``caremarket run`` does, and read it::

    res = caremarket.run("somerset", overrides={"commissioning.mode": "collaborative"}, output="c.h5")
    res = caremarket.open("c.h5")
    res.timeseries, res.to_xarray(), res.events["tenders"], res.snapshot(52)["providers"]
    res.config, res.provenance
    caremarket.region_series(res)                # the whole region's series, one row a step

Event logs and snapshots name their codes (archetype, route, council ... as pandas Categoricals);
``caremarket.open(path, codes=True)`` keeps the file's integer codes.

The file format is docs/output-format.md; the model is docs/ODD.md.
"""

from __future__ import annotations

import pandas as _pd

from . import _core
from ._config import policies, scenario, scenarios
from ._errors import ConfigError, ConfigProblem, FormatError, IncompleteRunWarning
from ._region import region_series
from ._results import SUPPORTED_FORMAT_MAJOR, Results, open, run
from ._simulation import AgentTable, Simulation
from ._sweeps import analyse, compare, read_index, read_yearly, sweep

__version__: str = _core.__version__
#: Git commit of the build (12 hex digits, "-dirty" when built from uncommitted changes).
GIT_COMMIT: str = _core.GIT_COMMIT
#: The output format this package writes ("major.minor").
FORMAT_VERSION: str = _core.FORMAT_VERSION

#: Names of the codes in agent columns and event logs, by code (docs/output-format.md):
#: ``ARCHETYPES[sim.providers["archetype"]]`` after ``np.array(...)``. ``Results.events`` and
#: ``Results.snapshot`` give the names already (Categoricals), unless opened with ``codes=True``.
ARCHETYPES: tuple[str, ...] = _core.ARCHETYPES
ROUTES: tuple[str, ...] = _core.ROUTES
PLACEMENTS: tuple[str, ...] = _core.PLACEMENTS
#: ``events["providers"].kind`` (the flag_meanings the recorder writes).
PROVIDER_EVENT_KINDS: tuple[str, ...] = ("entry", "exit", "founding", "closure", "handback")


def metrics() -> _pd.DataFrame:
    """The declared time series: name → units and meaning (``long_name``), in output order."""
    rows = _core.metric_catalogue()
    return _pd.DataFrame(
        [(units, long_name) for _, units, long_name in rows],
        index=_pd.Index([name for name, _, _ in rows], name="metric"),
        columns=["units", "long_name"],
    )


def parameters() -> _pd.DataFrame:
    """Every model parameter with its kind, unit, allowed values, default, meaning and source,
    indexed by key (as ``caremarket params`` prints them)."""
    return _pd.DataFrame(_core.parameter_docs()).set_index("key")


def __getattr__(name: str):
    # caremarket.plot and caremarket.report import matplotlib: loaded on first use only.
    if name in ("plot", "report"):
        import importlib

        return importlib.import_module(f".{name}", __name__)
    if name in ("calibrate", "load_calibration", "Calibration", "CalibrationError"):
        # Loaded on first use (scikit-learn and matplotlib come with it), and not before
        # `python3 -m caremarket._calibration` runs it as a script.
        from . import _calibration

        return getattr(_calibration, name)
    raise AttributeError(f"module 'caremarket' has no attribute {name!r}")


#: MODEL.md §16's headline outcomes: the rows of ``compare`` and the outcomes ``analyse`` knows by name.
HEADLINE_OUTCOMES: tuple[str, ...] = tuple(_core.HEADLINE_OUTCOMES)

__all__ = [
    "AgentTable",
    "ARCHETYPES",
    "Calibration",
    "CalibrationError",
    "ConfigError",
    "ConfigProblem",
    "FORMAT_VERSION",
    "FormatError",
    "GIT_COMMIT",
    "HEADLINE_OUTCOMES",
    "IncompleteRunWarning",
    "load_calibration",
    "PLACEMENTS",
    "PROVIDER_EVENT_KINDS",
    "ROUTES",
    "Results",
    "SUPPORTED_FORMAT_MAJOR",
    "Simulation",
    "analyse",
    "calibrate",
    "compare",
    "read_index",
    "read_yearly",
    "region_series",
    "sweep",
    "metrics",
    "open",
    "parameters",
    "policies",
    "run",
    "scenario",
    "scenarios",
]
