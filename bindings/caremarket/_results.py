"""caremarket.open / caremarket.run: a run's HDF5 file (docs/output-format.md) as pandas and xarray."""

from __future__ import annotations

import datetime
import os
import re
import shutil
import tempfile
import tomllib
import warnings
import weakref
from collections.abc import Iterable, Mapping
from functools import cached_property
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import pandas as pd

from . import _core
from ._config import PathLike, PolicyArg, check_seed, load
from ._errors import FormatError, IncompleteRunWarning, deprecated
from ._progress import StepCounter, progress_bar

__all__ = ["Results", "open", "run", "SUPPORTED_FORMAT_MAJOR"]

#: The major format version this package reads (and every older one it knows).
SUPPORTED_FORMAT_MAJOR = int(_core.FORMAT_VERSION.split(".")[0])

_EVENT_LOGS = ("tenders", "bids", "providers", "changes")
_AGENT_TABLES = ("people", "workers", "providers")


def _plain(value: Any) -> Any:
    """An HDF5 attribute value as a plain Python value."""
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, np.ndarray):
        return [_plain(v) for v in value.tolist()] if value.ndim else _plain(value[()])
    if isinstance(value, np.generic):
        return value.item()
    return value


def _names_in_order(group: h5py.Group) -> list[str]:
    """Member names in creation order (netCDF-4 groups track it), else alphabetical."""
    names: list[str] = []
    try:
        group.id.links.iterate(lambda name: names.append(name.decode()), idx_type=h5py.h5.INDEX_CRT_ORDER)
        return names
    except Exception:
        return sorted(group)


def _dimension_of(dataset: h5py.Dataset, axis: int) -> str | None:
    scales = dataset.dims[axis]
    return scales[0].name.rsplit("/", 1)[-1] if len(scales) else None


def _unreadable(group: h5py.Group | h5py.Dataset, what: str) -> FormatError:
    return FormatError(f"{group.file.filename} is not readable caremarket output: {what} (docs/output-format.md)")


def _member(group: h5py.Group, name: str, kind: type = h5py.Dataset) -> Any:
    """group[name], or FormatError naming the file and what is missing: a file can pass the root
    checks of open() and still not be caremarket output below them."""
    item = group.get(name)
    if not isinstance(item, kind):
        what = "group" if kind is h5py.Group else "dataset"
        raise _unreadable(group, f"it has no {what} {group.name.rstrip('/')}/{name}")
    return item


#: Columns of archetype codes that files up to format 1.13 write without flag attributes (the tender
#: log's ``winner_archetype``, the bid log's ``archetype``): their codes are those of
#: ``caremarket.ARCHETYPES``, and 255 in ``winner_archetype`` is "nobody bid".
_ARCHETYPE_COLUMNS = ("winner_archetype", "archetype")

#: The names this package knows for an enumeration column. A file whose names are the first of them
#: (format 1.11 and before: three archetypes, four placements) gets all of them as categories, so
#: that the Categoricals of files of every version, and of one file's logs, compare and concatenate.
_KNOWN_NAMES: dict[str, tuple[str, ...]] = {"archetype": tuple(_core.ARCHETYPES),
                                            "winner_archetype": tuple(_core.ARCHETYPES),
                                            "route": tuple(_core.ROUTES), "placement": tuple(_core.PLACEMENTS)}


def _flag_values(dataset: h5py.Dataset, count: int) -> np.ndarray:
    """The codes of an enumeration's ``flag_meanings``, in their order: its ``flag_values``, written
    as text ("0 1 2 3", formats 1.0–1.13) or as a numeric array of the variable's type (CF), or
    0 … count−1 when the file has none (enumerations before format 1.12)."""
    raw = dataset.attrs.get("flag_values")
    if raw is None:
        return np.arange(count, dtype=np.int64)
    raw = _plain(raw)
    if isinstance(raw, str):
        try:
            values = np.array([int(v) for v in raw.split()], dtype=np.int64)
        except ValueError:
            raise _unreadable(dataset, f"{dataset.name} has flag_values {raw!r}, not integers") from None
    else:
        values = np.atleast_1d(np.asarray(raw)).astype(np.int64).reshape(-1)
    if len(values) != count or len(set(values.tolist())) != count:
        raise _unreadable(dataset, f"{dataset.name} has {len(values)} flag_values {values.tolist()} for its "
                                   f"{count} flag_meanings")
    return values


def _decoded(codes: np.ndarray, values: np.ndarray, names: list[str]) -> pd.Categorical:
    """Codes as a Categorical of `names` (``values[k]`` is the code of ``names[k]``); a code that is
    none of them (255 for "nobody bid", -1) is missing (NaN)."""
    positions = np.full(codes.shape, -1, dtype=np.int64)
    for position, value in enumerate(values.tolist()):
        positions[codes == value] = position
    return pd.Categorical.from_codes(positions, categories=names)


def _column(item: h5py.Dataset, values: np.ndarray, councils: list[str] | None) -> Any:
    """A column as the Results API gives it: with `councils` (decoding on), enumerations as
    Categoricals of their names and council indices as Categoricals of the council names."""
    if councils is None or values.dtype.kind not in "iu":
        return values
    name = item.name.rsplit("/", 1)[-1]
    meanings = _plain(item.attrs.get("flag_meanings"))
    if isinstance(meanings, str) and meanings.split():
        names = meanings.split()
        if len(set(names)) == len(names):
            codes = _flag_values(item, len(names))
            known = _KNOWN_NAMES.get(name, ())
            if tuple(names) == known[:len(names)] and codes.tolist() == list(range(len(names))):
                names, codes = list(known), np.arange(len(known))
            return _decoded(values, codes, names)
    elif name in _ARCHETYPE_COLUMNS:
        return _decoded(values, np.arange(len(_core.ARCHETYPES)), list(_core.ARCHETYPES))
    elif name == "council" and len(set(councils)) == len(councils):
        return _decoded(values, np.arange(len(councils)), councils)
    return values


def _table(group: h5py.Group, dimension: str, councils: list[str] | None = None) -> pd.DataFrame:
    """The 1-D columns of a group over `dimension` as a DataFrame indexed by its coordinate; with
    `councils`, enumerations and council indices decoded (:func:`_column`). ``.attrs["units"]`` and
    ``.attrs["long_name"]`` hold each column's attributes (empty text where the file has none)."""
    index = pd.Index(_member(group, dimension)[()], name=dimension)
    columns = {}
    units, long_names = {}, {}
    for name in _names_in_order(group):
        item = group[name]
        if name != dimension and isinstance(item, h5py.Dataset) and item.ndim == 1:
            if item.shape[0] != len(index):
                raise _unreadable(item, f"{item.name} has {item.shape[0]} rows, its dimension {dimension} {len(index)}")
            values = item[()]
            if values.dtype.kind in "SO":  # text columns (the changes' key, value, cause, detail)
                values = np.array([v.decode() if isinstance(v, bytes) else str(v) for v in values], dtype=object)
            # The event logs' `week` column is the step the API names time by (as `changes` does).
            label = "step" if name == "week" else name
            columns[label] = _column(item, values, councils)
            units[label] = str(_plain(item.attrs.get("units", "")))
            long_names[label] = str(_plain(item.attrs.get("long_name", "")))
    frame = pd.DataFrame(columns, index=index)
    frame.attrs["units"] = units
    frame.attrs["long_name"] = long_names
    return frame


#: ``format_version`` is the text "major.minor" (docs/output-format.md §1), ASCII digits only:
#: "-1.0", " 1.2", "1.2\n" or "1" are refused rather than read by luck.
_FORMAT_VERSION = re.compile(r"[0-9]+\.[0-9]+")

#: Root attributes every caremarket run file has from the moment it is created (a leftover
#: temporary file lacks only those written when the run ends, §3), and the Results API reads.
_REQUIRED_ATTRS = ("config", "seed", "replicate", "complete")


def _check_layout(path: str, handle: h5py.File, attrs: dict[str, Any]) -> None:
    """Refuses a file that claims to be caremarket output but lacks the layout every reader relies
    on, so that a foreign file fails here, by name, rather than in a KeyError deep in pandas."""
    missing = [f"root attribute {name!r}" for name in _REQUIRED_ATTRS if name not in attrs]
    if "config" in attrs and not isinstance(attrs["config"], str):
        missing.append("a text root attribute 'config'")
    for name, role in (("step", "dimension"), ("council", "dimension"), ("council_name", "variable")):
        item = handle.get(name)
        if not isinstance(item, h5py.Dataset) or item.ndim != 1:
            missing.append(f"the 1-D {role} {name!r}")
        elif role == "dimension" and not h5py.h5ds.is_scale(item.id):
            missing.append(f"{name!r} as a dimension scale")
    if not missing and h5py.check_string_dtype(handle["council_name"].dtype) is None:
        missing.append("text in 'council_name'")
    if not missing and handle["council_name"].shape != handle["council"].shape:
        missing.append("one 'council_name' per entry of 'council'")
    if missing:
        raise FormatError(
            f"{path} is not readable caremarket output: its format_name is {_core.FORMAT_NAME!r} but it lacks "
            + ", ".join(missing) + " (docs/output-format.md)"
        )


def _check(path: str, stacklevel: int) -> dict[str, Any]:
    """Refuses what is not a caremarket file this package can read; returns its root attributes."""
    if not os.path.exists(path):
        raise FileNotFoundError(f"no such file: {path}")
    try:
        handle = h5py.File(path, "r")
    except OSError as error:
        raise FormatError(f"{path} is not caremarket output: it is not an HDF5 file ({error})") from None
    with handle:
        attrs = {name: _plain(handle.attrs[name]) for name in handle.attrs}
        name = attrs.get("format_name")
        if name != _core.FORMAT_NAME:
            found = "it has no format_name attribute" if name is None else f"its format_name is {name!r}"
            raise FormatError(
                f"{path} is not caremarket output: {found}, expected {_core.FORMAT_NAME!r} "
                "(files written by `caremarket run`, caremarket.run() or Simulation.save())"
            )
        version = attrs.get("format_version")
        if not isinstance(version, str) or not _FORMAT_VERSION.fullmatch(version):
            found = "it has no format_version attribute" if version is None else f"unreadable format_version {version!r}"
            raise FormatError(f"{path}: {found} (expected text 'major.minor', e.g. {_core.FORMAT_VERSION!r})")
        major = int(version.split(".")[0])
        if major > SUPPORTED_FORMAT_MAJOR:
            raise FormatError(
                f"{path} is caremarket format version {version}, newer than this package reads "
                f"(format {SUPPORTED_FORMAT_MAJOR}.x, caremarket {_core.__version__}); "
                "open it with a newer caremarket"
            )
        _check_layout(path, handle, attrs)
    if not attrs.get("complete", 0):
        warnings.warn(
            IncompleteRunWarning(
                f"{path} holds an incomplete run (complete = 0, stop_reason = "
                f"{attrs.get('stop_reason', 'unknown')!r}): {attrs.get('steps_completed', '?')} of "
                f"{attrs.get('steps_requested', '?')} weeks"
            ),
            stacklevel=stacklevel,
        )
    return attrs


class Results:
    """A finished (or interrupted) run read from its caremarket HDF5 file.

    Open one with :func:`caremarket.open`; :func:`caremarket.run` and ``Simulation.save`` return
    one. Data are read from the file when first asked for; no file handle stays open. Raises
    :class:`caremarket.FormatError` for a file that is not caremarket output or has a newer major
    format version, and warns (:class:`caremarket.IncompleteRunWarning`) when ``complete = 0``.

    In :attr:`events` and :meth:`snapshot` enumerations are pandas ``Categorical`` columns of their
    names (``archetype``, ``winner_archetype``, ``route``, ``placement``, ``hospital``, an event's
    ``kind``) and council indices (``council``) Categoricals of the council names, in
    :attr:`councils` order; a code that names nothing (``winner_archetype`` 255, nobody bid) is
    missing (NaN). ``codes=True`` keeps the integer codes of the file instead (docs/output-format.md
    §6, §7); ``frame[column].cat.codes`` gives the position of each name.
    """

    def __init__(self, path: PathLike, *, codes: bool = False, _stacklevel: int = 2) -> None:
        self._path = Path(os.fspath(path))
        self._codes = bool(codes)
        self._attrs = _check(str(self._path), _stacklevel + 1)

    @property
    def path(self) -> Path:
        return self._path

    @property
    def provenance(self) -> dict[str, Any]:
        """The root attributes: format, software version and commit, resolved config (TOML text),
        layers, seed, replicate, threads, times, steps, ``complete``, ``stop_reason``."""
        return dict(self._attrs)

    @property
    def complete(self) -> bool:
        return bool(self._attrs.get("complete", 0))

    @property
    def steps(self) -> int:
        """Steps (weeks) simulated (``steps_completed``); the series have ``steps + 1`` rows per
        council, steps 0 … ``steps``."""
        return int(self._attrs.get("steps_completed", 0))

    @property
    def weeks(self) -> int:
        """Deprecated since 0.2.0: :attr:`steps`."""
        deprecated("Results.weeks", "Results.steps")
        return self.steps

    @property
    def start_date(self) -> "datetime.date | None":
        """The date of step 0 (``run.start_date``; format 1.4 on), or None for older files."""
        text = self._attrs.get("start_date")
        return datetime.date.fromisoformat(str(text)) if text else None

    @property
    def dates(self) -> "pd.DatetimeIndex | None":
        """The date of every step 0…``steps`` (step s is 7·s days after :attr:`start_date`), or None
        for files older than format 1.4."""
        start = self.start_date
        if start is None:
            return None
        return pd.date_range(start, periods=self.steps + 1, freq="7D", name="date")

    def financial_years(self, how: str = "mean") -> pd.DataFrame:
        """The region's series by financial year (April to March, labelled ``"2025/26"``): the mean
        over the steps dated in each year, steps 1 … ``steps`` (step 0 is the starting state), with
        the number of those weeks in the column ``weeks`` and ``complete`` True when they cover the
        whole year (the first within 7 days of 1 April, the last within 7 days of 31 March).

        ``how="total"``: the weekly flows (series in units "…/week": spend, extraction, hours,
        hires, tenders) are summed over the year's weeks instead (a year's spend in GBP, its hours);
        stocks, rates and means stay yearly means, as a sum of them means nothing. A year with
        ``complete`` False has a partial total. Needs format 1.4 (dates)."""
        from ._region import region

        if how not in ("mean", "total"):
            raise ValueError(f"financial_years(how={how!r}): how is 'mean' or 'total'")
        dates = self.dates
        if dates is None:
            raise FormatError(f"{self._path} has no dates (format {self._attrs.get('format_version')}, before 1.4)")
        frame = region(self.timeseries).iloc[1:]
        stamp = pd.Series(dates[1:], index=frame.index)
        first_year = np.where(stamp.dt.month >= 4, stamp.dt.year, stamp.dt.year - 1)
        key = pd.Index([f"{y}/{(y + 1) % 100:02d}" for y in first_year], name="financial_year")
        out = frame.groupby(key, sort=True).mean()
        if how == "total":
            units = self.timeseries.attrs.get("units", {})
            flows = [name for name in frame.columns if str(units.get(name, "")).endswith("/week")]
            out[flows] = frame[flows].groupby(key, sort=True).sum()
        out["weeks"] = frame.groupby(key, sort=True).size()
        week = pd.Timedelta(days=7)
        spans = stamp.groupby(key, sort=True).agg(["min", "max"])
        year_start = pd.to_datetime([f"{label[:4]}-04-01" for label in spans.index])
        year_end = pd.to_datetime([f"{int(label[:4]) + 1}-03-31" for label in spans.index])
        out["complete"] = ((spans["min"].to_numpy() - year_start) <= week) & ((year_end - spans["max"].to_numpy()) <= week)
        return out

    @cached_property
    def config(self) -> dict[str, Any]:
        """The fully resolved configuration of the run, parsed (tomllib)."""
        try:
            return tomllib.loads(self._attrs["config"])
        except tomllib.TOMLDecodeError as error:
            raise FormatError(f"{self._path} is not readable caremarket output: its config attribute is not "
                              f"TOML ({error})") from None

    @cached_property
    def councils(self) -> list[str]:
        with h5py.File(self._path, "r") as f:
            return [str(s) for s in f["council_name"].asstr()[()]]

    @cached_property
    def timeseries(self) -> pd.DataFrame:
        """Every time series: a DataFrame indexed by (step, council name), one float64 column per
        metric (``.attrs["units"]``, ``.attrs["long_name"]``); same layout as Simulation.metrics()."""
        catalogue = [name for name, _, _ in _core.metric_catalogue()]
        with h5py.File(self._path, "r") as f:
            steps = f["step"][()].astype(np.int64)
            councils = [str(s) for s in f["council_name"].asstr()[()]]
            found = {}
            for name in f:
                item = f[name]
                if isinstance(item, h5py.Dataset) and item.ndim == 2 and _dimension_of(item, 0) == "step" \
                        and _dimension_of(item, 1) == "council":
                    if item.shape != (len(steps), len(councils)):
                        raise _unreadable(item, f"{item.name} has shape {item.shape}, its dimensions (step, council) "
                                                f"{(len(steps), len(councils))}")
                    found[name] = item
            order = [n for n in catalogue if n in found] + sorted(n for n in found if n not in catalogue)
            data = np.empty((len(steps) * len(councils), len(order)), dtype=np.float64)
            units, long_names = {}, {}
            for k, name in enumerate(order):
                data[:, k] = found[name][()].reshape(-1)
                units[name] = _plain(found[name].attrs.get("units", ""))
                long_names[name] = _plain(found[name].attrs.get("long_name", ""))
        index = pd.MultiIndex.from_product([pd.Index(steps, name="step"), pd.Index(councils, name="council")])
        frame = pd.DataFrame(data, index=index, columns=order)
        frame.columns.name = "metric"
        frame.attrs["units"] = units
        frame.attrs["long_name"] = long_names
        return frame

    @cached_property
    def council_info(self) -> pd.DataFrame:
        """The run's councils, one row each in file order: ``name``, and (format 1.13) ``code`` (ONS
        GSS code) and ``region`` (English region), empty for councils that are not real ones."""
        with h5py.File(self._path, "r") as f:
            frame = pd.DataFrame({"name": [str(s) for s in f["council_name"].asstr()[()]]})
            for column in ("code", "region"):
                name = f"council_{column}"
                frame[column] = [str(s) for s in f[name].asstr()[()]] if name in f else ""
        frame.index.name = "council_index"
        return frame

    def by_region(self) -> pd.DataFrame:
        """Every time series by (step, English region): counts and money summed over the region's
        councils, rates and means weighted as for the whole region (England by region). Needs
        councils with regions (the real councils of format 1.13)."""
        from ._region import region

        councils = self.council_info
        if (councils["region"] == "").any():
            raise FormatError(f"{self._path}: councils without an English region (synthetic ones, or a file "
                              f"before format 1.13) cannot be grouped by region")
        groups = pd.Series(councils["region"].values, index=councils["name"].values, name="region")
        return region(self.timeseries, groups)

    def to_xarray(self) -> "Any":
        """The time series as an ``xarray.Dataset`` over dimensions ``step`` and ``council`` (council
        names as its coordinate, ``council_index`` beside them), with the file's attributes; the
        date of each step is the coordinate ``time`` (datetime64, format 1.4 on). Loaded into
        memory; the file is closed."""
        import xarray as xr

        with xr.open_dataset(self._path, engine="h5netcdf") as ds:
            ds = ds.load()
        if "step" not in ds.dims or "council" not in ds.dims:  # open() checked they are dimension scales
            raise FormatError(f"{self._path} is not readable caremarket output: xarray finds dimensions "
                              f"{sorted(map(str, ds.dims))}, not step and council")
        names = [str(n) for n in ds["council_name"].values]
        ds = ds.drop_vars("council_name")
        ds = ds.assign_coords(council_index=("council", ds["council"].values.astype(np.int32)))
        # Format 1.13: each council's ONS code and English region, as coordinates beside its name.
        for name in ("council_code", "council_region"):
            if name in ds:
                values = [str(v) for v in ds[name].values]
                ds = ds.drop_vars(name).assign_coords({name: ("council", values)})
        ds = ds.assign_coords(council=("council", names))
        return ds

    @property
    def codes(self) -> bool:
        """True when :attr:`events` and :meth:`snapshot` keep the file's integer codes
        (``caremarket.open(path, codes=True)``); False (the default) when they give names."""
        return self._codes

    def _decoding(self, codes: bool | None) -> list[str] | None:
        """The council names to decode with, or None to keep the codes."""
        return None if (self._codes if codes is None else codes) else self.councils

    @cached_property
    def events(self) -> dict[str, pd.DataFrame]:
        """The event logs ``tenders``, ``bids``, ``providers`` and (format 1.5) ``changes`` as
        DataFrames indexed by row (empty dict when the run had ``output.events = false``). ``step``
        is the step at which an event is counted in the time series (the file's column ``week``);
        ``changes`` lists each change of a parameter (schedule, dated policy, shock,
        ``Simulation.set``) with the ``step`` from which it holds (docs/output-format.md §6).

        ``council``, ``kind``, ``archetype`` and ``winner_archetype`` are Categoricals of names
        (``winner_archetype`` is NaN where nobody bid); open with ``codes=True`` for the integer
        codes. Each frame's ``.attrs["units"]`` and ``.attrs["long_name"]`` give its columns'."""
        out: dict[str, pd.DataFrame] = {}
        with h5py.File(self._path, "r") as f:
            if "events" not in f:
                return out
            events = _member(f, "events", h5py.Group)
            councils = self._decoding(None)
            for log, dimension in zip(_EVENT_LOGS, ("tender", "bid", "event", "change")):
                if log in events:
                    out[log] = _table(_member(events, log, h5py.Group), dimension, councils)
        return out

    @cached_property
    def snapshot_steps(self) -> list[int]:
        """Steps with a snapshot of every agent (``output.snapshot_interval``)."""
        with h5py.File(self._path, "r") as f:
            if "snapshots" not in f:
                return []
            steps = []
            for name in _member(f, "snapshots", h5py.Group):
                group = _member(f["snapshots"], name, h5py.Group)
                if "week" not in group.attrs:
                    raise _unreadable(group, f"the snapshot {group.name} has no week attribute")
                steps.append(int(group.attrs["week"]))
            return sorted(steps)

    @property
    def snapshot_weeks(self) -> list[int]:
        """Deprecated since 0.2.0: :attr:`snapshot_steps`."""
        deprecated("Results.snapshot_weeks", "Results.snapshot_steps")
        return self.snapshot_steps

    def snapshot(self, step: int | None = None, *, codes: bool | None = None,
                 week: int | None = None) -> dict[str, pd.DataFrame]:
        """Every agent at a snapshot step: ``{"people", "workers", "providers"}`` → DataFrame
        indexed by agent id (``person``, ``worker``, ``provider``). KeyError for a step without one.
        (``week=`` is the deprecated name of ``step``.)

        ``council``, ``archetype``, ``route``, ``placement`` and ``hospital`` are Categoricals of
        names; ``codes=True`` keeps the file's integer codes (the columns of
        ``Simulation.people.to_frame()`` and the others); None follows ``caremarket.open(path,
        codes=...)``. Each frame's ``.attrs["units"]`` and ``.attrs["long_name"]`` give its columns'."""
        if week is not None:
            deprecated("Results.snapshot(week=...)", "Results.snapshot(step=...)")
            if step is not None:
                raise TypeError("Results.snapshot() takes step or its deprecated name week, not both")
            step = week
        if step is None:
            raise TypeError("Results.snapshot() needs the step of a snapshot (see Results.snapshot_steps)")
        group = f"snapshots/week_{int(step):06d}"
        councils = self._decoding(codes)
        with h5py.File(self._path, "r") as f:
            if group not in f:
                raise KeyError(
                    f"no snapshot of step {step} in {self._path}; snapshots are at steps {self.snapshot_steps} "
                    f"(output.snapshot_interval = {self.config.get('output', {}).get('snapshot_interval')})"
                )
            g = f[group]
            return {t: _table(_member(g, t, h5py.Group), d, councils)
                    for t, d in zip(_AGENT_TABLES, ("person", "worker", "provider"))}

    def __repr__(self) -> str:
        state = "complete" if self.complete else f"incomplete ({self._attrs.get('stop_reason', '?')})"
        return (
            f"<caremarket.Results {self._attrs.get('region', '?')}: {self.steps} steps, seed "
            f"{self._attrs.get('seed')}, replicate {self._attrs.get('replicate')}, {state}, {self._path}>"
        )


def open(path: PathLike, *, codes: bool = False) -> Results:  # noqa: A001 (mirrors h5py.File / xarray.open_dataset)
    """Opens a caremarket HDF5 file (from ``caremarket run``, :func:`run` or ``Simulation.save``).

    Its event logs and snapshots name what the file codes (archetypes, routes, councils: pandas
    Categoricals); ``codes=True`` keeps the integer codes instead (see :class:`Results`).

    Raises :class:`caremarket.FormatError` when the file is not caremarket output or has a major
    format version newer than this package reads; warns with
    :class:`caremarket.IncompleteRunWarning` when the run was interrupted (``complete = 0``).
    """
    return Results(path, codes=codes, _stacklevel=3)


def run(
    scenario: PathLike,
    *,
    policies: Iterable[PolicyArg] = (),
    overrides: Mapping[str, Any] | Iterable[str] | None = None,
    seed: int | None = None,
    output: PathLike | None = None,
    replicate: int = 0,
    threads: int | None = None,
    steps: int | None = None,
    progress: bool = True,
) -> Results:
    """Runs a scenario to an HDF5 file with the command line's own driver and returns it opened.

    Arguments are those of ``caremarket run``: a scenario path or shipped name, policy overlays in
    order (a pair ``("living_wage_floor", "2027-04-01")`` applies one from that date, as
    ``--policy P --from DATE`` does), ``overrides`` as ``{"key.path": value}`` (``--set``), ``seed`` (default ``run.seed``),
    ``replicate``, ``threads`` (default all cores), ``steps`` (default ``run.steps``). Without
    ``output`` the file goes to a temporary directory removed when the Results is garbage-collected.

    Ctrl-C stops the run at the next week boundary, writes the weeks done to ``output`` marked
    ``complete = 0`` (as the command line does) and raises KeyboardInterrupt.
    """
    loaded = load(scenario, policies, overrides)
    temporary = None
    if output is None:
        temporary = tempfile.mkdtemp(prefix="caremarket-")
        output = Path(temporary) / f"{Path(os.fspath(scenario)).stem or 'run'}.h5"
    path = os.fspath(output)
    total = (loaded.steps if steps is None else int(steps)) + loaded.warmup_weeks  # the bar counts the warm-up
    bar = progress_bar(total, loaded.region, progress)
    try:
        _core.run_to_file(loaded, path, check_seed("seed", seed), check_seed("replicate", replicate), 0 if threads is None else threads, steps, StepCounter(bar))
        results = Results(path, _stacklevel=3)
    except BaseException as error:
        if temporary is not None:
            shutil.rmtree(temporary, ignore_errors=True)
        if isinstance(error, KeyboardInterrupt):
            where = f"wrote {path}" if temporary is None else "discarded the temporary file"
            error.add_note(f"caremarket.run: interrupted at a week boundary; {where} with the weeks done (complete = 0)")
        raise
    finally:
        bar.close()
    if temporary is not None:
        # The temporary directory lives as long as the Results.
        weakref.finalize(results, shutil.rmtree, temporary, True)
    return results
