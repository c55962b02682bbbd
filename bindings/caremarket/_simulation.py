"""caremarket.Simulation: a model you step from Python, with its agents as numpy columns."""

from __future__ import annotations

import os
import tempfile
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from . import _core
from ._config import PathLike, PolicyArg, _resolve, _toml_value, check_seed, load
from ._errors import deprecated
from ._progress import StepCounter, progress_bar

if TYPE_CHECKING:
    from ._results import Results

__all__ = ["Simulation", "AgentTable", "metrics_frame"]

_ID_NAMES = {"people": "person", "workers": "worker", "providers": "provider"}


class AgentTable(Mapping[str, np.ndarray]):
    """The columns of one kind of agent: column name → read-only, zero-copy numpy view.

    ``sim.people["need_hours"]`` is a view of the running model's own memory (no copy). Views are
    read-only (assigning raises ``ValueError``); use ``.copy()`` for an editable array.

    **Lifetime.** A view never dangles, whatever happens to the simulation: every view's ``.base``
    is a ``ColumnBuffer`` that keeps the memory alive. A view shows the column *as it was when the
    view was taken*: when the simulation steps, rows are added, removed and reordered, so before each
    step the simulation hands the memory of every column that still has views over to those views
    and continues on a copy. Old views thus stay valid and unchanged (a snapshot of their step, see
    ``view.base.step``); index ``sim.people[...]`` again after a step to see the new one. Keeping
    views across steps costs one copy of each such column per step; dropping them costs nothing.

    Rows are agents sorted by council and, within a council, by id (the ``id`` column); the row of an
    agent changes between weeks, its id never does.
    """

    def __init__(self, core: _core.Simulation, table: str) -> None:
        self._core = core
        self._table = table
        self._names = tuple(core.column_names(table))

    def __getitem__(self, column: str) -> np.ndarray:
        return self._core.column(self._table, column)

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def __contains__(self, column: object) -> bool:
        return column in self._names

    @property
    def rows(self) -> int:
        """Number of agents (rows) this week."""
        return self._core.rows(self._table)

    def to_frame(self) -> pd.DataFrame:
        """A copy of this week's columns as a DataFrame indexed by agent id."""
        ids = self["id"]
        index = pd.Index(ids.copy(), name=_ID_NAMES[self._table])
        return pd.DataFrame({c: self[c].copy() for c in self._names if c != "id"}, index=index)

    def __repr__(self) -> str:
        return f"<caremarket.AgentTable {self._table}: {self.rows} rows, columns {', '.join(self._names)}>"


def metrics_frame(history: np.ndarray, councils: list[str]) -> pd.DataFrame:
    """(steps, metrics, councils) → DataFrame indexed by (step, council), one column per metric."""
    catalogue = _core.metric_catalogue()
    steps, metrics, n = history.shape
    index = pd.MultiIndex.from_product(
        [pd.Index(np.arange(steps, dtype=np.int64), name="step"), pd.Index(councils, name="council")]
    )
    data = np.ascontiguousarray(history.transpose(0, 2, 1)).reshape(steps * n, metrics)
    frame = pd.DataFrame(data, index=index, columns=[name for name, _, _ in catalogue])
    frame.columns.name = "metric"
    frame.attrs["units"] = {name: units for name, units, _ in catalogue}
    frame.attrs["long_name"] = {name: long_name for name, _, long_name in catalogue}
    return frame


class Simulation:
    """A caremarket model stepped from Python.

    ``Simulation("somerset")`` builds the market of a scenario (a path, or the name of a shipped
    scenario), with policy overlays applied in order (a pair ``(policy, "2027-04-01")`` applies one
    from that date) and then ``overrides`` (a mapping of dotted
    keys to values, like the command line's ``--set``). ``seed`` defaults to the scenario's
    ``run.seed``; ``threads`` (default: all cores) changes speed only, never results.

    The same configuration and seed give the same trajectory as ``caremarket run`` (and as
    :func:`caremarket.run`), step for step. Raises :class:`caremarket.ConfigError` for a bad
    configuration.
    """

    def __init__(
        self,
        scenario: PathLike,
        *,
        policies: Iterable[PolicyArg] = (),
        overrides: Mapping[str, Any] | Iterable[str] | None = None,
        seed: int | None = None,
        replicate: int = 0,
        threads: int | None = None,
    ) -> None:
        scenario_ = load(scenario, policies, overrides)
        self._attach(_core.Simulation(scenario_, check_seed("seed", seed), check_seed("replicate", replicate),
                                      0 if threads is None else threads))

    def _attach(self, core: _core.Simulation) -> None:
        self._core = core
        self._scenario = core.scenario
        self._councils = list(self._scenario.councils)
        self._people = AgentTable(self._core, "people")
        self._workers = AgentTable(self._core, "workers")
        self._providers = AgentTable(self._core, "providers")

    @classmethod
    def _wrap(cls, core: _core.Simulation) -> "Simulation":
        sim = cls.__new__(cls)
        sim._attach(core)
        return sim

    # -- stepping ----------------------------------------------------------------------------------

    @property
    def current_step(self) -> int:
        """The step reached: 0 is the market as built (after the warm-up), then one step a week."""
        return self._core.current_step

    @property
    def week(self) -> int:
        """Deprecated since 0.2.0: :attr:`current_step`."""
        deprecated("Simulation.week", "Simulation.current_step")
        return self.current_step

    def step(self, n: int = 1) -> int:
        """Simulates ``n`` steps of a week each (the GIL is released meanwhile; Ctrl-C stops at the
        next step boundary and raises KeyboardInterrupt). Returns the new :attr:`current_step`."""
        self._core.advance(int(n), 1)
        return self.current_step

    def run(self, steps: int | None = None, progress: bool = True, chunk: int = 1) -> int:
        """Simulates ``steps`` steps (weeks), by default up to the scenario's ``run.steps``.

        Advances ``chunk`` steps at a time with the GIL released; between chunks a progress bar
        (tqdm: a widget in Jupyter, text in a terminal) moves and Ctrl-C is honoured: the run stops
        cleanly at that step boundary, the simulation stays usable, and KeyboardInterrupt is raised.
        Returns the new :attr:`current_step`.
        """
        if steps is None:
            steps = max(0, self._scenario.steps - self.current_step)
        bar = progress_bar(int(steps), self._scenario.region, progress)
        try:
            self._core.advance(int(steps), int(chunk), StepCounter(bar))
        finally:
            bar.close()
        return self.current_step

    # -- state -------------------------------------------------------------------------------------

    @property
    def people(self) -> AgentTable:
        """People needing care: column name → read-only zero-copy view (see :class:`AgentTable`)."""
        return self._people

    @property
    def workers(self) -> AgentTable:
        """Care workers: column name → read-only zero-copy view (see :class:`AgentTable`)."""
        return self._workers

    @property
    def providers(self) -> AgentTable:
        """Providers: column name → read-only zero-copy view (see :class:`AgentTable`)."""
        return self._providers

    def metrics(self) -> pd.DataFrame:
        """The declared time series of every step so far: a DataFrame indexed by (step, council
        name), one float64 column per metric (units in ``.attrs["units"]``). Same layout and values
        as :attr:`caremarket.Results.timeseries` of the equivalent run."""
        return metrics_frame(self._core.metrics_history(), self._councils)

    # -- configuration -----------------------------------------------------------------------------

    @property
    def councils(self) -> list[str]:
        return list(self._councils)

    @property
    def seed(self) -> int:
        return self._core.seed

    @property
    def replicate(self) -> int:
        return self._core.replicate

    @property
    def threads(self) -> int:
        """Threads asked for (0 = all cores)."""
        return self._core.threads

    @property
    def config(self) -> dict[str, Any]:
        """The fully resolved configuration (every parameter, defaults included) as a dict."""
        return tomllib.loads(self._scenario.resolved_toml)

    @property
    def config_toml(self) -> str:
        """The fully resolved configuration as TOML text (what output files store)."""
        return self._scenario.resolved_toml

    @property
    def layers(self) -> list[str]:
        """Configuration layers in the order applied: scenario, policies, ``--set <key>``."""
        return list(self._scenario.layers)

    def set(self, key: str, value: Any) -> None:
        """Changes parameter ``key`` to ``value`` from the next step on.

        The value is checked like a config value (type, range, consistency); a parameter only the
        start of a run reads (``run.*``, ``geography.*``, a council's size) cannot change. The change
        joins the configuration as a ``[[schedule]]`` entry dated that step, so :attr:`config_toml`,
        :meth:`save` and the saved file's ``/events/changes`` record it. Raises
        :class:`caremarket.ConfigError`.
        """
        self._core.set(f"{key}={_toml_value(value)}")
        self._scenario = self._core.scenario

    # -- output ------------------------------------------------------------------------------------

    def save(self, path: PathLike, progress: bool = True) -> "Results":
        """Writes steps 0 .. :attr:`current_step` as a caremarket HDF5 file and returns it opened.

        A simulation records every step as it goes, with the command line's own writer; saving
        closes a copy of that record (events and closing provenance added), so it takes moments,
        not a re-run, and the simulation goes on. The file equals ``caremarket run``'s for the same
        configuration, seed and weeks. An earlier file at ``path`` is replaced only once the new one
        is complete. ``progress`` is accepted for compatibility: saving no longer needs a bar.
        """
        from ._results import Results

        path = os.fspath(path)
        self._core.save(path)
        return Results(path)

    # -- state: checkpoints and branches -----------------------------------------------------------

    def save_state(self, path: PathLike) -> None:
        """Writes the simulation's whole state (every agent, contract, queue and clock, and the
        record so far) to a checkpoint file (docs/checkpoint-format.md), atomically.
        :meth:`load_state` and ``caremarket run --resume`` (with ``-o``) go on from it exactly as
        this simulation would."""
        self._core.save_state(os.fspath(path))

    @classmethod
    def load_state(cls, path: PathLike, *, threads: int | None = None) -> "Simulation":
        """A simulation going on from a checkpoint: one :meth:`save_state` wrote, or
        ``caremarket run --checkpoint-every`` did. Raises ValueError for a checkpoint that is
        missing, damaged, of another format or written by another build."""
        return cls._wrap(_core.Simulation.load_state(os.fspath(path), 0 if threads is None else threads))

    def copy(self, *, replicate: int | None = None) -> "Simulation":
        """An independent simulation in this one's state: a branch. Stepped as it is, it goes on
        exactly as this one would; give it a policy (:meth:`apply_policy`, :meth:`set`) to compare
        futures from one history. With ``replicate``, its random streams from the next week on are
        that replicate's: another possible future of the same history."""
        return self._wrap(self._core.copy(None if replicate is None else check_seed("replicate", replicate)))

    __copy__ = copy

    def __deepcopy__(self, memo: dict) -> "Simulation":
        return self.copy()

    def __reduce__(self):
        # Pickled as its checkpoint's bytes, so a simulation can be sent to another process (Dask,
        # multiprocessing) and go on there exactly as here.
        with tempfile.TemporaryDirectory(prefix="caremarket-") as folder:
            path = os.path.join(folder, "state.checkpoint")
            self.save_state(path)
            with open(path, "rb") as f:
                data = f.read()
        return (_simulation_from_state_bytes, (data, self.threads))

    def apply_policy(self, policy: PathLike) -> None:
        """Puts a policy file (a path or a shipped name) in force from the next week on, as a
        policy dated that week's date: the same as a run given ``policies=[(policy, date)]``.
        Raises :class:`caremarket.ConfigError`."""
        self._core.apply_policy(os.fspath(_resolve(policy, "policies")))
        self._scenario = self._core.scenario

    def __repr__(self) -> str:
        return (
            f"<caremarket.Simulation {self._scenario.region}: step {self.current_step}, seed {self.seed}, "
            f"replicate {self.replicate}, {len(self._councils)} council(s)>"
        )


def _simulation_from_state_bytes(data: bytes, threads: int) -> Simulation:
    """Unpickles a Simulation (Simulation.__reduce__)."""
    with tempfile.TemporaryDirectory(prefix="caremarket-") as folder:
        path = os.path.join(folder, "state.checkpoint")
        with open(path, "wb") as f:
            f.write(data)
        return Simulation.load_state(path, threads=threads)
