"""The locality geography as seen in the model's agents (mirror of tests/cpp/test_graph.cpp).

The road graph itself is not exposed; what it decides is. Localities are numbered consecutively
across the region, council by council (`[[councils]].localities` counts them); there are no roads
between councils, so nobody is served across a council boundary; and a provider serves a locality
within its archetype's `radius_minutes` of its home along the shortest path. With a geography whose
travel times are known (a ring of equal roads, no chords) the shortest paths, and so the set of
localities each archetype can reach, are known exactly; with the default random geography chains
serve people across many localities while micro-enterprises' clients concentrate in a few.

Run with:  CAREMARKET_PYTHONPATH=<build>/python /usr/bin/python3 -m pytest -q tests/python/test_graph.py
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from conftest import REPO_ROOT

CHAIN, AGENCY, MICRO = 0, 1, 2
# Somerset as the ring of 30 localities it was before it became the real Somerset (issue 21).
RING_SOMERSET = REPO_ROOT / "tests" / "data" / "somerset_ring.toml"


@pytest.fixture(scope="module")
def cm(caremarket_pkg):
    return caremarket_pkg


def council_ranges(config: dict) -> list[range]:
    """Each council's localities: consecutive indices, in the order of [[councils]]."""
    out, first = [], 0
    for council in config["councils"]:
        out.append(range(first, first + council["localities"]))
        first += council["localities"]
    return out


def frames(sim) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    return sim.people.to_frame(), sim.workers.to_frame(), sim.providers.to_frame()


def clients(people: pd.DataFrame, providers: pd.DataFrame) -> pd.DataFrame:
    """Placed people joined to their provider (people whose provider closed this week are left out)."""
    placed = people[people["provider"] >= 0]
    return placed.join(
        providers[["council", "home_locality", "archetype"]], on="provider", how="inner", rsuffix="_provider"
    )


def ring_hops(a: np.ndarray, b: np.ndarray, first: int, n: int) -> np.ndarray:
    """Hops between localities a and b on the ring of a council's n localities starting at `first`."""
    d = np.abs((a - first) - (b - first))
    return np.minimum(d, n - d)


@pytest.fixture(scope="module")
def tiny_weeks(cm, tiny_scenario):
    """The tiny two-council region at weeks 0, 20, 40, 60, 80."""
    sim = cm.Simulation(tiny_scenario, seed=4, threads=1)
    out = [(sim.current_step, *frames(sim))]
    for _ in range(4):
        sim.step(20)
        out.append((sim.current_step, *frames(sim)))
    return sim.config, out


def test_localities_are_numbered_consecutively_council_by_council(tiny_weeks):
    config, weeks = tiny_weeks
    ranges = council_ranges(config)
    assert [len(r) for r in ranges] == [4, 2]  # tests/data/tiny.toml
    for week, people, workers, providers in weeks:
        for c, localities in enumerate(ranges):
            for label, frame, column in (
                ("people", people, "locality"),
                ("workers", workers, "locality"),
                ("providers", providers, "home_locality"),
            ):
                mine = frame.loc[frame["council"] == c, column]
                assert len(mine) > 0, (week, label, c)
                assert mine.between(localities.start, localities.stop - 1).all(), (week, label, c, sorted(set(mine)))
        # Every locality is somewhere people live: the numbering has no gaps.
        assert set(people["locality"]) == set(range(ranges[-1].stop)), week


def test_nobody_is_served_across_a_council_boundary(tiny_weeks):
    """Councils have no roads between them: every person's provider, and every worker's employer, is
    in the person's (worker's) council."""
    _, weeks = tiny_weeks
    for week, people, workers, providers in weeks:
        served = clients(people, providers)
        assert len(served) > 0.7 * (people["provider"] >= 0).sum()
        assert (served["council"] == served["council_provider"]).all(), week
        employed = workers[workers["employer"] >= 0]
        employer_council = providers["council"].reindex(employed["employer"]).to_numpy()
        np.testing.assert_array_equal(employer_council, employed["council"].to_numpy(), err_msg=f"week {week}")


def test_a_known_ring_fixes_who_can_be_served(cm):
    """The ring Somerset's 30 localities (tests/data/somerset_ring.toml) on a ring of 10-minute roads
    without chords: the shortest path
    between localities i and j takes 10 × (ring hops) minutes. Micro-enterprises (20-minute radius)
    reach two hops each way, agencies (40 minutes) four, chains (10,000) the whole council."""
    sim = cm.Simulation(
        RING_SOMERSET,
        seed=5,
        threads=1,
        overrides={
            "geography.edge_minutes_min": 10,
            "geography.edge_minutes_max": 10,
            "geography.extra_edges_per_locality": 0,
        },
    )
    assert sim.config["providers"]["micro"]["radius_minutes"] == 20
    assert sim.config["providers"]["agency"]["radius_minutes"] == 40
    sim.step(52)
    people, _, providers = frames(sim)
    served = clients(people, providers)
    hops = ring_hops(served["locality"].to_numpy(), served["home_locality"].to_numpy(), 0, 30)
    by_archetype = pd.Series(hops, index=served.index).groupby(served["archetype"]).max()
    counts = served["archetype"].value_counts()
    assert counts[MICRO] > 50 and counts[AGENCY] > 500 and counts[CHAIN] > 500
    # The radius is reached (a road of 10 minutes counts twice in 20) and never exceeded.
    assert by_archetype[MICRO] == 2
    assert by_archetype[AGENCY] == 4
    assert by_archetype[CHAIN] >= 10  # the whole ring: at most 15 hops away


def test_long_roads_keep_micro_enterprises_at_home(cm, tiny_scenario):
    """With 30-minute roads a micro-enterprise (20 minutes) serves only its home locality and an
    agency (40 minutes) its neighbours, in both councils."""
    sim = cm.Simulation(
        tiny_scenario,
        seed=4,
        threads=1,
        overrides={
            "geography.edge_minutes_min": 30,
            "geography.edge_minutes_max": 30,
            "geography.extra_edges_per_locality": 0,
        },
    )
    sim.step(40)
    people, _, providers = frames(sim)
    served = clients(people, providers)
    ranges = council_ranges(sim.config)
    micro = served[served["archetype"] == MICRO]
    assert len(micro) > 10
    np.testing.assert_array_equal(micro["locality"].to_numpy(), micro["home_locality"].to_numpy())
    agency = served[served["archetype"] == AGENCY]
    north = agency[agency["council"] == 0]
    hops = ring_hops(north["locality"].to_numpy(), north["home_locality"].to_numpy(), ranges[0].start, len(ranges[0]))
    assert len(north) > 50 and hops.max() == 1


def test_chains_serve_many_localities_and_micro_enterprises_few(cm):
    """The ring Somerset's own random geography (tests/data/somerset_ring.toml): a chain's clients
    spread across the council, a micro-enterprise's cluster around its home."""
    sim = cm.Simulation(RING_SOMERSET, seed=2, threads=1)
    sim.step(52)
    people, _, providers = frames(sim)
    served = clients(people, providers)
    spread = served.groupby("provider").agg(
        archetype=("archetype", "first"),
        localities=("locality", "nunique"),
        clients=("locality", "size"),
        top_share=("locality", lambda s: s.value_counts(normalize=True).iloc[0]),
    )
    chains = spread[spread["archetype"] == CHAIN]
    micro = spread[spread["archetype"] == MICRO]
    assert len(chains) >= 10 and len(micro) >= 20
    assert chains["localities"].mean() > 15  # of 30
    assert micro["localities"].max() < chains["localities"].median()
    assert micro["localities"].mean() * 4 < chains["localities"].mean()
    # Weighted by clients, most of a micro-enterprise's clients live in one locality; a chain's don't.
    assert np.average(micro["top_share"], weights=micro["clients"]) > 0.4
    assert np.average(chains["top_share"], weights=chains["clients"]) < 0.2
