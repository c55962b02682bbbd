"""A plain report of a caremarket run for people who do not code: one self-contained HTML file.

    caremarket report RESULTS.h5 [--baseline BASE.h5] -o report.html
    /usr/bin/python3 -m caremarket.report RESULTS.h5 [--baseline BASE.h5] -o report.html

The page says what was simulated in plain words, gives the headline outcomes over the last year of
the run and, with a baseline, each difference; its figures are embedded as PNG data, so the file
can be mailed or opened offline. It reads the output with caremarket.open, which refuses files that are
not caremarket output or have a newer major format version.
"""

from __future__ import annotations

import argparse
import base64
import html
import io
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ._errors import FormatError
from ._region import region
from ._results import open as open_results

class ReportError(Exception):
    """A file that cannot be reported on, with a message for the user."""


@dataclass
class Run:
    path: Path
    attrs: dict
    config: dict
    weeks: np.ndarray
    series: dict[str, np.ndarray]  # region totals or means, one value per week

    @property
    def name(self) -> str:
        return self.path.stem


# How each headline is computed over the last 52 weeks, and which direction is better.
@dataclass(frozen=True)
class Headline:
    label: str
    series: str
    unit: str
    better: str  # "higher" or "lower"
    explain: str


HEADLINES = [
    Headline("People receiving care", "people_served", "people", "higher",
             "people who received some formal care in a week"),
    Headline("Care needed but not delivered", "hours_unmet", "hours/week", "lower",
             "hours of formal care that eligible or paying people needed and did not get"),
    Headline("People waiting for a provider", "people_waiting", "people", "lower",
             "people eligible or paying for care with no provider"),
    Headline("Care workers", "workers", "workers", "higher", "care workers employed"),
    Headline("Staff turnover", "turnover_rate", "% a year", "lower",
             "share of staff who left their employer over a year"),
    Headline("Community micro-enterprises", "micro_enterprises", "enterprises", "higher",
             "tiny local care businesses operating"),
    Headline("Council cost per hour of care", "price_per_hour", "£/hour", "lower",
             "what the council paid per hour of council-arranged care"),
    Headline("Council spend", "council_spend", "£/week", "lower",
             "contracts, spot purchases, direct payments, support programme and prevention"),
    Headline("Money kept in the local economy", "local_retained", "£/week", "higher",
             "wages plus the surplus of providers after what leaves the region"),
    Headline("Money leaving the region", "extraction", "£/week", "lower",
             "profit, rent and interest taken out of the region"),
    Headline("Wellbeing of people needing care", "mean_wellbeing", "0 to 1", "higher",
             "average wellbeing on an ASCOT-like scale"),
]

def load(path: str | Path) -> Run:
    path = Path(path)
    if not path.is_file():
        raise ReportError(f"{path}: no such file")
    try:
        results = open_results(path)
    except FormatError as error:
        raise ReportError(str(error)) from None
    attrs = results.provenance
    frame = region(results.timeseries)
    series = {name: frame[name].to_numpy() for name in frame.columns}
    return Run(path, attrs, tomllib.loads(attrs.get("config", "")), np.asarray(frame.index), series)


def last_year(run: Run, name: str) -> float:
    values = run.series[name]
    return float(values[-52:].mean()) if len(values) > 1 else float(values[-1])


def policy_in_words(run: Run) -> list[str]:
    c = run.config
    com, fnd = c.get("commissioning", {}), c.get("founding", {})
    mode = com.get("mode", "lowest_price")
    words = {
        "lowest_price": "Home care is bought by competitive tender: the lowest price wins each lot.",
        "quality_weighted": f"Tenders weigh price ({com.get('price_weight', 0.6):.0%}) against observed quality "
                            f"({1 - com.get('price_weight', 0.6):.0%}).",
        "collaborative": "Providers work in an alliance: every accredited provider is paid a fair price and hours "
                         "go to those with good outcomes.",
    }
    lines = [words.get(mode, f"Commissioning mode: {mode}.")]
    lines.append(f"Contracts last {com.get('contract_years', 3):g} years.")
    if com.get("price_floor", 0) > 0:
        lines.append(f"The council pays at least £{com['price_floor']:.2f} an hour.")
    if com.get("wage_floor", 0) > 0:
        lines.append(f"Contracts require care workers to be paid at least £{com['wage_floor']:.2f} an hour.")
    if fnd.get("coordinators", 0) > 0:
        lines.append(f"A support programme with {fnd['coordinators']:g} coordinator(s) per council helps local "
                     "people set up community micro-enterprises.")
    else:
        lines.append("There is no support programme for community micro-enterprises.")
    if com.get("accredit_micro"):
        lines.append("Micro-enterprises may take council-funded work (light-touch accreditation).")
    if com.get("dp_uptake_multiplier", 1) != 1:
        lines.append(f"Direct payments are promoted: uptake is {com['dp_uptake_multiplier']:g} times the usual.")
    if com.get("prevention_share", 0) > 0:
        lines.append(f"{com['prevention_share']:.0%} of the budget goes to prevention.")
    if com.get("budget_multiplier", 1) != 1:
        lines.append(f"The care budget is {com['budget_multiplier']:g} times the scenario's.")
    return lines


def scenario_in_words(run: Run) -> str:
    region = run.config.get("region", {})
    councils = run.config.get("councils", [])
    weeks = int(run.attrs.get("steps_completed", len(run.weeks) - 1))
    text = region.get("description") or f"{len(councils)} council(s)."
    return (f"{region.get('name', 'Region')}: {text} Simulated for {weeks} weeks ({weeks / 52:.1f} years), "
            f"seed {run.attrs.get('seed')}, replicate {run.attrs.get('replicate')}.")


def fmt(value: float, unit: str) -> str:
    if unit == "% a year":
        return f"{value * 100:.1f}%"
    if unit.startswith("£"):
        return f"£{value:,.2f}" if unit == "£/hour" else f"£{value:,.0f}"
    if unit == "0 to 1":
        return f"{value:.3f}"
    return f"{value:,.0f}"


def fmt_diff(diff: float, unit: str) -> str:
    sign = "+" if diff >= 0 else "−"
    text = fmt(abs(diff), unit)
    return sign + text.replace("%", " points") if unit == "% a year" else sign + text


def figure(plot) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.5, 3.4), dpi=110)
    plot(ax)
    ax.grid(alpha=0.3)
    ax.set_xlabel("year")
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


FIGURES = [
    ("Care delivered and care missed", [("people_served", "people receiving care"), ("people_waiting", "people waiting")],
     "people"),
    ("Unmet need", [("hours_unmet", "hours needed but not delivered")], "hours a week"),
    ("The workforce", [("workers", "care workers"), ("vacancies", "vacancies")], "people"),
    ("Staff turnover", [("turnover_rate", "turnover over the last year")], "share a year"),
    ("Who provides care", [("providers_chain", "chain branches"), ("providers_agency", "local agencies"),
                           ("micro_enterprises", "micro-enterprises")], "providers"),
    ("Where the money goes", [("local_retained", "kept locally"), ("extraction", "leaves the region"),
                              ("council_spend", "council spend")], "£ a week"),
    ("Wellbeing", [("mean_wellbeing", "mean wellbeing")], "0 to 1"),
]


def make_figures(run: Run, baseline: Run | None) -> list[tuple[str, str]]:
    out = []
    for title, lines, ylabel in FIGURES:
        def plot(ax, lines=lines, ylabel=ylabel):
            for k, (name, label) in enumerate(lines):
                colour = f"C{k}"
                ax.plot(run.weeks / 52, run.series[name], color=colour, label=f"{label} ({run.name})")
                if baseline is not None:
                    ax.plot(baseline.weeks / 52, baseline.series[name], color=colour, linestyle="--", alpha=0.8,
                            label=f"{label} (baseline)")
            ax.set_ylabel(ylabel)
            ax.legend(fontsize=7, loc="best")
        out.append((title, figure(plot)))
    return out


STYLE = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.2rem; margin-top: 2rem; }
table { border-collapse: collapse; width: 100%; } th, td { padding: .35rem .6rem; border-bottom: 1px solid #ddd; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.better { color: #1a7f37; } .worse { color: #b42318; } .same { color: #666; }
.note { color: #555; font-size: .9rem; } figure { margin: 1.5rem 0; } figure img { max-width: 100%; }
"""

# Marks the page once every figure has decoded, so a browser test can check the figures render.
CHECK_SCRIPT = """
window.addEventListener('load', () => {
  const images = Array.from(document.images);
  const ok = images.filter(img => img.complete && img.naturalWidth > 0).length;
  document.body.dataset.figuresLoaded = String(ok);
  document.body.dataset.figures = String(images.length);
});
"""


def render(run: Run, baseline: Run | None = None) -> str:
    e = html.escape
    parts = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'>",
             f"<title>caremarket report: {e(run.name)}</title><style>{STYLE}</style></head><body>",
             f"<h1>What happens to care in {e(run.config.get('region', {}).get('name', 'the region'))}</h1>",
             f"<p>{e(scenario_in_words(run))}</p>", "<h2>The policy simulated</h2><ul>"]
    parts += [f"<li>{e(line)}</li>" for line in policy_in_words(run)]
    parts.append("</ul>")
    if baseline is not None:
        parts.append("<h2>Compared with</h2><ul>")
        parts += [f"<li>{e(line)}</li>" for line in policy_in_words(baseline)]
        parts.append(f"</ul><p class='note'>Baseline file: {e(str(baseline.path.name))}.</p>")

    parts.append("<h2>Headline outcomes</h2><p class='note'>Averages over the last year of the run.</p><table>")
    if baseline is None:
        parts.append("<tr><th>Outcome</th><th>Value</th><th>What it means</th></tr>")
    else:
        parts.append("<tr><th>Outcome</th><th>Baseline</th><th>This policy</th><th>Difference</th>"
                     "<th>What it means</th></tr>")
    for h in HEADLINES:
        value = last_year(run, h.series)
        if baseline is None:
            parts.append(f"<tr><td>{e(h.label)}</td><td class='num'>{fmt(value, h.unit)}</td><td>{e(h.explain)}</td></tr>")
            continue
        base = last_year(baseline, h.series)
        diff = value - base
        # Differences under 0.5% of the baseline, or invisible at the precision shown, are no change.
        if abs(diff) <= 0.005 * abs(base) or fmt(value, h.unit) == fmt(base, h.unit):
            verdict, cls = "about the same", "same"
        else:
            good = (diff > 0) == (h.better == "higher")
            verdict, cls = ("better", "better") if good else ("worse", "worse")
        parts.append(f"<tr><td>{e(h.label)}</td><td class='num'>{fmt(base, h.unit)}</td>"
                     f"<td class='num'>{fmt(value, h.unit)}</td>"
                     f"<td class='num {cls}'>{fmt_diff(diff, h.unit)} ({verdict})</td><td>{e(h.explain)}</td></tr>")
    parts.append("</table>")
    if baseline is not None:
        parts.append("<p class='note'>These differences come from one run of each arm. Part of any difference is "
                     "chance: run several replicates with the same seeds in both arms before relying on a small "
                     "one.</p>")

    parts.append("<h2>Over time</h2>")
    if baseline is not None:
        parts.append("<p class='note'>Solid lines: this policy. Dashed lines: the baseline.</p>")
    for title, data in make_figures(run, baseline):
        parts.append(f"<figure><img alt='{e(title)}' src='{data}'><figcaption>{e(title)}</figcaption></figure>")

    a = run.attrs
    parts.append("<h2>About this run</h2><p class='note'>")
    parts.append(e(f"caremarket {a.get('software_version')} (commit {a.get('git_commit')}); "
                   f"started {a.get('start_time')}, finished {a.get('end_time')}; {a.get('threads')} thread(s)."))
    if int(a.get("complete", 1)) != 1:
        parts.append(" <strong>This run was stopped before its end; the results cover the weeks done.</strong>")
    parts.append(f"</p><script>{CHECK_SCRIPT}</script></body></html>")
    return "".join(parts)


def write_report(results: str | Path, output: str | Path, baseline: str | Path | None = None) -> Path:
    run = load(results)
    base = load(baseline) if baseline else None
    page = render(run, base)
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    temporary = output.with_name(output.name + ".tmp")
    temporary.write_text(page, encoding="utf-8")
    temporary.replace(output)  # never a half-written report under the final name
    return output


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="caremarket report",
                                     description="Write a self-contained HTML report of a caremarket run.")
    parser.add_argument("results", help="caremarket output file (.h5)")
    parser.add_argument("--baseline", help="a baseline run to compare with (.h5)")
    parser.add_argument("-o", "--output", required=True, help="HTML file to write")
    args = parser.parse_args(argv)
    try:
        out = write_report(args.results, args.output, args.baseline)
    except ReportError as error:
        print(f"caremarket report: {error}", file=sys.stderr)
        return 2
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
