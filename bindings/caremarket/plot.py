"""The standard figures of a caremarket run, with matplotlib.

Every function takes one run or several (replicates): a ``Results``, a (week, council) time
series DataFrame (``Results.timeseries``, ``Simulation.metrics()``), or a list of them. Several
runs are drawn as their mean with a band from the 5th to the 95th percentile across runs. Time
is in dates when the runs know their start date (format 1.4 on), else in years or weeks.
``label`` names the arm in the legend, so arms can be drawn on one axes::

    ax = caremarket.plot.micro_enterprises(baseline_runs, label="baseline")
    caremarket.plot.micro_enterprises(support_runs, ax=ax, label="support")

Each returns the matplotlib Axes it drew on.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ._region import region

__all__ = ["series", "market_shares", "workforce", "micro_enterprises", "unmet_need", "money_flows", "wellbeing",
           "dashboard", "sensitivity"]


def _runs(runs: Any) -> list:
    """One run (a Results or a DataFrame) or several, as a list."""
    return [runs] if isinstance(runs, pd.DataFrame) or hasattr(runs, "timeseries") else list(runs)


def _frames(runs: Any) -> list[pd.DataFrame]:
    frames = []
    for run in _runs(runs):
        frame = run.timeseries if hasattr(run, "timeseries") else run
        frames.append(region(frame) if isinstance(frame.index, pd.MultiIndex) else frame)
    if not frames:
        raise ValueError("no runs to plot")
    return frames


def _start_date(runs: Any):
    """The start date of the first run that has one (Results of format 1.4 on), else None."""
    for run in _runs(runs):
        start = getattr(run, "start_date", None)
        if start is not None:
            return start
    return None


def _axes(ax):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(7, 3.5))
    return ax


def series(runs: Any, name: str, *, ax=None, label: str | None = None, scale: float = 1.0, color=None,
           years: bool = True, band: tuple[float, float] = (5, 95)):
    """One series over time: the mean over runs, with a percentile band when there are several."""
    ax = _axes(ax)
    frames = _frames(runs)
    weeks = np.asarray(frames[0].index)
    stack = np.vstack([f[name].reindex(weeks).to_numpy() for f in frames]) * scale
    start = _start_date(runs) if years else None
    if start is not None:  # dates: week s is 7·s days after the start
        x = np.datetime64(start, "D") + weeks.astype("timedelta64[D]") * 7
    else:
        x = weeks / 52 if years else weeks
    (line,) = ax.plot(x, stack.mean(axis=0), label=label or name, color=color)
    if len(frames) > 1:
        lo, hi = np.percentile(stack, band, axis=0)
        ax.fill_between(x, lo, hi, color=line.get_color(), alpha=0.2, linewidth=0)
    ax.set_xlabel("date" if start is not None else "year" if years else "week")
    return ax


def _many(runs, names_labels, *, ax, label, ylabel, title, scale=1.0):
    ax = _axes(ax)
    for name, what in names_labels:
        series(runs, name, ax=ax, label=f"{what} ({label})" if label else what, scale=scale)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(fontsize=8)
    return ax


def market_shares(runs: Any, *, ax=None, label: str | None = None):
    """Chains' share of council-managed hours, and market concentration (HHI / 10,000)."""
    ax = _axes(ax)
    series(runs, "chain_share_council_hours", ax=ax, label=f"chain share ({label})" if label else "chain share")
    series(runs, "hhi_council_hours", ax=ax, scale=1e-4, label=f"HHI / 10,000 ({label})" if label else "HHI / 10,000")
    ax.set_ylabel("share of council hours")
    ax.set_title("Market shares")
    ax.legend(fontsize=8)
    return ax


def workforce(runs: Any, *, ax=None, label: str | None = None):
    """Annual staff turnover and the vacancy rate."""
    return _many(runs, [("turnover_rate", "turnover a year"), ("vacancy_rate", "vacancy rate")], ax=ax, label=label,
                 ylabel="share", title="Workforce")


def micro_enterprises(runs: Any, *, ax=None, label: str | None = None):
    """Community micro-enterprises operating."""
    return _many(runs, [("micro_enterprises", "micro-enterprises")], ax=ax, label=label, ylabel="enterprises",
                 title="Community micro-enterprises")


def unmet_need(runs: Any, *, ax=None, label: str | None = None):
    """Hours of formal care needed but not delivered each week."""
    return _many(runs, [("hours_unmet", "unmet hours")], ax=ax, label=label, ylabel="hours a week",
                 title="Unmet need")


def money_flows(runs: Any, *, ax=None, label: str | None = None):
    """Council spend, money kept in the local economy, and money leaving the region (GBP million a year)."""
    return _many(runs, [("council_spend", "council spend"), ("local_retained", "kept locally"),
                        ("extraction", "leaves the region")], ax=ax, label=label, ylabel="£ million a year",
                 title="Money flows", scale=52 / 1e6)


def wellbeing(runs: Any, *, ax=None, label: str | None = None):
    """Quality of life (the ASCOT score over 24) of people served and of everyone with need, and
    continuity of care, all on 0 to 1."""
    return _many(runs, [("wellbeing_served", "wellbeing, served (ASCOT/24)"),
                        ("wellbeing_all", "wellbeing, all with need (ASCOT/24)"), ("continuity", "continuity")],
                 ax=ax, label=label, ylabel="0 to 1", title="Wellbeing and continuity")


def dashboard(arms: dict[str, Any], *, figsize=(12, 10)):
    """All six standard figures for one or more labelled arms: ``dashboard({"baseline": runs, ...})``."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(3, 2, figsize=figsize)
    for plot, ax in zip([market_shares, workforce, micro_enterprises, unmet_need, money_flows, wellbeing], axes.flat):
        for name, runs in arms.items():
            plot(runs, ax=ax, label=name)
    fig.tight_layout()
    return fig


def sensitivity(analysis: pd.DataFrame, *, ax=None, title: str | None = None):
    """Bars of a :func:`caremarket.analyse` table with its intervals: first- and total-order Sobol
    indices side by side, Morris mu* (with sigma as a second bar), or standardised regression
    coefficients; parameters from the most influential down."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(7, 0.5 + 0.45 * max(len(analysis), 2)))
    method = analysis.attrs.get("method", "")
    bars = {"sobol": [("S1", "S1_conf", "first order S1"), ("ST", "ST_conf", "total order ST")],
            "morris": [("mu_star", "mu_star_conf", "mu* (mean |effect|)"), ("sigma", None, "sigma (spread of effects)")],
            "regression": [("src", "src_conf", "standardised coefficient")]}.get(method)
    if bars is None:
        raise ValueError("sensitivity() draws the DataFrame caremarket.analyse() returns")
    order = analysis.index[::-1]  # most influential at the top
    y = np.arange(len(order))
    height = 0.8 / len(bars)
    for k, (column, conf, label) in enumerate(bars):
        values = analysis.loc[order, column].to_numpy()
        errors = analysis.loc[order, conf].to_numpy() if conf else None
        ax.barh(y + (k - (len(bars) - 1) / 2) * height, values, height, xerr=errors, capsize=3, label=label)
    ax.set_yticks(y, order)
    ax.axvline(0, color="0.3", linewidth=0.8)
    unit = {"sobol": "share of the outcome's variance", "morris": "change in the outcome across a parameter's range",
            "regression": "sd of the outcome per sd of the parameter"}[method]
    ax.set_xlabel(unit)
    ax.set_title(title or f"{method}: {analysis.attrs.get('outcome', '')} ({analysis.attrs.get('when', '')})",
                 fontsize=10)
    ax.legend(loc="lower right", fontsize=8)
    return ax
