#!/usr/bin/env /usr/bin/python3
"""Other measured facts of the model (docs/ODD.md §5, §7, §9): the start state, lettings and spot
purchases, leaving rates by employer, the population and its need over time, waiting, prices,
strategic bids and hand-backs. One file per seed; the run's last step is END.

    /usr/bin/python3 scripts/calibration/facts.py --baseline base_s*.h5 --support mes_s*.h5
    /usr/bin/python3 scripts/calibration/facts.py --measures-only base_s*.h5     # raw measures

Snapshots are needed at weeks 0, MID and END (the default interval of 52 weeks gives them for
MID = 260 and END = 520). 'First half' is steps BURN_IN..MID, 'second half' MID+1..END.
"""
from __future__ import annotations

import sys

import numpy as np

import common
from common import CHAIN, ENTRY, EXIT, AGENCY, HANDBACK, MICRO, PLACEMENT_SPOT, ROUTE_COUNCIL_MANAGED


def measure(run: common.Run, mid: int = 260, burn_in: int = 52) -> dict[str, float]:
    common.need_steps(run, mid, "the mid-run figures")
    end = run.steps
    s = run.series
    r: dict[str, float] = {}
    first, second = slice(burn_in, mid + 1), slice(mid + 1, end + 1)

    # Start state.
    r["workers_0"] = s("workers")[0]
    p0 = run.snapshot(0, "people")
    r["need_hours_route_0"] = p0["need_hours"][p0["route"] > 0].mean()
    r["need_hours_band_0"] = p0["need_hours"][p0["need_band"] > 0].mean()

    # Lettings.
    tenders, bids = run.events("tenders"), run.events("bids")
    t0 = tenders["tender"][tenders["week"] == 0]
    at0 = np.isin(bids["tender"], t0)
    won = bids["won"] == 1
    r["tenders_0"] = s("tenders")[0]
    r["tenders_after_0"] = s("tenders")[1:].sum()
    r["winners_per_lot_0"] = won[at0].sum() / max(1, len(t0))
    r["holders_0"] = len(set(bids["provider"][at0 & won]))
    r["bids_below_cost"] = (bids["amount"] < bids["cost"]).mean() if len(bids["amount"]) else 0.0
    cfg = run.config()["providers"]["chain"]
    asking = bids["cost"] * (1 + cfg["target_margin"])  # extraction comes out of the surplus, not the price
    later_chain = (tenders["week"][bids["tender"]] > 0) & (bids["archetype"] == CHAIN)
    r["chain_bids_discounted"] = ((bids["amount"] < asking * (1 - 1e-4))[later_chain].mean()
                                  if later_chain.any() else 0.0)

    # Spot share of placed council-managed people.
    for wk, name in ((0, "0"), (mid, "mid"), (end, "end")):
        p = run.snapshot(wk, "people")
        cm = (p["route"] == ROUTE_COUNCIL_MANAGED) & (p["placement"] > 0)
        r[f"spot_share_{name}"] = (p["placement"][cm] == PLACEMENT_SPOT).sum() / max(1, cm.sum())

    # Population and need.
    pn = s("people_needing_care")
    r["people_mid"], r["people_end"] = pn[mid], pn[end]
    band = run.snapshot(end, "people")["need_band"]
    for b in (1, 2, 3, 4):
        r[f"band{b}_share_end"] = (band == b).mean()
    sf, cm, dp = s("people_self_funded"), s("people_council_managed"), s("people_direct_payment")
    r["private_share"] = ((sf + dp) / np.maximum(1, sf + cm + dp))[1:mid + 1].mean()
    r["dp_share_end"] = dp[end] / max(1, dp[end] + cm[end])
    unmet = s("hours_unmet") / np.maximum(1e-9, s("hours_needed"))
    r["unmet_first"], r["unmet_second"] = unmet[first].mean(), unmet[second].mean()
    w = s("people_waiting")
    r["waiting_first"], r["waiting_second"], r["waiting_end"] = w[first].mean(), w[second].mean(), w[end]
    r["price_first"] = s("price_per_hour")[first].mean()

    # Workforce.
    r["workers_mid"], r["workers_end"] = s("workers")[mid], s("workers")[end]
    r["zero_hours_first"], r["zero_hours_end"] = s("zero_hours_share")[first].mean(), s("zero_hours_share")[end]
    r["mean_wage_first"] = s("mean_wage")[first].mean()
    r["hires_from_care_first"] = s("hires_from_care_share")[first].mean()
    weeks = run.snapshot_weeks()
    wages = [run.snapshot(wk, "workers") for wk in weeks if burn_in <= wk <= mid]
    wages = [W["wage"][W["employer"] >= 0] for W in wages]
    r["median_wage_first"] = float(np.median(np.concatenate(wages))) if wages else float("nan")
    # Yearly leaving rate of non-owner staff by employer archetype, from consecutive snapshots.
    stay = {CHAIN: [0, 0], AGENCY: [0, 0], MICRO: [0, 0]}
    for a, b in zip(weeks[:-1], weeks[1:]):
        wa, wb, pa = run.snapshot(a, "workers"), run.snapshot(b, "workers"), run.snapshot(a, "providers")
        arch = dict(zip(pa["provider"].tolist(), pa["archetype"].tolist()))
        later = dict(zip(wb["worker"].tolist(), wb["employer"].tolist()))
        scale = 52 / (b - a)
        for wid, e, founder in zip(wa["worker"].tolist(), wa["employer"].tolist(), wa["is_founder"].tolist()):
            if e < 0 or founder:
                continue
            stay[arch[e]][0] += 1 / scale
            stay[arch[e]][1] += later.get(wid, -2) != e
    for a, name in ((CHAIN, "chain"), (AGENCY, "agency"), (MICRO, "micro")):
        r[f"leaving_{name}"] = stay[a][1] / stay[a][0] if stay[a][0] else float("nan")

    # Providers.
    ev = run.events("providers")
    kind, arch_, week = ev["kind"], ev["archetype"], ev["week"]
    years = end / 52
    r["agency_closure_run"] = ((kind == EXIT) & (arch_ == AGENCY) & (week > 0)).sum() / years / s("providers_agency")[1:].mean()
    r["entries_run"] = ((kind == ENTRY) & (week > 0)).sum()
    r["agencies_end"], r["chains_end"] = s("providers_agency")[end], s("providers_chain")[end]
    r["established_mean"] = (s("providers_chain") + s("providers_agency"))[1:].mean()
    hb = kind == HANDBACK
    r["handbacks_run"] = s("handbacks")[1:].sum()
    r["handback_occasions"] = len(set(zip(week[hb].tolist(), ev["provider"][hb].tolist())))
    return r


# (key, description, format); the run's last step is END.
ROWS = [
    ("workers_0", "Care workers at the start", "int"),
    ("need_hours_route_0", "Mean formal need at the start, people on a route (h/week)", "ratio"),
    ("need_hours_band_0", "Mean formal need at the start, everyone with a need band (h/week)", "ratio"),
    ("tenders_0", "Lots let while the market is built", "count"),
    ("winners_per_lot_0", "Winners per lot at the first letting", "ratio"),
    ("holders_0", "Distinct contract holders after the first letting", "count"),
    ("tenders_after_0", "Lettings after week 0, whole run", "count"),
    ("bids_below_cost", "Share of bids below the bidder's cost", "pct"),
    ("chain_bids_discounted", "Share of chain bids after week 0 with a strategic discount", "pct"),
    ("spot_share_0", "Spot share of placed council-managed people, start", "pct"),
    ("spot_share_mid", "… at MID", "pct"),
    ("spot_share_end", "… at END", "pct"),
    ("people_mid", "People needing care at MID", "int"),
    ("people_end", "People needing care at END", "int"),
    ("band1_share_end", "Need band 1 share at END", "pct"),
    ("band2_share_end", "Need band 2 share at END", "pct"),
    ("band3_share_end", "Need band 3 share at END", "pct"),
    ("band4_share_end", "Need band 4 share at END", "pct"),
    ("private_share", "Private share of people on a route (self-funders and direct payments), mean over steps 1 to MID", "pct"),
    ("dp_share_end", "Direct-payment share of council-funded people at END", "pct"),
    ("price_first", "Council price per council-managed hour, first half", "gbp"),
    ("unmet_first", "Unmet share of hours needed, first half", "pct"),
    ("unmet_second", "… second half", "pct"),
    ("waiting_first", "People waiting, first half", "count"),
    ("waiting_second", "… second half", "count"),
    ("waiting_end", "… at END", "count"),
    ("workers_mid", "Care workers at MID", "int"),
    ("workers_end", "Care workers at END", "int"),
    ("zero_hours_first", "Zero-hours share, first half (home care 58%, Skills for Care; input per archetype)", "pct"),
    ("zero_hours_end", "Zero-hours share at END", "pct"),
    ("mean_wage_first", "Mean wage, first half", "gbp"),
    ("median_wage_first", "Median wage, snapshots of the first half (£12.60, Skills for Care 2024; input)", "gbp"),
    ("hires_from_care_first", "Hires from care, first half (≈ 63%, Skills for Care; tuned: `labour.move_share`)", "pct"),
    ("leaving_chain", "Yearly leaving rate of non-owner staff, chains", "pct"),
    ("leaving_agency", "… agencies", "pct"),
    ("leaving_micro", "… micro-enterprises (lower than the others: specification §7; held out)", "pct"),
    ("agency_closure_run", "Agency closures a year, whole run", "pct"),
    ("entries_run", "Entrant agencies and chain branches, whole run", "count"),
    ("agencies_end", "Agencies at END", "count"),
    ("chains_end", "Chain branches at END", "count"),
    ("established_mean", "Chains and agencies, mean over the run", "count"),
    ("handbacks_run", "Contracts handed back, whole run", "count"),
    ("handback_occasions", "Hand-back occasions (provider and week), whole run", "count"),
]


def facts_table(values: dict[str, dict[str, list[float]]], mid: int, end: int) -> str:
    arms = list(values)
    rows = []
    for key, text, kind in ROWS:
        text = text.replace("steps 1 to MID", f"steps 1–{mid}").replace("MID", f"step {mid}").replace("END", f"step {end}")
        rows.append([text] + [common.fmt_summary(common.summary(values[a][key]), kind) for a in arms])
    return common.markdown_table(["Measure"] + [f"{a}: mean (sd) [range]" for a in arms], rows)


def main(argv: list[str] | None = None) -> int:
    parser = common.arm_parser(__doc__, "print every raw measure of FILES")
    parser.add_argument("--mid", type=int, default=260, help="middle step; a snapshot week (default 260)")
    parser.add_argument("--burn-in", type=int, default=52, help="first step of first-half averages (default 52)")
    args = parser.parse_args(argv)
    common.check_arms(parser, args)
    if args.measures_only:
        print(common.text_table(common.measure_files(args.files, measure, mid=args.mid, burn_in=args.burn_in)))
        return 0
    values, end = {}, None
    for arm, files in (("baseline", args.baseline), ("support", args.support)):
        if files:
            values[arm] = common.measure_files(files, measure, mid=args.mid, burn_in=args.burn_in)
            run = common.Run(files[0])
            end = run.steps
            run.close()
    print(facts_table(values, args.mid, end))
    return 0


if __name__ == "__main__":
    sys.exit(main())
