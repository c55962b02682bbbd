"""The policy lab: a local web page where a council's commissioning team tries policies on its own
council and leaves with a report, without a terminal.

    caremarket lab [--host 127.0.0.1] [--port 8050] [--workdir DIR]
    /usr/bin/python3 -m caremarket.lab ...   (the same)

It is a thin shell over what the command line does: a lab run is ``caremarket compare`` (paired
replicates with common random numbers) of a policy made from the levers, and its page is
``caremarket report`` of that comparison. Runs go one at a time in the background, in
``WORKDIR/runs/<id>/``, with their state in ``job.json``: a page reload, another tab or a restart of
the lab sees them. Charts are drawn by Debian's Chart.js, which the lab serves itself: nothing is
fetched from the internet.

The lab binds to 127.0.0.1 unless told otherwise: it has no login, and anyone who can reach the
port can start runs and read results. docs/for-commissioners.md says how to share it safely.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import math
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
import tomllib
from collections import deque
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from . import _core
from ._config import scenarios as shipped_scenarios

STATIC = Path(__file__).with_name("lab_static")
CHART_JS = Path("/usr/share/javascript/chart.js/chart.min.js")  # Debian's libjs-chart.js
JOB_ID = re.compile(r"^[0-9a-f]{12}$")
COUNCIL_NAME = re.compile(r"^[A-Za-z0-9 ,.'()&-]{1,80}$")

# --- the levers a council holds ---------------------------------------------------------------


@dataclass(frozen=True)
class Lever:
    key: str  # the parameter the policy sets
    label: str
    help: str
    kind: str = "real"  # "real", "integer", "boolean", "choice"
    low: float | None = None
    high: float | None = None
    step: float | None = None
    unit: str = ""
    choices: tuple[str, ...] = ()


# Labels and help for non-coders; ranges, units and kinds come from the parameter schema.
LEVER_WORDS = [
    ("commissioning.mode", "How tenders are decided",
     "lowest_price: the cheapest bid wins; quality_weighted: price weighed against observed quality; "
     "collaborative: every accredited provider is paid a fair price and hours follow good outcomes"),
    ("commissioning.price_floor", "Price floor", "The least the council pays an hour of care (0 = no floor)"),
    ("commissioning.wage_floor", "Wage floor", "The least contract holders must pay care workers an hour (0 = none)"),
    ("commissioning.contract_years", "Contract length", "How long block contracts last"),
    ("founding.coordinators", "Micro-enterprise support",
     "Coordinators of a support programme that helps local people set up community micro-enterprises"),
    ("commissioning.accredit_micro", "Micro-enterprises may take council work",
     "Light-touch accreditation, so micro-enterprises can be paid for council-funded care"),
    ("commissioning.dp_uptake_multiplier", "Direct payments",
     "How many times the usual share of people take their care as a direct payment"),
    ("eligibility.eligible_band", "Eligibility threshold",
     "The lowest band of need the council funds (1 low … 4 critical)"),
    ("commissioning.budget_multiplier", "Budget", "The care budget as a multiple of the council's"),
    ("commissioning.prevention_share", "Prevention", "Share of the budget spent on prevention"),
]
NUMBER = r"(-?[0-9.]+(?:[eE][-+]?[0-9]+)?)"


def _lever(doc: dict[str, str], label: str, help_text: str) -> Lever:
    kind = doc["kind"]
    if kind == "choice":
        return Lever(doc["key"], label, help_text, "choice", choices=tuple(re.findall(r'"([^"]+)"', doc["allowed"])))
    if kind == "boolean":
        return Lever(doc["key"], label, help_text, "boolean")
    match = re.search(rf"between {NUMBER} and {NUMBER}", doc["allowed"])
    if not match:
        raise RuntimeError(f"the parameter schema gives no range for {doc['key']}: {doc['allowed']!r}")
    low, high = float(match.group(1)), float(match.group(2))
    step = 1.0 if kind == "integer" else (0.01 if high <= 10 else 0.05 if high <= 200 else 1.0)
    return Lever(doc["key"], label, help_text, kind, low, high, step, doc["unit"])


def levers() -> list[Lever]:
    docs = {d["key"]: d for d in _core.parameter_docs()}
    return [_lever(docs[key], label, help_text) for key, label, help_text in LEVER_WORDS if key in docs]


def lever_value(lever: Lever, value: Any) -> tuple[Any, str | None]:
    """A lever's value from the form, or the reason it is refused (with the allowed range)."""
    if lever.kind == "boolean":
        if isinstance(value, bool):
            return value, None
        return None, "choose yes or no"
    if lever.kind == "choice":
        return (value, None) if value in lever.choices else (None, "one of " + ", ".join(lever.choices))
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    allowed = f"between {lever.low:g} and {lever.high:g}{' ' + lever.unit if lever.unit else ''}"
    if not math.isfinite(number) or not lever.low <= number <= lever.high:
        return None, allowed
    if lever.kind == "integer":
        if number != int(number):
            return None, "a whole number " + allowed
        return int(number), None
    return number, None


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)
    return repr(value)


def policy_toml(values: dict[str, Any], name: str) -> str:
    """A policy overlay that sets the levers' values (a table per section)."""
    tables: dict[str, dict[str, Any]] = {}
    for key, value in values.items():
        section, name_in = key.split(".", 1)
        tables.setdefault(section, {})[name_in] = value
    lines = [f"# {name}: made in caremarket lab"]
    for section, entries in tables.items():
        lines.append(f"\n[{section}]")
        lines += [f"{k} = {toml_value(v)}" for k, v in entries.items()]
    return "\n".join(lines) + "\n"


# --- places --------------------------------------------------------------------------------------


def england_councils() -> list[dict[str, str]]:
    table = shipped_scenarios().get("england")
    if table is None:
        return []
    with open(table, "rb") as handle:
        data = tomllib.load(handle)
    return [{"name": c["name"], "code": c.get("code", ""), "region": c.get("region", "")} for c in data["councils"]]


def scenario_facts(path: Path) -> dict[str, Any]:
    """A scenario's facts as the page shows them before a run."""
    scenario = _core.load_scenario(str(path))
    config = tomllib.loads(scenario.resolved_toml)
    councils = config.get("councils", [])
    com = config.get("commissioning", {})
    return {
        "region": config.get("region", {}).get("name", path.stem),
        "councils": [c["name"] for c in councils],
        "adults": round(sum(sum(c.get("age_thousands", [])) for c in councils) * 1000),
        "people_with_needs": sum(int(c.get("people", 0)) for c in councils),
        "workers": sum(int(c.get("workers", 0)) for c in councils),
        "providers": sum(int(c.get("chains", 0)) + int(c.get("agencies", 0)) + int(c.get("micro_enterprises", 0))
                         for c in councils),
        "budget_million": sum(float(c.get("budget_million", 0)) for c in councils) * com.get("budget_multiplier", 1),
        "reference_rate": com.get("reference_rate"),
        "start_date": str(config.get("run", {}).get("start_date", "")),
        "values": {key: _get(config, key) for key, _, _ in LEVER_WORDS},
    }


def _get(config: dict, key: str) -> Any:
    section, name = key.split(".", 1)
    value = config.get(section, {}).get(name)
    return value.isoformat() if isinstance(value, date) else value


# --- jobs ----------------------------------------------------------------------------------------


class LabError(Exception):
    """Input the lab refuses: `fields` maps a form field to what is allowed."""

    def __init__(self, message: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.fields = fields or {}


def write_json(path: Path, data: Any) -> None:
    """Whole or not at all: a temporary file renamed over the name."""
    temporary = path.with_name(f"{path.name}.{secrets.token_hex(4)}.tmp")
    temporary.write_text(json.dumps(data, indent=1, default=_plain_number))
    os.replace(temporary, path)


def _plain_number(value: Any) -> Any:
    if isinstance(value, (np.floating, np.integer)):
        return value.item()
    raise TypeError(f"not JSON: {type(value)}")


class Lab:
    """The lab's state: its work folder, its runs and the one worker that runs them in turn."""

    def __init__(self, workdir: Path, caremarket: str) -> None:
        self.workdir = workdir
        self.caremarket = caremarket
        (workdir / "runs").mkdir(parents=True, exist_ok=True)
        (workdir / "scenarios").mkdir(exist_ok=True)
        self.levers = levers()
        self.lock = threading.Lock()
        self.queue: deque[str] = deque()
        self.wake = threading.Condition(self.lock)
        self.current: tuple[str, subprocess.Popen] | None = None
        self.cancelling: set[str] = set()  # runs asked to stop (under the lock)
        # One lab a work folder: a second one would take the first one's runs for a stopped lab's.
        self._lock_file = open(workdir / ".lock", "a")
        try:
            fcntl.flock(self._lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock_file.close()
            raise LabError(f"{workdir} is in use by another lab; stop it, or give another --workdir") from None
        # Runs a stopped lab left queued, running or half reported did not finish: say so, and write
        # the report of a run whose table is there.
        for job in self.jobs():
            if job["status"] in ("queued", "running", "reporting"):
                self.update(job["id"], status="stopped", message="the lab was stopped before this run finished")
            elif job["status"] == "done" and not job.get("report"):
                threading.Thread(target=self._write_report, args=(job["id"],), daemon=True).start()
        threading.Thread(target=self._work, daemon=True, name="lab-worker").start()

    # -- places
    def places(self) -> dict[str, Any]:
        return {"scenarios": sorted(n for n in shipped_scenarios() if n != "england"),
                "councils": england_councils()}

    def scenario_path(self, scenario: str, council: str) -> Path:
        if council:
            if not COUNCIL_NAME.fullmatch(council):
                raise LabError("not a council name", {"council": "a council of England from the list"})
            known = {c["name"] for c in england_councils()} | {c["code"] for c in england_councils()}
            if council not in known:
                raise LabError(f"{council}: no such council", {"council": "a council of England from the list"})
            path = self.workdir / "scenarios" / (re.sub(r"[^A-Za-z0-9]+", "_", council).strip("_") + ".toml")
            if not path.is_file():
                from ._config import scenario as cut
                cut(council, output=path)
            return path
        shipped = shipped_scenarios()
        if scenario not in shipped or scenario == "england":
            raise LabError(f"{scenario}: no such scenario",
                           {"scenario": "one of " + ", ".join(n for n in shipped if n != "england")})
        return shipped[scenario]

    # -- jobs
    def job_dir(self, job_id: str) -> Path:
        if not JOB_ID.fullmatch(job_id):
            raise KeyError(job_id)
        path = self.workdir / "runs" / job_id
        if not (path / "job.json").is_file():
            raise KeyError(job_id)
        return path

    def job(self, job_id: str) -> dict[str, Any]:
        return json.loads((self.job_dir(job_id) / "job.json").read_text())

    def jobs(self) -> list[dict[str, Any]]:
        out = []
        for path in sorted((self.workdir / "runs").glob("*/job.json")):
            try:
                out.append(json.loads(path.read_text()))
            except (OSError, ValueError):
                continue
        return sorted(out, key=lambda j: j.get("created", 0))

    def update(self, job_id: str, **changes: Any) -> dict[str, Any]:
        with self.lock:
            path = self.job_dir(job_id) / "job.json"
            job = json.loads(path.read_text())
            job.update(changes)
            write_json(path, job)
            return job

    def submit(self, form: dict[str, Any]) -> dict[str, Any]:
        """Checks the form (every problem at once, by field) and queues the run."""
        problems: dict[str, str] = {}
        scenario = str(form.get("scenario") or "")
        council = str(form.get("council") or "")
        try:
            path = self.scenario_path(scenario, council)
        except LabError as error:
            problems.update(error.fields)
            path = None
        values: dict[str, Any] = {}
        given = form.get("levers") or {}
        if not isinstance(given, dict):
            raise LabError("levers must be an object of key: value")
        by_key = {lever.key: lever for lever in self.levers}
        for key, value in given.items():
            lever = by_key.get(key)
            if lever is None:
                problems[key] = "not a lever of the lab"
                continue
            checked, why = lever_value(lever, value)
            if why:
                problems[key] = why
            else:
                values[key] = checked
        years, replicates = form.get("years", 5), form.get("replicates", 10)
        if not isinstance(years, int) or isinstance(years, bool) or not 1 <= years <= 20:
            problems["years"] = "a whole number of years between 1 and 20"
        if not isinstance(replicates, int) or isinstance(replicates, bool) or not 2 <= replicates <= 50:
            problems["replicates"] = "a whole number of replicates between 2 and 50"
        start = str(form.get("start") or "")
        if start:
            try:
                if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", start):
                    raise ValueError(start)
                date.fromisoformat(start)
            except ValueError:
                problems["start"] = "a date YYYY-MM-DD, or empty for the start of the run"
        name = str(form.get("name") or "").strip()[:60] or "policy"
        if not re.fullmatch(r"[A-Za-z0-9 _.,'()+-]{1,60}", name):
            problems["name"] = "letters, digits, spaces and . , ' ( ) + - _ (up to 60)"
        if problems:
            raise LabError("the form has problems", problems)
        if not values:
            raise LabError("the policy changes nothing", {"levers": "change at least one lever from the scenario's"})
        job_id = secrets.token_hex(6)
        folder = self.workdir / "runs" / job_id
        folder.mkdir()
        # The policy's file is named after it: the report and the charts name a policy by its file.
        policy_file = (re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_") or "policy") + ".toml"
        (folder / policy_file).write_text(policy_toml(values, name))
        job = {"id": job_id, "name": name, "policy_file": policy_file, "scenario": scenario, "council": council, "scenario_path": str(path),
               "levers": values, "years": years, "replicates": replicates, "start": start, "status": "queued",
               "done_runs": 0, "total_runs": 2 * replicates, "created": time.time(), "message": ""}
        write_json(folder / "job.json", job)
        with self.wake:
            self.queue.append(job_id)
            self.wake.notify()
        return job

    def cancel(self, job_id: str) -> dict[str, Any]:
        job = self.job(job_id)
        with self.wake:
            if job_id in self.queue:
                self.queue.remove(job_id)
                write_json(self.job_dir(job_id) / "job.json", {**job, "status": "cancelled", "message": "cancelled"})
                return self.job(job_id)
            if job["status"] in ("queued", "running") and job_id not in self.cancelling:
                self.cancelling.add(job_id)  # the worker stops it as soon as its comparison has started
                if self.current and self.current[0] == job_id:
                    self.current[1].send_signal(signal.SIGINT)  # once: compare stops at a week boundary
        return self.job(job_id)

    def _work(self) -> None:
        while True:
            with self.wake:
                while not self.queue:
                    self.wake.wait()
                job_id = self.queue.popleft()
            try:
                self._run(job_id)
            except Exception as error:  # a run that fails says why; the lab goes on
                self.update(job_id, status="failed", message=f"{type(error).__name__}: {error}")

    def _run(self, job_id: str) -> None:
        folder = self.job_dir(job_id)
        job = self.update(job_id, status="running", started=time.time())
        args = [self.caremarket, "compare", job["scenario_path"], "-p", str(folder / job["policy_file"]),
                "-n", str(job["replicates"]), "--steps", str(52 * job["years"]), "-o", str(folder / "comparison")]
        if job["start"]:
            args += ["--from", job["start"]]
        process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        with self.lock:
            self.current = (job_id, process)
            if job_id in self.cancelling:  # asked to stop between the queue and here
                process.send_signal(signal.SIGINT)
        done, tail = 0, deque(maxlen=20)
        stdout_lines: list[str] = []
        reader = threading.Thread(target=lambda: stdout_lines.extend(process.stdout), daemon=True)
        reader.start()
        for line in process.stderr:
            tail.append(line.rstrip())
            if re.match(r"^\[\d+/\d+\] \S+ (done|FAILED)", line):
                done += 1
                self.update(job_id, done_runs=done)
        process.wait()
        reader.join()
        with self.lock:
            self.current = None
            cancelled = job_id in self.cancelling
            self.cancelling.discard(job_id)
        if cancelled and process.returncode in (130, -signal.SIGINT):
            self.update(job_id, status="cancelled", message="cancelled", finished=time.time())
            return
        if process.returncode != 0:
            self.update(job_id, status="failed", message="\n".join(tail) or f"exit {process.returncode}",
                        finished=time.time())
            return
        self.update(job_id, status="reporting", done_runs=job["total_runs"])
        from . import _comparison_report as cr
        comparisons = cr.load_all([folder / "comparison.h5"])  # the runs are read once, for both
        # The table and charts first (what the page shows), then the report's page (matplotlib's
        # figures take seconds): its link appears when it is written.
        write_json(folder / "result.json", summarise(comparisons[0]))
        self.update(job_id, status="done", finished=time.time(), seconds=round(time.time() - job["started"], 1),
                    report=False)
        self._write_report(job_id, comparisons)

    def _write_report(self, job_id: str, comparisons: list | None = None) -> None:
        """Writes a done run's report.html; a failure is said in the run's message, the run stays done."""
        from . import _comparison_report as cr
        from .report import write_atomically
        folder = self.job_dir(job_id)
        try:
            comparisons = comparisons or cr.load_all([folder / "comparison.h5"])
            write_atomically(folder / "report.html", cr.render_comparisons(comparisons))
            self.update(job_id, report=True)
        except Exception as error:  # the table is there; only the page is missing
            self.update(job_id, report="failed", message=f"the report could not be written: {error}")


# --- a comparison as the page shows it --------------------------------------------------------------

CHART_NAMES = ["people_waiting", "hours_unmet_all", "workers", "mean_effective_pay", "micro_enterprises",
               "council_spend", "extraction", "wellbeing_all"]


def summarise(c) -> dict[str, Any]:
    """The table (outcome, baseline, policy, difference, interval, verdict) and each chart's bands
    (5, 25, 50, 75, 95th percentiles of each arm by week), from a loaded comparison."""
    from . import _comparison_report as cr

    rows = []
    for o in cr.OUTCOMES:
        r = c.table.loc[o.name]
        word, css = cr.verdict(r, o)
        cells = {k: cr.plain_text(cr.fmt(r[k], o, k != "baseline" and k != "policy"))
                 for k in ("baseline", "policy", "difference")}
        # The interval on one line a bound: money in £ m a year there.
        cells.update({k: cr.fmt_short(r[k], o) for k in ("ci_low", "ci_high")})
        rows.append({"outcome": o.name, "label": o.label, "explain": o.explain, "verdict": word, "class": css,
                     **cells})
    charts = []
    weeks = c.steps
    start = c.start_date
    labels = [(start + np.timedelta64(7 * w, "D")).strftime("%Y-%m-%d") if start is not None else str(w)
              for w in range(weeks + 1)]
    for name, title, ylabel, caption in cr.CHARTS:
        if name not in CHART_NAMES:
            continue
        arms = []
        for arm in (c.baseline, c.policy):
            q = cr.bands(arm, name, weeks)
            # JSON has no NaN: a week no replicate has a value for is a gap (null) in the chart.
            arms.append({"label": arm.label, "colour": arm.colour,
                         "bands": [[float(v) if np.isfinite(v) else None for v in np.round(row, 4)] for row in q]})
        charts.append({"name": name, "title": title, "ylabel": ylabel, "caption": caption, "arms": arms})
    return {"rows": rows, "labels": labels, "charts": charts, "replicates": len(c.policy.runs),
            "weeks": weeks, "statistic": str(c.attrs.get("statistic", "")), "interval": cr.interval_words(c)}


# --- the web app -----------------------------------------------------------------------------------


def create_app(lab: Lab, hosts: set[str] | None = None):
    """The lab's web app. With `hosts`, a request naming another Host is refused (403): a page from
    elsewhere that re-points its own name at this computer (DNS rebinding) cannot use the lab."""
    from flask import Flask, abort, jsonify, request, send_file

    app = Flask(__name__, static_folder=None)
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024

    @app.before_request
    def known_host():
        if hosts is not None and request.host not in hosts:
            abort(403)

    @app.after_request
    def headers(response):
        # Nothing from elsewhere: scripts, styles, images and connections only from the lab itself.
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'")
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.get("/")
    def index():
        return send_file(STATIC / "index.html", mimetype="text/html")

    @app.get("/static/<name>")
    def static_file(name: str):
        if name == "chart.min.js":
            if not CHART_JS.is_file():
                abort(404, "Debian's libjs-chart.js is not installed (scripts/install-deps.sh installs it)")
            return send_file(CHART_JS, mimetype="text/javascript")
        if name not in ("lab.js", "lab.css"):
            abort(404)
        return send_file(STATIC / name, mimetype="text/javascript" if name.endswith(".js") else "text/css")

    @app.get("/api/places")
    def places():
        return jsonify(lab.places())

    @app.get("/api/levers")
    def lever_list():
        return jsonify([lever.__dict__ for lever in lab.levers])

    @app.get("/api/facts")
    def facts():
        try:
            path = lab.scenario_path(request.args.get("scenario", ""), request.args.get("council", ""))
        except LabError as error:
            return jsonify({"error": str(error), "fields": error.fields}), 400
        return jsonify(scenario_facts(path))

    @app.get("/api/runs")
    def runs():
        return jsonify(lab.jobs())

    @app.post("/api/runs")
    def submit():
        form = request.get_json(silent=True)
        if not isinstance(form, dict):
            return jsonify({"error": "send the form as a JSON object", "fields": {}}), 400
        try:
            return jsonify(lab.submit(form)), 202
        except LabError as error:
            return jsonify({"error": str(error), "fields": error.fields}), 400

    @app.get("/api/runs/<job_id>")
    def job(job_id: str):
        try:
            data = lab.job(job_id)
            result = lab.job_dir(job_id) / "result.json"
        except KeyError:
            abort(404)
        if result.is_file():
            data["result"] = json.loads(result.read_text())
        return jsonify(data)

    @app.post("/api/runs/<job_id>/cancel")
    def cancel(job_id: str):
        try:
            return jsonify(lab.cancel(job_id))
        except KeyError:
            abort(404)

    downloads = {"report.html": ("report.html", "text/html"), "policy.toml": ("policy.toml", "text/plain"),
                 "comparison.csv": ("comparison.csv", "text/csv"),
                 "comparison.h5": ("comparison.h5", "application/x-hdf5")}

    @app.get("/runs/<job_id>/<name>")
    def download(job_id: str, name: str):
        if name not in downloads:
            abort(404)
        try:
            folder = lab.job_dir(job_id)
        except KeyError:
            abort(404)
        job = lab.job(job_id)
        path = folder / (job["policy_file"] if name == "policy.toml" else downloads[name][0])
        if not path.is_file():
            abort(404)
        job_name = re.sub(r"[^A-Za-z0-9]+", "-", job["name"]).strip("-") or "policy"
        # Always a download: the lab's Content-Security-Policy is not the report's (its own script).
        return send_file(path, mimetype=downloads[name][1], as_attachment=True, download_name=f"{job_name}-{name}")

    @app.errorhandler(413)
    def too_large(_):
        return jsonify({"error": "the form is too large", "fields": {}}), 413

    return app


def caremarket_binary() -> str:
    for candidate in (os.environ.get("CAREMARKET_EXECUTABLE"), shutil.which("caremarket")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    raise SystemExit("caremarket lab: cannot find the caremarket command: run `caremarket lab`, or put it on PATH")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="caremarket lab",
        description="A policy lab in the browser: try a council's levers on its own council, compare with "
                    "intervals, and download the report. Serves http://HOST:PORT/ until Ctrl-C.")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1: this computer only; the lab has no login)")
    parser.add_argument("--port", type=int, default=8050, help="port (default 8050)")
    parser.add_argument("--workdir", default=os.environ.get("CAREMARKET_LAB_DIR") or
                        str(Path.home() / ".cache" / "caremarket-lab"),
                        help="where runs and reports are kept (default ~/.cache/caremarket-lab)")
    args = parser.parse_args(argv)
    if not 1 <= args.port <= 65535:
        print(f"caremarket lab: --port {args.port}: a port between 1 and 65535", file=sys.stderr)
        return 2
    try:
        lab = Lab(Path(args.workdir), caremarket_binary())
    except OSError as error:
        print(f"caremarket lab: --workdir {args.workdir}: {error.strerror}", file=sys.stderr)
        return 2
    except LabError as error:
        print(f"caremarket lab: {error}", file=sys.stderr)
        return 2
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"caremarket lab: warning: listening on {args.host}: anyone who can reach port {args.port} can "
              "start runs and read results (docs/for-commissioners.md, 'Sharing the lab')", file=sys.stderr)
    print(f"caremarket lab: open http://{args.host}:{args.port}/ in a browser (Ctrl-C stops the lab); "
          f"runs are kept in {lab.workdir}", flush=True)
    from werkzeug.serving import make_server
    try:
        loopback = args.host in ("127.0.0.1", "localhost", "::1")
        hosts = {f"{name}:{args.port}" for name in ("127.0.0.1", "localhost", "[::1]")} if loopback else None
        server = make_server(args.host, args.port, create_app(lab, hosts), threaded=True)
    except OSError as error:
        print(f"caremarket lab: cannot listen on {args.host}:{args.port}: {error.strerror}", file=sys.stderr)
        return 2
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
