"""The calibration targets of MODEL.md §9, over 10 replicates of Somerset for five years.

Replicate means are compared with target ranges; the ranges are the ones the project accepts
(issue: 'overall annual turnover within 20-35%', 'vacancy rate within 5-20%', ...). With 10
replicates the standard error of each mean is a small fraction of the range (printed on failure),
so a pass is not luck.
"""

import tomllib

import numpy as np

from conftest import REPO_ROOT, YEARS

# The accepted ranges are the calibration file's (configs/calibration/somerset.toml), where each
# target also says whether a parameter was tuned to it or it is held out.
with open(REPO_ROOT / "configs" / "calibration" / "somerset.toml", "rb") as _file:
    TARGETS = {t["name"]: t for t in tomllib.load(_file)["calibration"]["targets"]}


def accepted(name):
    low, high = TARGETS[name]["accepted"]
    return low, high


def describe(values):
    v = np.asarray(values)
    return f"mean {v.mean():.3f}, sd {v.std(ddof=1):.3f}, runs {np.round(v, 3).tolist()}"


def test_micro_enterprises_grow_with_support(ensembles):
    # Somerset with support: about 50 -> 450+ in five years (NEF & Community Catalysts 2020). Every
    # replicate must reach 400: growth is driven by the programme, not by luck. From the market as
    # built (no warm-up), where the scenario's 50 enterprises are the starting count of the target.
    runs = ensembles.arm(policies=("micro_enterprise_support",), sets=("run.warmup_weeks=0",))
    start = [r.series["micro_enterprises"][0] for r in runs]
    end = [r.final("micro_enterprises") for r in runs]
    assert all(45 <= s <= 55 for s in start), describe(start)
    assert min(end) >= accepted("micro-enterprises with support")[0], describe(end)


def test_micro_enterprises_stay_few_without_support(ensembles):
    runs = ensembles.arm()
    end = [r.final("micro_enterprises") for r in runs]
    assert max(end) < accepted("micro-enterprises without support")[1], describe(end)


def test_micro_enterprise_scale_matches_somerset(ensembles):
    # Somerset after four years: about one job and four people supported per enterprise.
    runs = ensembles.arm(policies=("micro_enterprise_support",))
    jobs = [r.series["micro_enterprise_jobs"][208] / r.series["micro_enterprises"][208] for r in runs]
    clients = [r.series["micro_enterprise_clients"][208] / r.series["micro_enterprises"][208] for r in runs]
    low, high = accepted("workers per micro-enterprise")
    assert low <= np.mean(jobs) <= high, describe(jobs)
    low, high = accepted("people supported per micro-enterprise")
    assert low <= np.mean(clients) <= high, describe(clients)


def test_overall_turnover_in_range(ensembles):
    # Skills for Care: 24.8% (2023/24) and 29.1% (2022/23); accepted 20-35%.
    turnover = [r.mean_after("turnover_rate") for r in ensembles.arm()]
    low, high = accepted("overall turnover")
    assert low <= np.mean(turnover) <= high, describe(turnover)


def test_turnover_higher_at_nlw_than_above_it(ensembles):
    # Skills for Care (Dec 2024): 37.8% at or below NLW vs 31% at least GBP 1.50 above. Paired
    # within each run, every replicate must show it. Under the NLW's yearly rises (the England
    # schedule, as in the years Skills for Care measured): with the NLW held at its 2025 value for
    # ten years, as in the bare baseline, wage reviews lift every provider above it and the group
    # at the NLW is empty (issue 15: wages rise when vacancies stay open).
    runs = ensembles.arm(policies=("../schedules/england_2025",))
    gaps = [r.mean_after("turnover_rate_nlw") - r.mean_after("turnover_rate_nlw_plus_150") for r in runs]
    assert min(gaps) > 0, describe(gaps)


def test_vacancy_rate_in_range(ensembles):
    # Home care vacancy rate about 11.5% (King's Fund 2023/24); accepted 5-20%.
    vacancy = [r.mean_after("vacancy_rate") for r in ensembles.arm()]
    low, high = accepted("vacancy rate")
    assert low <= np.mean(vacancy) <= high, describe(vacancy)


def test_agency_closures_near_one_in_seven(ensembles):
    # Allan (PSSRU): about one agency in seven closes a year; accepted 9-20% a year (a tenth of
    # an agency count of about 40 is 4 closures: replicate noise is large, the mean is not).
    closures = [r.closures_per_year(archetype=1) for r in ensembles.arm()]
    low, high = accepted("agency closures a year")
    assert low <= np.mean(closures) <= high, describe(closures)


def test_micro_enterprise_survival(ensembles):
    # About two thirds of micro-enterprises expect to last five years (NEF 2020): an annual
    # closure rate of 4-12% brackets (1 - r)^5 between 0.53 and 0.82.
    closures = [r.closures_per_year(archetype=2, kind=3) for r in ensembles.arm(policies=("micro_enterprise_support",))]
    low, high = accepted("micro-enterprise closures a year")
    assert low <= np.mean(closures) <= high, describe(closures)


def test_direct_payment_share(ensembles):
    # 25.5% of council-funded community clients hold a direct payment (ASC-FR 2023/24); accepted 18-33%.
    share = [r.final("people_direct_payment") / (r.final("people_direct_payment") + r.final("people_council_managed"))
             for r in ensembles.arm()]
    low, high = accepted("direct-payment share")
    assert low <= np.mean(share) <= high, describe(share)


def test_wellbeing_of_people_served_sits_at_the_national_ascot_level(ensembles):
    # ASCOF 1A: long-term service users in England average about 19 of 24 on the ASCOT scale
    # (Adult Social Care Survey). A tuned target (`outcomes.base`); issue 16 asks for the baseline
    # within a point of 19. Replicate sd is about 0.02 points, so a pass is not luck.
    served = [24 * r.mean_after("wellbeing_served") for r in ensembles.arm()]
    low, high = accepted("quality of life of people served")
    assert low <= np.mean(served) <= high, describe(served)
    # Everyone with need includes people waiting, refused or left with unmet hours: below those served.
    everyone = [24 * r.mean_after("wellbeing_all") for r in ensembles.arm()]
    assert all(a < s for a, s in zip(everyone, served)), describe(everyone)


def test_every_target_says_whether_it_was_tuned_or_held_out():
    # The ODD's table of tuned and held-out targets reads the same file.
    assert {t["status"] for t in TARGETS.values()} <= {"tuned", "held out"}
    assert all(t.get("source") for t in TARGETS.values())
    assert sum(t["status"] == "held out" for t in TARGETS.values()) >= 2
