"""The standard figures of a caremarket run, with matplotlib.

Every function takes one run or several (replicates): a ``Results``, a (step, council) time
series DataFrame (``Results.timeseries``, ``Simulation.metrics()``), or a list of them. Several
runs are drawn as their mean with a band from the 5th to the 95th percentile across runs. Time
is in dates when the runs know their start date (format 1.4 on), else in years or weeks.
``label`` names the arm in the legend, so arms can be drawn on one axes::

    ax = caremarket.plot.micro_enterprises(baseline_runs, label="baseline")
    caremarket.plot.micro_enterprises(support_runs, ax=ax, label="support")

**Colours are arms.** An arm (a ``label``) keeps one colour in every panel of a figure: the first
arm drawn in a figure is matplotlib's ``C0``, the next ``C1``, and so on (:func:`arm_colors` gives
a figure's mapping); ``color=`` sets an arm's colour, which it then keeps in the figure's other
panels, and :func:`dashboard` takes ``colors=``. The several lines a panel draws for one arm
(turnover and vacancies, say) share the arm's colour and differ by line style (solid, dashed,
dotted, dash-dot, in the order of the legend).

**Money is £ m a year.** Money flows (the series in GBP/week: council spend, money kept locally,
extraction, ...) are drawn as £ million a year (× 52 / 10⁶) and their axes labelled "£ m a year";
prices and wages (GBP/h) stay £ an hour. ``series(..., scale=...)`` draws a series as it is
multiplied by ``scale`` instead (``scale=1`` for £ a week).

Each returns the matplotlib Axes it drew on (:func:`dashboard` the Figure).
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from . import _core
from ._region import region

__all__ = ["series", "market_shares", "workforce", "micro_enterprises", "unmet_need", "money_flows", "wellbeing",
           "dashboard", "sensitivity", "arm_colors", "MONEY_SCALE", "MONEY_LABEL"]

#: GBP a week → £ million a year, the plots' one unit of money (flows in GBP/week).
MONEY_SCALE = 52 / 1e6
#: The axis label of money in the plots.
MONEY_LABEL = "£ m a year"
#: The line styles of one arm's lines in one panel, in order.
LINE_STYLES = ("-", "--", ":", "-.")

_UNITS = {name: units for name, units, _ in _core.metric_catalogue()}
# figure -> {arm label: colour}: the colour each arm drawn in the figure has in all its panels.
_ARMS: "weakref.WeakKeyDictionary[Any, dict[str, Any]]" = weakref.WeakKeyDictionary()


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


def _arms_of(figure) -> dict[str, Any]:
    try:
        return _ARMS.setdefault(figure, {})
    except TypeError:  # a figure that takes no weak reference: colours by order on each call
        return {}


def arm_colors(figure) -> dict[str, Any]:
    """The colour of every arm (``label``) drawn in ``figure`` (a Figure, or one of its Axes), in
    the order they were first drawn: ``{"baseline": "C0", "support": "C1"}``."""
    from matplotlib.axes import Axes

    return dict(_arms_of(figure.figure if isinstance(figure, Axes) else figure))


def _arm_color(ax, arm: str, color=None):
    """The colour of `arm` in the figure of `ax`: `color` when given (remembered for the figure's other
    panels), the colour it already has there, else the first of C0, C1, ... no arm of the figure has."""
    arms = _arms_of(ax.figure)
    if color is not None:
        arms[arm] = color
    elif arm not in arms:
        used = set(map(str, arms.values()))
        arms[arm] = next(f"C{k}" for k in range(len(arms) + 1) if f"C{k}" not in used)
    return arms[arm]


def _money(name: str, frame: pd.DataFrame) -> bool:
    """True for a money flow (units GBP/week), drawn in £ m a year."""
    units = _UNITS.get(name) or frame.attrs.get("units", {}).get(name, "")
    return units == "GBP/week"


def _draw(ax, runs: Any, name: str, *, legend: str, color, linestyle, scale: float | None, years: bool,
          band: tuple[float, float]):
    frames = _frames(runs)
    if scale is None:
        scale = MONEY_SCALE if _money(name, frames[0]) else 1.0
        if scale == MONEY_SCALE and not ax.get_ylabel():
            ax.set_ylabel(MONEY_LABEL)
    weeks = np.asarray(frames[0].index)
    stack = np.vstack([f[name].reindex(weeks).to_numpy() for f in frames]) * scale
    start = _start_date(runs) if years else None
    if start is not None:  # dates: week s is 7·s days after the start
        x = np.datetime64(start, "D") + weeks.astype("timedelta64[D]") * 7
    else:
        x = weeks / 52 if years else weeks
    (line,) = ax.plot(x, stack.mean(axis=0), label=legend, color=color, linestyle=linestyle)
    if len(frames) > 1:
        lo, hi = np.percentile(stack, band, axis=0)
        ax.fill_between(x, lo, hi, color=line.get_color(), alpha=0.2, linewidth=0)
    if start is not None:  # a few readable dates, not one overlapping label per quarter
        import matplotlib.dates as mdates

        locator = mdates.AutoDateLocator(maxticks=7)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.set_xlabel("date" if start is not None else "year" if years else "week")
    return ax


def series(runs: Any, name: str, *, ax=None, label: str | None = None, scale: float | None = None, color=None,
           years: bool = True, band: tuple[float, float] = (5, 95), linestyle=None):
    """One series over time: the mean over runs, with a percentile band when there are several.

    ``label`` is the arm (legend entry; default the series' name): it keeps one colour in every
    panel of the figure, ``color`` sets it. Money flows (GBP/week) are drawn in £ m a year and
    the axis labelled so unless ``scale`` is given (the series is then multiplied by ``scale``)."""
    ax = _axes(ax)
    colour = _arm_color(ax, label or name, color)
    return _draw(ax, runs, name, legend=label or name, color=colour, linestyle=linestyle, scale=scale, years=years,
                 band=band)


def _many(runs, lines, *, ax, label, color, ylabel, title):
    """One arm's lines in one panel: `lines` are (series, what[, scale]); the arm's colour, a line
    style each."""
    ax = _axes(ax)
    colour = _arm_color(ax, label or "", color)
    for k, (name, what, *scale) in enumerate(lines):
        _draw(ax, runs, name, legend=f"{what} ({label})" if label else what, color=colour,
              linestyle=LINE_STYLES[k % len(LINE_STYLES)], scale=scale[0] if scale else 1.0, years=True,
              band=(5, 95))
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(fontsize=8)
    return ax


def market_shares(runs: Any, *, ax=None, label: str | None = None, color=None):
    """Chains' share of council-managed hours, and market concentration (HHI / 10,000)."""
    return _many(runs, [("chain_share_council_hours", "chain share"), ("hhi_council_hours", "HHI / 10,000", 1e-4)],
                 ax=ax, label=label, color=color, ylabel="share of council hours", title="Market shares")


def workforce(runs: Any, *, ax=None, label: str | None = None, color=None):
    """Annual staff turnover and the vacancy rate."""
    return _many(runs, [("turnover_rate", "turnover a year"), ("vacancy_rate", "vacancy rate")], ax=ax, label=label,
                 color=color, ylabel="share", title="Workforce")


def micro_enterprises(runs: Any, *, ax=None, label: str | None = None, color=None):
    """Community micro-enterprises operating."""
    return _many(runs, [("micro_enterprises", "micro-enterprises")], ax=ax, label=label, color=color,
                 ylabel="enterprises", title="Community micro-enterprises")


def unmet_need(runs: Any, *, ax=None, label: str | None = None, color=None):
    """Hours of formal care needed but not delivered each week."""
    return _many(runs, [("hours_unmet", "unmet hours")], ax=ax, label=label, color=color, ylabel="hours a week",
                 title="Unmet need")


def money_flows(runs: Any, *, ax=None, label: str | None = None, color=None):
    """Council spend, money kept in the local economy, and money leaving the region, in £ m a year."""
    return _many(runs, [(name, what, MONEY_SCALE) for name, what in (
        ("council_spend", "council spend"), ("local_retained", "kept locally"), ("extraction", "leaves the region"))],
        ax=ax, label=label, color=color, ylabel=MONEY_LABEL, title="Money flows")


def wellbeing(runs: Any, *, ax=None, label: str | None = None, color=None):
    """Quality of life (the ASCOT score over 24) of people served and of everyone with need, and
    continuity of care, all on 0 to 1."""
    return _many(runs, [("wellbeing_served", "wellbeing, served (ASCOT/24)"),
                        ("wellbeing_all", "wellbeing, all with need (ASCOT/24)"), ("continuity", "continuity")],
                 ax=ax, label=label, color=color, ylabel="0 to 1", title="Wellbeing and continuity")


def dashboard(arms: Mapping[str, Any], *, figsize=(12, 10), colors: Mapping[str, Any] | Any = None):
    """All six standard figures for one or more labelled arms: ``dashboard({"baseline": runs, ...})``.

    Each arm has one colour in all six panels: ``colors`` (a mapping arm → colour, or colours in the
    order of ``arms``), else matplotlib's ``C0``, ``C1``, ... in the order of ``arms``; an arm's
    lines within a panel differ by line style."""
    import matplotlib.pyplot as plt

    given = dict(colors or {}) if colors is None or isinstance(colors, Mapping) else dict(zip(arms, colors))
    taken = {str(c) for c in given.values() if c is not None}
    free = iter([f"C{k}" for k in range(2 * len(arms) + len(taken)) if f"C{k}" not in taken])
    chosen = {name: given[name] if given.get(name) is not None else next(free) for name in arms}
    fig, axes = plt.subplots(3, 2, figsize=figsize)
    for plot, ax in zip([market_shares, workforce, micro_enterprises, unmet_need, money_flows, wellbeing], axes.flat):
        for name, runs in arms.items():
            plot(runs, ax=ax, label=name, color=chosen.get(name))
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
