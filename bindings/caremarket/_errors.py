"""Exceptions and warnings of the caremarket package."""

from __future__ import annotations

import warnings
from typing import NamedTuple, Sequence

__all__ = ["ConfigError", "ConfigProblem", "FormatError", "IncompleteRunWarning"]


class ConfigProblem(NamedTuple):
    """One problem found in a configuration."""

    origin: str  #: file the value came from, "--set <key>" for an override, or ""
    key: str  #: key path, e.g. "labour.nlw" or "councils[2].name"; "" when not tied to a key
    message: str

    def __str__(self) -> str:
        out = f"{self.origin}: " if self.origin else ""
        if self.key:
            out += f"{self.key} "
        return out + self.message


class ConfigError(ValueError):
    """A scenario, policy or override is invalid.

    Every problem found is listed: ``str(error)`` has one line per problem (file, key, value and what
    is allowed, as the command line prints them) and ``error.problems`` holds them as
    :class:`ConfigProblem` tuples.
    """

    def __init__(self, message: str, problems: Sequence[tuple[str, str, str]] = ()) -> None:
        super().__init__(message)
        self.problems: list[ConfigProblem] = [ConfigProblem(*p) for p in problems]


class FormatError(ValueError):
    """A file is not caremarket output, or is of a format version this package cannot read."""


class IncompleteRunWarning(UserWarning):
    """The file holds an interrupted run (root attribute ``complete = 0``)."""


def deprecated(old: str, new: str) -> None:
    """Warns that ``old`` is an alias kept for code written before 0.2.0, which named time by the
    week: the API now names it by the step (one step is a week), as the output files do."""
    warnings.warn(f"{old} is deprecated since caremarket 0.2.0; use {new}", DeprecationWarning, stacklevel=3)
