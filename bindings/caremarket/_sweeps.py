"""caremarket.sweep / caremarket.compare: sweeps and paired policy comparisons as pandas DataFrames.

Both use the C++ design, runner, journal and index of ``caremarket sweep`` / ``caremarket compare``,
so seeds, files and numbers are the same as from the command line. Without an executor the runs
share this machine's cores; with a ``concurrent.futures`` executor (``ProcessPoolExecutor``, or a
``dask.distributed`` Client) each run is submitted as its own task.
"""

from __future__ import annotations

import tempfile
from concurrent.futures import Executor
from pathlib import Path
from typing import Any, Mapping, Sequence

import h5py
import numpy as np
import pandas as pd

from . import _core
from ._config import PathLike, assignments

__all__ = ["sweep", "compare", "read_index", "read_yearly", "analyse"]


def _run_one(sweep_file: str, index: int, output: str) -> tuple[int, str]:
    """One run of a sweep, in whatever process the executor chose (module level, so it pickles)."""
    return _core.execute_sweep_run(sweep_file, index, output)


def _attribute(value: Any) -> Any:
    """An HDF5 attribute as a plain Python value."""
    if isinstance(value, bytes):
        return value.decode()
    return value.item() if isinstance(value, np.generic) else value


def _index_file(output: PathLike) -> Path:
    path = Path(output)
    return path / "index.h5" if path.is_dir() else path


def read_index(output: PathLike) -> pd.DataFrame:
    """A sweep's index.h5 (``output`` is the sweep's folder or the file) as a DataFrame indexed by
    run: point, replicate, seed, status, error, file, the parameters (``param_*``) and outcomes
    (``final_*``, ``last_year_*``). The yearly outcomes are :func:`read_yearly`'s; the sweep's own
    description (sampling, ranges, the sweep file's text) is in ``.attrs``."""
    with h5py.File(_index_file(output), "r") as f:
        runs = f["run"].shape[0]
        columns = {}
        for name, item in f.items():
            if isinstance(item, h5py.Dataset) and item.shape == (runs,) and name != "run":
                data = item.asstr()[()] if item.dtype.kind == "O" else item[()]
                columns[name] = data
        frame = pd.DataFrame(columns, index=pd.Index(f["run"][()], name="run"))
        frame.attrs.update({k: _attribute(v) for k, v in f.attrs.items()})
        frame.attrs["ranges"] = {_attribute(f[n].attrs.get("parameter", n[6:])): (float(f[n].attrs["low"]),
                                                                                   float(f[n].attrs["high"]))
                                 for n in f if n.startswith("param_") and "low" in f[n].attrs}
    frame["status"] = pd.Categorical.from_codes(frame["status"], ["pending", "done", "failed"])
    return frame


def read_yearly(output: PathLike) -> pd.DataFrame:
    """A sweep's headline outcomes by financial year: one row per (run, year), ``year`` being the
    calendar year of the financial year's 1 April, with ``weeks`` (the run's weeks in that year)
    and one column per headline outcome (its mean over those weeks; NaN where a run is not done
    or does not reach the year). Join with :func:`read_index` on ``run`` for the parameters."""
    with h5py.File(_index_file(output), "r") as f:
        if "year" not in f:
            raise KeyError(f"{_index_file(output)} has no yearly outcomes (an index of format 1.0, or one with no finished run; "
                           "run the sweep again to add them)")
        runs, years = f["run"][()], f["year"][()]
        index = pd.MultiIndex.from_product([runs, years], names=["run", "year"])
        data = {"weeks": f["year_weeks"][()].reshape(-1)}
        for name in _core.HEADLINE_OUTCOMES:  # in MODEL.md §16's order
            if "yearly_" + name in f:
                data[name] = f["yearly_" + name][()].reshape(-1)
    return pd.DataFrame(data, index=index)


def sweep(sweep_file: PathLike, output: PathLike | None = None, *, workers: int | None = None,
          executor: Executor | None = None) -> pd.DataFrame:
    """Runs a sweep file (configs/sweeps/*.toml) into ``output`` and returns its index: one row per
    run with point, parameters (``param_*``), seed, status, error, file and outcomes (``final_*`` at
    the last week, ``last_year_*`` averaged over the last 52 weeks). Finished runs in ``output`` are
    kept; calling again finishes an interrupted sweep."""
    sweep_file = str(Path(sweep_file).resolve())
    name, _, runs = _core.sweep_design(sweep_file)
    output = Path(output) if output is not None else Path("results") / name
    output.mkdir(parents=True, exist_ok=True)
    if executor is None:
        _core.run_sweep(sweep_file, str(output), workers or 0)
    else:
        _core.prepare_sweep_folder(sweep_file, str(output))  # another sweep refused; a grown one re-keyed
        _core.write_sweep_index(sweep_file, str(output))
        done = set(read_index(output).query("status == 'done'").index)
        futures = [executor.submit(_run_one, sweep_file, run["run"], str(output.resolve()))
                   for run in runs if run["run"] not in done]
        for future in futures:
            future.result()
        _core.write_sweep_index(sweep_file, str(output))
    return read_index(output)


def _toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def compare(scenario: PathLike = "somerset", policy: PathLike = "micro_enterprise_support", *,
            baseline_policy: PathLike | None = None, replicates: int = 10, steps: int | None = None,
            overrides: Mapping[str, Any] | Sequence[str] | None = None, seed: int = 1,
            output: PathLike | None = None, executor: Executor | None = None,
            parameter_sets: PathLike | pd.DataFrame | None = None, sets: int | None = None) -> pd.DataFrame:
    """Paired replicates with common random numbers: each outcome's baseline and policy means, the
    mean paired difference and its 95% confidence interval (t distribution), one row per headline
    outcome, then the two derived rows ``ascot_points_all`` and ``cost_per_ascot_point`` (NaN where
    they do not apply; docs/output-format.md §10). Outcomes are means over the last 52 weeks of each
    run. The numbers are those of
    ``caremarket compare``: the same C++ statistics of the same runs.

    ``parameter_sets`` (a CSV file, or a DataFrame, with one column per parameter, e.g. a
    calibration's ``nroy.csv``; ``sets`` takes the first N): every replicate pair runs under each
    set, and each interval covers where the effect may lie not knowing which set is the world, and
    chance; the columns ``share_parameters`` and ``share_chance`` split its variance (as
    ``caremarket compare --parameter-sets``; on this machine's cores, not an executor).

    With several councils (and without parameter sets), ``frame.attrs["by_place"]`` holds each
    council's headline differences (each English region's past a dozen councils: England), indexed
    by (council or region, outcome), as ``caremarket compare`` writes PREFIX.by_council.csv."""
    def name_or_path(p: PathLike | None) -> str:
        if p is None:
            return ""
        text = str(p)
        return str(Path(text).resolve()) if ("/" in text or text.endswith(".toml")) else text

    settings = assignments(overrides)
    directory = Path(output) if output is not None else Path(tempfile.mkdtemp(prefix="caremarket-compare-"))
    directory.mkdir(parents=True, exist_ok=True)
    if parameter_sets is not None:
        if executor is not None:
            raise ValueError("compare(parameter_sets=...) runs on this machine's cores, not on an executor; "
                             "leave out executor=")
        if isinstance(parameter_sets, pd.DataFrame):
            path = directory / "parameter_sets.csv"
            parameter_sets.to_csv(path, index=False, float_format="%.17g")
            parameter_sets = path
        from ._config import _resolve
        rows, pairs, count = _core.compare_runs(str(_resolve(scenario, "scenarios").resolve()), name_or_path(policy),
                                                name_or_path(baseline_policy), list(settings), int(replicates),
                                                int(steps or 0), int(seed), str(directory / "runs"),
                                                str(Path(parameter_sets).resolve()), int(sets or 0), 0)
        if pairs < 2:
            raise RuntimeError(f"fewer than two parameter sets have two finished replicate pairs; see {directory}")
        frame = pd.DataFrame(rows).drop(columns=["units", "label"]).set_index("outcome")
        return frame.assign(replicates=pairs, parameter_sets=count)
    text = "\n".join([
        "[sweep]",
        'name = "compare"',
        f"scenario = {_toml_string(name_or_path(scenario))}",
        f"replicates = {int(replicates)}",
        f"steps = {int(steps or 0)}",
        f"root_seed = {int(seed)}",
        "common_random_numbers = true",
        f"overrides = [{', '.join(_toml_string(s) for s in settings)}]",
        "[[sweep.parameters]]",
        'key = "policy"',
        f"policies = [{_toml_string(name_or_path(baseline_policy))}, {_toml_string(name_or_path(policy))}]",
    ]) + "\n"
    spec = directory / "compare.toml"
    spec.write_text(text)
    index = sweep(spec, directory, executor=executor)
    done = index[index.status == "done"]
    base = done[done.param_policy == 0].set_index("replicate")
    pol = done[done.param_policy == 1].set_index("replicate")
    pairs = base.index.intersection(pol.index)
    n = len(pairs)
    if n < 2:
        raise RuntimeError(f"fewer than two replicate pairs finished; see {directory}")
    # The statistics are the C++ ones of `caremarket compare` (sweeps/compare.hpp), from each pair's
    # last-year outcomes, one column per metric of the catalogue.
    columns = [f"last_year_{name}" for name, _, _ in _core.metric_catalogue()]
    table = _core.paired_statistics(base.loc[pairs, columns].to_numpy().tolist(),
                                    pol.loc[pairs, columns].to_numpy().tolist())
    frame = pd.DataFrame(table).drop(columns=["units", "label"]).assign(replicates=n).set_index("outcome")
    # Several councils: each one's (or each English region's) headline differences, as
    # PREFIX.by_council.csv / .by_region.csv of `caremarket compare`.
    # The index's file names are relative to the sweep's folder.
    rows, regions = _core.place_statistics([str(directory / f) for f in base.loc[pairs, "file"]],
                                           [str(directory / f) for f in pol.loc[pairs, "file"]])
    if rows:
        places = pd.DataFrame(rows).drop(columns=["units", "label"]).assign(replicates=n)
        places = places.rename(columns={"place": "region" if regions else "council"})
        frame.attrs["by_place"] = places.set_index(["region" if regions else "council", "outcome"])
    return frame


def analyse(output: PathLike, outcome: str, *, method: str | None = None, year: int | None = None,
            bootstrap: int = 1000, confidence: float = 0.95, seed: int = 1) -> pd.DataFrame:
    """Sensitivity of a sweep's ``outcome`` to its parameters, as ``caremarket analyse`` computes it
    (the same C++ estimators): one row per parameter, most influential first.

    ``method``: ``"sobol"`` (a Saltelli design: columns ``S1 S1_conf ST ST_conf``), ``"morris"``
    (a Morris design: ``mu_star mu_star_conf mu sigma``) or ``"regression"`` (any design of numeric
    parameters: standardised regression coefficients ``src src_conf``); None takes the design's
    own. ``outcome`` is a headline outcome (``caremarket.HEADLINE_OUTCOMES``), averaged over each
    run's last 52 weeks, or over a financial year with ``year`` (K-th year of the runs, or the
    calendar year of its 1 April); or any per-run index variable such as ``"final_workers"``. A
    point's value is the mean of its finished replicates. ``*_conf`` are half-widths of a normal
    interval at ``confidence`` from ``bootstrap`` resamples.

    ``.attrs`` describes the analysis (points and runs used, replicates, the spread of replicates
    about their point against the spread between points, R² of a regression, the printed table);
    ``.attrs["second_order"]`` holds the second-order Sobol indices when the design has them.
    Raises ValueError naming the file, option and what is allowed for bad input."""
    effects, pairs, info = _core.analyse(str(output), outcome, method or "", int(year or 0), int(bootstrap),
                                         float(confidence), int(seed))
    frame = pd.DataFrame(effects).set_index("parameter")
    frame.attrs.update(info)
    frame.attrs["second_order"] = (pd.DataFrame(pairs).set_index(["parameter_1", "parameter_2"]) if pairs
                                   else pd.DataFrame())
    return frame
