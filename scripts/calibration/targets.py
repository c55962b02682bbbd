#!/usr/bin/env /usr/bin/python3
"""The calibration targets of the specification (docs/specification.md), measured in caremarket
output files of one scenario, one file per seed.

    /usr/bin/python3 scripts/calibration/targets.py --baseline base_s*.h5 --support mes_s*.h5
    /usr/bin/python3 scripts/calibration/targets.py --measures-only base_s*.h5   # raw measures

Definitions (docs/ODD.md §9):
  rates (turnover, vacancy, hires from care, wage, zero hours): mean of the weekly region value over
    steps BURN_IN..WINDOW (the first year fills the 52-week turnover window);
  closure rates: events of the kind and archetype with 0 < week <= WINDOW, per year, over the mean
    count of that archetype over steps 1..WINDOW;
  micro-enterprise survival: share of the micro-enterprises founded in weeks 1..WINDOW-1 (and at
    least FOLLOW_UP weeks before the end of the run) with no closure less than FOLLOW_UP weeks
    after their founding;
  four-year figures: micro-enterprises in the snapshot of week FOUR_YEAR, 'new' ones absent from
    the week-0 snapshot, jobs and clients per enterprise from the series at that step;
  direct-payment share: direct payments / (direct payments + council-managed) at step WINDOW.

Each target is labelled 'tuned' (a parameter was set to hit it; the parameter is named) or 'held
out' (no parameter was set for it), following the parameters' sources (`caremarket params`).
"""
from __future__ import annotations

import sys
from dataclasses import dataclass

import numpy as np

import common
from common import AGENCY, CLOSURE, EXIT, FOUNDING, MICRO


def measure(run: common.Run, window: int = 260, burn_in: int = 52, four_year: int = 208,
            follow_up: int = 260) -> dict[str, float]:
    common.need_steps(run, window, "the target window")
    s = run.series
    me = s("micro_enterprises")
    w = slice(burn_in, window + 1)
    r: dict[str, float] = {}
    r["micro_start"] = me[0]
    r["micro_end"] = me[window]
    for key, name in [("turnover", "turnover_rate"), ("turnover_nlw", "turnover_rate_nlw"),
                      ("turnover_nlw150", "turnover_rate_nlw_plus_150"), ("vacancy", "vacancy_rate"),
                      ("hires_from_care", "hires_from_care_share"), ("mean_wage", "mean_wage"),
                      ("zero_hours_share", "zero_hours_share")]:
        r[key] = s(name)[w].mean()
    r["ascot_served"] = 24 * s("wellbeing_served")[w].mean()  # ASCOT score of 24 (wellbeing is score / 24)
    r["band_gap"] = r["turnover_nlw"] - r["turnover_nlw150"]

    ev = run.events("providers")
    kind, arch, week, pid = ev["kind"], ev["archetype"], ev["week"], ev["provider"]
    inwin = (week > 0) & (week <= window)
    years = window / 52
    r["agency_closure"] = ((kind == EXIT) & (arch == AGENCY) & inwin).sum() / years / s("providers_agency")[1:window + 1].mean()
    r["micro_closure"] = ((kind == CLOSURE) & (arch == MICRO) & inwin).sum() / years / me[1:window + 1].mean()

    last_cohort = min(window - 1, run.steps - follow_up)
    founded = {p: w_ for p, w_, k in zip(pid, week, kind) if k == FOUNDING and 0 < w_ <= last_cohort}
    closed = {p: w_ for p, w_, k in zip(pid, week, kind) if k == CLOSURE}
    r["founded"] = len(founded)
    r["survival"] = (np.mean([not (p in closed and closed[p] - w_ < follow_up) for p, w_ in founded.items()])
                     if founded else float("nan"))

    common.need_steps(run, four_year, "the four-year figures")
    p0, p4 = run.snapshot(0, "providers"), run.snapshot(four_year, "providers")
    start = set(p0["provider"][p0["archetype"] == MICRO])
    now = p4["provider"][p4["archetype"] == MICRO]
    r["micro_four_year"] = len(now)
    r["new_four_year"] = sum(1 for p in now if p not in start)
    r["jobs_per_micro"] = s("micro_enterprise_jobs")[four_year] / max(1.0, me[four_year])
    r["clients_per_micro"] = s("micro_enterprise_clients")[four_year] / max(1.0, me[four_year])

    dp, cm = s("people_direct_payment")[window], s("people_council_managed")[window]
    r["dp_share"] = dp / (dp + cm) if dp + cm > 0 else float("nan")
    return r


@dataclass(frozen=True)
class Target:
    name: str          # what is compared
    target: str        # the observed value
    source: str
    arm: str           # 'baseline' or 'support'
    key: str           # measure key
    kind: str          # format of the value (common.fmt)
    label: str         # 'tuned (parameter)' or 'held out'
    accepted: tuple[float, float] | None = None   # range the validation tests accept (mean of seeds)


TARGETS = [
    Target("Micro-enterprises with support, five years", "≈ 50 → 450+", "NEF & Community Catalysts 2020",
           "support", "micro_end", "count", "tuned (`founding.per_coordinator_per_year`)", (400, float("inf"))),
    Target("Micro-enterprises without support, five years", "< 100", "NEF & Community Catalysts 2020",
           "baseline", "micro_end", "count", "tuned (`founding.base_per_100k_adults`)", (0, 100)),
    Target("Micro-enterprises after four years (support)", "425", "Community Catalysts",
           "support", "micro_four_year", "count", "held out"),
    Target("… of them new since the start", "362", "Community Catalysts",
           "support", "new_four_year", "count", "held out"),
    Target("Workers per micro-enterprise after four years (owner included)", "≈ 1", "Community Catalysts",
           "support", "jobs_per_micro", "ratio", "tuned (`founding.mean_extra_staff`)", (1.0, 2.0)),
    Target("People supported per micro-enterprise after four years", "≈ 4", "Community Catalysts",
           "support", "clients_per_micro", "ratio", "held out", (2.5, 6.0)),
    Target("Overall care-worker turnover", "24–29% a year", "Skills for Care 2023/24, 2022/23",
           "baseline", "turnover", "pct", "tuned (`retention.base_quit_per_year`)", (0.20, 0.35)),
    Target("Turnover at or below the NLW", "37.8%", "Skills for Care, Dec 2024",
           "baseline", "turnover_nlw", "pct", "tuned, with the next two (`retention.wage_sensitivity`)"),
    Target("Turnover £1.50 or more above the NLW", "31%", "Skills for Care, Dec 2024",
           "baseline", "turnover_nlw150", "pct", "tuned (`retention.wage_sensitivity`)"),
    Target("Gap between the two (percentage points)", "6.8", "Skills for Care, Dec 2024",
           "baseline", "band_gap", "pts", "tuned (`retention.wage_sensitivity`)", (0.0, float("inf"))),
    Target("Home care vacancy rate", "≈ 11.5%", "King's Fund 2023/24",
           "baseline", "vacancy", "pct", "tuned (`labour.fill_per_week`)", (0.05, 0.20)),
    Target("Agency closures a year", "≈ 1 in 7 (14.3%)", "Allan (PSSRU)",
           "baseline", "agency_closure", "pct", "tuned (`providers.agency.closure_per_year`, the base hazard)",
           (0.09, 0.20)),
    Target("Micro-enterprises surviving five years (support)", "≈ two thirds", "NEF 2020 survey (expectation)",
           "support", "survival", "pct", "held out"),
    Target("Micro-enterprise closures a year (support)", "4–12% brackets two thirds over five years",
           "NEF 2020", "support", "micro_closure", "pct", "held out", (0.04, 0.12)),
    Target("Direct-payment share of council-funded clients", "25.5%", "NHS England ASC-FR 2023/24",
           "baseline", "dp_share", "pct",
           "tuned by construction (`eligibility.dp_uptake_*` come from the same statistic)", (0.18, 0.33)),
    Target("Social-care-related quality of life of people served (ASCOT, of 24)", "≈ 19",
           "ASCOF 1A (Adult Social Care Survey)", "baseline", "ascot_served", "ratio", "tuned (`outcomes.base`)",
           (18.0, 20.0)),
]


def targets_table(values: dict[str, dict[str, list[float]]]) -> str:
    """Markdown table of TARGETS from the measures of each arm ('baseline', 'support')."""
    rows = []
    for t in TARGETS:
        if t.arm not in values:
            continue
        v = values[t.arm][t.key]
        s = common.summary(v)
        shown = common.fmt_summary(s, t.kind)
        if t.key == "micro_end":
            start = common.summary(values[t.arm]["micro_start"])
            shown = f"{common.fmt(start['mean'], 'count')} → {shown}"
        if t.accepted is None:
            accepted = "—"
        else:
            lo, hi = t.accepted
            inside = lo <= s["mean"] <= hi
            if hi == float("inf"):
                rng = f"≥ {common.fmt(lo, 'int' if t.kind == 'count' else t.kind)}" if t.key != "band_gap" else "> 0"
            elif lo == 0 and t.key == "micro_end":
                rng = f"< {common.fmt(hi, 'int')}"
            else:
                rng = f"{common.fmt(lo, t.kind)}–{common.fmt(hi, t.kind)}"
            accepted = f"{rng}: {'yes' if inside else '**no**'}"
        rows.append([t.name, t.target, t.source, t.label, shown, accepted])
    return common.markdown_table(
        ["Target", "Observed", "Source", "Tuned or held out", "Model: mean (sd) [range] over seeds",
         "Accepted range (tests/validation): mean inside?"], rows)


def main(argv: list[str] | None = None) -> int:
    parser = common.arm_parser(__doc__, "print every raw measure of FILES, not the targets table")
    parser.add_argument("--window", type=int, default=260, help="last step of the target window (default 260: five years)")
    parser.add_argument("--burn-in", type=int, default=52, help="first step of rate averages (default 52)")
    parser.add_argument("--four-year", type=int, default=208, help="step of the four-year figures; a snapshot week (default 208)")
    parser.add_argument("--follow-up", type=int, default=260, help="weeks of follow-up for survival (default 260)")
    args = parser.parse_args(argv)
    common.check_arms(parser, args)
    opts = dict(window=args.window, burn_in=args.burn_in, four_year=args.four_year, follow_up=args.follow_up)
    if args.measures_only:
        print(common.text_table(common.measure_files(args.files, measure, **opts)))
        return 0
    values = {}
    if args.baseline:
        values["baseline"] = common.measure_files(args.baseline, measure, **opts)
    if args.support:
        values["support"] = common.measure_files(args.support, measure, **opts)
    print(targets_table(values))
    return 0


if __name__ == "__main__":
    sys.exit(main())
