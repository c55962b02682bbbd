"""Region-level series from per-council time series: counts and money are summed across
councils; rates, shares and means are averaged, weighted by the population they describe."""

from __future__ import annotations

import pandas as pd

#: Series that are averages across councils, and the count that weights each council.
WEIGHTS = {
    "vacancy_rate": "workers",
    "turnover_rate": "workers",
    "turnover_rate_nlw": "workers",
    "turnover_rate_nlw_plus_150": "workers",
    "mean_wage": "workers",
    "mean_effective_pay": "workers",
    "zero_hours_share": "workers",
    "mean_stress": "workers",
    "hires_from_care_share": "hires",
    "chain_share_council_hours": "people_council_managed",
    "hhi_council_hours": "people_council_managed",
    "price_per_hour": "people_council_managed",
    "mean_wellbeing": "people_needing_care",
    "continuity": "people_served",
}


def region(timeseries: pd.DataFrame) -> pd.DataFrame:
    """One row per week: the region's value of every series of a (week, council) time series."""
    by_week = timeseries.groupby(level="week")
    out = by_week.sum()
    for name, weight in WEIGHTS.items():
        if name in timeseries and weight in timeseries:
            w = timeseries[weight]
            total = w.groupby(level="week").sum()
            weighted = (timeseries[name] * w).groupby(level="week").sum()
            out[name] = (weighted / total.where(total > 0)).fillna(0.0)
    out.attrs = dict(timeseries.attrs)
    return out
