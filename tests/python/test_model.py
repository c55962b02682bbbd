"""The model as a whole, through caremarket.Simulation (mirror of tests/cpp/test_model.cpp):
the same trajectory for any thread count, different trajectories for different seeds, and the
invariants that tie the agent columns together after many weeks.

Run with:  CAREMARKET_PYTHONPATH=<build>/python /usr/bin/python3 -m pytest -q tests/python/test_model.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

TABLES = ("people", "workers", "providers")
MICRO = 2

#: The two-council region shared with tests/cpp/test_model.cpp.
SMALL_REGION = (Path(__file__).resolve().parents[1] / "data" / "two_councils.toml").read_text()


@pytest.fixture(scope="module")
def cm(caremarket_pkg):
    return caremarket_pkg


@pytest.fixture(scope="module")
def small_region(tmp_path_factory):
    path = tmp_path_factory.mktemp("model") / "small_region.toml"
    path.write_text(SMALL_REGION)
    return path


def run(cm, scenario, threads: int, seed: int, weeks: int, **kwargs):
    sim = cm.Simulation(scenario, seed=seed, threads=threads, **kwargs)
    sim.step(weeks)
    return sim


def tables(sim) -> dict[str, pd.DataFrame]:
    return {t: getattr(sim, t).to_frame() for t in TABLES}


# --- determinism --------------------------------------------------------------------------------


def test_same_seed_same_result_for_any_thread_count(cm, small_region):
    one = run(cm, small_region, threads=1, seed=5, weeks=80)
    assert one.threads == 1
    reference_metrics, reference_tables = one.metrics(), tables(one)
    assert len(reference_metrics) == 81 * 2
    for threads in (2, 4):
        other = run(cm, small_region, threads=threads, seed=5, weeks=80)
        assert other.threads == threads
        pd.testing.assert_frame_equal(other.metrics(), reference_metrics, check_exact=True)
        for table, frame in tables(other).items():
            pd.testing.assert_frame_equal(frame, reference_tables[table], check_exact=True, obj=f"{table}, {threads} threads")


def test_stepping_in_chunks_does_not_change_the_result(cm, small_region):
    whole = run(cm, small_region, threads=2, seed=5, weeks=40)
    pieces = cm.Simulation(small_region, seed=5, threads=1)
    for n in (1, 2, 7, 30):
        pieces.step(n)
    pd.testing.assert_frame_equal(pieces.metrics(), whole.metrics(), check_exact=True)
    for table, frame in tables(pieces).items():
        pd.testing.assert_frame_equal(frame, tables(whole)[table], check_exact=True, obj=table)


def test_different_seeds_differ(cm, small_region):
    a = run(cm, small_region, threads=2, seed=5, weeks=20).metrics()
    b = run(cm, small_region, threads=2, seed=6, weeks=20).metrics()
    assert not a.equals(b)
    differing = [name for name in a.columns if not np.array_equal(a[name].to_numpy(), b[name].to_numpy())]
    assert len(differing) > len(a.columns) // 2, differing


# --- invariants of the columns ------------------------------------------------------------------


def check_consistent(sim) -> dict[str, int]:
    """The invariants of tests/cpp/test_model.cpp (ColumnsStayConsistent) at the current week.
    Returns counts that show the checks had something to check."""
    people, workers, providers = (getattr(sim, t).to_frame() for t in TABLES)
    week = sim.current_step
    for name, frame in (("people", people), ("workers", workers), ("providers", providers)):
        assert (frame["alive"] == 1).all(), f"week {week}: dead {name} kept"
        assert frame.index.is_unique, f"week {week}: {name} ids"
        # Grouped by council, ids ascending within a council (engine/grouped_rows.hpp).
        key = frame["council"].to_numpy().astype(np.int64) * (1 << 32) + frame.index.to_numpy()
        assert np.all(np.diff(key) > 0), f"week {week}: {name} rows not grouped by council in id order"

    # Every person's provider is a live provider of the person's council (or one that closed this
    # week: the person is re-placed next week), and nobody receives more hours than needed.
    placed = people[people["provider"] >= 0]
    live = placed[placed["provider"].isin(providers.index)]
    assert len(live) >= 0.95 * len(placed), f"week {week}: many people placed with unknown providers"
    np.testing.assert_array_equal(
        providers["council"].reindex(live["provider"]).to_numpy(), live["council"].to_numpy(),
        err_msg=f"week {week}: a person's provider is in another council",
    )
    over = people[people["hours_received"] > people["need_hours"] + 1e-4]
    assert over.empty, f"week {week}: hours_received > need_hours for people {list(over.index[:10])}"
    assert (people["hours_received"] >= 0).all()

    # Every worker's employer is -1 or a live provider of the worker's council.
    employed = workers[workers["employer"] != -1]
    assert (employed["employer"] >= 0).all()
    missing = set(employed["employer"]) - set(providers.index)
    assert not missing, f"week {week}: workers employed by providers that do not exist: {sorted(missing)}"
    np.testing.assert_array_equal(
        providers["council"].reindex(employed["employer"]).to_numpy(), employed["council"].to_numpy(),
        err_msg=f"week {week}: a worker's employer is in another council",
    )

    # Staff counted from the workers: at most the archetype's max_workers, and what the provider
    # itself records; clients likewise.
    staff = employed.groupby("employer").size().reindex(providers.index, fill_value=0)
    config = sim.config["providers"]
    cap = providers["archetype"].map(lambda a: config[("chain", "agency", "micro")[a]]["max_workers"])
    too_big = providers[staff > cap]
    assert too_big.empty, f"week {week}: providers over their cap: {too_big[['archetype']].assign(staff=staff)}"
    np.testing.assert_array_equal(staff.to_numpy(), providers["staff"].to_numpy(), err_msg=f"week {week}: staff")
    clients = placed.groupby("provider").size().reindex(providers.index, fill_value=0)
    np.testing.assert_array_equal(clients.to_numpy(), providers["clients"].to_numpy(), err_msg=f"week {week}: clients")

    # A micro-enterprise's founder works for it; other providers have no founder.
    micro = providers[providers["archetype"] == MICRO]
    np.testing.assert_array_equal(
        workers["employer"].reindex(micro["founder"]).to_numpy(), micro.index.to_numpy(),
        err_msg=f"week {week}: a micro-enterprise's founder does not work for it",
    )
    assert (providers.loc[providers["archetype"] != MICRO, "founder"] == -1).all()
    return {"placed": len(placed), "employed": len(employed), "micro": len(micro), "served": int((people["hours_received"] > 0).sum())}


def test_columns_stay_consistent(cm, small_region):
    sim = cm.Simulation(small_region, seed=3, threads=2)
    counts = check_consistent(sim)
    for _ in range(15):
        sim.step(10)
        counts = check_consistent(sim)
    assert sim.current_step == 150
    assert counts["placed"] > 1000 and counts["employed"] > 1000 and counts["micro"] > 10 and counts["served"] > 1000


def micro_staff(sim) -> pd.Series:
    """Staff of each micro-enterprise, counted from the workers' employer column."""
    workers, providers = sim.workers.to_frame(), sim.providers.to_frame()
    employed = workers[workers["employer"] != -1]
    staff = employed.groupby("employer").size().reindex(providers.index, fill_value=0)
    return staff[providers["archetype"] == MICRO]


def test_micro_enterprises_never_exceed_their_cap(cm, small_region):
    """At most 8 workers (providers.micro.max_workers), owners included. Founders here want up to
    1 + Poisson(7) workers, so the cap binds."""
    sim = cm.Simulation(small_region, seed=9, threads=2, overrides={"founding.mean_extra_staff": 7})
    assert sim.config["providers"]["micro"]["max_workers"] == 8
    largest = 0
    for _ in range(12):
        sim.step(10)
        staff = micro_staff(sim)
        assert len(staff) > 0
        assert staff.max() <= 8, f"week {sim.current_step}: {staff[staff > 8].to_dict()}"
        largest = max(largest, staff.max())
    assert largest == 8  # the cap was reached, not just respected by small firms


def test_a_lower_micro_cap_is_respected(cm, small_region):
    sim = cm.Simulation(
        small_region, seed=9, threads=2, overrides={"founding.mean_extra_staff": 7, "providers.micro.max_workers": 3}
    )
    sim.step(120)
    staff = micro_staff(sim)
    assert len(staff) > 10
    assert staff.max() == 3
    assert (sim.providers["intended_staff"][sim.providers["archetype"] == MICRO] <= 3).all()
