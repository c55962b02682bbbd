"""The region as one market (MODEL.md §14, issue 18): West Midlands' seven councils share chain
groups and a commuting zone.

A group's failure must raise people waiting in every council where it had branches, and, while
councils are coupled only through shared groups (commuting off: labour.commute_share = 0), leave
every other council's trajectory exactly as it was: streams are keyed by the council an agent was
created in. Paired replicates: each seed runs with and without a `group_failure` shock of group 0 at
week 60; the snapshot at week 59 says where the group had open branches.

A pay rise by Birmingham's providers (its council's own pay floor, [[councils]] pay_floor) must
lower its neighbours' workforce through the shared labour market, and leave them exactly as they
were without it (no commuting zone). Paired replicates: each seed with and without the floor.
"""

from __future__ import annotations

import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import h5py
import numpy as np
import pytest

from conftest import REPLICATES, binary

FAIL_WEEK = 60
WEEKS_AFTER = 12
CHAIN_GROUP_BASE = 1 << 30  # providers' `group` of chain group 0 (agents/providers.hpp kChainGroupBase)


@pytest.fixture(scope="module")
def group_failure():
    """Per seed: (councils with an open branch of group 0 at week 59, the paired difference in
    people_waiting per council over the 12 weeks from the failure, and the same over weeks 1-59)."""
    date = np.datetime64("2025-04-01") + np.timedelta64(7 * FAIL_WEEK, "D")
    folder = tempfile.TemporaryDirectory(prefix="caremarket-region-")
    shock = Path(folder.name) / "group_failure.toml"
    shock.write_text(f'[[shocks]]\nkind = "group_failure"\ndate = {date}\ngroup = 0\n')

    def run(seed: int, policy: Path | None) -> Path:
        out = Path(folder.name) / f"{seed}-{'shock' if policy else 'base'}.h5"
        cmd = [str(binary()), "run", "west_midlands", "--seed", str(seed), "--steps", str(FAIL_WEEK + WEEKS_AFTER),
               "--threads", "1", "-q", "-o", str(out), "--set", f"output.snapshot_interval={FAIL_WEEK - 1}",
               "--set", "labour.commute_share=0"]
        if policy:
            cmd += ["--policy", str(policy)]
        subprocess.run(cmd, check=True, timeout=600)
        return out

    def one(seed: int):
        base, shocked = run(seed, None), run(seed, shock)
        with h5py.File(base, "r") as a, h5py.File(shocked, "r") as b:
            providers = a[f"snapshots/week_{FAIL_WEEK - 1:06d}/providers"]
            councils = set(providers["council"][providers["group"][:] == CHAIN_GROUP_BASE].tolist())
            after = (b["people_waiting"][FAIL_WEEK:] - a["people_waiting"][FAIL_WEEK:]).mean(axis=0)
            before = np.abs(b["people_waiting"][:FAIL_WEEK] - a["people_waiting"][:FAIL_WEEK]).max(axis=0)
            names = a["council_name"].asstr()[()].tolist()
        return councils, after, before, names

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(one, range(1, REPLICATES + 1)))
    folder.cleanup()
    return results


def test_nothing_differs_before_the_failure(group_failure):
    for councils, after, before, names in group_failure:
        assert (before == 0).all(), dict(zip(names, before))


def test_a_group_failure_raises_waiting_in_every_council_where_it_had_branches(group_failure):
    names = group_failure[0][3]
    for c, name in enumerate(names):
        hit = np.array([after[c] for councils, after, _, _ in group_failure if c in councils])
        if len(hit) < 3:
            continue  # the group rarely had a branch there: too few pairs to judge
        mean, se = hit.mean(), hit.std(ddof=1) / np.sqrt(len(hit))
        assert mean > 3 * se and mean > 1, f"{name}: +{mean:.1f} waiting (se {se:.1f}, {len(hit)} seeds)"
    # Every council had the group in at least three seeds, so each was judged.
    seen = [sum(c in councils for councils, *_ in group_failure) for c in range(len(names))]
    assert min(seen) >= 3, dict(zip(names, seen))


def test_councils_without_its_branches_barely_move(group_failure):
    # With commuting off, a council where the group had no branch is reached only through the other
    # groups' books (their share of the region's hours, their pooled margins), and every draw is keyed
    # by the council an agent was created in: its waiting list moves by a small fraction of the
    # failure's effect where the group had branches (in seeds 1-10 it did not move at all).
    hit, untouched = [], []
    for councils, after, _, names in group_failure:
        for c in range(len(names)):
            (hit if c in councils else untouched).append(abs(after[c]))
    assert untouched, "the group had branches everywhere in every seed: the test tested nothing"
    assert np.mean(untouched) < 0.1 * np.mean(hit), (np.mean(untouched), np.mean(hit))


# --- A wage rise in one council and the shared labour market ---------------------------------

PAY_FLOOR = 14.0  # GBP/h in Birmingham: above every archetype's default wage but the micro-enterprises'
PAY_STEPS = 312  # six years: the neighbours' loss builds over the first three
LAST_YEARS = 156  # weeks at the end over which workforces are compared
PAY_SEEDS = 6  # the effect is about 5 standard errors of 6 paired seeds (40 workers lost, se about 9)


def scenario_with(folder: Path, name: str, floor: float | None, zones: bool) -> Path:
    """West Midlands with Birmingham's pay floor; without the commuting zone also without shared
    chain groups (each branch its own firm), so nothing couples the councils."""
    text = (Path(__file__).resolve().parents[2] / "configs" / "scenarios" / "west_midlands.toml").read_text()
    if floor is not None:
        text = text.replace('name = "Birmingham"\n', f'name = "Birmingham"\npay_floor = {floor}\n', 1)
    if not zones:
        text = "\n".join(line for line in text.splitlines() if not line.startswith("commuting_zone"))
        text = text.replace("chain_groups = 8", "chain_groups = 0")
    path = folder / f"{name}.toml"
    path.write_text(text)
    return path


@pytest.fixture(scope="module")
def pay_rise():
    """Per seed: the paired difference (floor minus none) in each council's mean workforce over the
    last three years, with commuting; and whether, without commuting zones, any council other than
    Birmingham differs at all (seed 1 only)."""
    folder = tempfile.TemporaryDirectory(prefix="caremarket-pay-")
    root = Path(folder.name)
    arms = {"base": scenario_with(root, "base", None, True), "floor": scenario_with(root, "floor", PAY_FLOOR, True),
            "base_alone": scenario_with(root, "base_alone", None, False),
            "floor_alone": scenario_with(root, "floor_alone", PAY_FLOOR, False)}

    def run(arm: str, seed: int) -> Path:
        out = root / f"{arm}-{seed}.h5"
        subprocess.run([str(binary()), "run", str(arms[arm]), "--seed", str(seed), "--steps", str(PAY_STEPS), "--threads",
                        "1", "-q", "-o", str(out), "--set", "output.snapshot_interval=0", "--set", "output.events=false"],
                       check=True, timeout=600)
        return out

    def one(seed: int):
        base, floor = run("base", seed), run("floor", seed)
        with h5py.File(base, "r") as a, h5py.File(floor, "r") as b:
            diff = b["workers"][-LAST_YEARS:].mean(axis=0) - a["workers"][-LAST_YEARS:].mean(axis=0)
            commuters_in = b["commuters_in"][:].sum(axis=0) - a["commuters_in"][:].sum(axis=0)
            names = a["council_name"].asstr()[()].tolist()
        return diff, commuters_in, names

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(one, range(1, PAY_SEEDS + 1)))
        alone = list(pool.map(lambda arm: run(arm, 1), ["base_alone", "floor_alone"]))
    untouched = {}
    with h5py.File(alone[0], "r") as a, h5py.File(alone[1], "r") as b:
        for name in ("workers", "people_waiting", "mean_wage", "extraction"):
            untouched[name] = bool(np.array_equal(a[name][:, 1:], b[name][:, 1:]))
        birmingham_changed = not np.array_equal(a["mean_wage"][:, 0], b["mean_wage"][:, 0])
    folder.cleanup()
    return results, untouched, birmingham_changed


def test_a_pay_rise_in_birmingham_draws_staff_from_its_neighbours(pay_rise):
    results, _, _ = pay_rise
    names = results[0][2]
    diffs = np.array([d for d, _, _ in results])  # seeds × councils
    arrivals = np.array([c for _, c, _ in results])
    # More seekers from the zone take Birmingham's better-paid jobs in every seed.
    assert (arrivals[:, 0] > 0).all(), arrivals[:, 0]
    # The six neighbours together lose workers: mean below zero by more than 3 standard errors of
    # the paired differences (their spread across seeds is the replicate error).
    neighbours = diffs[:, 1:].sum(axis=1)
    mean, se = neighbours.mean(), neighbours.std(ddof=1) / np.sqrt(len(neighbours))
    assert mean < -3 * se, f"neighbours' workforce {mean:+.1f} (se {se:.1f})"
    # ... and each of them on average.
    for c in range(1, len(names)):
        assert diffs[:, c].mean() < 0, f"{names[c]}: {diffs[:, c].mean():+.1f} workers"


def test_without_a_shared_market_the_neighbours_are_exactly_as_they_were(pay_rise):
    # The floor changes Birmingham; with no shared labour market and no shared chain groups nothing
    # couples the councils, so every other council's series are bit for bit the same.
    _, untouched, birmingham_changed = pay_rise
    assert birmingham_changed
    assert all(untouched.values()), untouched
