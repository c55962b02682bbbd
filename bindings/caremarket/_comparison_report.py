"""The report of one or several comparisons (``caremarket compare`` output, ``PREFIX.h5``): each
policy against one baseline, with the paired differences, their 95% intervals and plain verdicts,
charts with replicate bands, the scenario's facts, a short "why", and results by council.

The numbers are the comparison file's (the C++ statistics of ``caremarket compare``) when the page's
horizon is the comparison's own; when comparisons of different lengths share a page, each is
compared over the weeks all of them cover, from its run files, by the same C++ statistics
(``_core.paired_statistics``), and the page says so.
"""

from __future__ import annotations

import html
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import h5py
import numpy as np
import pandas as pd

from . import _core
from ._region import region
from ._results import IncompleteRunWarning
from ._results import open as open_results
from ._sweeps import read_index

COMPARISON_FORMAT = "caremarket-comparison"

# Arms' colours: the baseline grey, each policy its own colour, the same in every chart and table.
BASELINE_COLOUR = "#555555"
POLICY_COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"]


@dataclass(frozen=True)
class Outcome:
    name: str  # metric name
    label: str
    kind: str  # "people", "hours", "share", "pay", "money", "ascot", "count"
    benefit: str  # "higher", "lower", "cost" (shown as a cost, not as worse) or "shape" (more or fewer, no verdict)
    explain: str


# MODEL.md §16's headline outcomes, in the comparison file's order.
OUTCOMES = [
    Outcome("people_served", "People receiving care", "people", "higher",
            "people who received some formal care in a week"),
    Outcome("people_waiting", "People waiting for a provider", "people", "lower",
            "people eligible or paying for care with no provider yet"),
    Outcome("people_waiting_budget", "… of whom held back by the budget", "people", "lower",
            "people a provider would take, held back by the council's budget"),
    Outcome("hours_unmet_all", "Care needed but not delivered", "hours", "lower",
            "hours of formal care everyone with a need needed and did not get"),
    Outcome("workers", "Care workers", "people", "higher", "care workers employed"),
    Outcome("vacancy_rate", "Vacancy rate", "share", "lower", "unfilled posts as a share of posts"),
    Outcome("turnover_rate", "Staff turnover", "share", "lower", "share of staff who left their employer over a year"),
    Outcome("mean_wage", "Care workers' mean wage", "pay", "higher", "£ an hour paid"),
    Outcome("mean_effective_pay", "Pay per hour worked", "pay", "higher",
            "£ an hour worked, unpaid travel included"),
    Outcome("micro_enterprises", "Community micro-enterprises", "count", "shape", "tiny local care businesses"),
    Outcome("chain_share_council_hours", "Chains' share of council-funded hours", "share", "shape",
            "the market's shape: neither better nor worse in itself"),
    Outcome("council_spend", "Council spend", "money", "cost",
            "contracts, spot purchases, direct payments, programmes and prevention"),
    Outcome("price_per_hour", "Council price per hour of care", "pay", "cost",
            "what the council paid an hour for the care it arranged"),
    Outcome("extraction", "Money leaving the region", "money", "lower", "profit, rent and interest taken out"),
    Outcome("local_retained", "Money kept in the local economy", "money", "higher",
            "wages plus providers' surplus that stays"),
    Outcome("wellbeing_served", "Quality of life of people receiving care", "ascot", "higher",
            "ASCOT points of 24 (England's average is about 19)"),
    Outcome("wellbeing_all", "Quality of life of everyone needing care", "ascot", "higher",
            "the same for everyone with a need, waiting or refused included"),
    Outcome("continuity", "Continuity of care", "share", "higher", "share of visits by the person's usual worker"),
]
BY_NAME = {o.name: o for o in OUTCOMES}


class ComparisonReportError(Exception):
    """A comparison that cannot be reported on, with a message for the user."""


def is_comparison(path: str | Path) -> bool:
    try:
        with h5py.File(path, "r") as f:
            name = f.attrs.get("format_name")
    except OSError:
        return False
    return (name.decode() if isinstance(name, bytes) else name) == COMPARISON_FORMAT


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


@dataclass
class Arm:
    """One arm's runs: region series (week × metric), one frame per replicate."""
    label: str
    colour: str
    runs: list[pd.DataFrame] = field(default_factory=list)
    replicates: list[int] = field(default_factory=list)


@dataclass
class Comparison:
    path: Path
    attrs: dict
    table: pd.DataFrame  # outcome rows: baseline, policy, difference, ci_low, ci_high
    places: pd.DataFrame | None  # (place, outcome) rows, or None
    place_kind: str
    baseline: Arm
    policy: Arm
    steps: int  # the runs' length
    start_date: pd.Timestamp | None
    config: dict
    councils: list[str]

    @property
    def name(self) -> str:
        return self.policy.label

    @property
    def parameter_sets(self) -> int:
        return int(self.attrs.get("parameter_sets", 0))


def _read_table(f: h5py.File) -> pd.DataFrame:
    names = f["name"].asstr()[()]
    columns = {c: f[c][()] for c in ("baseline", "policy", "difference", "ci_low", "ci_high", "sd_difference")}
    return pd.DataFrame(columns, index=pd.Index(names, name="outcome"))


def _read_places(f: h5py.File) -> tuple[pd.DataFrame | None, str]:
    if "place_name" not in f:
        return None, ""
    places = f["place_name"].asstr()[()]
    outcomes = f["place_outcome_name"].asstr()[()]
    index = pd.MultiIndex.from_product([places, outcomes], names=["place", "outcome"])
    data = {c: f["place_" + c][()].reshape(-1) for c in ("baseline", "policy", "difference", "ci_low", "ci_high")}
    return pd.DataFrame(data, index=index), _text(f.attrs.get("places", "council"))


def load_comparison(path: str | Path, colour: str) -> Comparison:
    path = Path(path)
    if not path.is_file():
        raise ComparisonReportError(f"{path}: no such file")
    with h5py.File(path, "r") as f:
        attrs = {k: (_text(v) if isinstance(v, (bytes, str)) else v) for k, v in f.attrs.items()}
        if attrs.get("format_name") != COMPARISON_FORMAT:
            raise ComparisonReportError(f"{path} is not a comparison (format_name {attrs.get('format_name')!r})")
        major = int(str(attrs.get("format_version", "1.0")).split(".")[0])
        if major > 1:
            raise ComparisonReportError(f"{path} is comparison format {attrs['format_version']}, newer than this "
                                        "package reads (1.x); report it with a newer caremarket")
        table = _read_table(f)
        places, place_kind = _read_places(f)
    runs_dir = path.with_name(path.name[:-3] + "-runs") if path.name.endswith(".h5") else Path(str(path) + "-runs")
    if not (runs_dir / "index.h5").is_file():
        raise ComparisonReportError(f"{path}: its runs folder {runs_dir} (with index.h5) is missing; the report draws "
                                    "its charts from the runs: keep PREFIX-runs/ beside PREFIX.h5")
    index = read_index(runs_dir)
    done = index[index.status == "done"]
    if "param_policy" not in done:
        raise ComparisonReportError(f"{runs_dir}/index.h5 has no policy axis: not the runs of a comparison")
    # Pairs: the same replicate (and parameter set: points 2s, 2s + 1) done in both arms.
    done = done.assign(pair_set=done.point // 2)
    keys = ["pair_set", "replicate"]
    base_rows = done[done.param_policy == 0].set_index(keys)
    pol_rows = done[done.param_policy == 1].set_index(keys)
    pairs = base_rows.index.intersection(pol_rows.index).sort_values()
    if len(pairs) < 2:
        raise ComparisonReportError(f"{path}: fewer than two replicate pairs of its runs are done in {runs_dir}")
    policy_name = Path(_text(attrs.get("policy", path.stem)))  # a file's stem, or a shipped policy's name
    baseline = Arm("baseline", BASELINE_COLOUR)
    policy = Arm(policy_name.stem if policy_name.suffix == ".toml" else policy_name.name, colour)
    first = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", IncompleteRunWarning)
        for key in pairs:
            for arm, rows in ((baseline, base_rows), (policy, pol_rows)):
                results = open_results(runs_dir / rows.loc[key, "file"])
                first = first or results
                arm.runs.append(region(results.timeseries))
                arm.replicates.append(int(key[1]))
    weeks = min(int(r.index[-1]) for arm in (baseline, policy) for r in arm.runs)
    return Comparison(path, attrs, table, places, place_kind, baseline, policy, weeks, first.start_date and
                      pd.Timestamp(first.start_date), first.config, first.councils)


def last_year_values(run: pd.DataFrame, horizon: int) -> pd.Series:
    """Each metric's mean over the last 52 weeks up to `horizon` (all weeks after step 0 when
    shorter): a run's last-year region value, as the journal and the comparison file hold it."""
    weeks = run.index.to_numpy()
    chosen = (weeks > max(0, horizon - 52)) & (weeks <= horizon)
    return run[chosen].mean()


def statistics_over(c: Comparison, horizon: int) -> pd.DataFrame:
    """The comparison's headline statistics over weeks up to `horizon`, from its runs, by the C++
    statistics of ``caremarket compare``."""
    names = [name for name, _, _ in _core.metric_catalogue()]
    base = [last_year_values(r, horizon).reindex(names).fillna(0.0).tolist() for r in c.baseline.runs]
    pol = [last_year_values(r, horizon).reindex(names).fillna(0.0).tolist() for r in c.policy.runs]
    rows = _core.paired_statistics(base, pol)
    frame = pd.DataFrame(rows).set_index("outcome")
    return frame[["baseline", "policy", "difference", "ci_low", "ci_high", "sd_difference"]]


def totals_over(c: Comparison, name: str, horizon: int) -> dict[str, float]:
    """A weekly money flow summed over weeks 1..horizon in each run: the arms' means, the mean
    paired difference and its 95% t interval."""
    def total(run):
        weeks = run.index.to_numpy()
        return float(run[name][(weeks > 0) & (weeks <= horizon)].sum())
    b = np.array([total(r) for r in c.baseline.runs])
    p = np.array([total(r) for r in c.policy.runs])
    d = p - b
    n = len(d)
    half = _core.t_quantile_975(n - 1) * d.std(ddof=1) / np.sqrt(n) if n > 1 else 0.0
    return {"baseline": b.mean(), "policy": p.mean(), "difference": d.mean(), "ci_low": d.mean() - half,
            "ci_high": d.mean() + half}


# --- words and numbers --------------------------------------------------------------------------


def scale(outcome: Outcome) -> float:
    return 24.0 if outcome.kind == "ascot" else 1.0


def fmt(value: float, outcome: Outcome, signed: bool = False) -> str:
    if not np.isfinite(value):
        return "–"
    sign = ("+" if value > 0 else "−" if value < 0 else "±") if signed else ("−" if value < 0 else "")
    v = abs(value) * scale(outcome)
    if outcome.kind == "share":
        return f"{sign}{v * 100:.1f}{' points' if signed else '%'}"
    if outcome.kind == "pay":
        return f"{sign}£{v:,.2f}/h"
    if outcome.kind == "money":
        return f"{sign}£{v:,.0f} a week<br><small>{sign}£{v * 52 / 1e6:,.2f} m a year</small>"
    if outcome.kind == "ascot":
        return f"{sign}{v:.2f}"
    # Small differences keep a decimal: a clear +0.3 must not read as "+0 … worse".
    digits = 1 if signed and 0 < v < 10 else 0
    if outcome.kind == "hours":
        return f"{sign}{v:,.{digits}f} h/week"
    return f"{sign}{v:,.{digits}f}"


def verdict(row: pd.Series, outcome: Outcome) -> tuple[str, str]:
    """A plain verdict and its CSS class: better / worse / no clear difference by the direction of
    benefit; a cost as a cost; the market's shape as more or fewer."""
    low, high = row["ci_low"], row["ci_high"]
    if not (np.isfinite(low) and np.isfinite(high)):
        return "not estimable", "same"  # e.g. too few pairs: the page says nothing it cannot back
    if low <= 0 <= high:
        return "no clear difference", "same"
    return direction_verdict(low > 0, outcome.benefit, counted=outcome.kind == "count")


def direction_verdict(up: bool, benefit: str, counted: bool = False) -> tuple[str, str]:
    """The verdict on a difference that is there, and its CSS class (.better, .worse, .cost,
    .saving, .shape), by the outcome's benefit ("higher", "lower", "cost" or "shape"): a cost is a
    cost, never worse; the market's shape is more or fewer (counted) or less, never better. The
    comparison report and the one-run report with a baseline speak alike."""
    if benefit == "cost":
        return ("costs more", "cost") if up else ("costs less", "saving")
    if benefit == "shape":
        return ("more" if up else "fewer" if counted else "less"), "shape"
    good = up == (benefit == "higher")
    return ("better", "better") if good else ("worse", "worse")


def money_m(value: float, signed: bool = False) -> str:
    sign = "−" if value < 0 else ("+" if signed and value > 0 else "")
    return f"{sign}£{abs(value) / 1e6:,.2f} m"


def plain_text(text: str) -> str:
    """A formatted cell without its markup, e.g. for JSON: its lines (<br>) as newlines."""
    lines = re.split(r"<br\s*/?>", text)
    return "\n".join(" ".join(re.sub(r"<[^>]+>", " ", line).split()) for line in lines)


def fmt_short(value: float, outcome: Outcome) -> str:
    """A signed difference on one line: money in £ m a year."""
    if outcome.kind == "money" and np.isfinite(value):
        return money_m(52 * value, True) + " a year"
    return fmt(value, outcome, True)


def pounds(value: float) -> str:
    return f"{'−' if value < 0 else '+'}£{abs(value):,.2f}"


def weeks_text(weeks: int, start: pd.Timestamp | None) -> str:
    text = f"{weeks} weeks ({weeks / 52:.1f} years)"
    if start is not None:
        end = start + pd.Timedelta(days=7 * weeks)
        text += f", {start:%d %B %Y} to {end:%d %B %Y}"
    return text


PROVIDER_SERIES = ("providers_chain", "providers_agency", "micro_enterprises", "providers_cooperative",
                   "providers_council_run", "providers_personal_assistant")


def facts(c: Comparison) -> list[tuple[str, str]]:
    """The scenario's facts, from the baseline's first run: councils, population, budget, price,
    providers and workers at the start."""
    run = c.baseline.runs[0]
    start = run.iloc[0]
    # Prices and placements are made during a week: step 0 (the market as built) has no price yet.
    first_week = run.iloc[1] if len(run) > 1 else start
    councils = c.config.get("councils", [])
    multiplier = float(c.config.get("commissioning", {}).get("budget_multiplier", 1.0))
    budget = sum(float(k.get("budget_million", 0.0)) for k in councils) * multiplier
    adults = sum(sum(k.get("age_thousands", [])) for k in councils) * 1000
    providers = sum(float(start.get(n, 0.0)) for n in PROVIDER_SERIES)
    shown = ", ".join(c.councils[:6]) + (f" and {len(c.councils) - 6} more" if len(c.councils) > 6 else "")
    rows = [("Councils", f"{len(c.councils)}: {shown}")]
    if adults:
        rows.append(("Adults living there", f"{adults:,.0f}"))
    rows += [("People with care needs at the start", f"{start['people_needing_care']:,.0f}"),
             ("Care budget", f"£{budget:,.1f} m a year (£{budget * 1e6 / 52:,.0f} a week)"),
             ("Council price per hour in the first week", f"£{first_week['price_per_hour']:,.2f}"),
             ("Providers at the start", f"{providers:,.0f}"),
             ("Care workers at the start", f"{start['workers']:,.0f}")]
    return rows


# --- charts -------------------------------------------------------------------------------------

CHARTS = [
    ("people_served", "People receiving care", "people", "The number of people receiving some formal care each week."),
    ("people_waiting", "People waiting for a provider", "people",
     "People eligible or paying for care who have no provider yet."),
    ("hours_unmet_all", "Care needed but not delivered", "hours a week",
     "Hours of formal care needed by everyone with a need and not delivered."),
    ("workers", "Care workers", "workers", "Care workers employed."),
    ("turnover_rate", "Staff turnover", "% a year", "Share of staff who left their employer over the past year."),
    ("mean_effective_pay", "Pay per hour worked", "£ an hour",
     "Care workers' pay per hour worked, unpaid travel included."),
    ("micro_enterprises", "Community micro-enterprises", "enterprises", "Tiny local care businesses operating."),
    ("council_spend", "Council spend", "£ m a year", "The council's spend on care, at an annual rate (weekly × 52)."),
    ("extraction", "Money leaving the region", "£ m a year",
     "Profit, rent and interest taken out of the region, at an annual rate (weekly × 52)."),
    ("wellbeing_all", "Quality of life of everyone needing care", "ASCOT points of 24",
     "Social-care-related quality of life (ASCOT) of everyone with a need."),
]
CHART_SCALE = {"turnover_rate": 100.0, "council_spend": 52 / 1e6, "extraction": 52 / 1e6, "wellbeing_all": 24.0}


def bands(arm: Arm, name: str, horizon: int) -> np.ndarray:
    """The 5th, 25th, 50th, 75th and 95th percentiles of a series over an arm's replicates, week by
    week from 0 to `horizon`, on the chart's scale (CHART_SCALE): 5 rows."""
    values = np.array([r[name].reindex(range(horizon + 1)).to_numpy() for r in arm.runs])
    return np.nanpercentile(values * CHART_SCALE.get(name, 1.0), [5, 25, 50, 75, 95], axis=0)


def band_chart(arms: list[Arm], name: str, ylabel: str, horizon: int, start: pd.Timestamp | None) -> str:
    """Each arm's median over its replicates, with bands holding the middle 50% and 90% of them."""
    from .report import figure

    def plot(ax):
        for arm in arms:
            weeks = np.arange(horizon + 1)
            x = (start + pd.to_timedelta(7 * weeks, unit="D")) if start is not None else weeks / 52
            q = bands(arm, name, horizon)
            ax.fill_between(x, q[0], q[4], color=arm.colour, alpha=0.12, linewidth=0)
            ax.fill_between(x, q[1], q[3], color=arm.colour, alpha=0.25, linewidth=0)
            ax.plot(x, q[2], color=arm.colour, linewidth=1.6, label=arm.label)
        ax.set_ylabel(ylabel)
        ax.legend(fontsize=8, loc="best")
        ax.set_xlabel("date" if start is not None else "year")
    return figure(plot)


# --- the page ------------------------------------------------------------------------------------

# Added to report.STYLE (which has the verdicts' classes, shared with the one-run report).
EXTRA_STYLE = """
body { max-width: 72rem; } table.facts th { text-align: left; width: 40%; font-weight: 600; }
td.num { white-space: nowrap; }
figure { margin: 2.5rem 0 1rem; } figure h3 { margin: 0 0 .3rem; font-size: 1rem; }
figcaption { color: #555; font-size: .9rem; margin-top: .2rem; }
.swatch { display: inline-block; width: .8rem; height: .8rem; border-radius: 2px; margin-right: .3rem;
  vertical-align: -1px; }
table.glance td, table.glance th { font-size: .92rem; }
"""


def check_comparable(comparisons: list[Comparison]) -> tuple[int, list[str]]:
    """The page's horizon (the weeks every comparison covers) and notes on how the comparisons differ.
    Refuses comparisons of other councils than the first's."""
    first = comparisons[0]
    notes = []
    for c in comparisons[1:]:
        if c.councils != first.councils:
            raise ComparisonReportError(
                f"cannot report {c.path} with {first.path}: they simulate different councils "
                f"({len(c.councils)}: {', '.join(c.councils[:4])}; {len(first.councils)}: "
                f"{', '.join(first.councils[:4])}); the policies of one page share one baseline region")
        for key, what in (("baseline_policy", "baseline policy"), ("root_seed", "seed"), ("scenario", "scenario")):
            if str(c.attrs.get(key)) != str(first.attrs.get(key)):
                notes.append(f"{c.path.name} has another {what} ({c.attrs.get(key)}) than {first.path.name} "
                             f"({first.attrs.get(key)}): its baseline column is its own.")
    horizon = min(c.steps for c in comparisons)
    longer = [c for c in comparisons if c.steps != horizon]
    if longer:
        sets = [c for c in longer if c.parameter_sets]
        if sets:
            raise ComparisonReportError(
                f"{sets[0].path} compares over parameter sets and runs {sets[0].steps} weeks, longer than the "
                f"{horizon} weeks of the others: a comparison over parameter sets is reported over its own length "
                "only; report it on its own, or compare the same length")
        notes.append(f"The comparisons differ in length ({', '.join(f'{c.path.name}: {c.steps} weeks' for c in comparisons)}"
                     f"). All are compared over the {horizon} weeks they share: each outcome is the mean over weeks "
                     f"{max(1, horizon - 51)} to {horizon}, recomputed from the runs; results by council are shown only "
                     "for comparisons run over exactly those weeks.")
    return horizon, notes


def baseline_words(c: Comparison) -> str:
    text = _text(c.attrs.get("baseline_policy", ""))
    return "the scenario as it is" if text in ("", "(scenario as it is)") else f"the policy {Path(text).stem}"


def interval_words(c: Comparison) -> str:
    n = int(c.attrs.get("replicates", len(c.policy.runs)))
    if c.parameter_sets:
        return (f"Each interval covers both chance and uncertainty about the model's parameters: {c.parameter_sets} "
                f"parameter sets, {n} replicate pairs each. A policy whose interval excludes zero has an effect "
                "whatever set of those is closest to the world.")
    return (f"Each interval covers chance only, from {n} replicate pairs sharing their random numbers (the "
            "model's parameters held at their calibrated values). It says how sure the simulation is, not how "
            "sure the model is: a different but plausible set of parameters could move the whole interval "
            "(caremarket compare --parameter-sets adds that uncertainty).")


def why_lines(c: Comparison, table: pd.DataFrame, horizon: int) -> list[str]:
    """A short "why" from the outputs: waiting held by the budget or by supply; wages against price;
    the budget's use."""
    lines = []

    def arm_values(name):
        return table.loc[name, "baseline"], table.loc[name, "policy"]
    wb, wp = arm_values("people_waiting")
    bb, bp = arm_values("people_waiting_budget")
    lines.append(
        f"Waiting: in the baseline {wb:,.0f} people wait, {bb:,.0f} of them held back by the budget and "
        f"{max(0.0, wb - bb):,.0f} for want of a provider (supply); under the policy {wp:,.0f} wait, {bp:,.0f} held by "
        f"the budget and {max(0.0, wp - bp):,.0f} by supply. "
        + ("The budget is what keeps most people waiting." if bp > wp - bp else
           "Supply (care workers and providers), more than the budget, is what keeps people waiting."))
    pb, pp = arm_values("price_per_hour")
    mb, mp = arm_values("mean_wage")
    dp, dm = pp - pb, mp - mb
    if abs(dp) >= 0.005:
        share = dm / dp if dp else float("nan")
        lines.append(f"Wages and price: the council's price moves {pounds(dp)} an hour; care workers' mean wage "
                     f"moves {pounds(dm)} an hour"
                     + (f", so about {share:.0%} of the change in price reaches pay." if np.isfinite(share) else "."))
    else:
        lines.append(f"Wages and price: the council's price per hour hardly moves ({pounds(dp)}); care workers' "
                     f"mean wage moves {pounds(dm)} an hour.")
    run_b = pd.concat([last_year_values(r, horizon) for r in c.baseline.runs], axis=1).mean(axis=1)
    run_p = pd.concat([last_year_values(r, horizon) for r in c.policy.runs], axis=1).mean(axis=1)
    if "budget_used" in run_b:
        lines.append(f"Budget: council-funded placements cost {run_b['budget_used']:.0%} of the weekly budget in the "
                     f"baseline and {run_p['budget_used']:.0%} under the policy"
                     + (" — the budget binds." if max(run_b["budget_used"], run_p["budget_used"]) > 0.97 else "."))
    if "vacancy_rate" in run_b:
        lines.append(f"Workforce: vacancies {run_b['vacancy_rate']:.1%} → {run_p['vacancy_rate']:.1%} of posts, "
                     f"turnover {run_b['turnover_rate']:.1%} → {run_p['turnover_rate']:.1%} a year.")
    return lines


def outcome_table(c: Comparison, table: pd.DataFrame) -> str:
    e = html.escape
    rows = ["<table class='outcomes'><tr><th>Outcome</th><th>Baseline</th><th>Policy</th><th>Difference</th>"
            "<th>95% interval</th><th>Verdict</th></tr>"]
    for o in OUTCOMES:
        if o.name not in table.index:
            continue
        r = table.loc[o.name]
        word, cls = verdict(r, o)
        rows.append(f"<tr data-outcome='{o.name}'><td>{e(o.label)}<br><small class='note'>{e(o.explain)}</small></td>"
                    f"<td class='num'>{fmt(r['baseline'], o)}</td><td class='num'>{fmt(r['policy'], o)}</td>"
                    f"<td class='num'>{fmt(r['difference'], o, True)}</td>"
                    f"<td class='num'>{fmt(r['ci_low'], o, True)} to<br>{fmt(r['ci_high'], o, True)}</td>"
                    f"<td class='{cls} verdict'>{word}</td></tr>")
    rows.append("</table>")
    return "".join(rows)


def glance_table(comparisons: list[Comparison], tables: list[pd.DataFrame]) -> str:
    e = html.escape
    head = "".join(f"<th><span class='swatch' style='background:{c.policy.colour}'></span>{e(c.name)}</th>"
                   for c in comparisons)
    rows = [f"<table class='glance'><tr><th>Outcome</th><th>Baseline</th>{head}</tr>"]
    for o in OUTCOMES:
        cells = []
        for t in tables:
            r = t.loc[o.name]
            word, cls = verdict(r, o)
            cells.append(f"<td class='num {cls}'>{fmt(r['difference'], o, True)}<br><small>{word}</small></td>")
        rows.append(f"<tr><td>{e(o.label)}</td><td class='num'>{fmt(tables[0].loc[o.name, 'baseline'], o)}</td>"
                    f"{''.join(cells)}</tr>")
    rows.append("</table>")
    return "".join(rows)


PLACE_OUTCOMES = ["people_waiting", "hours_unmet_all", "mean_effective_pay", "council_spend", "extraction"]


def place_table(c: Comparison) -> str:
    e = html.escape
    places = c.places
    shown = [BY_NAME[n] for n in PLACE_OUTCOMES]
    rows = [f"<table class='places'><tr><th>{'Region' if c.place_kind == 'region' else 'Council'}</th>"
            + "".join(f"<th>{e(o.label)}</th>" for o in shown) + "</tr>"]
    for place in dict.fromkeys(places.index.get_level_values("place")):
        cells = []
        for o in shown:
            r = places.loc[(place, o.name)]
            word, cls = verdict(r, o)
            cells.append(f"<td class='num {cls}'>{fmt_short(r['difference'], o)}<br><small>{fmt_short(r['ci_low'], o)} "
                         f"to {fmt_short(r['ci_high'], o)}<br>{word}</small></td>")
        rows.append(f"<tr><td>{e(place)}</td>{''.join(cells)}</tr>")
    rows.append("</table>")
    return "".join(rows)


def render_comparisons(comparisons: list[Comparison]) -> str:
    from .report import CHECK_SCRIPT, STYLE

    e = html.escape
    horizon, notes = check_comparable(comparisons)
    tables = [c.table if c.steps == horizon else statistics_over(c, horizon) for c in comparisons]
    first = comparisons[0]
    region_name = first.config.get("region", {}).get("name", "the region")
    names = " and ".join(c.name for c in comparisons)
    replicates = sorted({len(c.policy.runs) for c in comparisons})
    parts = ["<!doctype html><html lang='en'><head><meta charset='utf-8'>",
             f"<title>caremarket report: {e(names)} in {e(region_name)}</title>",
             f"<style>{STYLE}{EXTRA_STYLE}</style></head><body>",
             f"<h1>{e(names)}: what changes for care in {e(region_name)}</h1>",
             f"<p>Each policy is compared with the baseline ({e(baseline_words(first))}) over "
             f"{weeks_text(horizon, first.start_date)}, with {' or '.join(map(str, replicates))} paired replicates: "
             "each replicate runs both arms on the same random numbers, so their difference is the policy's "
             "effect plus a little chance.</p>"]
    parts.append("<h2>The scenario</h2><table class='facts'>")
    parts += [f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in facts(first)]
    parts.append("</table>")
    if notes:
        parts.append("<div class='caveat' id='comparability'><ul>")
        parts += [f"<li>{e(n)}</li>" for n in notes]
        parts.append("</ul></div>")
    parts.append("<h2>What the intervals cover</h2>")
    covers: dict[str, list[str]] = {}
    for c in comparisons:
        covers.setdefault(interval_words(c), []).append(c.name)
    parts += [f"<p class='note'>{e(text if len(covers) == 1 else ' and '.join(names) + ': ' + text)}</p>"
              for text, names in covers.items()]
    parts.append("<p class='note'>Verdicts: <b>better</b> or <b>worse</b> when the 95% interval of the difference "
                 "lies on one side of zero, judged by who benefits; <b>no clear difference</b> when it spans zero. "
                 "Costs are shown as costs (<b>costs more</b> / <b>costs less</b>), and the market's shape as more or "
                 "fewer, not as better or worse. Outcomes are means over the last year of the horizon "
                 f"(weeks {max(1, horizon - 51)} to {horizon}); money is a week, and a year below it.</p>")
    if len(comparisons) > 1:
        parts.append("<h2>At a glance</h2>" + glance_table(comparisons, tables))
    for c, t in zip(comparisons, tables):
        parts.append(f"<h2 id='policy-{e(c.name)}'><span class='swatch' style='background:{c.policy.colour}'></span>"
                     f"{e(c.name)} against the baseline</h2>")
        parts.append(outcome_table(c, t))
        if "cost_per_ascot_point" in t.index and np.isfinite(t.loc["cost_per_ascot_point", "difference"]):
            r = t.loc["cost_per_ascot_point"]
            parts.append(f"<p>Council spend per ASCOT point gained by everyone with need: £{r['difference']:,.0f} a "
                         f"year (95% interval £{r['ci_low']:,.0f} to £{r['ci_high']:,.0f}).</p>")
        parts.append("<h3>Money over the whole horizon</h3><table><tr><th></th><th>Baseline</th><th>Policy</th>"
                     "<th>Difference</th><th>95% interval</th></tr>")
        for name in ("council_spend", "local_retained", "extraction"):
            tot = totals_over(c, name, horizon)
            parts.append(f"<tr><td>{e(BY_NAME[name].label)}, weeks 1 to {horizon}</td>"
                         f"<td class='num'>{money_m(tot['baseline'])}</td><td class='num'>{money_m(tot['policy'])}</td>"
                         f"<td class='num'>{money_m(tot['difference'], True)}</td>"
                         + (f"<td class='num'>{money_m(tot['ci_low'], True)} to {money_m(tot['ci_high'], True)}</td>"
                            if not c.parameter_sets else "<td class='num'>–</td>") + "</tr>")
        parts.append("</table>")
        if c.parameter_sets:
            # Pooling every set's pairs into one t interval would leave the parameters out: none is given.
            parts.append("<p class='note'>Over parameter sets the totals' intervals are not computed: the "
                         "yearly rows of the table above carry the intervals over the sets.</p>")
        parts.append("<h3>Why</h3><ul class='why'>")
        parts += [f"<li>{e(line)}</li>" for line in why_lines(c, t, horizon)]
        parts.append("</ul>")
        if c.places is not None and c.steps == horizon:
            parts.append(f"<h3>By {'region' if c.place_kind == 'region' else 'council'}</h3><p class='note'>The "
                         "difference (policy − baseline) in each place, its 95% interval and its verdict; money "
                         "in £ m a year. Every outcome is in the comparison's .by_council.csv (or .by_region.csv).</p>")
            parts.append(place_table(c))
    parts.append("<h2>Over time</h2><p class='note'>Lines: the median over replicates. Bands: the middle 50% (dark) "
                 "and 90% (light) of replicates. " + " ".join(
                     f"<span class='swatch' style='background:{a.colour}'></span>{e(a.label)}"
                     for a in [first.baseline] + [c.policy for c in comparisons]) + "</p>")
    arms = [first.baseline] + [c.policy for c in comparisons]
    for name, title, ylabel, caption in CHARTS:
        if not all(name in r for a in arms for r in a.runs):
            continue
        data = band_chart(arms, name, ylabel, horizon, first.start_date)
        parts.append(f"<figure><h3>{e(title)}</h3><img alt='{e(title)}: median and bands of each arm' src='{data}'>"
                     f"<figcaption>{e(caption)}</figcaption></figure>")
    parts.append("<h2>About these comparisons</h2><ul class='note'>")
    for c in comparisons:
        parts.append(f"<li>{e(c.path.name)}: {e(_text(c.attrs.get('statistic', '')))}; caremarket "
                     f"{e(_text(c.attrs.get('software_version')))}; scenario {e(_text(c.attrs.get('scenario')))}; "
                     f"seed {e(str(c.attrs.get('root_seed')))}.</li>")
    parts.append(f"</ul><script>{CHECK_SCRIPT}</script></body></html>")
    return "".join(parts)


def load_all(paths: list[str | Path]) -> list[Comparison]:
    return [load_comparison(p, POLICY_COLOURS[k % len(POLICY_COLOURS)]) for k, p in enumerate(paths)]
