"""A plain report for people who do not code: one self-contained HTML file.

    caremarket report PREFIX.h5 [PREFIX2.h5 ...] -o report.html   (comparisons: caremarket compare)
    caremarket report RESULTS.h5 [--baseline BASE.h5] -o report.html   (one run)
    /usr/bin/python3 -m caremarket.report ... (the same)

Comparisons are the report's main use (caremarket._comparison_report): each policy against the
baseline with 95% intervals, plain verdicts, replicate bands and the scenario's facts. A single run
is reported as below.

The page says what was simulated in plain words, gives the headline outcomes over the last year of
the run and, with a baseline, each difference; its figures are embedded as PNG data, so the file
can be mailed or opened offline. It reads the output with caremarket.open, which refuses files that are
not caremarket output or have a newer major format version.

A baseline must simulate the same councils (else the report is refused). When the two runs differ in
length, seed or replicate, or in settings outside the policy tables, the page says so; runs of
different lengths are compared over the last year of the weeks both cover.
"""

from __future__ import annotations

import argparse
import base64
import errno
import html
import io
import os
import secrets
import stat
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ._comparison_report import direction_verdict
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
    councils: list[str]
    steps: np.ndarray
    series: dict[str, np.ndarray]  # region totals or means, one value per step

    @property
    def name(self) -> str:
        return self.path.stem


# How each headline is computed over the last 52 weeks, and how a difference from a baseline reads:
# benefit as in the comparison report's outcomes (_comparison_report.Outcome).
@dataclass(frozen=True)
class Headline:
    label: str
    series: str
    unit: str
    benefit: str  # "higher", "lower", "cost" (a cost, not worse) or "shape" (more or fewer, no verdict)
    explain: str


# Units of headlines that count things: a change in the market's shape is "more" or "fewer" of them.
COUNT_UNITS = {"people", "workers", "enterprises"}

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
    Headline("Community micro-enterprises", "micro_enterprises", "enterprises", "shape",
             "tiny local care businesses operating"),
    Headline("Council cost per hour of care", "price_per_hour", "£/hour", "cost",
             "what the council paid per hour of council-arranged care"),
    Headline("Council spend", "council_spend", "£/week", "cost",
             "contracts, spot purchases, direct payments, support programme and prevention"),
    Headline("Money kept in the local economy", "local_retained", "£/week", "higher",
             "wages plus the surplus of providers after what leaves the region"),
    Headline("Money leaving the region", "extraction", "£/week", "lower",
             "profit, rent and interest taken out of the region"),
    Headline("Quality of life of people receiving care (ASCOT, of 24)", "ascot_served", "points of 24", "higher",
             "social-care-related quality of life on the ASCOT scale (England's average is about 19)"),
    Headline("Quality of life of everyone needing care (ASCOT, of 24)", "ascot_all", "points of 24", "higher",
             "the same for everyone with a need, including people waiting or refused care"),
]

# Series the report shows on another scale: name -> (series in the file, factor). Wellbeing is the
# ASCOT score over 24 (format 1.8); people read it as points out of 24.
SCALED = {"ascot_served": ("wellbeing_served", 24.0), "ascot_all": ("wellbeing_all", 24.0)}

def load(path: str | Path) -> Run:
    path = Path(path)
    if not path.is_file():
        raise ReportError(f"{path}: no such file")
    try:
        results = open_results(path)
        frame = region(results.timeseries)
        config = results.config
    except FormatError as error:
        raise ReportError(str(error)) from None
    needed = {h.series for h in HEADLINES} | {name for _, lines, _ in FIGURES for name, _ in lines
                                              if name in CORE_SERIES}
    needed = {SCALED[name][0] if name in SCALED else name for name in needed}
    missing = sorted(needed - set(frame.columns))
    if missing:
        older = "wellbeing_all" in missing and "mean_wellbeing" in frame.columns  # a caremarket file before 1.8
        hint = (" (wellbeing_all came with format 1.8, when wellbeing moved to the ASCOT scale: run the "
                "scenario again with this version)" if older else "")
        raise ReportError(f"{path} lacks the time series {', '.join(missing)} that the report shows{hint}")
    series = {name: frame[name].to_numpy() for name in frame.columns}
    series.update({name: factor * series[source] for name, (source, factor) in SCALED.items()})
    return Run(path, results.provenance, config, results.councils, np.asarray(frame.index), series)


def last_year(run: Run, name: str, horizon: int | None = None) -> float:
    """The mean over the last 52 weeks up to `horizon` (default: the end of the run): weeks
    horizon-51 .. horizon, or from week 0 in a run shorter than a year."""
    horizon = int(run.steps[-1]) if horizon is None else horizon
    values = run.series[name][(run.steps > horizon - 52) & (run.steps <= horizon)]
    return float(values.mean())


# What a baseline is compared on. The policy tables are what policy overlays set (every shipped one
# sets only these) and what policy_in_words describes: differences there are the comparison itself.
POLICY_TABLES = ("commissioning", "founding")
# Not compared as settings: output.* changes what is written, not what is simulated, and the seed and
# length actually used are the seed, replicate and step attributes (run.seed and run.steps are only
# defaults that --seed and --steps override), which are compared on their own.
NOT_COMPARED = ("output", "run.seed", "run.steps")


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """A parsed TOML document as {"labour.nlw": 12.21, "councils[0].name": "...", ...}."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            out.update(flatten(item, f"{prefix}.{key}" if prefix else key))
        return out
    if isinstance(value, list) and any(isinstance(item, dict) for item in value):
        out = {}
        for k, item in enumerate(value):
            out.update(flatten(item, f"{prefix}[{k}]"))
        return out
    return {prefix: value}


def _in(key: str, tables: tuple[str, ...]) -> bool:
    return any(key == t or key.startswith((t + ".", t + "[")) for t in tables)


def differing_settings(run: Run, baseline: Run) -> list[tuple[str, Any, Any]]:
    """(key, this run's value, the baseline's) for every resolved setting outside the policy tables
    that differs; None for a key one of them lacks."""
    a, b = flatten(run.config), flatten(baseline.config)
    return [(key, a.get(key), b.get(key)) for key in sorted(a.keys() | b.keys())
            if a.get(key) != b.get(key) and not _in(key, POLICY_TABLES) and not _in(key, NOT_COMPARED)]


def _names(councils: list[str]) -> str:
    shown = ", ".join(councils[:4])
    return shown + (f" and {len(councils) - 4} more" if len(councils) > 4 else "")


def compare(run: Run, baseline: Run) -> tuple[int, list[str]]:
    """The week up to which both runs are compared, and notes on how they differ other than by policy.
    Refuses (ReportError) a baseline of other councils: its differences would mean nothing."""
    if run.councils != baseline.councils:
        raise ReportError(
            f"cannot compare {run.path} with the baseline {baseline.path}: they simulate different councils "
            f"({len(run.councils)}: {_names(run.councils)}; baseline {len(baseline.councils)}: "
            f"{_names(baseline.councils)}); a baseline must be a run of the same region")
    notes = []
    weeks, base_weeks = int(run.steps[-1]), int(baseline.steps[-1])
    horizon = min(weeks, base_weeks)
    if weeks != base_weeks:
        notes.append(f"The runs differ in length: this run covers {weeks} weeks and the baseline {base_weeks} weeks. "
                     f"Both are compared over weeks {max(0, horizon - 51)} to {horizon}, the last year of the "
                     f"{horizon} weeks they share.")
    seeds = (run.attrs.get("seed"), run.attrs.get("replicate"))
    base_seeds = (baseline.attrs.get("seed"), baseline.attrs.get("replicate"))
    if seeds != base_seeds:
        notes.append(f"The runs use different random numbers: this run seed {seeds[0]}, replicate {seeds[1]}; the "
                     f"baseline seed {base_seeds[0]}, replicate {base_seeds[1]}. Each difference mixes the policy's "
                     "effect with chance; runs with the same seed and replicate share their random numbers.")
    settings = differing_settings(run, baseline)
    if settings:
        shown = "; ".join(f"{key} = {'(unset)' if mine is None else repr(mine)} here, "
                          f"{'(unset)' if theirs is None else repr(theirs)} in the baseline"
                          for key, mine, theirs in settings[:8])
        more = f"; and {len(settings) - 8} more" if len(settings) > 8 else ""
        notes.append(f"The runs differ in {len(settings)} setting(s) outside the policy tables "
                     f"[{'] and ['.join(POLICY_TABLES)}]: {shown}{more}. Part of each difference may come from "
                     "these, not from the policy.")
    return horizon, notes


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
    weeks = int(run.attrs.get("steps_completed", len(run.steps) - 1))
    text = region.get("description") or f"{len(councils)} council(s)."
    return (f"{region.get('name', 'Region')}: {text} Simulated for {weeks} weeks ({weeks / 52:.1f} years), "
            f"seed {run.attrs.get('seed')}, replicate {run.attrs.get('replicate')}.")


def fmt(value: float, unit: str) -> str:
    if unit == "% a year":
        return f"{value * 100:.1f}%"
    if unit == "£/week":  # money a week, and a year (the convention of reports and plots)
        return f"£{value:,.0f} a week (£{value * 52 / 1e6:,.2f} m a year)"
    if unit.startswith("£"):
        return f"£{value:,.2f}" if unit == "£/hour" else f"£{value:,.0f}"
    if unit == "0 to 1":
        return f"{value:.3f}"
    if unit == "points of 24":
        return f"{value:.2f}"
    return f"{value:,.0f}"


def fmt_diff(diff: float, unit: str) -> str:
    sign = "+" if diff >= 0 else "−"
    text = fmt(abs(diff), unit)
    if unit == "£/week":
        return f"{sign}£{abs(diff):,.0f} a week ({sign}£{abs(diff) * 52 / 1e6:,.2f} m a year)"
    return sign + text.replace("%", " points") if unit == "% a year" else sign + text


def figure(plot) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.5, 3.4), dpi=110)
    ax.set_xlabel("year")
    plot(ax)
    ax.grid(alpha=0.3)
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
                           ("micro_enterprises", "micro-enterprises"), ("providers_cooperative", "cooperatives"),
                           ("providers_council_run", "council services"),
                           ("providers_personal_assistant", "personal assistants")], "providers"),
    ("Where the money goes", [("local_retained", "kept locally"), ("extraction", "leaves the region"),
                              ("council_spend", "council spend")], "£ m a year"),
    ("Quality of life (ASCOT)", [("ascot_served", "people receiving care"), ("ascot_all", "everyone needing care")],
     "points of 24"),
]


# Weekly money as £ m a year, the convention of every chart (caremarket.plot too).
MONEY_A_YEAR = 52 / 1e6


def shown(name: str, runs: list[Run]) -> bool:
    """A series is drawn when every run has it (format 1.12 added the other kinds of provider) and
    one of them is not zero throughout: kinds of provider a scenario does not have are left out."""
    return all(name in r.series for r in runs) and any(np.any(r.series[name] != 0) for r in runs)


# Series every run since format 1.0 has; the others are drawn only where shown() finds them.
CORE_SERIES = {"people_served", "people_waiting", "hours_unmet", "workers", "vacancies", "turnover_rate",
               "providers_chain", "providers_agency", "micro_enterprises", "local_retained", "extraction",
               "council_spend", "ascot_served", "ascot_all"}


def make_figures(run: Run, baseline: Run | None) -> list[tuple[str, str]]:
    out = []
    runs = [run] + ([baseline] if baseline is not None else [])
    for title, lines, ylabel in FIGURES:
        lines = [(name, label) for name, label in lines if name in CORE_SERIES or shown(name, runs)]
        def plot(ax, lines=lines, ylabel=ylabel):
            for k, (name, label) in enumerate(lines):
                colour = f"C{k}"
                factor = MONEY_A_YEAR if ylabel == "£ m a year" else 1.0
                ax.plot(run.steps / 52, factor * run.series[name], color=colour, label=f"{label} ({run.name})")
                if baseline is not None:
                    ax.plot(baseline.steps / 52, factor * baseline.series[name], color=colour, linestyle="--",
                            alpha=0.8, label=f"{label} (baseline)")
            ax.set_ylabel(ylabel)
            ax.legend(fontsize=7, loc="best")
        out.append((title, figure(plot)))
    return out


STYLE = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.2rem; margin-top: 2rem; }
table { border-collapse: collapse; width: 100%; } th, td { padding: .35rem .6rem; border-bottom: 1px solid #ddd; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
/* the verdicts' classes (_comparison_report.direction_verdict), for both reports */
.better { color: #1a7f37; } .worse { color: #b42318; } .same { color: #666; }
.cost { color: #8a4b00; } .saving { color: #1a7f37; } .shape { color: #444; }
.note { color: #555; font-size: .9rem; } figure { margin: 1.5rem 0; } figure img { max-width: 100%; }
.caveat { border-left: 4px solid #b54708; background: #fffaeb; padding: .5rem 1rem; }
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
    horizon, notes = compare(run, baseline) if baseline is not None else (int(run.steps[-1]), [])
    parts = ["<!doctype html><html lang='en'><head><meta charset='utf-8'>",
             f"<title>caremarket report: {e(run.name)}</title><style>{STYLE}</style></head><body>",
             f"<h1>What happens to care in {e(run.config.get('region', {}).get('name', 'the region'))}</h1>",
             f"<p>{e(scenario_in_words(run))}</p>", "<h2>The policy simulated</h2><ul>"]
    parts += [f"<li>{e(line)}</li>" for line in policy_in_words(run)]
    parts.append("</ul>")
    if baseline is not None:
        parts.append("<h2>Compared with</h2><ul>")
        parts += [f"<li>{e(line)}</li>" for line in policy_in_words(baseline)]
        parts.append(f"</ul><p class='note'>Baseline file: {e(str(baseline.path.name))}. Compared: the same "
                     f"councils; the length, seed and replicate of the runs; and every setting of the resolved "
                     f"configurations outside the policy tables [{'] and ['.join(POLICY_TABLES)}] (output.*, "
                     "run.seed and run.steps excepted: the seed and length used are compared as such).</p>")
        if notes:
            parts.append("<div class='caveat' id='comparability'><p><strong>The two runs differ in more than the "
                         "policy.</strong></p><ul>")
            parts += [f"<li>{e(note)}</li>" for note in notes]
            parts.append("</ul></div>")
        else:
            parts.append("<p class='note' id='comparability'>Apart from the policy tables, the two runs have the "
                         "same councils, length, seed, replicate and settings.</p>")

    if baseline is None or horizon == int(run.steps[-1]) == int(baseline.steps[-1]):
        period = "Averages over the last year of the run."
    else:
        period = f"Averages over weeks {max(0, horizon - 51)} to {horizon}, the last year of the weeks both runs cover."
    parts.append(f"<h2>Headline outcomes</h2><p class='note'>{e(period)}</p><table>")
    if baseline is None:
        parts.append("<tr><th>Outcome</th><th>Value</th><th>What it means</th></tr>")
    else:
        parts.append("<tr><th>Outcome</th><th>Baseline</th><th>This policy</th><th>Difference</th>"
                     "<th>What it means</th></tr>")
    for h in HEADLINES:
        value = last_year(run, h.series, horizon)
        if baseline is None:
            parts.append(f"<tr><td>{e(h.label)}</td><td class='num'>{fmt(value, h.unit)}</td><td>{e(h.explain)}</td></tr>")
            continue
        base = last_year(baseline, h.series, horizon)
        diff = value - base
        # Differences under 0.5% of the baseline, or invisible at the precision shown, are no change.
        if abs(diff) <= 0.005 * abs(base) or fmt(value, h.unit) == fmt(base, h.unit):
            verdict, cls = "about the same", "same"
        else:
            verdict, cls = direction_verdict(diff > 0, h.benefit, counted=h.unit in COUNT_UNITS)
        parts.append(f"<tr><td>{e(h.label)}</td><td class='num'>{fmt(base, h.unit)}</td>"
                     f"<td class='num'>{fmt(value, h.unit)}</td>"
                     f"<td class='num {cls}'>{fmt_diff(diff, h.unit)} ({verdict})</td><td>{e(h.explain)}</td></tr>")
    parts.append("</table>")
    if baseline is not None:
        parts.append("<p class='note'>Costs are shown as costs (<b>costs more</b> / <b>costs less</b>), and the "
                     "market's shape as more or fewer, not as better or worse. These differences come from one run "
                     "of each arm. Part of any difference is chance: run several replicates with the same seeds in "
                     "both arms before relying on a small one.</p>")

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


_KINDS = [(stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device")]


def check_output(output: str | Path, inputs: list[Path]) -> Path:
    """The output path, refused (ReportError) when the page would not land in a regular file of that
    name: empty, naming a directory, a symbolic link (renaming over it would replace the link, not
    write where it points), anything else that exists and is not a regular file, or an input."""
    text = os.fspath(output)
    if not text:
        raise ReportError("the output path is empty: give -o FILE.html")
    if text.endswith(os.sep):
        raise ReportError(f"{text}: the output names a directory: give a file name, e.g. -o {text}report.html")
    path = Path(text)
    if path.is_symlink():
        raise ReportError(f"{path}: the output is a symbolic link; give the file it points to or another name")
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return path
    if not stat.S_ISREG(mode):
        kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
        raise ReportError(f"{path}: the output exists and is {kind}; the report is written only to a regular file")
    for source in inputs:
        if source.exists() and path.samefile(source):
            raise ReportError(f"{path}: the output is the input file {source}; give another name")
    return path


def write_atomically(path: Path, text: str) -> None:
    """Writes `path` through a temporary file in the same directory, renamed over it once complete and
    on disk: the name holds either its earlier content or the whole page, even after a crash or a
    power loss, and the temporary is removed on any failure."""
    directory = path.parent
    directory.mkdir(parents=True, exist_ok=True)
    # A fresh name, created exclusively: no leftover or concurrent temporary is overwritten, and no
    # symbolic link is followed. Mode 0o666 less the umask, as for any new file (mkstemp gives 0o600).
    for _ in range(100):
        temporary = directory / f"{path.name}.{secrets.token_hex(4)}.tmp"
        try:
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o666)
            break
        except FileExistsError:
            continue
    else:
        raise FileExistsError(errno.EEXIST, "no free temporary name", str(directory / f"{path.name}.*.tmp"))
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(text.encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())  # the content is on disk before the name points at it
        os.replace(temporary, path)
        # The rename is durable once the directory is synced (some file systems cannot sync one).
        dir_fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            os.fsync(dir_fd)
        except OSError as error:
            if error.errno not in (errno.EINVAL, errno.ENOTSUP):
                raise
        finally:
            os.close(dir_fd)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_report(results: str | Path | list[str | Path], output: str | Path,
                 baseline: str | Path | None = None) -> Path:
    """Writes the report of a run (with an optional baseline run), or of one or several comparisons
    (``caremarket compare`` output, PREFIX.h5: several policies against one baseline on one page)."""
    from . import _comparison_report as comparisons

    paths = [Path(results)] if isinstance(results, (str, os.PathLike)) else [Path(p) for p in results]
    if not paths:
        raise ReportError("no input: give a run (.h5) or comparisons (PREFIX.h5 of caremarket compare)")
    inputs = paths + ([Path(baseline)] if baseline else [])
    output = check_output(output, inputs)  # before the slow part: refuse a bad name at once
    for path in paths:
        if not path.is_file():
            raise ReportError(f"{path}: no such file")
    kinds = [comparisons.is_comparison(p) for p in paths]
    if any(kinds):
        if not all(kinds):
            runs = [str(p) for p, k in zip(paths, kinds) if not k]
            raise ReportError(f"{', '.join(runs)}: not comparisons (caremarket compare's PREFIX.h5); a report is of "
                              "one run, or of comparisons only")
        if baseline:
            raise ReportError("--baseline is for a single run; a comparison holds its own baseline")
        try:
            page = comparisons.render_comparisons(comparisons.load_all(paths))
        except (comparisons.ComparisonReportError, FormatError) as error:
            raise ReportError(str(error)) from None
        except (OSError, KeyError, ValueError) as error:  # a run file gone, a field missing or malformed
            raise ReportError(f"{', '.join(map(str, paths))}: cannot be reported on: "
                              f"{type(error).__name__}: {error}") from None
    else:
        if len(paths) > 1:
            raise ReportError(f"{len(paths)} runs given: report one run (with --baseline for another), or give "
                              "comparisons (PREFIX.h5 of caremarket compare), which hold their replicates")
        run = load(paths[0])
        base = load(baseline) if baseline else None
        page = render(run, base)
    write_atomically(output, page)
    return output


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="caremarket report",
        description="Write a self-contained HTML report of a caremarket run, or of one or several comparisons "
                    "(PREFIX.h5 of caremarket compare: several policies against one baseline on one page).")
    parser.add_argument("results", nargs="+", help="a run (.h5), or comparisons (PREFIX.h5 of caremarket compare)")
    parser.add_argument("--baseline", help="a baseline run to compare a single run with (.h5)")
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
