#!/usr/bin/python3
"""How long the lab takes from "Run" to the table with intervals (issue 23: Somerset, five years ×
10 paired replicates, warm-up included, about 10 s on 2 cores), and how fast its pages answer.

Starts `caremarket lab` on a free port with a fresh work folder, loads each page once, submits the
run through the lab's API (as the page's Run button does), polls it every 0.1 s until the table is
there, then until the report is written, and prints the times.

Usage:  perf/lab_timing.py [--caremarket PATH] [--years 5] [--replicates 10] [--repeat 1]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
from lab_screenshots import start_lab  # noqa: E402 (the same way of starting a lab)


def seconds(url: str) -> float:
    start = time.perf_counter()
    urllib.request.urlopen(url, timeout=30).read()
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--caremarket", default=str(ROOT / "build" / "release" / "cli" / "caremarket"))
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--replicates", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="lab-timing-") as scratch:
        server, url = start_lab(args.caremarket, Path(scratch) / "work")
        try:
            for page in ("/", "/static/chart.min.js", "/static/lab.js", "/api/places", "/api/levers",
                         "/api/facts?scenario=somerset", "/api/runs"):
                print(f"page {page}: {seconds(url + page):.3f} s")
            for k in range(args.repeat):
                form = {"scenario": "somerset", "name": f"timing {k}", "years": args.years,
                        "replicates": args.replicates,
                        "levers": {"commissioning.wage_floor": 12.6, "founding.coordinators": 2}}
                request = urllib.request.Request(url + "/api/runs", data=json.dumps(form).encode(), method="POST",
                                                 headers={"Content-Type": "application/json"})
                start = time.perf_counter()
                job = json.loads(urllib.request.urlopen(request, timeout=30).read())
                slowest = 0.0
                while True:
                    t = time.perf_counter()
                    job = json.loads(urllib.request.urlopen(f"{url}/api/runs/{job['id']}", timeout=30).read())
                    slowest = max(slowest, time.perf_counter() - t)
                    if job["status"] in ("done", "failed", "cancelled"):
                        break
                    time.sleep(0.1)
                table = time.perf_counter() - start
                while job["status"] == "done" and not job.get("report"):
                    time.sleep(0.1)
                    job = json.loads(urllib.request.urlopen(f"{url}/api/runs/{job['id']}", timeout=30).read())
                print(f"Somerset, {args.years} years x {args.replicates} pairs: {job['status']}; table after "
                      f"{table:.2f} s, report after {time.perf_counter() - start:.2f} s; slowest answer while "
                      f"running {slowest:.3f} s")
        finally:
            server.terminate()
            server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
