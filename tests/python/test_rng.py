"""Random streams, seen through the model (mirror of tests/cpp/test_rng.cpp).

Every draw is a pure function of (seed, replicate, step, agent, purpose) (ARCHITECTURE.md principle
4), so through the `caremarket` package and the command line:
  * the same seed and replicate give the same agents and metrics, draw for draw;
  * changing the seed or the replicate, or swapping them, gives independent streams;
  * a replicate reproduces alone: replicate 3 run by itself equals replicate 3 of an ensemble;
  * the model's initial draws follow their distributions, and neighbouring agents' draws are
    uncorrelated (the moment, chi-square and correlation checks of the C++ test, on agent columns).

Run with:  CAREMARKET_BIN=<build>/cli/caremarket CAREMARKET_PYTHONPATH=<build>/python \
           /usr/bin/python3 -m pytest -q tests/python/test_rng.py
"""

from __future__ import annotations

import subprocess

import numpy as np
import pandas as pd
import pytest

TABLES = ("people", "workers", "providers")
WEEKS = 30


@pytest.fixture(scope="module")
def cm(caremarket_pkg):
    return caremarket_pkg


def state(sim) -> dict[str, dict[str, np.ndarray]]:
    """Copies of every column of every agent table."""
    return {t: {c: getattr(sim, t)[c].copy() for c in getattr(sim, t)} for t in TABLES}


def assert_same_state(a, b, label: str) -> None:
    sa, sb = state(a), state(b)
    for table in TABLES:
        assert sa[table].keys() == sb[table].keys()
        for column in sa[table]:
            np.testing.assert_array_equal(sa[table][column], sb[table][column], err_msg=f"{label}: {table}.{column}")
    pd.testing.assert_frame_equal(a.metrics(), b.metrics(), check_exact=True)


def simulate(cm, scenario, weeks=WEEKS, **kwargs):
    sim = cm.Simulation(scenario, threads=1, **kwargs)
    sim.step(weeks)
    return sim


def differing_series(a, b) -> list[str]:
    ma, mb = a.metrics(), b.metrics()
    return [name for name in ma.columns if not np.array_equal(ma[name].to_numpy(), mb[name].to_numpy())]


# --- same key, same sequence ------------------------------------------------------------------------


def test_same_seed_and_replicate_give_the_same_trajectory(cm, tiny_scenario):
    a = cm.Simulation(tiny_scenario, seed=7, replicate=2, threads=1)
    b = cm.Simulation(tiny_scenario, seed=7, replicate=2, threads=1)
    assert_same_state(a, b, "week 0")
    for week in (1, 10, WEEKS):
        a.step(week - a.current_step)
        b.step(week - b.current_step)
        assert a.current_step == b.current_step == week
        assert_same_state(a, b, f"week {week}")


def test_seed_defaults_to_the_scenario_and_replicate_to_zero(cm, tiny_scenario):
    default = simulate(cm, tiny_scenario, weeks=10)
    explicit = simulate(cm, tiny_scenario, weeks=10, seed=7, replicate=0)  # tiny.toml: run.seed = 7
    assert default.seed == 7 and default.replicate == 0
    assert_same_state(default, explicit, "defaults")


# --- each key component changes the stream ----------------------------------------------------------


@pytest.mark.parametrize(
    "other",
    [
        dict(seed=8, replicate=2),
        dict(seed=7, replicate=3),
        dict(seed=7 + 2**32, replicate=2),  # the high bits of a key component count too
        dict(seed=7, replicate=2 + 2**32),
    ],
    ids=["seed", "replicate", "seed-high-bits", "replicate-high-bits"],
)
def test_each_key_component_changes_the_stream(cm, tiny_scenario, other):
    base = simulate(cm, tiny_scenario, seed=7, replicate=2)
    variant = simulate(cm, tiny_scenario, **other)
    assert (variant.seed, variant.replicate) == (other["seed"], other["replicate"])
    # The market as built comes from other draws: pay premiums (0 w.p. 1/2, else continuous) of the
    # starting workers never coincide, as the C++ test's "equal == 0" over 100 draws.
    b = cm.Simulation(tiny_scenario, seed=7, replicate=2, threads=1).workers
    v = cm.Simulation(tiny_scenario, threads=1, **other).workers
    n = min(b.rows, v.rows)
    pb, pv = b["pay_premium"][:n], v["pay_premium"][:n]
    both_positive = (pb > 0) & (pv > 0)
    assert both_positive.sum() > n // 8
    assert int((pb[both_positive] == pv[both_positive]).sum()) == 0
    # ... and the trajectories part: most series differ after 30 weeks.
    differing = differing_series(base, variant)
    assert len(differing) >= len(base.metrics().columns) // 2, differing


def test_swapped_components_give_different_streams(cm, tiny_scenario):
    a = simulate(cm, tiny_scenario, weeks=10, seed=1, replicate=2)
    b = simulate(cm, tiny_scenario, weeks=10, seed=2, replicate=1)
    assert differing_series(a, b), "seed 1 replicate 2 and seed 2 replicate 1 gave the same trajectory"
    assert not np.array_equal(a.workers["pay_premium"], b.workers["pay_premium"])


def test_the_seed_a_run_used_is_the_seed_its_file_records(cm, tiny_scenario, tmp_path):
    """Provenance (principle 8) must name the stream family a run used, so that the run can be
    repeated. A seed outside what the file and the command line can hold (`--seed` and `run.seed`
    take 0 .. 9e15) must be refused rather than recorded as another number."""
    for seed in (9 * 10**15, 2**63, 2**64 - 1):
        try:
            sim = cm.Simulation(tiny_scenario, seed=seed, threads=1)
        except (ValueError, OverflowError, TypeError):
            assert seed > 9 * 10**15, f"seed {seed} is in the documented range"
            continue
        sim.step(2)
        saved = sim.save(tmp_path / f"seed_{seed}.h5", progress=False)
        assert saved.provenance["seed"] == seed, (
            f"Simulation(seed={seed}) ran, but its file records seed {saved.provenance['seed']}"
        )


# --- a replicate reproduces alone -------------------------------------------------------------------


def test_a_replicate_reproduces_alone_in_one_process(cm, tiny_scenario):
    """Replicates 0..3 stepped side by side, interleaved, share nothing: replicate 3 equals a fresh
    replicate 3 run by itself."""
    ensemble = [cm.Simulation(tiny_scenario, seed=11, replicate=r, threads=1) for r in range(4)]
    for _ in range(WEEKS):
        for sim in ensemble:
            sim.step()
    alone = simulate(cm, tiny_scenario, seed=11, replicate=3)
    assert_same_state(ensemble[3], alone, "replicate 3")
    assert differing_series(ensemble[2], ensemble[3])


def test_replicate_3_of_a_sweep_equals_replicate_3_run_directly(cm, caremarket_bin, tiny_scenario, tmp_path):
    """The command line's replicate ensemble (a sweep with replicates = 4) and a direct run of its
    replicate 3 (from Python and from `caremarket run`) give the same data."""
    steps = 20  # tiny.toml snapshots every 10 weeks
    spec = tmp_path / "replicates.toml"
    spec.write_text(
        "[sweep]\n"
        'name = "replicates"\n'
        f'scenario = "{tiny_scenario}"\n'
        "replicates = 4\n"
        f"steps = {steps}\n"
        "root_seed = 11\n"
    )
    res = subprocess.run(
        [str(caremarket_bin), "sweep", str(spec), "-o", str(tmp_path / "sweep")],
        capture_output=True, text=True, timeout=120,
    )
    assert res.returncode == 0, res.stderr
    index = cm.read_index(tmp_path / "sweep")
    assert list(index["replicate"]) == [0, 1, 2, 3] and (index["status"] == "done").all()
    row = index[index["replicate"] == 3].iloc[0]
    seed = int(row["seed"])
    assert len(set(index["seed"])) == 4  # every replicate its own seed
    in_set = cm.open(tmp_path / "sweep" / row["file"])
    assert in_set.provenance["seed"] == seed and in_set.provenance["replicate"] == 3

    # From Python, alone.
    alone = simulate(cm, tiny_scenario, weeks=steps, seed=seed, replicate=3)
    pd.testing.assert_frame_equal(alone.metrics(), in_set.timeseries, check_exact=True)
    snap = in_set.snapshot(steps, codes=True)  # the integer codes of the model's columns
    for table in TABLES:
        frame = getattr(alone, table).to_frame().sort_index()  # the file is in id order
        pd.testing.assert_frame_equal(frame, snap[table][frame.columns], check_exact=True, check_names=False)

    # From the command line, alone.
    direct = tmp_path / "direct.h5"
    res = subprocess.run(
        [str(caremarket_bin), "run", str(tiny_scenario), "--seed", str(seed), "--replicate", "3",
         "--steps", str(steps), "-q", "-o", str(direct)],
        capture_output=True, text=True, timeout=120,
    )
    assert res.returncode == 0, res.stderr
    pd.testing.assert_frame_equal(cm.open(direct).timeseries, in_set.timeseries, check_exact=True)
    other = cm.open(tmp_path / "sweep" / index[index["replicate"] == 2].iloc[0]["file"])
    assert not other.timeseries.equals(in_set.timeseries)


# --- the draws, as the model uses them --------------------------------------------------------------


@pytest.fixture(scope="module")
def somerset(cm):
    """Somerset as built (week 0): 14,000 people and 7,000 workers drawn from their streams."""
    return cm.Simulation("somerset", seed=1, threads=1, overrides={"run.warmup_weeks": 0})


def shares(values: np.ndarray, k: int) -> np.ndarray:
    return np.bincount(values.astype(np.int64), minlength=k)[:k] / len(values)


def test_initial_draws_follow_their_distributions(somerset):
    """Categorical shares within 0.02 of the configured ones: with 14,000 people a share's sd is at
    most 0.0042, so 0.02 is over 4.5 sd."""
    people = somerset.people
    config = somerset.config
    assert people.rows == 14000
    # Somerset has its population by age band: its people's age mix is that population times the
    # people with needs per 1,000 of each band (need.age_band_shares is for councils without one).
    council = config["councils"][0]
    mix = np.array(council["age_thousands"]) * np.array(config["need"]["prevalence_per_1000"])
    np.testing.assert_allclose(shares(people["age_band"], 3), mix / mix.sum(), atol=0.02)
    np.testing.assert_allclose(
        shares(people["need_band"], 5)[1:], config["need"]["initial_band_shares"], atol=0.02
    )
    assert shares(people["need_band"], 5)[0] == 0.0
    capital = shares(people["capital_band"], 3)
    assert capital[2] == pytest.approx(config["eligibility"]["share_above_upper"], abs=0.02)
    assert capital[1] == pytest.approx(config["eligibility"]["share_between"], abs=0.02)
    # Ties ~ Poisson(mean_ties) capped at 20: mean sd 0.012 over 14,000 people.
    ties = people["ties"].astype(np.float64)
    assert ties.mean() == pytest.approx(config["need"]["mean_ties"], abs=0.06)
    assert ties.var() == pytest.approx(config["need"]["mean_ties"], rel=0.1)
    assert ties.min() >= 0 and ties.max() <= 20


def test_pay_premiums_are_half_zero_half_exponential(somerset):
    """Premium 0 with probability 1/2, else Exponential(mean labour.pay_premium_mean)."""
    premium = somerset.workers["pay_premium"].astype(np.float64)
    assert len(premium) == 7000
    assert premium.min() >= 0.0
    zero = premium == 0
    assert zero.mean() == pytest.approx(0.5, abs=0.03)  # sd 0.006
    positive = premium[~zero]
    mean = somerset.config["labour"]["pay_premium_mean"]
    assert positive.mean() == pytest.approx(mean, abs=0.08)  # sd about 0.017
    assert np.median(positive) == pytest.approx(mean * np.log(2), abs=0.08)


def test_zero_hours_contracts_are_drawn_at_each_archetypes_share(cm, somerset):
    workers, providers = somerset.workers, somerset.providers
    archetype_of = dict(zip(providers["id"].tolist(), providers["archetype"].tolist()))
    employer_archetype = np.array([archetype_of.get(e, -1) for e in workers["employer"].tolist()])
    zero_hours = workers["zero_hours"]
    council = somerset.config["councils"][0]
    counted = {"chain": "chains", "agency": "agencies", "micro": "micro_enterprises"}
    assert all(council[key] > 0 for key in counted.values())  # the kinds Somerset starts with
    for code, name in enumerate(cm.ARCHETYPES):
        if name not in counted:
            assert not (employer_archetype == code).any(), name  # a kind it does not count has no staff
            continue
        staff = employer_archetype == code
        assert staff.sum() > 50, name  # Somerset starts with about 66 micro-enterprise workers
        expected = somerset.config["providers"][name]["zero_hours_share"]
        assert zero_hours[staff].mean() == pytest.approx(expected, abs=0.04), name


def test_localities_are_drawn_uniformly(somerset):
    """People's localities over Somerset's 71 small areas (each holds an equal share of the
    council's population): chi-square with 70 degrees of freedom, below its 99.99th percentile."""
    from scipy.stats import chi2 as chi2_distribution

    n_localities = somerset.config["councils"][0]["localities"]
    assert n_localities == 71
    counts = np.bincount(somerset.people["locality"], minlength=n_localities)
    assert len(counts) == n_localities
    expected = counts.sum() / n_localities
    chi2 = float(((counts - expected) ** 2 / expected).sum())
    assert chi2 < chi2_distribution.ppf(0.9999, n_localities - 1), counts


def test_neighbouring_agents_are_uncorrelated(somerset):
    """Draws of agents with neighbouring ids: correlations of about 7,000 and 14,000 pairs have sd
    0.012 and 0.0085 under independence; 0.05 is over 4 sd."""
    premium = somerset.workers["pay_premium"].astype(np.float64)
    assert abs(np.corrcoef(premium[:-1], premium[1:])[0, 1]) < 0.05
    for column in ("need_band", "age_band", "ties", "locality"):
        x = somerset.people[column].astype(np.float64)
        assert abs(np.corrcoef(x[:-1], x[1:])[0, 1]) < 0.05, column
    # And across purposes of one agent: a person's age band and ties come from different streams.
    people = somerset.people
    r = np.corrcoef(people["ties"].astype(np.float64), people["locality"].astype(np.float64))[0, 1]
    assert abs(r) < 0.05
