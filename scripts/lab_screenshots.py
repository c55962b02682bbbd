#!/usr/bin/python3
"""Takes the pictures of docs/for-commissioners.md: starts `caremarket lab` on a free port with a
fresh work folder, tries a wage floor and micro-enterprise support on Somerset in headless Chromium
(Debian's chromium and chromium-driver, with Selenium) and saves

    OUT/lab-form.png      the form, with Somerset's facts and the levers
    OUT/lab-result.png    the table of differences, intervals and verdicts
    OUT/lab-charts.png    the charts with replicate bands

Usage:  scripts/lab_screenshots.py [--caremarket PATH] [--out docs/images] [--years 5] [--replicates 10]
"""

from __future__ import annotations

import argparse
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_lab(caremarket: str, workdir: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    server = subprocess.Popen([caremarket, "lab", "--port", str(port), "--workdir", str(workdir)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(url + "/", timeout=2).read()
            return server, url
        except OSError:
            if server.poll() is not None:
                break
            time.sleep(0.2)
    server.kill()
    raise SystemExit("lab_screenshots: the lab did not start")


def browser(profile: Path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for argument in ("--headless", "--no-sandbox", "--disable-gpu", "--window-size=1200,1000",
                     "--hide-scrollbars", f"--user-data-dir={profile}"):
        options.add_argument(argument)
    return webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)


def shoot(driver, css: str, path: Path) -> None:
    element = driver.find_element("css selector", css)
    driver.execute_script("arguments[0].scrollIntoView()", element)
    time.sleep(0.3)
    element.screenshot(str(path))
    print(f"wrote {path}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--caremarket", default=str(ROOT / "build" / "release" / "cli" / "caremarket"))
    parser.add_argument("--out", default=str(ROOT / "docs" / "images"))
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--replicates", type=int, default=10)
    args = parser.parse_args(argv)
    from selenium.webdriver.support.ui import WebDriverWait

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lab-screenshots-") as scratch:
        server, url = start_lab(args.caremarket, Path(scratch) / "work")
        driver = browser(Path(scratch) / "profile")
        try:
            driver.get(url + "/")
            WebDriverWait(driver, 60).until(lambda d: d.find_element("tag name", "body").get_attribute("data-ready"))
            for field, value in (("name", "wage floor and support"), ("lever-commissioning-wage_floor", "12.6"),
                                 ("lever-founding-coordinators", "2"), ("years", str(args.years)),
                                 ("replicates", str(args.replicates))):
                element = driver.find_element("id", field)
                element.clear()
                element.send_keys(value)
            driver.find_element("id", "lever-commissioning-accredit_micro").click()
            shoot(driver, "#form", out / "lab-form.png")
            driver.find_element("id", "run").click()
            WebDriverWait(driver, 900).until(lambda d: d.find_elements("id", "download-report-html"))
            time.sleep(0.5)
            driver.set_window_size(1200, 2400)
            shoot(driver, "#outcomes", out / "lab-result.png")
            shoot(driver, "#charts", out / "lab-charts.png")
        finally:
            driver.quit()
            server.terminate()
            server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
