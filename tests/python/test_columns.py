"""Struct-of-arrays agent tables, seen through caremarket.Simulation (mirror of
tests/cpp/test_columns.cpp): fresh ids, stable ids across steps, removal that keeps order and ids,
never-reused ids, -1 for "no agent", and columns exposed as zero-copy read-only numpy views.

Run with:  CAREMARKET_PYTHONPATH=<build>/python /usr/bin/python3 -m pytest -q tests/python/test_columns.py
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

TABLES = ("people", "workers", "providers")
WEEKS = 60
SEED = 5

#: Columns that belong to an agent for life (docs/ODD.md §2.2, §5): an id that names the same agent
#: from week to week keeps them.
FIXED = {
    "people": ["council", "locality", "age_band"],
    "workers": ["council", "pay_premium"],
    "providers": ["council", "home_locality", "archetype", "group", "founder"],
}


@pytest.fixture(scope="module")
def cm(caremarket_pkg):
    return caremarket_pkg


@pytest.fixture(scope="module")
def trajectory(cm, tiny_scenario):
    """Every agent table as a DataFrame (indexed by id) at weeks 0..WEEKS, and the provider events of
    the same run (Simulation.save writes the same trajectory)."""
    sim = cm.Simulation(tiny_scenario, seed=SEED, threads=1)
    weeks = [{t: getattr(sim, t).to_frame() for t in TABLES}]
    for _ in range(WEEKS):
        sim.step()
        weeks.append({t: getattr(sim, t).to_frame() for t in TABLES})
    return weeks


@pytest.fixture(scope="module")
def provider_events(cm, tiny_scenario, tmp_path_factory):
    sim = cm.Simulation(tiny_scenario, seed=SEED, threads=1)
    sim.step(WEEKS)
    saved = sim.save(tmp_path_factory.mktemp("columns") / "run.h5", progress=False)
    return saved.events["providers"]  # kind: a Categorical of entry, exit, founding, closure, handback


# --- append: fresh ids and rows ---------------------------------------------------------------------


def test_ids_are_unique_and_rows_are_grouped_by_council_in_ascending_id_order(trajectory):
    """Between steps every table is sorted by council and, within a council, by id (grouped_rows.hpp;
    GroupedRows tests in tests/cpp/test_grouped_rows.cpp)."""
    for week, tables in enumerate(trajectory):
        for table, frame in tables.items():
            ids = frame.index.to_numpy()
            assert len(ids) > 0, f"week {week}: no {table}"
            assert ids.min() >= 0, f"week {week}: negative {table} id"
            assert len(np.unique(ids)) == len(ids), f"week {week}: duplicate {table} ids"
            council = frame["council"].to_numpy().astype(np.int64)
            assert np.all(np.diff(council) >= 0), f"week {week}: {table} rows not grouped by council"
            key = council * (1 << 32) + ids
            assert np.all(np.diff(key) > 0), f"week {week}: {table} ids not ascending within a council"


def test_the_market_as_built_has_ids_0_to_n(trajectory):
    """Agents appended to empty tables get ids 0, 1, 2, ... in row order (AppendGivesFreshIdsAndRows)."""
    for table, frame in trajectory[0].items():
        np.testing.assert_array_equal(frame.index.to_numpy(), np.arange(len(frame)), err_msg=table)


# --- compaction: order and ids kept -----------------------------------------------------------------


def test_an_id_names_the_same_agent_from_week_to_week(trajectory):
    """An id present at week k and week k+1 refers to the same agent: its lifelong attributes (age
    band, capital band, home locality, archetype, ...) never change, so rows moved by the removal of
    others carried every column along."""
    checked = {t: 0 for t in TABLES}
    for week in range(WEEKS):
        for table in TABLES:
            before, after = trajectory[week][table], trajectory[week + 1][table]
            common = before.index.intersection(after.index)
            assert len(common) > 0.8 * len(before), (table, week)
            pd.testing.assert_frame_equal(
                before.loc[common, FIXED[table]], after.loc[common, FIXED[table]], check_exact=True,
                obj=f"{table}: lifelong columns between weeks {week} and {week + 1}",
            )
            checked[table] += len(common)
    # Survivors keep their order: ids ascend in every week (above), so relative rows are preserved.
    assert all(n > 0 for n in checked.values())


def test_ids_are_never_reused(trajectory):
    """New agents get ids above every id ever given, so an id that disappeared never comes back."""
    seen = {t: set(trajectory[0][t].index) for t in TABLES}
    highest = {t: max(seen[t]) for t in TABLES}
    removed = {t: 0 for t in TABLES}
    added = {t: 0 for t in TABLES}
    for week in range(1, WEEKS + 1):
        for table in TABLES:
            now = set(trajectory[week][table].index)
            before = set(trajectory[week - 1][table].index)
            new = now - before
            gone = before - now
            assert not (new & seen[table]), f"week {week}: {table} ids reused: {sorted(new & seen[table])[:10]}"
            if new:
                assert min(new) > highest[table], f"week {week}: new {table} id {min(new)} <= {highest[table]}"
                highest[table] = max(new)
            seen[table] |= now
            removed[table] += len(gone)
            added[table] += len(new)
    # The test means something only if agents came and went.
    assert removed["people"] > 100 and added["people"] > 100
    assert removed["workers"] > 10 and added["workers"] > 10
    assert added["providers"] > 0


# --- removal ----------------------------------------------------------------------------------------


def test_removed_agents_disappear(trajectory):
    """Dead or closed agents are removed at the end of each step: every row is a live agent."""
    for week, tables in enumerate(trajectory):
        for table, frame in tables.items():
            assert (frame["alive"] == 1).all(), f"week {week}: a dead {table} row is still there"


def test_providers_disappear_exactly_when_they_exit_or_close(trajectory, provider_events):
    """The providers removed during week k are those logged as exit or closure at week k, and the
    new ones those logged as entry or founding (less any founded and closed the same week)."""
    changes = 0
    for week in range(1, WEEKS + 1):
        before = set(trajectory[week - 1]["providers"].index)
        now = set(trajectory[week]["providers"].index)
        logged = provider_events[provider_events["step"] == week]
        ended = set(logged.loc[logged["kind"].isin(["exit", "closure"]), "provider"])
        began = set(logged.loc[logged["kind"].isin(["entry", "founding"]), "provider"])
        assert before - now == ended - began, f"week {week}"
        assert now - before == began - ended, f"week {week}"
        changes += len(before ^ now)
    assert changes > 0


def test_no_agent_is_minus_one_and_a_removed_provider_is_let_go(trajectory):
    """-1 means "no agent". A person may still name a provider removed this week (closed; re-placed
    next week), but never one that does not exist otherwise, and never for two weeks."""
    for week in range(1, WEEKS + 1):
        people = trajectory[week]["people"]
        workers = trajectory[week]["workers"]
        providers = set(trajectory[week]["providers"].index)
        previous = set(trajectory[week - 1]["providers"].index)
        assert (people["provider"] >= -1).all() and (workers["employer"] >= -1).all()
        placed = people.loc[people["provider"] >= 0, "provider"]
        stale = set(placed) - providers
        assert stale <= previous - providers, f"week {week}: people name unknown providers {stale - previous}"
        if week > 1:
            gone_last_week = set(trajectory[week - 2]["providers"].index) - previous
            assert not (set(placed) & gone_last_week), f"week {week}"
        assert set(workers.loc[workers["employer"] >= 0, "employer"]) <= providers, f"week {week}"


# --- columns as numpy views -------------------------------------------------------------------------


def test_every_column_is_a_zero_copy_read_only_view(cm, tiny_scenario):
    sim = cm.Simulation(tiny_scenario, seed=SEED, threads=1)
    sim.step(3)
    for table in TABLES:
        agents = getattr(sim, table)
        assert list(agents)[0] == "id" and len(agents) == len(list(agents))
        for column in agents:
            view = agents[column]
            again = agents[column]
            assert view.ndim == 1 and view.shape == (agents.rows,), f"{table}.{column}"
            assert np.shares_memory(view, again), f"{table}.{column} is copied on access"
            assert isinstance(view.base, cm._core.ColumnBuffer) and view.base.live
            assert (view.base.table, view.base.name, view.base.step) == (table, column, 3)
            assert not view.flags.writeable, f"{table}.{column} is writeable"
            if len(view):
                with pytest.raises(ValueError):
                    view[0] = view[0]
        with pytest.raises(KeyError):
            agents["no_such_column"]


def test_views_keep_their_week_and_new_views_see_the_new_rows(cm, tiny_scenario):
    sim = cm.Simulation(tiny_scenario, seed=SEED, threads=1)
    ids = sim.people["id"]
    need = sim.people["need_hours"]
    kept_ids, kept_need = ids.copy(), need.copy()
    sim.step(10)
    np.testing.assert_array_equal(ids, kept_ids)
    np.testing.assert_array_equal(need, kept_need)
    assert not ids.base.live and ids.base.step == 0
    current = sim.people["id"]
    assert current.base.live and current.base.step == 10
    assert len(current) == sim.people.rows
    assert not np.array_equal(current, kept_ids)  # people arrived and left in ten weeks
    # A survivor's row moved, but its values are its own.
    survivors = np.intersect1d(kept_ids, current)
    old_rows = pd.Index(kept_ids).get_indexer(survivors)
    new_rows = pd.Index(current).get_indexer(survivors)
    np.testing.assert_array_equal(
        sim.people["age_band"][new_rows], cm.Simulation(tiny_scenario, seed=SEED, threads=1).people["age_band"][old_rows]
    )
