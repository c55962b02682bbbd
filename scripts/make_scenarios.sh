#!/bin/sh
# Writes the shipped scenarios from the public data (MODEL.md §15): England's 153 councils
# (scripts/make_england.py reads ../shared/data/england), then Somerset and the West Midlands cut
# from that table by `caremarket scenario`. Run from the repository after a build; commit the three
# files it writes. CAREMARKET names the binary (default: build/release/cli/caremarket); OUT the
# folder written (default: configs/scenarios; tests/python/test_england.py writes elsewhere and
# compares). Arguments go to make_england.py (--data DIR).
set -eu
cd "$(dirname "$0")/.."
bin=${CAREMARKET:-build/release/cli/caremarket}
out=${OUT:-configs/scenarios}
table=$out/england.toml
/usr/bin/python3 scripts/make_england.py "$@" -o "$table"

"$bin" scenario E06000066 --table "$table" --name Somerset \
  -s 'region.description="One council, price-led home care tendering, about 50 micro-enterprises and no support programme."' \
  -o "$out/somerset.toml"

# The seven councils of the West Midlands Combined Authority share chain providers and one labour
# market (a commuting zone). Birmingham and Wolverhampton run home-care services of their own;
# Birmingham and Coventry have care cooperatives; people with direct payments and self-funders
# employ personal assistants, about one for every 85 people with needs (an assumption), and new
# ones start as others stop (founding.personal_assistants_per_1000).
"$bin" scenario Birmingham Coventry Dudley Sandwell Solihull Walsall Wolverhampton --table "$table" \
  --name "West Midlands" --commuting-zone "West Midlands" \
  -s 'region.description="Seven councils of one combined authority sharing chain providers and a labour market; price-led tendering."' \
  -s 'councils[Birmingham].council_run=1' -s 'councils[Wolverhampton].council_run=1' \
  -s 'councils[Birmingham].cooperatives=4' -s 'councils[Coventry].cooperatives=2' \
  -s 'councils[Birmingham].personal_assistants=243' -s 'councils[Coventry].personal_assistants=79' \
  -s 'councils[Dudley].personal_assistants=83' -s 'councils[Sandwell].personal_assistants=75' \
  -s 'councils[Solihull].personal_assistants=57' -s 'councils[Walsall].personal_assistants=67' \
  -s 'councils[Wolverhampton].personal_assistants=62' \
  -s 'founding.personal_assistants_per_1000=3' \
  -o "$out/west_midlands.toml"
