"""Region-level series from per-council time series: counts and money are summed across
councils; rates, shares and means are averaged, weighted by the population they describe."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from . import _core

#: Series that are averages across councils, and the count that weights each council: the C++
#: rule (agents/metrics.cpp, region_weight), so Python and sweep indexes agree.
WEIGHTS: dict[str, str] = dict(_core.region_weights())


def region(timeseries: pd.DataFrame, groups: pd.Series | None = None) -> pd.DataFrame:
    """One row per step: the region's value of every series of a (step, council) time series.

    With ``groups`` (council name -> group, e.g. its English region): one row per (step, group),
    each group's councils aggregated by the same rule."""
    keys: list = [timeseries.index.get_level_values("step")]
    if groups is not None:
        councils = timeseries.index.get_level_values("council")
        keys.append(pd.Index(councils.map(groups), name=groups.name or "group"))
    out = timeseries.groupby(keys).sum()
    for name, weight in WEIGHTS.items():
        if name in timeseries and weight in timeseries:
            w = timeseries[weight]
            total = w.groupby(keys).sum()
            weighted = (timeseries[name] * w).groupby(keys).sum()
            out[name] = (weighted / total.where(total > 0)).fillna(0.0)
    out.attrs = dict(timeseries.attrs)
    return out


def region_series(run: Any, groups: Mapping[str, str] | pd.Series | None = None) -> pd.DataFrame:
    """The whole region's time series, one row per step: counts and money summed over its councils,
    rates, shares and means weighted by the population they describe (as ``caremarket run``'s
    summary and the sweeps' indexes weight them).

    ``run``: a ``Results``, a ``Simulation`` or a (step, council) DataFrame (``Results.timeseries``,
    ``Simulation.metrics()``). With ``groups`` (council name → group, e.g. its English region): one
    row per (step, group), each group's councils aggregated alike. ``.attrs`` keeps the units."""
    if hasattr(run, "timeseries"):
        frame = run.timeseries
    elif hasattr(run, "metrics") and callable(run.metrics):
        frame = run.metrics()
    else:
        frame = run
    if not isinstance(frame, pd.DataFrame) or frame.index.names[:2] != ["step", "council"]:
        raise TypeError("region_series() takes a Results, a Simulation or a DataFrame indexed by (step, council)")
    if groups is not None and not isinstance(groups, pd.Series):
        groups = pd.Series(dict(groups), name="group")
    return region(frame, groups)
