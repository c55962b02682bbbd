"""Metamorphic relations: how the model must respond to a change of input, whatever the
calibration. Each compares two arms over the same 10 seeds (common random numbers) and tests the
paired mean difference. 'Must not raise X' fails when the mean rise is more than three standard
errors of the paired differences (a one-sided test at about the 0.1% level) plus a small
practical margin, so noise does not fail the suite and a real effect in the wrong direction does.
"""

import numpy as np

from conftest import REPLICATES, paired


def test_higher_wage_floor_does_not_raise_turnover(ensembles):
    base = ensembles.arm(sets=("commissioning.wage_floor=12.60",))
    higher = ensembles.arm(sets=("commissioning.wage_floor=13.50",))
    diff, se = paired(base, higher, lambda r: r.mean_after("turnover_rate"))
    assert diff <= 3 * se + 0.005, f"turnover rose by {diff:.4f} (se {se:.4f})"


def test_larger_budget_does_not_raise_unmet_need(ensembles):
    base = ensembles.arm()
    richer = ensembles.arm(sets=("commissioning.budget_multiplier=1.3",))
    diff, se = paired(base, richer, lambda r: r.mean_after("hours_unmet"))
    assert diff <= 3 * se + 50, f"unmet hours rose by {diff:.1f} h/week (se {se:.1f})"


def test_tighter_budget_creates_waiting_lists(ensembles):
    # The converse, so that the budget relation above is not vacuous.
    base = ensembles.arm()
    poorer = ensembles.arm(sets=("commissioning.budget_multiplier=0.7",))
    diff, se = paired(base, poorer, lambda r: r.mean_after("people_waiting"))
    assert diff > 3 * se and diff > 100, f"waiting rose by only {diff:.1f} (se {se:.1f})"


def test_lowest_price_ends_with_higher_chain_share_than_collaborative(ensembles):
    lowest = ensembles.arm(policies=("lowest_price",))
    collaborative = ensembles.arm(policies=("collaborative",))
    diff, se = paired(collaborative, lowest, lambda r: r.final("chain_share_council_hours"))
    assert diff > 3 * se and diff > 0.05, f"chain share gap {diff:.3f} (se {se:.3f})"


def test_prevention_does_not_speed_need_growth(ensembles):
    base = ensembles.arm()
    prevention = ensembles.arm(policies=("prevention",))
    growth = lambda r: r.final("hours_needed") - r.series["hours_needed"][0]
    diff, se = paired(base, prevention, growth)
    assert diff <= 3 * se + 100, f"need grew faster by {diff:.1f} h/week (se {se:.1f})"


def test_zero_chain_extraction_raises_local_money_and_leaves_prices(ensembles):
    # Extraction is a share of the surplus (MODEL.md §11), not priced into bids: with none, the
    # chains' surplus stays in the region and the price the council pays does not fall. (Replaces
    # "does not lower local money", which passed while zero extraction mostly lowered prices.)
    base = ensembles.arm()
    none = ensembles.arm(sets=("providers.chain.extraction=0",))
    diff, se = paired(base, none, lambda r: r.mean_after("local_retained"))
    assert diff > 3 * se and diff > 0, f"local money changed by {diff:+.0f} GBP/week (se {se:.0f})"
    price, price_se = paired(base, none, lambda r: r.mean_after("price_per_hour"))
    assert abs(price) <= 3 * price_se + 0.05, f"the council's price moved by {price:+.3f} GBP/h (se {price_se:.3f})"


def test_micro_enterprise_support_raises_micro_enterprise_count(ensembles):
    base = ensembles.arm()
    support = ensembles.arm(policies=("micro_enterprise_support",))
    diff, se = paired(base, support, lambda r: r.final("micro_enterprises"))
    assert diff > 3 * se and diff > 200, f"support added only {diff:.0f} enterprises (se {se:.0f})"


# --- Fees reach pay and capacity follows demand (MODEL.md §11, §17) -------------------------------


def test_price_floor_raises_wages_and_lowers_turnover(ensembles):
    # A price floor above what providers ask reaches pay through their wage reviews
    # (wages.pass_through), and higher pay lowers the quit hazard.
    base = ensembles.arm()
    floor = ensembles.arm(sets=("commissioning.price_floor=28",))
    wage, wage_se = paired(base, floor, lambda r: r.mean_after("mean_wage"))
    assert wage > 3 * wage_se and wage > 0.10, f"mean wage rose by only {wage:.3f} GBP/h (se {wage_se:.3f})"
    turnover, turnover_se = paired(base, floor, lambda r: r.mean_after("turnover_rate"))
    assert turnover < -3 * turnover_se, f"turnover changed by {turnover:+.4f} (se {turnover_se:.4f})"


def test_wage_floor_raises_price_and_spend(ensembles):
    base = ensembles.arm(sets=("commissioning.wage_floor=12.60",))
    higher = ensembles.arm(sets=("commissioning.wage_floor=13.50",))
    price, price_se = paired(base, higher, lambda r: r.mean_after("price_per_hour"))
    assert price > 3 * price_se and price > 0.2, f"price rose by only {price:.3f} GBP/h (se {price_se:.3f})"
    spend, spend_se = paired(base, higher, lambda r: r.mean_after("council_spend"))
    assert spend > 3 * spend_se, f"spend changed by {spend:+.0f} GBP/week (se {spend_se:.0f})"


def test_vacancies_and_waiting_rise_together_when_labour_is_short(ensembles):
    # Half the recruits from outside care: people wait for lack of staff, and the packages they are
    # offered become vacancies (offered_hours), so the vacancy rate rises with the waiting list.
    base = ensembles.arm()
    short = ensembles.arm(sets=("labour.fill_per_week=0.0047",))
    waiting, waiting_se = paired(base, short, lambda r: r.mean_after("people_waiting"))
    assert waiting > 3 * waiting_se and waiting > 20, f"waiting rose by only {waiting:.1f} (se {waiting_se:.1f})"
    vacancy, vacancy_se = paired(base, short, lambda r: r.mean_after("vacancy_rate"))
    assert vacancy > 3 * vacancy_se, f"vacancy rate changed by {vacancy:+.4f} (se {vacancy_se:.4f})"



def test_tighter_eligibility_raises_the_unmet_need_of_everyone_with_need(ensembles):
    # Refused people's need still counts (hours_unmet_all, MODEL.md §16): tightening eligibility to
    # band 3 moves people off council care and their unmet hours up. (hours_unmet counts only people
    # with a route, and could not show it.)
    base = ensembles.arm()
    tighter = ensembles.arm(sets=("eligibility.eligible_band=3",))
    unmet, unmet_se = paired(base, tighter, lambda r: r.mean_after("hours_unmet_all"))
    assert unmet > 3 * unmet_se and unmet > 1000, f"unmet hours of everyone rose by only {unmet:.0f} (se {unmet_se:.0f})"
    refused, refused_se = paired(base, tighter, lambda r: r.mean_after("people_refused"))
    assert refused > 3 * refused_se and refused > 500, f"refused rose by only {refused:.0f} (se {refused_se:.0f})"
    # Wellbeing of everyone with need falls with them (MODEL.md §18: composition must not pass for an
    # effect): the people refused lose their care, whatever happens to the wellbeing of those still served.
    everyone, everyone_se = paired(base, tighter, lambda r: 24 * r.mean_after("wellbeing_all"))
    assert everyone < -3 * everyone_se, f"ASCOT of everyone with need moved by {everyone:+.3f} (se {everyone_se:.3f})"


# --- Micro-enterprises follow demand (MODEL.md §11, §17) ------------------------------------------


def test_accreditation_alone_grows_micro_enterprises(ensembles):
    # Accreditation opens council-managed work to micro-enterprises: with no support programme, they
    # hire for it. In the real Somerset (71 small areas, reach 20 minutes, an older population) the
    # council's packages are larger than the private ones they replace, so their clients hardly move
    # (-2.6, se 1.7 over twenty seeds) while their jobs rise (+4.7, se 0.6); on the synthetic ring of
    # version 1 the clients rose by about 20 (se 7.5). MODEL.md §17 names clients: jobs are what
    # grows here, and clients must not fall.
    base = ensembles.arm(replicates=2 * REPLICATES)
    accredited = ensembles.arm(sets=("commissioning.accredit_micro=true",), replicates=2 * REPLICATES)
    jobs, jobs_se = paired(base, accredited, lambda r: r.mean_after("micro_enterprise_jobs"))
    assert jobs > 3 * jobs_se and jobs > 0, f"micro-enterprise jobs changed by {jobs:+.1f} (se {jobs_se:.1f})"
    clients, clients_se = paired(base, accredited, lambda r: r.mean_after("micro_enterprise_clients"))
    assert clients > -3 * clients_se, f"micro-enterprise clients fell by {clients:+.0f} (se {clients_se:.0f})"


def test_support_without_demand_founds_few_lasting_enterprises(ensembles):
    # The support programme with nothing that makes people choose micro-enterprises (they cost twice
    # as much to run and buyers give no weight to relational care or quality): founders rarely go
    # ahead and those that do find no clients, so at year 5 there are fewer than half as many as
    # with the same support where there is demand. (Before version 2 founding followed the
    # coordinators alone: the count reached 459 of 484.)
    supported = ensembles.arm(policies=("micro_enterprise_support",))
    no_demand = ensembles.arm(policies=("micro_enterprise_support",),
                              sets=("providers.micro.wage=28", "choice.relational_weight=0",
                                    "choice.quality_weight=0"))
    with_demand = [r.final("micro_enterprises") for r in supported]
    without = [r.final("micro_enterprises") for r in no_demand]
    assert max(without) < 0.5 * min(with_demand), f"with demand {with_demand}, without {without}"


# --- Contract terms (MODEL.md §18, issue 16) ------------------------------------------------------


def test_guaranteed_hours_lower_zero_hours_and_turnover_and_raise_cost(ensembles):
    # Holders guarantee 80% of the rostered week: their staff leave zero-hours contracts (lower
    # share, no zero-hours quit factor) and are paid for hours and travel they did not bill.
    base = ensembles.arm()
    terms = ensembles.arm(sets=("commissioning.contract_guaranteed_hours=0.8",))
    zero, zero_se = paired(base, terms, lambda r: r.mean_after("zero_hours_share"))
    assert zero < -3 * zero_se and zero < -0.05, f"zero-hours share changed by {zero:+.4f} (se {zero_se:.4f})"
    turnover, turnover_se = paired(base, terms, lambda r: r.mean_after("turnover_rate"))
    assert turnover < -3 * turnover_se, f"turnover changed by {turnover:+.4f} (se {turnover_se:.4f})"
    cost, cost_se = paired(base, terms, lambda r: r.mean_after("cost_per_hour_delivered"))
    assert cost > 3 * cost_se, f"cost per hour changed by {cost:+.3f} GBP/h (se {cost_se:.3f})"


def test_paid_travel_raises_effective_pay(ensembles):
    base = ensembles.arm()
    travel = ensembles.arm(sets=("commissioning.contract_paid_travel=true",))
    pay, pay_se = paired(base, travel, lambda r: r.mean_after("mean_effective_pay"))
    assert pay > 3 * pay_se and pay > 0.10, f"effective pay rose by only {pay:.3f} GBP/h (se {pay_se:.3f})"


def test_minimum_visit_length_lowers_stress(ensembles):
    base = ensembles.arm()
    visits = ensembles.arm(sets=("commissioning.contract_min_visit_minutes=30",))
    stress, stress_se = paired(base, visits, lambda r: r.mean_after("mean_stress"))
    assert stress < -3 * stress_se, f"stress changed by {stress:+.4f} (se {stress_se:.4f})"


# --- Quality-weighted letting without artefacts (issue 16 item 5, MODEL.md §18) -------------------


def test_quality_weighted_letting_does_not_multiply_handbacks_or_spot_purchases(ensembles):
    # Version 1 handed back twice to three times the baseline's contracts under quality_weighted over
    # ten years (16 -> 52 in the issue; 40 -> 80 over these ten seeds at f0ca3da), nearly all of them
    # strategic bids at the hand-back floor that a float's rounding, then the first rise in cost, put
    # under it. Ten-year runs: over five the artefact was still within 1.5x (15 -> 22). Hand-backs are
    # counted over the ten runs after the warm-up; since they are now rare, a count up to 3 (the 95%
    # upper Poisson limit for an observed zero) passes whatever the baseline's. Spot purchases: the
    # mean share of council-managed hours bought spot over the last year.
    steps = 520
    base = ensembles.arm(steps=steps)
    weighted = ensembles.arm(policies=("quality_weighted",), steps=steps)
    base_handbacks = sum(float(r.series["handbacks"][1:].sum()) for r in base)
    weighted_handbacks = sum(float(r.series["handbacks"][1:].sum()) for r in weighted)
    assert weighted_handbacks <= max(1.5 * base_handbacks, 3), (
        f"hand-backs: quality_weighted {weighted_handbacks:.0f}, baseline {base_handbacks:.0f} (ten runs)")
    base_spot = np.mean([np.mean(r.series["spot_share_council_hours"][-52:]) for r in base])
    weighted_spot = np.mean([np.mean(r.series["spot_share_council_hours"][-52:]) for r in weighted])
    assert weighted_spot <= 1.5 * base_spot, f"spot share: quality_weighted {weighted_spot:.3f}, baseline {base_spot:.3f}"


# --- Hospital discharge (issue 16 item 2, MODEL.md §18) ------------------------------------------

# The shipped layer's split of incidence (configs/policies/hospital_discharge.toml): 2 per 1000 adults
# a year develop need at home, 3 arrive from hospital.
DISCHARGE = ("need.incidence_per_1000_adults=2", "need.discharge_per_1000_adults=3")


def test_more_discharges_raise_delayed_discharges_and_waiting(ensembles):
    # A third more referrals from hospital (3 -> 4 per 1000 adults a year) with the same reablement
    # places: more of them wait in hospital for a provider with staff to start now, and more people
    # wait in all (Somerset seeds 1-5, ten years: delayed 0.2 -> 67, waiting 1.7 -> 72).
    base = ensembles.arm(sets=DISCHARGE)
    more = ensembles.arm(sets=("need.incidence_per_1000_adults=2", "need.discharge_per_1000_adults=4"))
    delayed, delayed_se = paired(base, more, lambda r: r.mean_after("discharge_delayed"))
    assert delayed > 3 * delayed_se and delayed > 5, f"delayed discharges rose by {delayed:.1f} (se {delayed_se:.1f})"
    waiting, waiting_se = paired(base, more, lambda r: r.mean_after("people_waiting"))
    assert waiting > 3 * waiting_se and waiting > 5, f"people waiting rose by {waiting:.1f} (se {waiting_se:.1f})"
    cost, cost_se = paired(base, more, lambda r: r.mean_after("nhs_delay_cost"))
    assert cost > 3 * cost_se, f"the NHS cost of delays rose by {cost:.0f} (se {cost_se:.0f})"


def test_more_reablement_places_lower_delayed_discharges(ensembles):
    # Half the reablement places (20 -> 10 per 100k adults): more referrals go straight to the queue
    # for a package, and more wait in hospital; the reverse of the shipped capacity's effect.
    fewer = ensembles.arm(sets=DISCHARGE + ("discharge.reablement_places_per_100k_adults=10",))
    shipped = ensembles.arm(sets=DISCHARGE)
    delayed, delayed_se = paired(fewer, shipped, lambda r: r.mean_after("discharge_delayed"))
    assert delayed < -3 * delayed_se and delayed < -5, (
        f"delayed discharges moved by {delayed:+.1f} (se {delayed_se:.1f}) with twice the reablement places")
    independent, independent_se = paired(fewer, shipped, lambda r: r.mean_after("reablement_independent"))
    assert independent > 3 * independent_se, f"independence after reablement rose by {independent:.2f}"


# --- The means test over time (issue 16 item 3, MODEL.md §18) -------------------------------------

TEN_YEARS = 520


def council_funded(run, week: int = 52) -> float:
    return run.mean_after("people_council_managed", week) + run.mean_after("people_direct_payment", week)


def test_raised_capital_limits_fund_more_people_and_spend_more(ensembles):
    # The 2021 reform's limits (upper £100,000, lower £20,000: configs/policies/capital_limits_raised.toml)
    # against today's, over ten years: the council funds everyone with eligible need and capital up
    # to £100,000, so more people are council-funded, fewer self-fund, and the council spends more.
    base = ensembles.arm(steps=TEN_YEARS)
    raised = ensembles.arm(policies=("capital_limits_raised",), steps=TEN_YEARS)
    funded, funded_se = paired(base, raised, council_funded)
    assert funded > 3 * funded_se and funded > 100, f"council-funded people moved by {funded:+.0f} (se {funded_se:.0f})"
    selfs, selfs_se = paired(base, raised, lambda r: r.mean_after("people_self_funded"))
    assert selfs < -3 * selfs_se, f"self-funders moved by {selfs:+.0f} (se {selfs_se:.0f})"
    spend, spend_se = paired(base, raised, lambda r: r.mean_after("council_spend"))
    assert spend > 3 * spend_se and spend > 0, f"council spend moved by {spend:+.0f} a week (se {spend_se:.0f})"
    private, private_se = paired(base, raised, lambda r: r.mean_after("self_funder_spend"))
    assert private < -3 * private_se, f"self-funders' spending moved by {private:+.0f} a week (se {private_se:.0f})"


def test_frozen_capital_limits_fund_fewer_people_than_limits_raised_with_prices(ensembles):
    # Under the dated England schedule wages and prices rise in cash every April. Limits frozen at
    # £23,250 / £14,250 (as since 2010) against limits raised with prices (2-3% a year:
    # configs/schedules/capital_limits_uprated.toml): frozen, the upper limit falls behind, so over
    # years 6-10 fewer people are council-funded, more self-fund, and the council spends less.
    dated = ("../schedules/england_2025",)
    frozen = ensembles.arm(policies=dated, steps=TEN_YEARS)
    uprated = ensembles.arm(policies=dated + ("../schedules/capital_limits_uprated",), steps=TEN_YEARS)
    later = 5 * 52
    funded, funded_se = paired(frozen, uprated, lambda r: council_funded(r, later))
    assert funded > 3 * funded_se and funded > 0, (
        f"limits raised with prices moved council-funded people by {funded:+.1f} (se {funded_se:.1f})")
    selfs, selfs_se = paired(frozen, uprated, lambda r: r.mean_after("people_self_funded", later))
    assert selfs < -3 * selfs_se, f"self-funders moved by {selfs:+.1f} (se {selfs_se:.1f})"
    spend, spend_se = paired(frozen, uprated, lambda r: r.mean_after("council_spend", later))
    assert spend > 3 * spend_se, f"council spend moved by {spend:+.0f} a week (se {spend_se:.0f})"
    # Over ten years of frozen limits, care costs rise in cash and self-funders reach the upper limit
    # faster: years 6-10 against 1-5, +0.56 a week, paired against the real-terms baseline, where it
    # stays level (+0.002): the part of the trend the freeze explains. More people are also
    # council-funded in year 10 than in year 1 (+457), with more spend: the issue's "frozen
    # thresholds over ten years -> more people council-funded and spend up". That trend has other
    # causes too (the real-terms baseline's need grows, +380), so it is asserted as a trend only;
    # the paired comparison above is the freeze's effect (seeds 1-10).
    def faster(r):
        series = r.series["spent_down_to_upper_limit"]
        return series[later + 1:].mean() - series[1:later + 1].mean()

    def year(r, name, k):
        return r.series[name][52 * (k - 1) + 1:52 * k + 1].mean()

    speed, speed_se = paired(ensembles.arm(steps=TEN_YEARS), frozen, faster)
    assert speed > 3 * speed_se, f"spending down sped up by {speed:+.2f} a week more than in real terms (se {speed_se:.2f})"
    grew = np.array([sum(year(r, n, 10) - year(r, n, 1) for n in ("people_council_managed", "people_direct_payment"))
                     for r in frozen])
    assert grew.mean() > 3 * grew.std(ddof=1) / np.sqrt(len(grew)), f"council-funded people grew by {grew.mean():+.0f}"
    spend_grew = np.array([year(r, "council_spend", 10) - year(r, "council_spend", 1) for r in frozen])
    assert spend_grew.mean() > 3 * spend_grew.std(ddof=1) / np.sqrt(len(spend_grew))


def test_a_care_cap_funds_more_people_and_spends_more(ensembles):
    # A lifetime cap of £86,000 on what a person spends on eligible care, from the start, against no
    # cap: over ten years self-funders with capital to spare reach it, and the council then pays their
    # care in full: more people council-funded, fewer self-funders, more council spend, and less
    # paid by self-funders.
    base = ensembles.arm(steps=TEN_YEARS)
    capped = ensembles.arm(sets=("eligibility.care_cap=86000",), steps=TEN_YEARS)
    reached = np.array([r.series["reached_care_cap"][1:].sum() for r in capped])
    assert reached.min() > 0, f"people reaching the cap in ten years, by seed: {reached.tolist()}"
    assert all(r.series["reached_care_cap"].sum() == 0 for r in base)
    funded, funded_se = paired(base, capped, council_funded)
    assert funded > 3 * funded_se and funded > 0, f"council-funded people moved by {funded:+.1f} (se {funded_se:.1f})"
    selfs, selfs_se = paired(base, capped, lambda r: r.mean_after("people_self_funded"))
    assert selfs < -3 * selfs_se, f"self-funders moved by {selfs:+.1f} (se {selfs_se:.1f})"
    spend, spend_se = paired(base, capped, lambda r: r.mean_after("council_spend"))
    assert spend > 3 * spend_se, f"council spend moved by {spend:+.0f} a week (se {spend_se:.0f})"
    private, private_se = paired(base, capped, lambda r: r.mean_after("self_funder_spend"))
    assert private < -3 * private_se, f"self-funders' spending moved by {private:+.0f} a week (se {private_se:.0f})"

