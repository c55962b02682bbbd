#!/usr/bin/env /usr/bin/python3
"""Policy responses (docs/ODD.md §9): one column per policy arm, the mean over its seeds of each
measure. Rates, prices and people are means over steps FROM..END (END is the run's last step);
micro-enterprises are counted at step MID; hand-backs and tenders are summed over steps 1..END.

    /usr/bin/python3 scripts/calibration/policies.py --arm baseline base_s*.h5 \\
        --arm collaborative collaborative_s*.h5 --arm quality_weighted quality_weighted_s*.h5

Arms should use the same seeds (common random numbers), so that their differences are not noise
from different draws.
"""
from __future__ import annotations

import argparse
import sys

import numpy as np

import common


def measure(run: common.Run, start: int = 53, mid: int = 260) -> dict[str, float]:
    common.need_steps(run, max(start, mid), "the policy window")
    x = run.series
    w = slice(start, run.steps + 1)
    dp, cm = x("people_direct_payment")[w], x("people_council_managed")[w]

    def since_1_12(name: str, at) -> float:  # series of format 1.12: nan in older files
        return float(np.mean(x(name)[at])) if name in run.file else float("nan")

    return {
        "price": x("price_per_hour")[w].mean(),
        "chain_share": x("chain_share_council_hours")[w].mean(),
        "hhi": x("hhi_council_hours")[w].mean(),
        "micro_mid": x("micro_enterprises")[mid],
        "unmet": (x("hours_unmet")[w] / np.maximum(1e-9, x("hours_needed")[w])).mean(),
        "waiting": x("people_waiting")[w].mean(),
        "turnover": x("turnover_rate")[w].mean(),
        "vacancy": x("vacancy_rate")[w].mean(),
        "wage": x("mean_wage")[w].mean(),
        "wellbeing_served": 24 * x("wellbeing_served")[w].mean(),
        "wellbeing_all": 24 * x("wellbeing_all")[w].mean(),
        "continuity": x("continuity")[w].mean(),
        "spend": x("council_spend")[w].mean() * 52 / 1e6,
        "extraction": x("extraction")[w].mean() * 52 / 1e6,
        "local_retained": x("local_retained")[w].mean() * 52 / 1e6,
        "in_house_share": since_1_12("in_house_share_council_hours", w),
        "cooperatives_mid": since_1_12("providers_cooperative", mid),
        "handbacks": x("handbacks")[1:].sum(),
        "tenders": x("tenders")[1:].sum(),
        "dp_share": (dp / np.maximum(1, dp + cm)).mean(),
        "delayed": x("discharge_delayed")[w].mean(),
        "reablement": x("reablement_people")[w].mean(),
        "nhs_cost": x("nhs_delay_cost")[w].mean() * 52 / 1e6,
    }


ROWS = [
    ("price", "Council price per council-managed hour (£)", "ratio"),
    ("chain_share", "Chain share of council-managed hours", "3"),
    ("hhi", "HHI of council-managed hours (groups)", "int"),
    ("micro_mid", "Micro-enterprises at step MID", "count"),
    ("unmet", "Unmet share of hours needed", "3"),
    ("waiting", "People waiting", "count"),
    ("turnover", "Turnover", "3"),
    ("vacancy", "Vacancy rate", "3"),
    ("wage", "Mean wage (£/h)", "ratio"),
    ("wellbeing_served", "Wellbeing of people served (ASCOT, of 24)", "ratio"),
    ("wellbeing_all", "Wellbeing of everyone with need (ASCOT, of 24)", "ratio"),
    ("continuity", "Continuity", "3"),
    ("spend", "Council spend (£m a year)", "count"),
    ("extraction", "Extraction (£m a year)", "count"),
    ("local_retained", "Money retained locally: wages and local surplus (£m a year)", "count"),
    ("in_house_share", "Council's own services' share of council-managed hours", "3"),
    ("cooperatives_mid", "Cooperatives at step MID", "count"),
    ("handbacks", "Contracts handed back, whole run", "count"),
    ("tenders", "Lettings after week 0", "count"),
    ("dp_share", "Direct-payment share", "3"),
    ("reablement", "People in reablement", "count"),
    ("delayed", "People delayed in hospital awaiting a package", "count"),
    ("nhs_cost", "NHS cost of delayed discharges (£m a year)", "ratio"),
]


def policies_table(values: dict[str, dict[str, list[float]]], mid: int) -> str:
    arms = list(values)
    rows = []
    for key, text, kind in ROWS:
        rows.append([text.replace("MID", str(mid))] + [common.fmt(float(np.mean(values[a][key])), kind) for a in arms])
    return common.markdown_table(["Measure (mean over seeds)"] + [f"`{a}`" for a in arms], rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--arm", nargs="+", action="append", required=True, metavar=("NAME", "FILE"),
                        help="an arm's name and its files, one per seed; repeat for every arm")
    parser.add_argument("--from", dest="start", type=int, default=53, help="first step of the means (default 53)")
    parser.add_argument("--mid", type=int, default=260, help="step at which micro-enterprises are counted (default 260)")
    args = parser.parse_args(argv)
    values = {}
    for arm in args.arm:
        if len(arm) < 2:
            parser.error(f"--arm {arm[0]} has no files")
        values[arm[0]] = common.measure_files(arm[1:], measure, start=args.start, mid=args.mid)
    print(policies_table(values, args.mid))
    return 0


if __name__ == "__main__":
    sys.exit(main())
