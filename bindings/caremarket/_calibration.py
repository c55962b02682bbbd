"""History matching: the parameter sets a model's targets do not rule out.

    caremarket calibrate CALIB.toml -o DIR          # the command line (runs python3 -m caremarket._calibration)
    caremarket.calibrate("CALIB.toml", "DIR")       # the same from Python, returning a Calibration

A calibration file names a scenario (and policies), the parameters with their prior ranges, and
targets: an outcome of the sweep index, a statistic over a window of financial years, the observed
value, its uncertainty and the model discrepancy allowed (configs/calibration/somerset.toml).

Method (Vernon, Goldstein & Bower 2010; Andrianakis et al. 2015 for stochastic models), in waves:

1. wave 1 runs a Latin hypercube over the prior box, each point with ``replicates`` runs; later
   waves run points drawn inside the space not yet ruled out;
2. each target gets a Gaussian-process emulator (scikit-learn: a constant × anisotropic RBF kernel
   plus a white-noise kernel) of the replicate mean, fitted to every run point so far;
3. a point's implausibility for a target is

       I(x) = |observed − E[emulator](x)| / sqrt(Var[emulator](x) + sd² + discrepancy² + replicate variance)

   the replicate variance being one run's spread about its point's mean, emulated too (a Gaussian
   process of its logarithm), divided by ``observed_realisations``: the world is one realisation,
   as a run is, unless the observed value averages several (synthetic observations from replicates
   of the model). A point is ruled out when its largest implausibility over
   the targets exceeds ``cutoff`` (3, Pukelsheim's three-sigma rule);
4. the share of the prior box not ruled out is estimated from ``candidates`` uniform points; the
   waves stop after ``waves`` waves, when that share stops shrinking (the last wave kept more than
   ``stop_ratio`` of the one before), or when nothing is left (the targets cannot be met together
   within the priors: say so, rather than return a point).

Each wave is a sweep (sampling = "design"), so runs go through the sweep machinery: a killed
calibration goes on from its finished runs when called again, and a ``concurrent.futures``
executor (a Dask ``distributed.Client``) can run them. Output in DIR: ``wave_K/`` (the wave's
points.csv, sweep.toml and sweep folder), ``nroy.csv`` (parameter sets not ruled out: a uniform sample
of the final space, one column per parameter, for ``compare --parameter-sets``), ``waves.csv`` (per wave: points, runs, the
share not ruled out, the emulators' validation), ``summary.md`` and the figures
``emulator_validation.png``, ``implausibility.png`` and ``space.png``.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import os
import sys
import textwrap
import tomllib
import warnings
from concurrent.futures import Executor
from pathlib import Path

import numpy as np
import pandas as pd

from ._config import PathLike

__all__ = ["CalibrationError", "CalibrationSpec", "Calibration", "load_calibration", "calibrate", "main"]


class CalibrationError(ValueError):
    """A calibration file or option that cannot be used: names the file, key and what is allowed."""


@dataclasses.dataclass(frozen=True)
class Parameter:
    key: str
    low: float
    high: float


@dataclasses.dataclass(frozen=True)
class Target:
    name: str
    outcome: str           # a headline outcome (yearly means) or a per-run index variable
    years: tuple[int, int] | None  # financial years K..L of the runs (1-based), None: the variable as is
    observed: float
    sd: float              # the observation's uncertainty
    discrepancy: float     # model discrepancy allowed
    source: str = ""
    status: str = ""       # "tuned" or "held out" (docs/ODD.md)
    accepted: tuple[float, float] | None = None  # the range the validation tests accept


@dataclasses.dataclass(frozen=True)
class CalibrationSpec:
    file: Path
    name: str
    scenario: str
    policies: tuple[str, ...]
    overrides: tuple[str, ...]
    steps: int
    replicates: int
    root_seed: int
    waves: int
    points_per_wave: int
    cutoff: float
    candidates: int
    stop_ratio: float
    observed_realisations: int
    parameters: tuple[Parameter, ...]
    targets: tuple[Target, ...]
    skipped: tuple[str, ...]  # targets the file lists for validation only (no outcome to calibrate to)


def _problem(file: Path, key: str, message: str) -> CalibrationError:
    return CalibrationError(f"{file}: {key} {message}")


def load_calibration(file: PathLike) -> CalibrationSpec:
    """Reads and checks a calibration file; raises CalibrationError naming the file, key and what is
    allowed."""
    file = Path(file)
    try:
        with open(file, "rb") as handle:
            doc = tomllib.load(handle)
    except FileNotFoundError:
        raise CalibrationError(f"{file}: no such calibration file") from None
    except tomllib.TOMLDecodeError as error:
        raise CalibrationError(f"{file}: not TOML: {error}") from None
    known = {"calibration"}
    for key in doc:
        if key not in known:
            raise _problem(file, key, "is not a known table; a calibration file has [calibration], "
                                      "[[calibration.parameters]] and [[calibration.targets]]")
    c = doc.get("calibration")
    if not isinstance(c, dict):
        raise _problem(file, "calibration", "is missing: give a [calibration] table")
    settings = {"name": str, "scenario": str, "policies": list, "overrides": list, "steps": int, "replicates": int,
                "root_seed": int, "waves": int, "points_per_wave": int, "cutoff": (int, float),
                "candidates": int, "stop_ratio": (int, float), "observed_realisations": int, "parameters": list,
                "targets": list}
    for key, value in c.items():
        if key not in settings:
            raise _problem(file, f"calibration.{key}", "is not a known key; known: " + ", ".join(settings))
        if not isinstance(value, settings[key]) or isinstance(value, bool):
            raise _problem(file, f"calibration.{key}", f"= {value!r} has the wrong type")

    def bounded(key, default, low, high):
        value = c.get(key, default)
        if not low <= value <= high:
            raise _problem(file, f"calibration.{key}", f"= {value} must be between {low} and {high}")
        return value

    parameters = []
    for i, p in enumerate(c.get("parameters", [])):
        at = f"calibration.parameters[{i}]"
        if not isinstance(p, dict) or set(p) - {"key", "range"} or "key" not in p or "range" not in p:
            raise _problem(file, at, 'must be a table with key = "..." and range = [low, high]')
        r = p["range"]
        if (not isinstance(r, list) or len(r) != 2 or not all(isinstance(v, (int, float)) for v in r)):
            raise _problem(file, f"{at}.range", "must be [low, high]")
        if not r[0] < r[1]:
            raise _problem(file, f"{at}.range", f"low must be below high (got [{r[0]}, {r[1]}])")
        parameters.append(Parameter(p["key"], float(r[0]), float(r[1])))
    if not parameters:
        raise _problem(file, "calibration.parameters", "is empty: give at least one [[calibration.parameters]]")
    keys = [p.key for p in parameters]
    if len(set(keys)) != len(keys):
        raise _problem(file, "calibration.parameters", "names a parameter twice")
    from . import HEADLINE_OUTCOMES, parameters as parameter_table
    table = parameter_table()
    for i, p in enumerate(parameters):
        if p.key not in table.index or table.loc[p.key, "kind"] not in ("real", "integer"):
            raise _problem(file, f"calibration.parameters[{i}].key", f'"{p.key}" is not a numeric model parameter')

    targets, skipped = [], []
    fields = {"name", "outcome", "years", "observed", "sd", "discrepancy", "source", "status", "accepted", "value",
              "note"}
    for i, t in enumerate(c.get("targets", [])):
        at = f"calibration.targets[{i}]"
        if not isinstance(t, dict):
            raise _problem(file, at, "must be a table")
        for key in t:
            if key not in fields:
                raise _problem(file, f"{at}.{key}", "is not a known key; known: " + ", ".join(sorted(fields)))
        name = t.get("name", f"target {i}")
        accepted = t.get("accepted")
        if accepted is not None and (len(accepted) != 2 or not accepted[0] <= accepted[1]):
            raise _problem(file, f"{at}.accepted", "must be [low, high] with low <= high")
        if "outcome" not in t:  # listed for the record and the validation tests, not calibrated to
            skipped.append(name)
            continue
        for key in ("observed", "sd"):
            if not isinstance(t.get(key), (int, float)):
                raise _problem(file, f"{at}.{key}", "is required for a target with an outcome (a number)")
        if t["sd"] <= 0:
            raise _problem(file, f"{at}.sd", "must be above 0 (the observation's uncertainty)")
        outcome = t["outcome"]
        years = t.get("years")
        if years is not None:
            if (not isinstance(years, list) or len(years) != 2 or not all(isinstance(y, int) for y in years)
                    or not 1 <= years[0] <= years[1]):
                raise _problem(file, f"{at}.years", "must be [first, last] financial years of the runs, 1 <= first <= last")
            if outcome not in HEADLINE_OUTCOMES:
                raise _problem(file, f"{at}.outcome", f'"{outcome}" has no yearly values; with years give one of: '
                                                      + ", ".join(HEADLINE_OUTCOMES))
        targets.append(Target(name, outcome, tuple(years) if years else None, float(t["observed"]), float(t["sd"]),
                              float(t.get("discrepancy", 0.0)), t.get("source", ""), t.get("status", ""),
                              tuple(accepted) if accepted else None))
    if not targets:
        raise _problem(file, "calibration.targets", "has no target with an outcome to calibrate to")
    steps = bounded("steps", 260, 1, 100000)
    for i, t in enumerate(targets):
        if t.years and t.years[1] * 52 > steps + 52:
            raise _problem(file, f"calibration.targets[{i}].years",
                           f"[{t.years[0]}, {t.years[1]}] goes beyond the runs' {steps} weeks "
                           f"(about {math.ceil(steps / 52)} financial years)")
    return CalibrationSpec(
        file=file, name=c.get("name", file.stem), scenario=c.get("scenario", "somerset"),
        policies=tuple(c.get("policies", [])), overrides=tuple(c.get("overrides", [])), steps=steps,
        replicates=bounded("replicates", 4, 2, 1000), root_seed=bounded("root_seed", 1, 0, 9 * 10 ** 15),
        waves=bounded("waves", 4, 1, 50), points_per_wave=bounded("points_per_wave", 40, 4, 100000),
        cutoff=float(bounded("cutoff", 3.0, 0.5, 10.0)), candidates=bounded("candidates", 20000, 1000, 10 ** 7),
        stop_ratio=float(bounded("stop_ratio", 0.9, 0.0, 1.0)),
        observed_realisations=bounded("observed_realisations", 1, 1, 100000), parameters=tuple(parameters),
        targets=tuple(targets), skipped=tuple(skipped))


def _check_inputs(spec: CalibrationSpec) -> None:
    """The scenario, policies and overrides load, and every prior's ends are values its parameter
    allows: said now, naming the calibration file, not after a wave has run."""
    from ._config import load
    from ._errors import ConfigError

    base = spec.file.resolve().parent
    scenario = _name_or_path(spec.scenario, base)
    policies = [_name_or_path(p, base) for p in spec.policies]
    try:
        load(scenario, policies, list(spec.overrides))
    except ConfigError as error:
        raise CalibrationError(f"{spec.file}: calibration.scenario, policies or overrides: {error}") from None
    for i, p in enumerate(spec.parameters):
        for end in (p.low, p.high):
            try:
                load(scenario, policies, list(spec.overrides) + [f"{p.key}={end!r}"])
            except ConfigError as error:
                problem = "; ".join(m for _, _, m in error.problems) if getattr(error, "problems", None) else str(error)
                raise CalibrationError(f"{spec.file}: calibration.parameters[{i}].range: {p.key} = {end!r} is not "
                                       f"allowed: {problem}") from None


def _toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _name_or_path(value: str, base: Path) -> str:
    if "/" in value or value.endswith(".toml"):
        path = Path(value)
        return str(path if path.is_absolute() else (base / path).resolve())
    return value


def _wave_sweep(spec: CalibrationSpec, wave: int, points: np.ndarray, folder: Path) -> Path:
    """Writes wave K's design (points.csv) and sweep file; returns the sweep file."""
    folder.mkdir(parents=True, exist_ok=True)
    design = folder / "points.csv"
    frame = pd.DataFrame(points, columns=[p.key for p in spec.parameters])
    if not design.exists():  # a re-run goes on with the points it chose before
        temporary = design.with_suffix(".csv.tmp")
        frame.to_csv(temporary, index=False, float_format="%.17g")
        os.replace(temporary, design)
    base = spec.file.resolve().parent
    text = "\n".join([
        f"# Wave {wave} of calibration {spec.name} ({spec.file}); written by caremarket calibrate.",
        "[sweep]",
        f"name = {_toml_string(spec.name + '_wave_' + str(wave))}",
        f"scenario = {_toml_string(_name_or_path(spec.scenario, base))}",
        f"policies = [{', '.join(_toml_string(_name_or_path(p, base)) for p in spec.policies)}]",
        f"overrides = [{', '.join(_toml_string(o) for o in spec.overrides)}]",
        f"steps = {spec.steps}",
        f"replicates = {spec.replicates}",
        f"root_seed = {spec.root_seed + wave}",
        "common_random_numbers = true",
        'sampling = "design"',
        'design = "points.csv"',
    ]) + "\n"
    sweep_file = folder / "sweep.toml"
    sweep_file.write_text(text)
    return sweep_file


def _target_values(spec: CalibrationSpec, index: pd.DataFrame, yearly: pd.DataFrame | None) -> pd.DataFrame:
    """Each finished run's value of each target (columns: targets), indexed by run."""
    done = index[index.status == "done"]
    values = {}
    for t in spec.targets:
        if t.years is None:
            column = t.outcome if t.outcome in done.columns else f"last_year_{t.outcome}"
            if column not in done.columns:
                raise CalibrationError(f"{spec.file}: target {t.name!r}: outcome {t.outcome!r} is not in the sweep index "
                                       "(give a headline outcome or an index variable such as last_year_workers)")
            values[t.name] = done[column]
        else:
            years = sorted(yearly.index.get_level_values("year").unique())
            if t.years[1] > len(years):
                raise CalibrationError(f"{spec.file}: target {t.name!r}: years {list(t.years)} but the runs cover "
                                       f"{len(years)} financial year(s)")
            chosen = years[t.years[0] - 1:t.years[1]]
            frame = yearly.loc[(done.index, chosen), :]
            # Weighted by the weeks of each year in the run (a short first or last year counts less).
            weighted = (frame[t.outcome] * frame["weeks"]).groupby(level="run").sum()
            values[t.name] = weighted / frame["weeks"].groupby(level="run").sum()
    return pd.DataFrame(values)


class _Emulator:
    """A Gaussian process per target of the point means, on inputs scaled to the prior box."""

    def __init__(self, x: np.ndarray, y: np.ndarray, seed: int):
        from sklearn.gaussian_process import GaussianProcessRegressor
        from sklearn.gaussian_process.kernels import RBF, ConstantKernel, WhiteKernel

        d = x.shape[1]
        self.mean, self.scale = float(y.mean()), float(y.std()) or 1.0
        kernel = (ConstantKernel(1.0, (1e-3, 1e3)) * RBF(np.full(d, 0.3), (1e-2, 1e2))
                  + WhiteKernel(1e-2, (1e-8, 1.0)))
        self.gp = GaussianProcessRegressor(kernel=kernel, normalize_y=False, n_restarts_optimizer=2,
                                           random_state=seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # bounds reached by a length scale are not an error here
            self.gp.fit(x, (y - self.mean) / self.scale)

    def predict(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Mean and variance of the emulated point mean (the fitted noise term excluded)."""
        m, s = self.gp.predict(x, return_std=True)
        noise = self.gp.kernel_.k2.noise_level
        variance = np.maximum(s ** 2 - noise, 1e-12) * self.scale ** 2
        return self.mean + m * self.scale, variance


@dataclasses.dataclass
class Calibration:
    """What a calibration found: the sets not ruled out, per-wave diagnostics, the summary text."""
    spec: CalibrationSpec
    output: Path
    nroy: pd.DataFrame       # parameter sets not ruled out (a sample of the final space)
    waves: pd.DataFrame      # per wave: points, runs, share of the prior box not ruled out, validation
    runs: pd.DataFrame       # every run point with its target means and implausibility
    summary: str
    stopped: str             # why the waves stopped


class _VarianceEmulator:
    """One run's variance about its point's mean, as a function of the point: a Gaussian process of
    the log of the replicates' sample variances (their noise is large with few replicates; the
    white-noise term absorbs it), or their mean when there are too few points for a process.

    The log of a sample variance with k = replicates - 1 degrees of freedom is biased: its mean is
    log(variance) + digamma(k/2) - log(k/2) (-1.27 for 2 replicates, -0.37 for 4), so exp of the
    emulated mean would understate the noise (0.28 times for 2 replicates) and rule out too much."""

    def __init__(self, x: np.ndarray, variances: np.ndarray, replicates: int, seed: int):
        from scipy.special import digamma

        finite = np.isfinite(variances) & (variances > 0)
        self.constant = float(np.nanmean(variances)) if finite.any() else 0.0
        k = replicates - 1
        self.bias = float(digamma(k / 2) - math.log(k / 2))
        self.emulator = _Emulator(x[finite], np.log(variances[finite]), seed) if finite.sum() >= 4 else None

    def predict(self, x: np.ndarray) -> np.ndarray:
        if self.emulator is None:
            return np.full(len(x), self.constant)
        mean, _ = self.emulator.predict(x)
        return np.exp(mean - self.bias)


def _not_ruled_out(spec, history, x):
    """Points no wave's emulators rule out (each wave refocuses on what the earlier ones left)."""
    keep = np.ones(len(x), dtype=bool)
    for emulators, replicate_var in history:
        worst, _ = _implausibility(spec, emulators, replicate_var, x)
        keep &= worst <= spec.cutoff
    return keep


def _implausibility(spec, emulators, replicate_var, x):
    worst = np.zeros(len(x))
    per = {}
    for t in spec.targets:
        mean, var = emulators[t.name].predict(x)
        total = var + t.sd ** 2 + t.discrepancy ** 2 + replicate_var[t.name].predict(x) / spec.observed_realisations
        per[t.name] = np.abs(t.observed - mean) / np.sqrt(total)
        worst = np.maximum(worst, per[t.name])
    return worst, per


def _unit_lhs(rng: np.random.Generator, n: int, d: int) -> np.ndarray:
    strata = np.column_stack([rng.permutation(n) for _ in range(d)])
    return (strata + rng.random((n, d))) / n


def calibrate(calibration_file: PathLike, output: PathLike, *, executor: Executor | None = None,
              workers: int | None = None, progress: bool = True) -> Calibration:
    """Runs the history matching of a calibration file into ``output`` (module docstring) and
    returns a :class:`Calibration`; calling again with the same folder goes on from the runs
    already finished."""
    from ._sweeps import read_yearly, sweep

    spec = load_calibration(calibration_file)
    output = Path(output)
    if output.exists() and not output.is_dir():
        raise CalibrationError(f"{output}: the output must be a folder")
    _check_inputs(spec)
    output.mkdir(parents=True, exist_ok=True)
    record = output / "calibration.toml"
    text = spec.file.read_text()
    if record.exists() and record.read_text() != text:
        raise CalibrationError(f"{output} holds a calibration of another file (its calibration.toml differs from "
                               f"{spec.file}); its waves' points would not be this file's: give a new output folder")
    if not record.exists():
        record.write_text(text)
    d = len(spec.parameters)
    low = np.array([p.low for p in spec.parameters])
    high = np.array([p.high for p in spec.parameters])
    rng = np.random.default_rng(spec.root_seed)
    say = (lambda *a: print(*a, file=sys.stderr, flush=True)) if progress else (lambda *a: None)

    points_unit = _unit_lhs(rng, spec.points_per_wave, d)
    all_x, all_y, all_var, all_wave = [], [], [], []
    wave_rows = []
    share_before, stopped = 1.0, f"after {spec.waves} wave(s), the most asked for"
    history: list[tuple[dict, dict]] = []  # each wave's emulators and noise emulators
    candidates_unit = None
    for wave in range(1, spec.waves + 1):
        folder = output / f"wave_{wave}"
        sweep_file = _wave_sweep(spec, wave, low + points_unit * (high - low), folder)
        chosen = pd.read_csv(folder / "points.csv")[[p.key for p in spec.parameters]].to_numpy()
        say(f"calibrate {spec.name}: wave {wave}: {len(chosen)} points x {spec.replicates} replicate(s)")
        index = sweep(sweep_file, folder / "runs", workers=workers, executor=executor)
        yearly = read_yearly(folder / "runs") if any(t.years for t in spec.targets) else None
        values = _target_values(spec, index, yearly)
        values["point"] = index.loc[values.index, "point"]
        means = values.groupby("point").mean()
        variances = values.groupby("point").var(ddof=1) if spec.replicates > 1 else means * 0
        x_wave = index.groupby("point")[[f"param_{p.key.replace('.', '_')}" for p in spec.parameters]].first()
        x_wave = x_wave.loc[means.index].to_numpy()
        all_x.append((x_wave - low) / (high - low))
        all_y.append(means[[t.name for t in spec.targets]].to_numpy())
        all_var.append(variances[[t.name for t in spec.targets]].to_numpy())
        all_wave.append(np.full(len(x_wave), wave))
        x, y, v = np.vstack(all_x), np.vstack(all_y), np.vstack(all_var)
        # Emulator validation: fit on a random 80% of this wave's design and all earlier waves, check
        # the held-out 20% (standardised errors within 3 for ~99% of points if the emulator is right).
        this = np.concatenate(all_wave) == wave
        order = rng.permutation(np.flatnonzero(this))
        held = order[: max(1, len(order) // 5)]
        fit = np.setdiff1d(np.arange(len(x)), held)
        validation = {}
        emulators: dict[str, _Emulator] = {}
        replicate_var: dict[str, _VarianceEmulator] = {}
        for k, t in enumerate(spec.targets):
            replicate_var[t.name] = _VarianceEmulator(x, v[:, k], spec.replicates, spec.root_seed)
            check = _Emulator(x[fit], y[fit, k], spec.root_seed)
            m, var = check.predict(x[held])
            z = (y[held, k] - m) / np.sqrt(var + replicate_var[t.name].predict(x[held]) / spec.replicates)
            validation[t.name] = (float(np.mean(np.abs(z) <= 3)), m, y[held, k])
            emulators[t.name] = _Emulator(x, y[:, k], spec.root_seed)
        history.append((emulators, replicate_var))
        candidates_unit = rng.random((spec.candidates, d))
        kept = candidates_unit[_not_ruled_out(spec, history, candidates_unit)]
        share = len(kept) / len(candidates_unit)
        row = {"wave": wave, "points": len(x_wave), "runs": int((index.status == "done").sum()),
               "share_not_ruled_out": share}
        for t in spec.targets:
            row[f"validation_{t.name}"] = validation[t.name][0]
        wave_rows.append(row)
        say(f"calibrate {spec.name}: wave {wave}: {share:.1%} of the prior space not ruled out")
        pd.DataFrame(wave_rows).to_csv(output / "waves.csv", index=False)
        if share == 0:
            stopped = (f"at wave {wave}: every point is ruled out; the targets cannot be met together within "
                       "these priors and discrepancies")
            break
        if wave > 1 and share > spec.stop_ratio * share_before:
            stopped = f"at wave {wave}: the space stopped shrinking ({share:.1%} after {share_before:.1%})"
            break
        share_before = share
        if wave == spec.waves:
            break
        # The next wave: points spread over what is left (a maximin pick among the kept candidates).
        pick = _spread(kept, spec.points_per_wave, rng)
        points_unit = pick

    x_all = np.vstack(all_x)
    y_all = np.vstack(all_y)
    worst_runs, _ = _implausibility(spec, emulators, replicate_var, x_all)
    runs = pd.DataFrame(low + x_all * (high - low), columns=[p.key for p in spec.parameters])
    runs["wave"] = np.concatenate(all_wave)
    for k, t in enumerate(spec.targets):
        runs[t.name] = y_all[:, k]
    runs["implausibility"] = worst_runs
    final_worst, _ = _implausibility(spec, emulators, replicate_var, candidates_unit)
    keep = _not_ruled_out(spec, history, candidates_unit)
    nroy = pd.DataFrame(low + candidates_unit[keep] * (high - low), columns=[p.key for p in spec.parameters])
    nroy["implausibility"] = final_worst[keep]
    # A uniform sample of the space not ruled out (not its most plausible corner).
    if len(nroy) > 1000:
        nroy = nroy.iloc[np.sort(rng.choice(len(nroy), 1000, replace=False))]
    nroy = nroy.reset_index(drop=True)
    _write_csv(nroy.drop(columns="implausibility"), output / "nroy.csv")  # parameters only: compare --parameter-sets
    _write_csv(runs, output / "runs.csv")
    waves = pd.DataFrame(wave_rows)
    summary = _summary(spec, waves, nroy, runs, stopped)
    (output / "summary.md").write_text(summary)
    _figures(spec, output, waves, runs, nroy, validation, low, high)
    return Calibration(spec, output, nroy, waves, runs, summary, stopped)


def _spread(kept: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """n of the kept points, chosen greedily far from each other (maximin), from a random start."""
    if len(kept) <= n:
        extra = kept[rng.integers(0, len(kept), n - len(kept))] if len(kept) else np.empty((0, kept.shape[1]))
        return np.vstack([kept, extra])
    pool = kept[rng.permutation(len(kept))[: min(len(kept), 20 * n)]]
    chosen = [0]
    distance = np.linalg.norm(pool - pool[0], axis=1)
    for _ in range(n - 1):
        nxt = int(np.argmax(distance))
        chosen.append(nxt)
        distance = np.minimum(distance, np.linalg.norm(pool - pool[nxt], axis=1))
    return pool[chosen]


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    temporary = path.with_name(path.name + ".tmp")
    frame.to_csv(temporary, index=False, float_format="%.10g")
    os.replace(temporary, path)


def _summary(spec, waves, nroy, runs, stopped) -> str:
    lines = [f"# Calibration {spec.name}", "",
             f"{spec.file}: scenario {spec.scenario}" + (f" with {', '.join(spec.policies)}" if spec.policies else "")
             + f", {spec.steps} weeks, {spec.replicates} replicate(s) a point; implausibility cut-off {spec.cutoff}.",
             f"The waves stopped {stopped}.", "", "| Wave | Points | Runs | Share of the prior space not ruled out |",
             "|---|---|---|---|"]
    for _, w in waves.iterrows():
        lines.append(f"| {int(w.wave)} | {int(w.points)} | {int(w.runs)} | {w.share_not_ruled_out:.1%} |")
    lines += ["", "| Parameter | Prior | Not ruled out: min – max (of a sample of "
              f"{len(nroy)}) |", "|---|---|---|"]
    for p in spec.parameters:
        span = f"{nroy[p.key].min():.4g} – {nroy[p.key].max():.4g}" if len(nroy) else "nothing left"
        lines.append(f"| `{p.key}` | {p.low:.4g} – {p.high:.4g} | {span} |")
    lines += ["", "| Target | Outcome | Observed ± sd (discrepancy) | Best run point |", "|---|---|---|---|"]
    best = runs.sort_values("implausibility").iloc[0]
    for t in spec.targets:
        window = f"years {t.years[0]}–{t.years[1]}" if t.years else "as indexed"
        lines.append(f"| {t.name} | `{t.outcome}`, {window} | {t.observed:.4g} ± {t.sd:.3g} ({t.discrepancy:.3g}) "
                     f"| {best[t.name]:.4g} |")
    if spec.skipped:
        lines += ["", "Listed for validation only (no outcome to calibrate to): " + "; ".join(spec.skipped) + "."]
    return "\n".join(lines) + "\n"


def _figures(spec, output, waves, runs, nroy, validation, low, high) -> None:
    import matplotlib

    if matplotlib.get_backend().lower() not in ("agg", "module://matplotlib_inline.backend_inline"):
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = len(spec.targets)
    fig, axes = plt.subplots(1, n, figsize=(3.2 * n, 3.2), squeeze=False)
    for ax, t in zip(axes[0], spec.targets):
        share, predicted, simulated = validation[t.name]
        ax.scatter(simulated, predicted, s=12)
        lo, hi = min(simulated.min(), predicted.min()), max(simulated.max(), predicted.max())
        ax.plot([lo, hi], [lo, hi], color="0.5", linewidth=0.8)
        ax.set_title(f"{t.name}\n{share:.0%} within 3 sd", fontsize=9)
        ax.set_xlabel("simulated (held-out points)")
        ax.set_ylabel("emulated")
    fig.suptitle("Emulator validation, last wave", fontsize=10)
    fig.tight_layout()
    fig.savefig(output / "emulator_validation.png", dpi=110)
    plt.close(fig)

    keys = [p.key for p in spec.parameters]
    panels = max(1, len(keys) - 1)
    fig, axes = plt.subplots(1, panels, figsize=(max(5.5, 4.5 * panels), 4), squeeze=False)
    if len(keys) == 1:
        ax = axes[0][0]
        sc = ax.scatter(runs[keys[0]], runs["implausibility"], c=runs["wave"], s=12, cmap="viridis")
        ax.axhline(spec.cutoff, color="red", linewidth=0.8)
        ax.set_xlabel(keys[0])
        ax.set_ylabel("largest implausibility")
        fig.colorbar(sc, ax=ax, label="wave")
    else:
        for j, ax in enumerate(axes[0]):
            ax.scatter(nroy[keys[j]], nroy[keys[j + 1]], s=3, color="0.75", label="not ruled out")
            sc = ax.scatter(runs[keys[j]], runs[keys[j + 1]], c=np.minimum(runs["implausibility"], 2 * spec.cutoff),
                            s=14, cmap="viridis_r", label="run points")
            ax.set_xlim(low[j], high[j])
            ax.set_ylim(low[j + 1], high[j + 1])
            ax.set_xlabel(keys[j])
            ax.set_ylabel(keys[j + 1])
        fig.colorbar(sc, ax=axes[0][-1], label="largest implausibility")
    fig.suptitle("Implausibility of the run points" + ("; grey: the space not ruled out" if len(keys) > 1 else
                                                       "; red: the cut-off"), fontsize=9)
    fig.tight_layout()
    fig.savefig(output / "implausibility.png", dpi=110)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(4.5, 3.2))
    ax.plot(waves["wave"], waves["share_not_ruled_out"], marker="o")
    ax.set_xlabel("wave")
    ax.set_ylabel("share of the prior space not ruled out")
    ax.set_ylim(0, 1.05)
    ax.set_xticks(waves["wave"])
    ax.set_title("The shrinking space", fontsize=10)
    fig.tight_layout()
    fig.savefig(output / "space.png", dpi=110)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="caremarket calibrate",
        description="History matching of a calibration file's parameters to its targets, in waves of sweeps "
                    "(docs/clusters.md, 'Calibration').",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=textwrap.dedent("""
            Output in DIR: wave_K/ (each wave's design and sweep), nroy.csv (parameter sets not
            ruled out), runs.csv, waves.csv, summary.md and figures. Running the same command again
            goes on from the finished runs."""))
    parser.add_argument("calibration", help="calibration TOML file (configs/calibration/somerset.toml)")
    parser.add_argument("-o", "--output", required=True, help="folder for the waves, nroy.csv and the summary")
    parser.add_argument("--workers", type=int, default=0, help="runs at once on this machine (default: one per core)")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress lines")
    args = parser.parse_args(argv)
    try:
        result = calibrate(args.calibration, args.output, workers=args.workers or None, progress=not args.quiet)
    except CalibrationError as error:
        print(f"caremarket calibrate: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("caremarket calibrate: interrupted; run the same command again to go on (finished runs are kept)",
              file=sys.stderr)
        return 130
    print(result.summary)
    print(f"wrote {result.output / 'nroy.csv'} ({len(result.nroy)} parameter sets not ruled out) and "
          f"{result.output / 'summary.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
