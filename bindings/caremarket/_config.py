"""Configuration: shipped scenarios and policies by name, overrides as ``--set`` assignments."""

from __future__ import annotations

import datetime
import json
import math
import numbers
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Tuple, Union

from . import _core
from ._errors import ConfigError

__all__ = ["PathLike", "config_dir", "scenarios", "policies", "load", "assignments"]

PathLike = Union[str, "os.PathLike[str]"]


def config_dir() -> Path:
    """Where the shipped configs live, searched as the command line does: ``$CAREMARKET_CONFIGS``,
    else the source tree this package was built from, else the installed share directory."""
    env = os.environ.get("CAREMARKET_CONFIGS")
    if env:
        return Path(env)
    for candidate in (Path(_core.SOURCE_CONFIGS), Path(_core.INSTALLED_CONFIGS)):
        if (candidate / "scenarios").is_dir():
            return candidate
    return Path(_core.SOURCE_CONFIGS)


def _shipped(kind: str) -> dict[str, Path]:
    folder = config_dir() / kind
    return {p.stem: p for p in sorted(folder.glob("*.toml"))} if folder.is_dir() else {}


def scenarios() -> dict[str, Path]:
    """The shipped scenarios, name → file (e.g. ``"somerset"``)."""
    return _shipped("scenarios")


def policies() -> dict[str, Path]:
    """The shipped policy overlays, name → file (e.g. ``"collaborative"``)."""
    return _shipped("policies")


def _is_name(value: PathLike) -> bool:
    """A bare name such as "somerset" rather than a path such as "my.toml" or "dir/x"."""
    if not isinstance(value, str):
        return False
    return bool(value) and os.sep not in value and "/" not in value and not value.endswith(".toml")


def _resolve(value: PathLike, kind: str) -> Path:
    """A path as given, or the shipped config of that name when ``value`` is a bare name and no file
    of that name exists."""
    path = Path(value)
    if path.is_file() or not _is_name(value):
        return path
    shipped = _shipped(kind)
    if value in shipped:
        return shipped[value]
    known = ", ".join(shipped) or f"none found in {config_dir() / kind}"
    singular = {"policies": "policy", "scenarios": "scenario"}.get(kind, kind)
    raise ConfigError(
        f"the configuration has 1 problem(s):\n  {value}: no such file and no shipped {singular} of that "
        f"name (shipped {kind}: {known})",
        [(str(value), "", f"no such file and no shipped {singular} of that name (shipped {kind}: {known})")],
    )


def _toml_value(value: Any) -> str:
    """A Python value as TOML text, for a ``--set`` assignment."""
    if hasattr(value, "item") and not isinstance(value, (str, bytes)) and getattr(value, "ndim", 0) == 0:
        value = value.item()  # numpy scalars
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        v = float(value)
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(value, datetime.datetime):
        raise TypeError(f"a date is a datetime.date, not a datetime ({value!r}): use {value.date()!r}")
    if isinstance(value, datetime.date):
        return value.isoformat()  # a TOML local date
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a TOML basic string
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{json.dumps(str(k))} = {_toml_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, Iterable) and not isinstance(value, bytes):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} value {value!r} as TOML")


def assignments(overrides: Mapping[str, Any] | Iterable[str] | None) -> list[str]:
    """Overrides as ``key=value`` assignments (the command line's ``--set``): a mapping
    ``{"commissioning.mode": "collaborative", "labour.nlw": 12.6}``, or ready-made ``"key=value"``
    strings."""
    if overrides is None:
        return []
    if isinstance(overrides, str):
        raise TypeError("overrides must be a mapping {key: value} or a list of 'key=value' strings, not a str")
    if isinstance(overrides, Mapping):
        out = []
        for key, value in overrides.items():
            if not isinstance(key, str):
                raise TypeError(f"override keys are dotted key paths (str), got {key!r}")
            out.append(f"{key}={_toml_value(value)}")
        return out
    return [str(a) for a in overrides]


#: Seeds and replicates are stored as signed 64-bit integers; run.seed allows 0..9e15 (as --seed).
MAX_SEED = 9_000_000_000_000_000


def check_seed(name: str, value: int | None) -> int | None:
    """A seed or replicate number within the range a run records faithfully, else ValueError."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int,)) and not hasattr(value, "__index__"):
        raise TypeError(f"{name} must be an integer, not {type(value).__name__}")
    value = int(value)
    if not 0 <= value <= MAX_SEED:
        raise ValueError(f"{name} = {value}: must be between 0 and {MAX_SEED} (as --{name} on the command line)")
    return value


PolicyArg = Union[PathLike, Tuple[PathLike, Union[str, datetime.date]]]


def _policy_date(policy: Any, when: Any) -> str:
    if isinstance(when, datetime.datetime):
        raise TypeError(f"policy {policy!r}: a date is a datetime.date, not a datetime ({when!r})")
    if isinstance(when, datetime.date):
        return when.isoformat()
    if isinstance(when, str):
        return when
    raise TypeError(f"policy {policy!r}: its start must be a date 'YYYY-MM-DD' or a datetime.date, not {when!r}")


def load(
    scenario: PathLike,
    policies: Iterable[PolicyArg] = (),
    overrides: Mapping[str, Any] | Iterable[str] | None = None,
) -> _core.Scenario:
    """Reads and validates a scenario with its policies and overrides. Raises ConfigError.

    Each policy is a shipped name or a file, applied from the start, or a pair ``(policy, date)``
    applied from that date (``"2027-04-01"`` or a :class:`datetime.date`); before it the run is
    the baseline's.
    """
    if isinstance(policies, (str, os.PathLike)):
        policies = [policies]
    paths, dates = [], []
    for p in policies:
        if isinstance(p, tuple):
            if len(p) != 2:
                raise TypeError(f"a dated policy is a pair (policy, date), not {p!r}")
            paths.append(_resolve(p[0], "policies"))
            dates.append(_policy_date(p[0], p[1]))
        else:
            paths.append(_resolve(p, "policies"))
            dates.append(None)
    return _core.load_scenario(_resolve(scenario, "scenarios"), paths, assignments(overrides), dates)


def scenario(
    councils: str | Iterable[str] = (),
    overrides: Mapping[str, Any] | Iterable[str] | None = None,
    output: PathLike | None = None,
    *,
    regions: str | Iterable[str] = (),
    name: str = "",
    commuting_zone: str = "",
    table: PathLike | None = None,
) -> str:
    """A ready scenario for one council or a group, cut from England's 153 councils (the shipped
    ``england.toml``), as ``caremarket scenario`` makes it.

    ``councils`` are names (``"Kent"``) or ONS codes (``"E10000016"``); ``regions`` adds every
    council of an English region. ``overrides`` are your own figures, addressed by council:
    ``{'councils["Kent"].budget_million': 420, "councils[E10000016].reference_rate": 25.5}``.
    Returns the scenario's TOML text and, with ``output``, writes it there (whole or not at all);
    pass the file (or the text through :func:`caremarket.run`'s scenario path) to run it. Raises
    ConfigError naming an unknown council (with the nearest names), one listed twice, or a bad
    override.
    """
    if isinstance(councils, str):
        councils = [councils]
    if isinstance(regions, str):
        regions = [regions]
    sets = assignments(overrides)
    command = "caremarket.scenario(" + ", ".join(repr(c) for c in councils) + ")"
    path = Path(table) if table is not None else _resolve("england", "scenarios")
    text, _, _ = _core.cut_scenario(path, list(councils), list(regions), sets, name, commuting_zone, command)
    if output is not None:
        target = Path(output)
        temporary = target.with_name(f"{target.name}.tmp-{os.getpid()}")
        temporary.write_text(text)
        os.replace(temporary, target)
    return text
