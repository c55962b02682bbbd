"""Every kind of provider (MODEL.md §13, issue 18) over paired replicates of West Midlands, whose
councils run services of their own and have cooperatives and personal assistants.

Insourcing (policy `insourcing`, a fifth of council-managed hours) must bring the council's own
services to about that share, pay more of the money spent locally as wages (local money retained
rises) and cost the council more; the cooperative programme (`cooperative_support`) must found
cooperatives that stay, and raise pay. Each arm runs seeds 1..SEEDS; differences are paired by seed
(common random numbers) and judged against 3 standard errors of the paired differences.

What the model says about extraction under insourcing is reported, not asserted: with seeds 1-8 and
years 6-10 it falls by 1.2% (se 0.6%) in West Midlands and moves by +2% (se 4%) in Somerset, because
chain branches fill the capacity the kept lots free with self-funders and spot purchases (see the
closing note of issue 18 and docs/ODD.md §7.20).
"""

from __future__ import annotations

import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import h5py
import numpy as np
import pytest

from conftest import binary

SEEDS = 6
STEPS = 312  # six years: lots come up for letting over a contract length (about three)
WINDOW = slice(-104, None)  # the last two years


def region_total(f: h5py.File, name: str) -> float:
    return float(f[name][WINDOW].sum(axis=1).mean())


@pytest.fixture(scope="module")
def arms():
    folder = tempfile.TemporaryDirectory(prefix="caremarket-kinds-")

    def run(policy: str | None, seed: int) -> dict[str, float]:
        out = Path(folder.name) / f"{policy or 'base'}-{seed}.h5"
        cmd = [str(binary()), "run", "west_midlands", "--seed", str(seed), "--steps", str(STEPS), "--threads", "1",
               "-q", "-o", str(out), "--set", "output.snapshot_interval=0"]
        if policy:
            cmd += ["--policy", policy]
        subprocess.run(cmd, check=True, timeout=600)
        with h5py.File(out, "r") as f:
            managed = f["people_council_managed"][WINDOW].sum(axis=1)
            in_house = (f["in_house_share_council_hours"][WINDOW] * f["people_council_managed"][WINDOW]).sum(axis=1)
            kinds = f["events/providers/archetype"].attrs["flag_meanings"].split()
            founded = f["events/providers/kind"][:] == 2
            return {
                "local_retained": region_total(f, "local_retained"),
                "extraction": region_total(f, "extraction"),
                "council_spend": region_total(f, "council_spend"),
                "mean_wage": float(f["mean_wage"][WINDOW].mean()),
                "in_house_share": float((in_house / managed).mean()),
                "cooperatives": float(f["providers_cooperative"][-1].sum()),
                "cooperatives_founded": float(f["cooperatives_founded"][:].sum()),
                "cooperative_foundings_logged": float(
                    (founded & (f["events/providers/archetype"][:] == kinds.index("cooperative"))).sum()),
            }

    jobs = [(policy, seed) for policy in (None, "insourcing", "cooperative_support") for seed in range(1, SEEDS + 1)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        values = list(pool.map(lambda job: run(*job), jobs))
    folder.cleanup()
    out = {}
    for (policy, _), v in zip(jobs, values):
        out.setdefault(policy or "baseline", []).append(v)
    return out


def paired(arms, policy: str, measure: str, relative: bool = True) -> tuple[float, float]:
    base = np.array([v[measure] for v in arms["baseline"]])
    arm = np.array([v[measure] for v in arms[policy]])
    d = (arm - base) / base if relative else arm - base
    return float(d.mean()), float(d.std(ddof=1) / np.sqrt(len(d)))


def test_insourcing_reaches_its_share_lot_by_lot(arms):
    shares = np.array([v["in_house_share"] for v in arms["insourcing"]])
    base = np.array([v["in_house_share"] for v in arms["baseline"]])
    # The baseline's own services (Birmingham's and Wolverhampton's) hold a little; the policy keeps
    # whole lots until the share is as near a fifth as the lots allow (one lot is 8-33% of a council).
    assert (base < 0.05).all(), base
    assert (np.abs(shares - 0.2) < 0.06).all(), shares


def test_insourcing_costs_the_council_more_and_keeps_no_less_money_local(arms):
    mean, se = paired(arms, "insourcing", "council_spend")
    assert mean > 3 * se, f"council spend {mean:+.2%} (se {se:.2%})"
    # On the synthetic ring of version 1 the local money rose clearly. On real distances the council's
    # service serves whole lots, patches of neighbouring small areas: its trips shorten (travel per
    # contact hour about 6.6 to 2.1 minutes), and the travel it pays its staff for no longer adds to
    # the wages that stay local, so the gain goes (-0.02%, se 0.10%, six seeds; spend +1.1%, se
    # 0.06%). It must not turn into a loss.
    mean, se = paired(arms, "insourcing", "local_retained")
    assert mean > -3 * se, f"local money retained {mean:+.2%} (se {se:.2%})"


def test_the_cooperative_programme_founds_cooperatives_and_raises_pay(arms):
    founded = np.array([v["cooperatives_founded"] for v in arms["cooperative_support"]])
    logged = np.array([v["cooperative_foundings_logged"] for v in arms["cooperative_support"]])
    # Two developers per council, 1.5 a year each, seven councils, six years: 126 expected.
    assert (np.abs(founded - 126) < 4 * np.sqrt(126)).all(), founded
    assert (logged == founded).all()  # each founding is an event of its kind
    standing = np.array([v["cooperatives"] for v in arms["cooperative_support"]])
    assert (standing > 0.5 * founded).all(), (standing, founded)  # most stay
    mean, se = paired(arms, "cooperative_support", "mean_wage")
    assert mean > 3 * se, f"mean wage {mean:+.2%} (se {se:.2%})"
