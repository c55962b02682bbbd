#!/usr/bin/env /usr/bin/python3
"""Writes the real England scenario: England's 153 councils with adult social-care duties.

Reads the public data folder (../shared/data/england/ beside the repository; its README gives the
sources, commits and licences), checks every file against the checksum it was published with, and
writes one [[councils]] table per council: its name, ONS code, region and type, its area, its
population by age band (ONS mid-year estimates, probably mid-2023), and its small areas (the 6,856
2021 MSOAs of England) with their centroids, ordered along a Hilbert curve so that runs of
consecutive areas (the commissioning lots) are compact patches. Every other size is DERIVED from the
population by the national ratios below, each with its source:

  people with formal care needs   PREVALENCE_PER_1000 by age band (18-64, 65-84, 85+)
  home care workers               WORKERS_PER_PERSON
  chain branches, local agencies, PEOPLE_PER_CHAIN, PEOPLE_PER_AGENCY, PEOPLE_PER_MICRO
  micro-enterprises
  community care budget           BUDGET_PER_PERSON_GBP

They are the ratios of the calibrated Somerset scenario (docs/ODD.md §6), spread over age bands by
the national age mix of people with care needs (need.age_band_shares), so that the real Somerset
(E06000066) gets the sizes it was calibrated with. scripts/make_scenarios.sh cuts Somerset and the
West Midlands from the file this writes (with `caremarket scenario`).

Usage: scripts/make_england.py [--data DIR] [-o FILE]. Without -o it prints England's totals and
writes nothing; it never overwrites a file unless asked with -o. Exit 2 names a missing or changed
data file.
"""
import argparse
import csv
import hashlib
import math
import pathlib
import sys

REPO = pathlib.Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO.parent / "shared" / "data" / "england"

# The files read, with the sha256 their README lists (and the source, for the output's header).
SOURCES = {
    "uk_local_authorities_current.csv": (
        "1ef7c9caf57e4a8d8caabf2927c29fdda248a41ff1af76c639d11a62fcd9f2c5",
        "mySociety uk_local_authority_names_and_codes v1.6.1, commit 67ef8b11 (CC BY 4.0)"),
    "age.csv": (
        "9dda3f6e296508fbf33b521ec96f0f9f5f7cf938b01877b6366f08c5b25ca52f",
        "ONS mid-year population estimates via PolicyEngine policyengine-uk-data, commit ebf733c6 (OGL v3)"),
    "Local_Authority_to_County_and_Unitary_Authority_(December_2024)_Lookup_in_EW.csv": (
        "c77898ad5660ff85729a5fa4562df5c0fdb91cee73af807689835e00a68a72b8",
        "ONS LAD to county and unitary lookup, December 2024, via MastodonC witan.population, "
        "commit 2c98003f (OGL v3)"),
    "msoa_la.csv": (
        "ae79ce91788cd3e2974a8bbd041925adfa220e5ebd665dd8b757880828b893e5",
        "drkane/geo-lookups msoa_la.csv, commit e20a072d (ONS, OGL v3)"),
    "msoa_latlong.csv": (
        "db1b166115a62d0d33051f17a88a0f5c2fc3796b78e538b7308af7f821cf79e0",
        "drkane/geo-lookups msoa_latlong.csv, commit e20a072d (ONS, OGL v3; contains OS data "
        "(c) Crown copyright and database right)"),
}

COUNCIL_TYPES = {"CTY": "county", "UA": "unitary", "MD": "metropolitan district", "LBO": "London borough",
                 "CC": "City of London"}
# drkane's files carry the new codes of Barnsley and Sheffield; everything else the old ones
# (data README, gotcha 2). The scenario keeps the codes of the ONS lookups.
CODE_ALIASES = {"E08000038": "E08000016", "E08000039": "E08000019"}

# National ratios (the module docstring says where they come from).
SOMERSET_PEOPLE = 14_000  # people with formal care needs (Somerset market position statement)
AGE_BAND_SHARES = (0.45, 0.38, 0.17)  # need.age_band_shares: ASC-FR 2023/24, approx.
WORKERS_PER_PERSON = 0.5  # Somerset: 7,000 home care workers (Skills for Care local estimates)
PEOPLE_PER_CHAIN = 700  # Somerset: 20 chain branches (assumption)
PEOPLE_PER_AGENCY = 350  # Somerset: 40 local agencies (assumption)
PEOPLE_PER_MICRO = 280  # Somerset: 50 micro-enterprises (NEF & Community Catalysts 2020)
BUDGET_PER_PERSON_GBP = 150e6 / 14_000  # Somerset: GBP 150 million a year (ASC-FR, scaled)
CHAIN_GROUPS = 8  # national chain groups with branches in every council (assumption)
LOT_SIZE = 15  # small areas a tender lot (commissioning.lot_size): Somerset keeps its 5 lots
AGENCY_RADIUS_MINUTES = 80  # providers.agency.radius_minutes on real distances (see render())


class DataError(Exception):
    """A data file is missing, changed or not as documented."""


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_files(data):
    """Every file present and unchanged, or DataError naming the first that is not."""
    if not data.is_dir():
        raise DataError(f"{data}: the data folder does not exist (pass --data DIR)")
    for name, (expected, _) in SOURCES.items():
        path = data / name
        if not path.is_file():
            raise DataError(f"{path}: missing from the data folder")
        actual = sha256(path)
        if actual != expected:
            raise DataError(f"{path}: changed since it was published (sha256 {actual}, expected {expected})")


def read_csv(path):
    with open(path, newline="", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def hilbert_index(x, y, order=16):
    """Position of grid cell (x, y) along a Hilbert curve over a 2**order square."""
    d, s = 0, 1 << (order - 1)
    while s > 0:
        rx = 1 if x & s else 0
        ry = 1 if y & s else 0
        d += s * s * ((3 * rx) ^ ry)
        if ry == 0:
            if rx == 1:
                x, y = s - 1 - x, s - 1 - y
            x, y = y, x
        s >>= 1
    return d


def spatial_order(areas):
    """Areas (code, lat, lon) sorted along a Hilbert curve over their bounding box."""
    if len(areas) < 2:
        return list(areas)
    lats = [a[1] for a in areas]
    lons = [a[2] for a in areas]
    scale = (1 << 16) - 1
    span = max(max(lats) - min(lats), (max(lons) - min(lons)) * math.cos(math.radians(sum(lats) / len(lats))))
    span = span or 1.0

    def key(a):
        x = int(scale * (a[2] - min(lons)) * math.cos(math.radians(a[1])) / span)
        y = int(scale * (a[1] - min(lats)) / span)
        return hilbert_index(min(max(x, 0), scale), min(max(y, 0), scale)), a[0]
    return sorted(areas, key=key)


def load(data):
    """The 153 councils as dicts, in ONS code order."""
    check_files(data)
    councils = {}
    for row in read_csv(data / "uk_local_authorities_current.csv"):
        if (row["nation"] == "England" and row["current-authority"] == "True"
                and row["local-authority-type"] in COUNCIL_TYPES):
            code = row["gss-code"]
            if code in councils:
                raise DataError(f"uk_local_authorities_current.csv: council {code} listed twice")
            councils[code] = {"code": code, "name": row["nice-name"], "region": row["region"],
                              "type": COUNCIL_TYPES[row["local-authority-type"]],
                              "area_km2": float(row["area"]), "bands": [0.0, 0.0, 0.0], "areas": []}
    if len(councils) != 153:
        raise DataError(f"uk_local_authorities_current.csv: {len(councils)} councils, expected 153")

    upper = {}
    for row in read_csv(data / "Local_Authority_to_County_and_Unitary_Authority_(December_2024)_Lookup_in_EW.csv"):
        if row["LAD24CD"].startswith("E"):
            upper[row["LAD24CD"]] = row["CTYUA24CD"]
    bands = ([str(a) for a in range(18, 65)], [str(a) for a in range(65, 85)],
             [str(a) for a in range(85, 90)] + ["90+"])
    for row in read_csv(data / "age.csv"):
        if not row["code"].startswith("E"):
            continue
        council = councils.get(upper.get(row["code"], ""))
        if council is None:
            raise DataError(f"age.csv: district {row['code']} ({row['name']}) maps to no council")
        for b, columns in enumerate(bands):
            council["bands"][b] += sum(float(row[c]) for c in columns)

    centroid = {row["MSOACD"]: (float(row["latitude"]), float(row["longitude"]))
                for row in read_csv(data / "msoa_latlong.csv")}
    for row in read_csv(data / "msoa_la.csv"):
        if row["CTRYCD"] != "E92000001" or not row["MSOA21CD"]:
            continue
        code = CODE_ALIASES.get(row["UTLACD"], row["UTLACD"])
        if code not in councils:
            raise DataError(f"msoa_la.csv: small area {row['MSOA21CD']} in {code}, which is no council")
        lat, lon = centroid[row["MSOACD"]]
        councils[code]["areas"].append((row["MSOA21CD"], lat, lon))
    for council in councils.values():
        if not council["areas"] or council["bands"][0] <= 0:
            raise DataError(f"council {council['code']} ({council['name']}) has no small areas or no population")
        council["areas"] = spatial_order(council["areas"])
    return [councils[code] for code in sorted(councils)]


def prevalence_per_1000(councils):
    """People with formal care needs per 1,000 people of each age band: England's age mix of people
    with needs is need.age_band_shares and the real Somerset has its calibrated 14,000."""
    england = [sum(c["bands"][b] for c in councils) for b in range(3)]
    somerset = next(c for c in councils if c["code"] == "E06000066")["bands"]
    per_person = [AGE_BAND_SHARES[b] / england[b] for b in range(3)]
    national = SOMERSET_PEOPLE / sum(per_person[b] * somerset[b] for b in range(3))
    return [1000 * national * per_person[b] for b in range(3)]


def sizes(council, prevalence):
    people = round(sum(council["bands"][b] * prevalence[b] / 1000 for b in range(3)))
    return {
        "people": people,
        "workers": round(people * WORKERS_PER_PERSON),
        "chains": max(1, round(people / PEOPLE_PER_CHAIN)),
        "agencies": max(1, round(people / PEOPLE_PER_AGENCY)),
        "micro_enterprises": max(1, round(people / PEOPLE_PER_MICRO)),
        "budget_million": round(people * BUDGET_PER_PERSON_GBP / 1e6, 2),
    }


def toml_list(values, per_line=8):
    lines = [", ".join(values[i:i + per_line]) for i in range(0, len(values), per_line)]
    return "[\n  " + ",\n  ".join(lines) + ",\n]"


def render(councils, prevalence):
    totals = [sum(c["bands"][b] for c in councils) for b in range(3)]
    all_sizes = [sizes(c, prevalence) for c in councils]
    head = [
        "# England: its 153 councils with adult social-care duties (generated by scripts/make_england.py;",
        "# edit the script, not this file). Names, codes, regions, areas, populations by age band and small",
        "# areas are data; every other size is DERIVED from the population by national ratios (the script's",
        "# docstring gives each with its source). Snapshots are off at this scale.",
        "#",
        "# Sources (sha256 checked when this file was written):",
    ]
    for name, (digest, source) in SOURCES.items():
        head += [f"#   {name}", f"#     {source}", f"#     sha256 {digest}"]
    head += [
        "# Contains public sector information licensed under the Open Government Licence v3.0; UK Local",
        "# Authority Names and Codes by mySociety, CC BY 4.0; compiled by David Kane (drkane/geo-lookups).",
        "#",
        f"# England totals: adults 18-64 {totals[0]:,.0f}, 65-84 {totals[1]:,.0f}, 85+ {totals[2]:,.0f};",
        f"# people with formal care needs {sum(s['people'] for s in all_sizes):,} (derived), home care workers "
        f"{sum(s['workers'] for s in all_sizes):,} (derived).",
        "# People with needs per 1,000 by age band (derived): " + ", ".join(f"{p:.2f}" for p in prevalence) + ".",
        "",
        "[region]",
        'name = "England"',
        'description = "England\'s 153 councils with adult social-care duties, sharing national chain groups; '
        'price-led tendering."',
        "",
        "[output]",
        "snapshot_interval = 0",
        "",
        "[commissioning]",
        'mode = "lowest_price"',
        "# A lot is 15 small areas, about 100,000 adults: Somerset keeps the 5 lots it was calibrated",
        "# with when its localities were a synthetic ring of 30.",
        f"lot_size = {LOT_SIZE}",
        "",
        "# An agency reaches clients within 80 minutes of its office: with real distances, the 40 minutes",
        "# of the synthetic ring reached a third of rural Somerset's small areas (half on the ring).",
        "[providers.agency]",
        f"radius_minutes = {AGENCY_RADIUS_MINUTES}",
    ]
    lines = head
    for council, size in zip(councils, all_sizes):
        lines += [
            "",
            "[[councils]]",
            f'name = "{council["name"]}"',
            f'code = "{council["code"]}"',
            f'region = "{council["region"]}"',
            f'kind = "{council["type"]}"',
            f"area_km2 = {council['area_km2']:.2f}",
            "age_thousands = [" + ", ".join(f"{v / 1000:.3f}" for v in council["bands"]) + "]",
        ]
        lines += [f"{key} = {value}" for key, value in size.items()]
        lines += [
            f"chain_groups = {CHAIN_GROUPS}",
            "areas = " + toml_list([f'"{a[0]}"' for a in council["areas"]]),
            "area_latitudes = " + toml_list([f"{a[1]:.5f}" for a in council["areas"]]),
            "area_longitudes = " + toml_list([f"{a[2]:.5f}" for a in council["areas"]]),
        ]
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     epilog="See the module docstring (and docs/ODD.md §6) for the ratios.")
    parser.add_argument("--data", type=pathlib.Path, default=DEFAULT_DATA,
                        help=f"the England data folder (default: {DEFAULT_DATA})")
    parser.add_argument("-o", "--output", type=pathlib.Path,
                        help="write the scenario here (e.g. configs/scenarios/england.toml); "
                             "without it, print England's totals only")
    args = parser.parse_args(argv)
    try:
        councils = load(args.data)
    except DataError as e:
        print(f"make_england.py: {e}", file=sys.stderr)
        return 2
    prevalence = prevalence_per_1000(councils)
    text = render(councils, prevalence)
    areas = sum(len(c["areas"]) for c in councils)
    people = sum(sizes(c, prevalence)["people"] for c in councils)
    print(f"{len(councils)} councils, {areas:,} small areas, "
          f"{sum(sum(c['bands']) for c in councils):,.0f} adults, {people:,} people with care needs (derived)")
    if args.output:
        tmp = args.output.with_name(args.output.name + ".tmp")
        tmp.write_text(text)
        tmp.replace(args.output)
        print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
