"""Metamorphic relations: how the model must respond to a change of input, whatever the
calibration. Each compares two arms over the same 10 seeds (common random numbers) and tests the
paired mean difference. 'Must not raise X' fails when the mean rise is more than three standard
errors of the paired differences (a one-sided test at about the 0.1% level) plus a small
practical margin, so noise does not fail the suite and a real effect in the wrong direction does.
"""

from conftest import paired


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


def test_zero_extraction_does_not_lower_local_money(ensembles):
    base = ensembles.arm()
    none = ensembles.arm(sets=("providers.chain.extraction=0", "providers.agency.extraction=0"))
    diff, se = paired(base, none, lambda r: r.mean_after("local_retained"))
    assert diff >= -3 * se - 0.002 * base[0].mean_after("local_retained"), f"local money fell by {diff:.0f} GBP/week (se {se:.0f})"


def test_micro_enterprise_support_raises_micro_enterprise_count(ensembles):
    base = ensembles.arm()
    support = ensembles.arm(policies=("micro_enterprise_support",))
    diff, se = paired(base, support, lambda r: r.final("micro_enterprises"))
    assert diff > 3 * se and diff > 200, f"support added only {diff:.0f} enterprises (se {se:.0f})"
