"""Rule-level tests (mirror of tests/cpp/test_rules.cpp, issue 13 item 5): each rule of docs/ODD.md §7
on a small hand-built market, through caremarket._core._RuleMarket (bindings/src/register_rules.cpp):
a market built from a one-council scenario, columns set by hand, one rule called, what it did
compared with the ODD. Two small pure-Python references are checked against the C++: tender
scoring and ranking (agents/tendering.cpp) and the quit hazard with its clock's chance
(agents/retention.hpp).

Statistical tests compare a count with its expectation under the ODD's rule: a binomial or Poisson
count lies within four standard deviations of its expectation unless the rule's chance is wrong (a
false alarm has probability about 6e-5; the seeds are fixed, so each test is deterministic).

Run with:  CAREMARKET_PYTHONPATH=<build>/python /usr/bin/python3 -m pytest -q tests/python/test_rules.py
"""

from __future__ import annotations

import math
import random
import tomllib

import numpy as np
import pytest

CHAIN, AGENCY, MICRO = 0, 1, 2
ARCHETYPES = ("chain", "agency", "micro")
NONE, SELF_FUNDER, COUNCIL_MANAGED, DIRECT_PAYMENT = 0, 1, 2, 3
PLACEMENT_NONE, CONTRACT, SPOT, PRIVATE = 0, 1, 2, 3
NO_AGENT = -1
HANDBACK_EVENT, EXIT_EVENT = 4, 1


@pytest.fixture(scope="module")
def core(caremarket_pkg):
    return caremarket_pkg._core


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    return repr(value)


def scenario_text(*, localities=1, people=0, workers=0, chains=0, agencies=0, micros=0, adults=100, budget=1000,
                  **params) -> str:
    """One council ("Hand") of the size asked for, one locality per lot; params maps dotted keys
    (``commissioning.mode``) to values, every other parameter at its default."""
    tables: dict[str, dict[str, object]] = {"commissioning": {"lot_size": 1}}
    for key, value in params.items():
        table, _, name = key.replace("__", ".").rpartition(".")
        tables.setdefault(table, {})[name] = value
    lines = [
        "[[councils]]", 'name = "Hand"', f"localities = {localities}", f"adults_thousands = {adults}", f"people = {people}",
        f"workers = {workers}", f"chains = {chains}", f"agencies = {agencies}", f"micro_enterprises = {micros}",
        f"budget_million = {budget}", "chain_groups = 0",
    ]
    for table, values in tables.items():
        lines.append(f"[{table}]")
        lines += [f"{name} = {_toml_value(value)}" for name, value in values.items()]
    return "\n".join(lines) + "\n"


class Hand:
    """A _RuleMarket with column helpers, and the resolved parameters of its scenario."""

    def __init__(self, core, seed: int = 11, **kwargs):
        self.core = core
        self.kwargs = kwargs
        self.scenario = core.load_scenario_text(scenario_text(**kwargs), "test_rules")
        self.params = tomllib.loads(self.scenario.resolved_toml)
        self.rm = core._RuleMarket(self.scenario, seed)

    def respec(self, **params) -> None:
        """The same market, with parameters changed (nothing is rebuilt)."""
        self.scenario = self.core.load_scenario_text(scenario_text(**{**self.kwargs, **params}), "test_rules")
        self.params = tomllib.loads(self.scenario.resolved_toml)
        self.rm.respec(self.scenario)

    def get(self, table: str, name: str) -> np.ndarray:
        return self.rm.column(table, name)

    def set(self, table: str, name: str, rows, values) -> None:
        column = self.get(table, name)
        column[rows] = values
        self.rm.set_column(table, name, column)

    def rows(self, table: str, archetype: int | None = None) -> np.ndarray:
        rows = self.rm.council_rows(table, 0)
        rows = rows[self.get(table, "alive")[rows] != 0]
        if archetype is not None:
            rows = rows[self.get("providers", "archetype")[rows] == archetype]
        return rows

    def ids(self, rows) -> np.ndarray:
        return self.get("providers", "id")[rows]

    def archetype(self, name: str) -> dict:
        return self.params["providers"][name]


def within_4sd(observed: float, expected: float, sd: float) -> bool:
    return abs(observed - expected) <= 4 * sd


# --- the pure-Python references ------------------------------------------------------------------


def reference_cost(params: dict, archetype: int, wage: float) -> float:
    """ODD §7.0: c(a, w) = w · (1 + on_cost) · (1 + (1 − zero_hours_share) · unpaid_travel / 60) + overhead."""
    a = params["providers"][ARCHETYPES[archetype]]
    paid_travel = (1 - a["zero_hours_share"]) * a["unpaid_travel_minutes"] / 60.0
    return wage * (1 + params["providers"]["on_cost"]) * (1 + paid_travel) + a["overhead_per_hour"]


def reference_asking_price(params: dict, archetype: int, cost: float) -> float:
    """ODD §7.0: p_ask(a, c) = c · (1 + target_margin); extraction comes out of the surplus."""
    a = params["providers"][ARCHETYPES[archetype]]
    return cost * (1 + a["target_margin"])


def reference_letting(params: dict, bidders: list[dict], demand: float):
    """ODD §7.3 step 2 (the letting of a lot due) for one lot with no strategic bidding: bids, qualification, scores, the
    ranking (ties keep row order) and the winners taken in rank order until their available hours
    cover the lot's need. bidders: row order, each {row, archetype, wage, quality, capacity,
    pledged}. Returns (bids, scores or None, winners as indices into bidders, prices)."""
    c = params["commissioning"]
    bids = []
    for b in bidders:
        wage = max(b["wage"], c["wage_floor"])
        bids.append(reference_asking_price(params, b["archetype"], reference_cost(params, b["archetype"], wage)))
    qualified = [k for k, b in enumerate(bidders) if b["quality"] >= c["quality_threshold"]]
    if not qualified:
        qualified = list(range(len(bidders)))  # better a weak provider than none
    if not qualified:
        return bids, None, [], []
    lowest = min(bids[k] for k in qualified)
    mode, weight = c["mode"], c["price_weight"]
    if mode == "collaborative":
        winners, scores = list(qualified), None
    else:
        scores = {}
        for k in qualified:
            if mode == "lowest_price":
                scores[k] = lowest / bids[k]
            else:
                scores[k] = weight * lowest / bids[k] + (1 - weight) * bidders[k]["quality"]
        order = sorted(qualified, key=lambda k: -scores[k])  # stable: ties keep row order
        pledged = {k: bidders[k]["pledged"] for k in qualified}
        winners, covered = [], 0.0
        for k in order:
            if winners and covered >= demand:
                break
            available = max(0.0, bidders[k]["capacity"] - pledged[k])
            if available <= 0 and winners:
                continue
            winners.append(k)
            take = min(available, demand - covered)
            covered += take
            pledged[k] += take
    prices = [max(bids[k], c["price_floor"]) for k in winners]
    return bids, scores, winners, prices


def reference_quit_hazard(base, exponent, zero_hours, stress, under, autonomy) -> float:
    """retention.hpp: the weekly quit hazard, its factors multiplied in the documented order."""
    return base * math.exp(exponent) * zero_hours * stress * under * autonomy


def reference_quit_review_chance(params: dict, archetype: int, wage: float, zero_hours: bool) -> float:
    """ODD §7.8: the clock's weekly chance B, the hazard at its worst until the worker changes
    employer (effective pay at wage / (1 + unpaid_travel/60), stress 1, no contact hours), capped
    at 1, with the rounding margins retention.hpp documents (a tenth of a penny of pay, a
    thousandth of stress, 1e-9 of the product)."""
    r, a = params["retention"], params["providers"][ARCHETYPES[archetype]]
    lowest_pay = wage / (1 + a["unpaid_travel_minutes"] / 60.0) - 1e-3
    bound = reference_quit_hazard(
        r["base_quit_per_year"] / 52.0, -r["wage_sensitivity"] * (lowest_pay - params["labour"]["nlw"]),
        r["zero_hours_factor"] if zero_hours else 1.0, 1 + r["stress_factor"] * 1.001, 1 + r["underemployment_factor"],
        1 - a["autonomy"]) * (1 + 1e-9)
    return min(max(bound, 0.0), 1.0)


# --- commissioning and tendering (ODD §7.3) -------------------------------------------------------


def tender_market(core, mode="lowest_price", people=0, **params) -> tuple[Hand, dict[str, int]]:
    """Three chains and an agency in one lot, each with a quarter of the council's hours (so nobody
    bids strategically), quality 0.5 and 1,000 h of capacity; the rows by name."""
    hand = Hand(core, people=people, chains=3, agencies=1, commissioning__mode=mode, **params)
    chains = hand.rows("providers", CHAIN)
    rows = {"dear": chains[0], "cheap": chains[1], "mid": chains[2], "agency": hand.rows("providers", AGENCY)[0]}
    all_rows = list(rows.values())
    hand.set("providers", "wage", [rows["dear"], rows["cheap"], rows["mid"], rows["agency"]], [13.0, 12.21, 12.5, 12.6])
    hand.set("providers", "quality", all_rows, 0.5)
    hand.set("providers", "council_hours", all_rows, 100)
    hand.set("providers", "capacity_hours", all_rows, 1000)
    hand.rm.set_contracts(0, [])
    hand.rm.week = 10
    return hand, rows


def let(hand: Hand) -> list[tuple]:
    hand.rm.set_lot_tender_week(0, 0, hand.rm.week)
    hand.rm.apply("commissioning", 0)
    return hand.rm.contracts(0)


def asking(hand: Hand, row: int) -> float:
    archetype = int(hand.get("providers", "archetype")[row])
    wage = max(float(hand.get("providers", "wage")[row]), hand.params["commissioning"]["wage_floor"])
    return hand.rm.asking_price(archetype, hand.rm.cost_per_hour(archetype, wage))


def test_lowest_bid_wins_a_lowest_price_letting(core):
    # Fails if the ranking is not by price, or if more than the first-ranked wins a lot without need.
    hand, rows = tender_market(core)
    contracts = let(hand)
    assert len(contracts) == 1
    lot, provider, price, end, accepted = contracts[0]
    assert provider == hand.ids(rows["cheap"])
    assert price == np.float32(asking(hand, rows["cheap"]))
    assert end == hand.rm.week + round(52 * hand.params["commissioning"]["contract_years"])
    bids = hand.rm.log("bids")
    assert list(bids["won"]) == [int(p == hand.ids(rows["cheap"])) for p in bids["provider"]]
    # A quality below the threshold disqualifies the cheapest bid: the lowest qualified one wins.
    hand.set("providers", "quality", rows["cheap"], 0.29)
    hand.rm.week += 1
    assert [k[1] for k in let(hand)] == [hand.ids(rows["mid"])]


def test_price_floor_binds(core):
    # Fails if the contract price ignores a floor above the bid, or a floor below it changes the price.
    hand, rows = tender_market(core, commissioning__price_floor=30.0)
    bid = asking(hand, rows["cheap"])
    assert bid < 30
    (contract,) = let(hand)
    assert contract[2] == np.float32(30.0)
    assert hand.rm.log("tenders")["winning_bid"][-1] == np.float32(bid)  # the bid itself is unchanged
    hand.respec(commissioning__mode="lowest_price", commissioning__price_floor=bid - 1)
    hand.rm.week += 1
    (contract,) = let(hand)
    assert contract[2] == np.float32(bid)


def test_contract_is_handed_back_after_handback_weeks_of_loss_and_not_before(core):
    # Finance counts the weeks the contract price is more than handback_loss below break-even; at
    # handback_weeks the provider hands back; the next commissioning removes the contract, counts
    # and logs the hand-back. Fails a week early or late, or if the contract survives.
    weeks = 4
    hand, rows = tender_market(core, commissioning__handback_weeks=weeks)
    q = rows["cheap"]
    cost = float(hand.get("providers", "cost_per_hour")[q])
    break_even = cost  # extraction comes out of the surplus, not the price
    hand.rm.set_contracts(0, [(0, int(hand.ids(q)), 0.9 * break_even, 1000)])
    hand.rm.set_lot_tender_week(0, 0, 1000)
    hand.rm.week = 0

    def holds() -> bool:
        return any(k[1] == hand.ids(q) for k in hand.rm.contracts(0))

    for week in range(1, weeks + 1):
        hand.rm.begin_week()
        hand.rm.apply("commissioning", 0)
        assert holds()
        hand.rm.apply("finance", 0)  # no clients, no staff: only the contract's loss counts
        assert hand.get("providers", "contract_loss_weeks")[q] == week
        assert hand.get("providers", "handing_back")[q] == (1 if week == weeks else 0), f"after {week} weeks"
    hand.rm.begin_week()
    hand.rm.apply("commissioning", 0)
    assert not holds()
    assert hand.rm.counts(0)["handbacks"] == 1
    events = hand.rm.log("provider_events")
    assert events["kind"][-1] == HANDBACK_EVENT and events["provider"][-1] == hand.ids(q)
    assert hand.get("providers", "contract_price")[q] == 0


def test_tender_score_matches_the_python_reference(core):
    """The score formula itself (tendering.hpp tender_score) against the reference's, to 1e-12, over
    random bids, lowest bids, qualities and price weights; lowest_price ignores weight and quality."""
    rng = np.random.default_rng(17)
    for _ in range(2000):
        bid = rng.uniform(15, 40)
        lowest = bid * rng.uniform(0.5, 1.0)
        quality, weight = rng.uniform(0, 1), rng.uniform(0, 1)
        assert core._tender_score("lowest_price", weight, lowest, bid, quality) == pytest.approx(lowest / bid, rel=1e-12)
        expected = weight * lowest / bid + (1 - weight) * quality
        assert core._tender_score("quality_weighted", weight, lowest, bid, quality) == pytest.approx(expected, rel=1e-12)
    with pytest.raises(ValueError, match="no ranked commissioning mode 'collaborative'"):
        core._tender_score("collaborative", 0.5, 20, 21, 0.5)


def test_tender_scoring_and_ranking_match_the_python_reference(core):
    """200 random lettings (modes, price weights, thresholds, floors, wage floors, accreditation,
    wages, qualities with ties, capacities, pledges, need) scored by the reference above and by
    tendering.cpp. Bids must agree to 1e-12 (relative) with the C++ cost and asking price, the
    logged float bids exactly, and the winners in rank order with their prices exactly. With the
    need above the bidders' hours every qualified bidder wins, so the whole ranking shows.
    (The C++ scores themselves are not reachable: the score is a lambda inside let_lot.)"""
    rng = random.Random(2026)
    hand = Hand(core, people=40, chains=4, agencies=3, micros=2)
    providers = hand.rows("providers")
    people = hand.rows("people")
    hand.set("people", "route", people, COUNCIL_MANAGED)
    full_rankings = 0
    for case in range(200):
        mode = rng.choice(["lowest_price", "quality_weighted", "collaborative"])
        params = dict(commissioning__mode=mode, commissioning__price_weight=rng.choice([0.0, 0.3, 0.6, 1.0, rng.random()]),
                      commissioning__quality_threshold=rng.choice([0.0, 0.3, 0.5, 0.95]),
                      commissioning__price_floor=rng.choice([0.0, 0.0, 23.0, 40.0]),
                      commissioning__wage_floor=rng.choice([0.0, 0.0, 13.5]),
                      commissioning__accredit_micro=rng.random() < 0.5)
        hand.respec(**params)
        wages = np.array([rng.uniform(12.21, 15.5) for _ in providers], dtype=np.float32)
        quality = np.array([rng.choice([0.2, 0.4, 0.6, rng.random()]) for _ in providers], dtype=np.float32)
        archetypes = hand.get("providers", "archetype")[providers]
        for k in range(1, len(providers)):  # ties: copy an earlier provider of the same archetype
            same = [j for j in range(k) if archetypes[j] == archetypes[k]]
            if same and rng.random() < 0.3:
                j = rng.choice(same)
                wages[k], quality[k] = wages[j], quality[j]
        scale = rng.choice([40.0, 300.0])  # in half the cases the need exceeds every bidder's hours
        capacity = np.array([rng.uniform(0, scale) for _ in providers], dtype=np.float32)
        council_hours = np.array([rng.uniform(0, scale / 2) for _ in providers], dtype=np.float32)
        handing_back = np.array([rng.random() < 0.1 for _ in providers], dtype=np.uint8)
        need = np.array([rng.choice([0.0, 4.0, rng.uniform(1, 30)]) for _ in people], dtype=np.float32)
        hand.set("providers", "wage", providers, wages)
        hand.set("providers", "quality", providers, quality)
        hand.set("providers", "capacity_hours", providers, capacity)
        hand.set("providers", "council_hours", providers, council_hours)
        hand.set("providers", "handing_back", providers, handing_back)
        hand.set("people", "need_hours", people, need)
        hand.rm.set_contracts(0, [])
        hand.rm.week = 0  # the first letting: nobody bids strategically
        hand.rm.set_lot_tender_week(0, 0, 0)
        bids_before = len(hand.rm.log("bids")["provider"])

        accredit = params["commissioning__accredit_micro"]
        bidders = [
            {"row": int(q), "archetype": int(archetypes[k]), "wage": float(wages[k]), "quality": float(quality[k]),
             "capacity": float(capacity[k]), "pledged": float(council_hours[k])}
            for k, q in enumerate(providers)
            if not handing_back[k] and (archetypes[k] != MICRO or accredit)
        ]
        demand = 0.0
        for n in need:  # summed in row order, as the C++ does
            demand += float(n)
        bids, scores, winners, prices = reference_letting(hand.params, bidders, demand)

        hand.rm.apply("commissioning", 0)
        log = hand.rm.log("bids")
        logged = {key: value[bids_before:] for key, value in log.items()}
        assert list(logged["provider"]) == [int(hand.ids(b["row"])) for b in bidders], f"case {case}: bidders"
        for k, b in enumerate(bidders):
            cxx = hand.rm.asking_price(b["archetype"], hand.rm.cost_per_hour(b["archetype"], max(b["wage"], hand.params["commissioning"]["wage_floor"])))
            assert bids[k] == pytest.approx(cxx, rel=1e-12, abs=0), f"case {case}: bid of bidder {k}"
            assert logged["amount"][k] == np.float32(bids[k]), f"case {case}: logged bid of bidder {k}"
        contracts = hand.rm.contracts(0)
        assert [c[1] for c in contracts] == [int(hand.ids(bidders[k]["row"])) for k in winners], (
            f"case {case} ({mode}): winners in rank order; scores {scores}")
        assert [c[2] for c in contracts] == [np.float32(p) for p in prices], f"case {case}: prices"
        assert list(logged["won"]) == [int(k in winners) for k in range(len(bidders))], f"case {case}: won flags"
        if scores is not None and len(winners) == len(scores) > 2:
            full_rankings += 1
    assert full_rankings > 10  # the whole ranking was compared often


# --- matching (ODD §7.4) --------------------------------------------------------------------------


def test_logit_prefers_the_cheaper_of_two_otherwise_equal_providers(core):
    # Two chains alike but for their private price (£30, £32): a self-funder picks the cheaper with
    # chance 1 / (1 + exp(−price_weight · 2)) = 0.560. Over 4,000 people four standard errors are
    # 0.031, so a choice that ignored price (0.5), or used another weight, fails.
    hand = Hand(core, seed=13, people=4000, chains=2)
    cheap, dear = hand.rows("providers", CHAIN)
    people = hand.rows("people")
    hand.rm.begin_week()
    hand.set("people", "route", people, SELF_FUNDER)
    hand.set("people", "provider", people, NO_AGENT)
    hand.set("people", "placement", people, PLACEMENT_NONE)
    hand.set("people", "need_hours", people, 1.0)
    hand.set("providers", "quality", [cheap, dear], 0.5)
    hand.set("providers", "capacity_hours", [cheap, dear], 10000)
    hand.set("providers", "private_price", [cheap, dear], [30.0, 32.0])
    hand.rm.apply("matching", 0)
    chosen = hand.get("people", "provider")[people]
    n_cheap = int(np.sum(chosen == hand.ids(cheap)))
    n_dear = int(np.sum(chosen == hand.ids(dear)))
    assert n_cheap + n_dear == 4000
    p = 1 / (1 + math.exp(-hand.params["choice"]["price_weight"] * 2))
    assert within_4sd(n_cheap, 4000 * p, math.sqrt(4000 * p * (1 - p))), (n_cheap, 4000 * p)
    assert n_cheap > n_dear
    assert np.all(hand.get("people", "placement")[people] == PRIVATE)


# --- labour market (ODD §7.5) ---------------------------------------------------------------------


def test_vacancy_is_filled_more_often_at_a_higher_wage(core):
    # φ = min(1, fill_per_week · clamp(1 + sensitivity · (wage − outside_wage), 0.1, 4) · recruitment):
    # 10,000 open posts at the outside wage (φ 0.1), £2 above (0.17) and far below (clamped, 0.01);
    # four binomial sd are 3%, 2.2% and 10% of the expected fills.
    hand = Hand(core, seed=31, agencies=3, labour__fill_per_week=0.1)
    rows = hand.rows("providers", AGENCY)
    lab = hand.params["labour"]
    wages = [lab["outside_wage"], lab["outside_wage"] + 2, lab["outside_wage"] - 20]
    fills = np.zeros(3)
    posts, weeks = 2000, 5
    for _ in range(weeks):
        hand.rm.begin_week()
        hand.set("providers", "wage", rows, wages)
        hand.set("providers", "allocated_hours", rows, 1e6)
        hand.set("providers", "staff", rows, 0)
        hand.set("providers", "intended_staff", rows, posts)
        hand.rm.apply("labour_market", 0)
        employers = [w[2] for w in hand.rm.pending(0)["workers"]]
        fills += [employers.count(int(hand.ids(q))) for q in rows]
        hand.rm.clear_pending()
    n = posts * weeks
    for k, wage in enumerate(wages):
        attraction = min(max(1 + lab["fill_wage_sensitivity"] * (np.float32(wage) - lab["outside_wage"]), 0.1), 4.0)
        chance = min(1.0, lab["fill_per_week"] * attraction * hand.archetype("agency")["recruitment"])
        assert within_4sd(fills[k], n * chance, math.sqrt(n * chance * (1 - chance))), (wage, fills[k], n * chance)
    assert fills[1] > fills[0] > fills[2]


# --- founding (ODD §7.6) --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "coordinators, micros, private_share",
    [(0, 0, 0.4), (0, 0, 0.8), (4, 400, 0.4), (4, 0, 0.4)],
)
def test_foundings_scale_with_coordinators(core, coordinators, micros, private_share):
    # Poisson(λ) a week, λ = (B + S) · D / 52 (ODD §7.6), counted over 1,500 weeks: expected counts
    # 245 to 3,700, four Poisson sd 6% to 25% of the gap to the next case.
    hand = Hand(core, seed=41, chains=1, micros=micros, adults=1000, founding__coordinators=coordinators,
                founding__outside_care_share=1.0)
    f = hand.params["founding"]
    weeks, founded = 1500, 0
    for _ in range(weeks):
        hand.rm.begin_week()
        hand.rm.set_demand(0, "people_with_route", 1000)
        hand.rm.set_demand(0, "people_buying_privately", 1000 * private_share)
        hand.rm.apply("founding", 0)
        new = hand.rm.pending(0)["providers"]
        assert all(p[0] == MICRO for p in new)
        founded += len(new)
        hand.rm.clear_pending()
    base = f["base_per_100k_adults"] * 1000 / 100
    supported = coordinators * f["per_coordinator_per_year"] * max(0.0, 1 - micros / max(1.0, coordinators * f["coordinator_capacity"]))
    demand = (max(private_share, 0.01) / 0.4) ** f["demand_elasticity"]
    expected = (base + supported) * demand / 52 * weeks
    assert within_4sd(founded, expected, math.sqrt(expected)), (founded, expected)


def test_the_founding_rule_runs_the_cooperative_programme(core):
    # The rule runner's "founding" is the model's phase: micro-enterprise founding and the cooperative
    # programme (ODD §7.20). Poisson(developers · per developer / 52) a week over 1,040 weeks: 3 · 2 ·
    # 20 = 120 expected; each with cooperative_members members (new workers or members who move).
    hand = Hand(core, seed=43, chains=1, adults=1000, founding__base_per_100k_adults=0,
                founding__cooperative_developers=3, founding__cooperatives_per_developer=2)
    cooperative = list(core.ARCHETYPES).index("cooperative")
    weeks, founded = 1040, 0
    for _ in range(weeks):
        hand.rm.begin_week()
        hand.rm.apply("founding", 0)
        new = hand.rm.pending(0)["providers"]
        assert all(p[0] == cooperative for p in new)
        assert hand.rm.counts(0)["cooperatives_founded"] == len(new)
        founded += len(new)
        hand.rm.clear_pending()
    assert within_4sd(founded, 120, math.sqrt(120)), founded


# --- finance (ODD §7.9) ---------------------------------------------------------------------------


def test_surplus_is_income_less_wages_overheads_and_extraction(core):
    # The finance phase as the week runs it (its per-row hooks, then the providers' part) on clients
    # and staff set by hand. Fails if income, wage bill, overheads, extraction, surplus, margin,
    # spend or local money retained is off.
    hand = Hand(core, seed=47, people=6, workers=6, chains=1, agencies=1, micros=1, founding__coordinators=2,
                commissioning__prevention_share=0.1, providers__chain__extraction=0.6)
    providers = [hand.rows("providers", a)[0] for a in (CHAIN, AGENCY, MICRO)]
    people = hand.rows("people")
    routes = [COUNCIL_MANAGED, SELF_FUNDER, COUNCIL_MANAGED, DIRECT_PAYMENT, COUNCIL_MANAGED, SELF_FUNDER]
    hours = np.array([4, 5, 6, 7, 8, 9], dtype=np.float32)
    price = np.array([20, 21.5, 23, 24.5, 26, 27.5], dtype=np.float32)
    hand.set("people", "provider", people, [hand.ids(providers[k // 2]) for k in range(6)])
    hand.set("people", "route", people, routes)
    hand.set("people", "hours_received", people, hours)
    hand.set("people", "price", people, price)
    # A self-funder pays the provider's private price of the week (people 1 and 5: the chain's and
    # the micro-enterprise's); the others the price of their placement.
    hand.set("people", "price", people[[1, 5]], 0.0)
    hand.set("providers", "private_price", [providers[0], providers[2]], price[[1, 5]])
    workers = hand.rows("workers")
    hand.set("workers", "employer", workers, NO_AGENT)
    paid = np.array([6, 30, 12], dtype=np.float32)
    wage = np.array([12.21, 12.6, 14.0], dtype=np.float32)
    hand.set("workers", "employer", workers[:3], hand.ids(providers))
    hand.set("workers", "paid_hours", workers[:3], paid)
    hand.set("workers", "wage", workers[:3], wage)
    delivered = np.array([9, 11, 13], dtype=np.float32)
    hand.set("providers", "delivered_hours", providers, delivered)
    hand.set("providers", "margin_average", providers, 0.05)
    hand.rm.begin_week()
    hand.rm.apply("finance", 0)
    np.testing.assert_array_equal(hand.get("people", "price")[people[[1, 5]]], price[[1, 5]])

    on_cost = hand.params["providers"]["on_cost"]
    extraction_total = retained = spend = 0.0
    surplus = hand.get("providers", "surplus")
    for k, q in enumerate(providers):
        a = hand.archetype(ARCHETYPES[k])
        paid_for = [float(hours[j]) * float(price[j]) for j in (2 * k, 2 * k + 1)]
        income = sum(paid_for)
        spend += sum(p for j, p in zip((2 * k, 2 * k + 1), paid_for) if routes[j] != SELF_FUNDER)
        wage_bill = float(paid[k]) * float(wage[k]) * (1 + on_cost)
        # Extraction: a share of a positive operating surplus; the margin on takings, or on costs at a loss.
        costs = wage_bill + a["overhead_per_hour"] * float(delivered[k])
        extraction = a["extraction"] * max(0.0, income - costs)
        expected = income - costs - extraction
        assert hand.get("providers", "income")[q] == pytest.approx(income, rel=1e-6)
        assert surplus[q] == pytest.approx(expected, abs=1e-4), ARCHETYPES[k]
        margin = np.float32(0.05)
        assert hand.get("providers", "margin_average")[q] == pytest.approx(
            margin + 0.1 * (expected / max(income, costs, 1) - margin), abs=1e-6)
        extraction_total += extraction
        retained += wage_bill / (1 + on_cost) + max(0.0, expected)
    assert surplus[providers[1]] < 0 < surplus[providers[0]]  # the agency's loss adds nothing to local money
    counts = hand.rm.counts(0)
    assert counts["extraction"] == pytest.approx(extraction_total, rel=1e-6)  # income is summed in float
    assert counts["local_retained"] == pytest.approx(retained, abs=1e-3)
    c = hand.params["commissioning"]
    spend += 2 * hand.params["founding"]["coordinator_cost"] / 52 + 1000 * 1e6 * c["budget_multiplier"] * c["prevention_share"] / 52
    assert counts["spend"] == pytest.approx(spend, rel=1e-9)


# --- contract terms (ODD §7.17) ------------------------------------------------------------------


@pytest.mark.parametrize("holder", [True, False])
@pytest.mark.parametrize("terms", [{}, {"contract_paid_travel": True}, {"contract_guaranteed_hours": 0.5},
                                   {"contract_min_visit_minutes": 30}])
def test_contract_terms_bind_holders_pay(core, terms, holder):
    # An agency with a zero-hours and a guaranteed-hours worker sharing its delivered hours. Terms
    # bind a contract holder only: travel paid, or half the rostered week guaranteed (and travel
    # paid, as for guaranteed staff). Fails if paid hours, effective pay or the cost per hour is off.
    hand = Hand(core, seed=5, people=6, workers=6, agencies=1, **{f"commissioning__{k}": v for k, v in terms.items()})
    q = hand.rows("providers", AGENCY)[0]
    everyone = hand.rows("workers")
    hand.set("workers", "employer", everyone, NO_AGENT)
    workers = everyone[:2]
    hand.set("workers", "employer", workers, hand.ids([q, q]))
    hand.set("workers", "zero_hours", workers, [1, 0])
    hand.set("workers", "wage", workers, 12.5)
    hand.set("providers", "staff", [q], 2)
    hand.set("providers", "contract_price", [q], 25.0 if holder else 0.0)
    hand.rm.begin_week()
    hand.rm.apply("delivery", 0)
    a = hand.archetype("agency")
    # Delivery sets the provider's delivered hours from its clients and staff; each worker's share:
    contact = float(hand.get("providers", "delivered_hours")[q]) / float(hand.get("providers", "staff")[q])
    assert contact > 0
    worked = contact * (1 + a["unpaid_travel_minutes"] / 60)
    assert worked > contact  # travel makes the terms matter
    g = terms.get("contract_guaranteed_hours", 0) if holder else 0
    travel = holder and (terms.get("contract_paid_travel", False) or g > 0)
    zero_paid = max(worked, g * a["contracted_hours"]) if g > 0 else (worked if travel else contact)
    paid = hand.get("workers", "paid_hours")[workers]
    assert paid[0] == pytest.approx(zero_paid, rel=1e-6)
    assert paid[1] == pytest.approx(max(worked, a["contracted_hours"]), rel=1e-6)  # guaranteed staff: as before
    effective = hand.get("workers", "effective_pay")[workers]
    assert effective[0] == pytest.approx(min(zero_paid, worked) * 12.5 / worked, rel=1e-6)
    # The holder's cost per hour counts travel paid to all staff when a term pays it.
    hand.rm.apply("finance_providers", 0)
    wage = float(hand.get("providers", "wage")[q])
    cost = reference_cost(hand.params, AGENCY, wage)
    if travel:
        cost += wage * (1 + hand.params["providers"]["on_cost"]) * a["zero_hours_share"] * a["unpaid_travel_minutes"] / 60
    assert hand.get("providers", "cost_per_hour")[q] == pytest.approx(cost, rel=1e-6)


def test_guaranteed_hours_take_holders_staff_off_zero_hours_in_the_metrics(caremarket_pkg, tiny_scenario):
    # The zero-hours share counts the holders' staff as off zero hours under guaranteed hours.
    cm = caremarket_pkg
    base = cm.Simulation(tiny_scenario, seed=3)
    terms = cm.Simulation(tiny_scenario, seed=3, overrides={"commissioning.contract_guaranteed_hours": 0.5})
    for sim in (base, terms):
        sim.step(30)
    share = [sim.metrics()["zero_hours_share"].groupby(level="step").mean().to_numpy()[-2:] for sim in (base, terms)]
    assert np.all(share[1] < share[0] - 0.05), share


# --- provider exit and entry (ODD §7.10) ----------------------------------------------------------


def test_provider_with_sustained_losses_exits(core):
    # Certain exit once the smoothed margin has been negative for exit_loss_weeks (base hazard 0
    # here), not a week before; a profitable provider stays. Fails a week early or late.
    hand = Hand(core, seed=53, people=100, workers=40, chains=1, agencies=1, providers__exit_loss_weeks=5,
                providers__chain__closure_per_year=0.0, providers__agency__closure_per_year=0.0)
    losing, earning = hand.rows("providers", CHAIN)[0], hand.rows("providers", AGENCY)[0]
    hand.set("providers", "margin_average", [losing, earning], 0)
    hand.set("providers", "loss_weeks", [losing, earning], 0)
    hand.set("providers", "delivered_hours", [losing, earning], 0)
    for week in range(1, 7):
        hand.rm.begin_week()
        hand.set("providers", "income", [losing, earning], 1000)
        hand.rm.set_wage_bill(int(losing), 2000)
        hand.rm.set_wage_bill(int(earning), 100)
        hand.rm.apply("finance_providers", 0)
        hand.rm.apply("entry_exit", 0)
        alive = hand.get("providers", "alive")
        assert alive[losing] == (1 if week < 5 else 0), f"week {week}"
        assert alive[earning] == 1
        if week == 5:
            events = hand.rm.log("provider_events")
            assert events["kind"][-1] == EXIT_EVENT and events["provider"][-1] == hand.ids(losing)
            assert not np.any(hand.get("workers", "employer") == hand.ids(losing))
            break


@pytest.mark.parametrize(
    "waiting, blocked, unmet_hours",
    [(10, 0, 0), (30, 0, 0), (0, 0, 3), (500, 0, 0), (30, 30, 0)],
)
def test_more_waiting_people_raise_entry(core, waiting, blocked, unmet_hours):
    # Poisson(entry_per_year / 52 · max(1, needing / entry_people_per_provider) · min(3, gap / 0.05)) a
    # week, gap = (waiting − blocked by the budget) / needing + unmet share of hours; 1,000 people
    # needing care at 125 a provider (a scale of 8, while four providers are established),
    # entry_per_year 2, 3,000 weeks: 185, 554, 554, 2,769 (capped) and 0 expected.
    hand = Hand(core, seed=59, chains=2, agencies=2, providers__entry_per_year=2.0,
                providers__entry_people_per_provider=125.0,
                providers__chain__closure_per_year=0.0, providers__agency__closure_per_year=0.0)
    weeks, entrants = 3000, 0
    for _ in range(weeks):
        hand.rm.begin_week()
        for name, value in (("needing", 1000), ("waiting", waiting), ("needed_hours", 100),
                            ("delivered_hours", 100 - unmet_hours)):
            hand.rm.set_care_gap(name, value)
        hand.rm.set_demand(0, "waiting_for_budget", blocked)
        hand.rm.apply("entry_exit", 0)
        entrants += len(hand.rm.pending(0)["providers"])
        hand.rm.clear_pending()
    gap = max(0, waiting - blocked) / 1000 + unmet_hours / 100
    expected = 2 / 52 * 8 * min(3.0, gap / 0.05) * weeks
    assert within_4sd(entrants, expected, math.sqrt(max(expected, 1.0))), (entrants, expected)


# --- outcomes (ODD §7.11) -------------------------------------------------------------------------


def test_observed_quality_moves_toward_its_target(core):
    # Quality moves at 0.02 toward 0.4·mean continuity + 0.4·mean wellbeing + 0.2·(1 − min(1,
    # 52·leaver_rate)) of its clients (wellbeing as updated this week, at `rate` toward its target);
    # a provider without clients keeps its quality. Fails if a weight or the smoothing is off.
    hand = Hand(core, seed=61, people=4, chains=1, micros=1)
    chain, micro = hand.rows("providers", CHAIN)[0], hand.rows("providers", MICRO)[0]
    people = hand.rows("people")
    need = np.array([10, 10, 8, 5], dtype=np.float32)
    received = np.array([10, 6, 0, 5], dtype=np.float32)
    continuity = np.array([0.5, 0.7, 0.2, 0.9], dtype=np.float32)
    wellbeing = np.array([0.6, 0.4, 0.3, 0.8], dtype=np.float32)
    ties = np.array([0, 2, 5, 1], dtype=np.uint8)
    hand.set("people", "provider", people, hand.ids(chain))
    for name, values in (("need_hours", need), ("hours_received", received), ("continuity", continuity),
                         ("wellbeing", wellbeing), ("ties", ties)):
        hand.set("people", name, people, values)
    hand.set("providers", "clients", [chain, micro], [4, 0])
    hand.set("providers", "leaver_rate", chain, 0.004)
    hand.set("providers", "quality", [chain, micro], [0.5, 0.7])
    hand.rm.apply("outcomes", 0)
    o, r = hand.params["outcomes"], hand.archetype("chain")["relational"]
    new_wellbeing = []
    for k in range(4):
        unmet = max(0.0, 1 - float(received[k]) / float(need[k]))
        target = o["base"] - o["unmet_weight"] * unmet + o["continuity_weight"] * float(continuity[k]) + \
            o["relational_weight"] * r + o["ties_weight"] * ties[k] / (ties[k] + 2.0)
        target = min(max(target, 0.0), 1.0)
        new_wellbeing.append(float(wellbeing[k]) + o["rate"] * (target - float(wellbeing[k])))
    np.testing.assert_allclose(hand.get("people", "wellbeing")[people], new_wellbeing, atol=1e-6)
    observed = 0.4 * float(np.mean(continuity.astype(float))) + 0.4 * float(np.mean(hand.get("people", "wellbeing")[people].astype(float))) \
        + 0.2 * (1 - min(1.0, 52 * float(np.float32(0.004))))
    quality = hand.get("providers", "quality")
    assert quality[chain] == pytest.approx(0.5 + 0.02 * (observed - 0.5), abs=1e-6)
    assert quality[micro] == np.float32(0.7)


# --- eligibility and route (ODD §7.2) -------------------------------------------------------------


def check_route_table(band, capital, route, eligible_band) -> None:
    """ODD §7.2's table, in order."""
    above = capital == 2
    assert np.all(route[above] == SELF_FUNDER)
    low = ~above & (band < eligible_band)
    assert np.all(route[low & (capital == 1)] == SELF_FUNDER)
    assert np.all(route[low & (capital == 0)] == NONE)
    eligible = ~above & ~low
    assert np.all((route[eligible] == COUNCIL_MANAGED) | (route[eligible] == DIRECT_PAYMENT))


def test_route_follows_capital_need_and_age(core):
    # Every (need band, capital band, age band) in equal numbers; the eligible take a direct payment
    # with chance uptake(age): 6,000 eligible of working age and 12,000 older, four binomial sd of
    # the share 0.025 (0.37) and 0.013 (0.14), so an uptake 10% off fails, as does a wrong route.
    hand = Hand(core, seed=67, people=36000, chains=1)
    people = hand.rows("people")
    k = np.arange(len(people))
    hand.set("people", "need_band", people, 1 + k % 4)
    el = hand.params["eligibility"]
    # An amount in each capital band: below the lower limit, between the limits, above the upper.
    amounts = np.array([el["capital_lower"] / 2, (el["capital_lower"] + el["capital_upper"]) / 2,
                        el["capital_upper"] + 1000], dtype=np.float32)
    hand.set("people", "capital", people, amounts[(k // 4) % 3])
    hand.set("people", "age_band", people, (k // 12) % 3)
    hand.set("people", "route", people, NONE)
    hand.set("people", "provider", people, NO_AGENT)
    hand.rm.apply("eligibility", 0)
    band, capital, age = (hand.get("people", n)[people] for n in ("need_band", "capital_band", "age_band"))
    route = hand.get("people", "route")[people]
    assert np.array_equal(capital, (k // 4) % 3)  # the assessment's band of each amount
    check_route_table(band, capital, route, el["eligible_band"])
    eligible = (capital < 2) & (band >= el["eligible_band"])
    for older, uptake in ((False, el["dp_uptake_working_age"]), (True, el["dp_uptake_older"])):
        group = eligible & ((age > 0) == older)
        n, dp = int(group.sum()), int(np.sum(route[group] == DIRECT_PAYMENT))
        assert within_4sd(dp, n * uptake, math.sqrt(n * uptake * (1 - uptake))), (older, dp, n * uptake)


def test_routes_in_a_running_simulation_follow_the_eligibility_table(caremarket_pkg, tiny_scenario):
    # The same table over every person of tests/data/tiny.toml after 12 weeks of the whole model:
    # people who arrived, changed band or were re-assessed must all hold the route §7.2 gives them.
    sim = caremarket_pkg.Simulation(tiny_scenario, seed=5, threads=1)
    sim.step(12)
    people = sim.people
    check_route_table(people["need_band"], people["capital_band"], people["route"],
                      sim.config["eligibility"]["eligible_band"])
    assert np.all(people["need_band"] >= 1)


# --- the quit hazard (retention.hpp, ODD §7.8) ----------------------------------------------------


def test_quit_hazard_matches_the_python_reference(core):
    # retention.hpp quit_hazard against the product written out above, over a grid of factors; and
    # the bound that skips exp() is never below the hazard where it applies.
    grid = 0
    for base in (0.0, 0.12 / 52, 0.5 / 52, 1.0):
        for exponent in (-3.0, -0.4, 0.0, 0.13 * 1.79, 2.0):
            for zero_hours in (1.0, 1.25):
                for stress in (1.0, 1.2, 1.8):
                    for under in (1.0, 1.5, 2.0):
                        for autonomy in (1.0, 0.95, 0.6):
                            expected = reference_quit_hazard(base, exponent, zero_hours, stress, under, autonomy)
                            got = core._quit_hazard(base, exponent, zero_hours, stress, under, autonomy)
                            assert got == pytest.approx(expected, rel=1e-12, abs=0), (base, exponent, zero_hours, stress, under, autonomy)
                            bound = core._quit_hazard_bound(base, exponent, zero_hours, stress, under, autonomy)
                            assert bound >= got
                            if exponent > 0:
                                assert bound == math.inf
                            grid += 1
    assert grid == 4 * 5 * 2 * 3 * 3 * 3


def test_quit_review_chance_matches_the_python_reference(core):
    # retention.hpp quit_review_chance for workers of each archetype, zero-hours or not, at wages
    # from £8 to £30, under the default retention parameters and under two others (one putting the
    # chance at its cap of 1). Equal to the reference to 1e-12 (relative), and within 0.1% above
    # the ODD's worst hazard without rounding margins (so a missing or extra factor fails).
    hand = Hand(core, seed=71, people=50, workers=20, chains=1, agencies=1, micros=1)
    worker = int(hand.rows("workers")[0])
    providers = {a: int(hand.rows("providers", a)[0]) for a in (CHAIN, AGENCY, MICRO)}
    settings = [{}, dict(retention__base_quit_per_year=0.9, retention__wage_sensitivity=0.5, labour__nlw=13.0),
                dict(retention__base_quit_per_year=1.0, retention__wage_sensitivity=5.0)]
    checked = capped = 0
    for params in settings:
        hand.respec(**params)
        r = hand.params["retention"]
        for wage in np.arange(8.0, 30.0, 0.37, dtype=np.float32):
            for zero_hours in (0, 1):
                hand.set("workers", "wage", worker, wage)
                hand.set("workers", "zero_hours", worker, zero_hours)
                for archetype, q in providers.items():
                    got = hand.rm.quit_review_chance(worker, q)
                    expected = reference_quit_review_chance(hand.params, archetype, float(wage), bool(zero_hours))
                    assert got == pytest.approx(expected, rel=1e-12, abs=0), (params, wage, zero_hours, archetype)
                    a = hand.archetype(ARCHETYPES[archetype])
                    worst = reference_quit_hazard(
                        r["base_quit_per_year"] / 52, -r["wage_sensitivity"] * (float(wage) / (1 + a["unpaid_travel_minutes"] / 60) - hand.params["labour"]["nlw"]),
                        r["zero_hours_factor"] if zero_hours else 1.0, 1 + r["stress_factor"], 1 + r["underemployment_factor"], 1 - a["autonomy"])
                    # the margins: a tenth of a penny of pay (exp(s/1000)), a thousandth of stress (< 0.1%)
                    margin = math.exp(r["wage_sensitivity"] * 1e-3) * 1.001
                    assert min(worst, 1.0) <= got <= min(worst * margin, 1.0), (params, wage, zero_hours, archetype)
                    capped += got == 1.0
                    checked += 1
    assert checked > 700
    assert capped > 0  # the cap at 1 was exercised
