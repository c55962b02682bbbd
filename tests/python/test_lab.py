"""`caremarket lab` (issue 23): the policy lab in a real browser. Debian's chromium and
chromium-driver (headless) drive it with Selenium as a commissioning analyst would: load, choose
Somerset and a policy, run a short comparison, see the table with intervals and the charts, download
the report; no errors in the browser's console; the form works from the keyboard alone; bad input
is caught in the form with the allowed range; runs survive a reload and show in another tab; a run
can be cancelled. A screenshot is kept in the test artifacts."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
import tomllib
import urllib.error
import urllib.request
from pathlib import Path

import pytest

OUTCOMES = 18


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(caremarket_bin, tmp_path_factory):
    """A lab on a free port of 127.0.0.1 with its own work folder: (base URL, folder)."""
    folder = tmp_path_factory.mktemp("lab")
    port = free_port()
    log = open(folder / "lab.log", "w")
    server = subprocess.Popen([str(caremarket_bin), "lab", "--port", str(port), "--workdir", str(folder / "work")],
                              stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(url + "/", timeout=2).read()
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail("the lab did not start: " + (folder / "lab.log").read_text()[-2000:])
            time.sleep(0.2)
    yield url, folder / "work"
    server.terminate()
    server.wait(timeout=30)
    log.close()


def get(url: str):
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.status, response.headers, response.read()


def post(url: str, data) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=json.dumps(data).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def wait_for(url: str, job_id: str, statuses=("done", "failed", "cancelled"), seconds: float = 300) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job = json.loads(get(f"{url}/api/runs/{job_id}")[2])
        if job["status"] in statuses:
            return job
        time.sleep(0.3)
    raise AssertionError(f"run {job_id} still {job['status']} after {seconds} s")


# --- the API, without a browser ------------------------------------------------------------------


def test_the_lab_serves_its_page_and_chart_js_itself(lab):
    url, _ = lab
    status, headers, body = get(url + "/")
    assert status == 200 and b"caremarket lab" in body
    # No script, style or connection from elsewhere: the page works offline.
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert b"http://" not in body and b"https://" not in body
    status, _, chart = get(url + "/static/chart.min.js")
    assert status == 200 and len(chart) > 100_000
    assert chart == Path("/usr/share/javascript/chart.js/chart.min.js").read_bytes()


def test_the_levers_come_from_the_parameter_schema(lab, caremarket_pkg):
    url, _ = lab
    levers = {lever["key"]: lever for lever in json.loads(get(url + "/api/levers")[2])}
    schema = caremarket_pkg.parameters()
    for key in ("commissioning.mode", "commissioning.price_floor", "commissioning.wage_floor",
                "commissioning.contract_years", "founding.coordinators", "commissioning.dp_uptake_multiplier",
                "eligibility.eligible_band", "commissioning.budget_multiplier", "commissioning.prevention_share"):
        assert key in levers, key
        row = schema.loc[key]
        assert levers[key]["unit"] == row["unit"] or levers[key]["kind"] in ("choice", "boolean")
        if levers[key]["kind"] in ("real", "integer"):
            assert row["allowed"].startswith(f"between {levers[key]['low']:g} and {levers[key]['high']:g}"), key
    assert levers["commissioning.mode"]["choices"] == ["lowest_price", "quality_weighted", "collaborative"]


def test_bad_input_is_refused_by_field_with_the_allowed_range(lab):
    url, _ = lab
    status, body = post(url + "/api/runs", {"scenario": "somerset", "years": 0, "replicates": 500,
                                            "levers": {"commissioning.wage_floor": 500, "labour.nlw": 20,
                                                       "commissioning.mode": "cheapest"}})
    assert status == 400
    fields = body["fields"]
    assert fields["commissioning.wage_floor"] == "between 0 and 100 GBP/h"
    assert fields["labour.nlw"] == "not a lever of the lab"
    assert "lowest_price" in fields["commissioning.mode"]
    assert "between 1 and 20" in fields["years"] and "between 2 and 50" in fields["replicates"]
    status, body = post(url + "/api/runs", {"scenario": "atlantis", "levers": {"founding.coordinators": 1}})
    assert status == 400 and "somerset" in body["fields"]["scenario"]
    status, body = post(url + "/api/runs", {"council": "Nowhere Council", "levers": {"founding.coordinators": 1}})
    assert status == 400 and "council" in body["fields"]
    status, body = post(url + "/api/runs", {"scenario": "somerset", "levers": {}})
    assert status == 400 and "levers" in body["fields"]


def test_another_host_name_is_refused(lab):
    """A page elsewhere that points its own name at 127.0.0.1 (DNS rebinding) cannot use the lab."""
    url, _ = lab
    request = urllib.request.Request(url + "/api/runs", headers={"Host": "evil.example:80"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    assert refused.value.code == 403


def test_a_start_date_must_be_written_yyyy_mm_dd(lab):
    url, _ = lab
    for start in ("20250401", "2025-W14-2", "2025-02-30"):
        status, body = post(url + "/api/runs", {"scenario": "somerset", "start": start,
                                                "levers": {"founding.coordinators": 1}})
        assert status == 400 and "YYYY-MM-DD" in body["fields"]["start"], start


def test_a_second_lab_on_the_same_work_folder_is_refused(lab, caremarket_bin):
    url, work = lab
    res = subprocess.run([str(caremarket_bin), "lab", "--port", str(free_port()), "--workdir", str(work)],
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 2 and "in use by another lab" in res.stderr, res.stderr
    jobs = json.loads(get(url + "/api/runs")[2])
    assert all(job["status"] != "stopped" for job in jobs)  # the first lab's runs are left alone


def test_a_run_is_the_comparison_of_the_command_line(lab, caremarket_bin, tmp_path):
    """The lab's numbers are those of `caremarket compare` of the policy it writes (the same seeds)."""
    url, work = lab
    status, job = post(url + "/api/runs", {"scenario": "somerset", "name": "cli check", "years": 1, "replicates": 2,
                                           "levers": {"founding.coordinators": 2}})
    assert status == 202, job
    job = wait_for(url, job["id"])
    assert job["status"] == "done", job
    folder = work / "runs" / job["id"]
    assert job["policy_file"] == "cli_check.toml"
    policy = tomllib.loads((folder / "cli_check.toml").read_text())
    assert policy == {"founding": {"coordinators": 2.0}}
    res = subprocess.run([str(caremarket_bin), "compare", "somerset", "-p", folder / "cli_check.toml", "-n", "2",
                          "--steps", "52", "-o", tmp_path / "cli", "-q"], capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "cli.csv").read_text() == (folder / "comparison.csv").read_text()


# --- in the browser --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    for tool in ("chromium", "chromedriver"):
        assert shutil.which(tool), f"Debian's {tool} is missing: run scripts/install-deps.sh"
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for argument in ("--headless", "--no-sandbox", "--disable-gpu", "--window-size=1280,2000",
                     "--disable-dev-shm-usage", f"--user-data-dir={tmp_path_factory.mktemp('chromium')}"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def console_errors(driver) -> list[str]:
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def ready(driver, url):
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(url)
    WebDriverWait(driver, 60).until(lambda d: d.find_element("tag name", "body").get_attribute("data-ready") == "1")


def href(driver, element_id: str) -> str:
    """A link's address once it is there (the page re-draws the links when the report is written)."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    def found(d):
        try:
            links = d.find_elements("id", element_id)
            return links[0].get_attribute("href") if links else False
        except StaleElementReferenceException:
            return False
    return WebDriverWait(driver, 120).until(found)


def attribute(driver, css: str, name: str):
    """An element's attribute, None while the page re-draws it (the list of runs is re-drawn as runs go on)."""
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    try:
        return driver.find_element("css selector", css).get_attribute(name)
    except (NoSuchElementException, StaleElementReferenceException):
        return None


def click(driver, css: str) -> None:
    from selenium.common.exceptions import StaleElementReferenceException
    for _ in range(20):
        try:
            driver.find_element("css selector", css).click()
            return
        except StaleElementReferenceException:
            time.sleep(0.1)
    raise AssertionError(f"{css} kept being re-drawn")


def set_field(driver, element_id: str, value) -> None:
    field = driver.find_element("id", element_id)
    field.clear()
    field.send_keys(str(value))


def test_a_commissioner_runs_a_policy_and_downloads_the_report(lab, browser, artifacts_dir):
    from selenium.webdriver.support.ui import Select, WebDriverWait

    url, _ = lab
    ready(browser, url + "/")
    assert Select(browser.find_element("id", "scenario")).first_selected_option.get_attribute("value") == "somerset"
    facts = browser.find_element("id", "facts").text
    assert "People with care needs" in facts and "14,000" in facts and "£150 m a year" in facts

    # Bad input is caught in the form, with the allowed range, and nothing is queued.
    runs_before = len(browser.find_elements("css selector", "#runs tbody tr"))
    set_field(browser, "lever-commissioning-wage_floor", 500)
    browser.find_element("id", "run").click()
    error = browser.find_element("id", "lever-commissioning-wage_floor-error")
    WebDriverWait(browser, 30).until(lambda d: error.text)
    assert error.text == "Allowed: between 0 and 100 GBP/h"
    assert browser.find_element("id", "lever-commissioning-wage_floor").get_attribute("aria-invalid") == "true"
    assert len(browser.find_elements("css selector", "#runs tbody tr")) == runs_before

    # A wage floor and micro-enterprise support, one year, three pairs.
    set_field(browser, "name", "floor and support")
    set_field(browser, "lever-commissioning-wage_floor", "12.6")
    set_field(browser, "lever-founding-coordinators", 2)
    browser.find_element("id", "lever-commissioning-accredit_micro").click()
    set_field(browser, "years", 1)
    set_field(browser, "replicates", 3)
    browser.find_element("id", "run").click()
    rows = "#outcomes tbody tr"
    WebDriverWait(browser, 300).until(lambda d: len(d.find_elements("css selector", rows)) == OUTCOMES)
    report_link = href(browser, "download-report-html")  # once the report is written the page is still
    table = browser.find_element("id", "outcomes").text
    assert "95% interval" in table and " to\n" in table
    verdicts = {cell.text for cell in browser.find_elements("css selector", "#outcomes td.verdict")}
    assert verdicts <= {"better", "worse", "no clear difference", "costs more", "costs less", "more", "fewer", "less",
                        "not estimable"}
    assert browser.find_element("css selector", "tr[data-outcome='micro_enterprises'] td.verdict").text == "more"
    assert len(browser.find_elements("css selector", "#charts canvas")) >= 6

    # The report, the policy and the data can be downloaded.
    status, headers, body = get(report_link)
    assert status == 200 and "attachment" in headers["Content-Disposition"]
    assert b"95% interval" in body and (b"no clear difference" in body or b"better" in body)
    for name in ("policy-toml", "comparison-csv", "comparison-h5"):
        assert get(href(browser, f"download-{name}"))[0] == 200
    assert not console_errors(browser)
    browser.save_screenshot(str(artifacts_dir / "lab.png"))

    # A reload keeps the run and its result; another tab sees it too.
    browser.refresh()
    WebDriverWait(browser, 60).until(lambda d: len(d.find_elements("css selector", rows)) == OUTCOMES)
    names = [row.text for row in browser.find_elements("css selector", "#runs tbody tr")]
    assert any("floor and support" in text and "done" in text for text in names)
    first = browser.current_window_handle
    browser.switch_to.new_window("tab")
    ready(browser, url + "/")
    assert any("floor and support" in row.text for row in browser.find_elements("css selector", "#runs tbody tr"))
    browser.close()
    browser.switch_to.window(first)
    assert not console_errors(browser)


def test_the_form_works_from_the_keyboard_alone(lab, browser):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    url, _ = lab
    ready(browser, url + "/")
    before = len(browser.find_elements("css selector", "#runs tbody tr"))
    actions = ActionChains(browser)  # from a fresh page, the first Tab goes to the first field
    seen = []
    for _ in range(80):  # Tab through the form to the coordinators' field, then to the Run button
        actions.send_keys(Keys.TAB).perform()
        active = browser.switch_to.active_element
        seen.append(active.get_attribute("id"))
        if active.get_attribute("id") == "lever-founding-coordinators":
            active.send_keys(Keys.CONTROL, "a")
            active.send_keys("3")
        if active.get_attribute("id") == "years":
            active.send_keys(Keys.CONTROL, "a")
            active.send_keys("1")
        if active.get_attribute("id") == "replicates":
            active.send_keys(Keys.CONTROL, "a")
            active.send_keys("2")
        if active.get_attribute("id") == "run":
            active.send_keys(Keys.ENTER)
            break
    assert "run" in seen, seen
    assert seen.index("scenario") < seen.index("name") < seen.index("lever-founding-coordinators") < seen.index("run")
    WebDriverWait(browser, 30).until(lambda d: len(d.find_elements("css selector", "#runs tbody tr")) == before + 1)
    assert "Queued" in browser.find_element("id", "form-status").text
    assert not console_errors(browser)


def test_a_run_can_be_cancelled(lab, browser):
    from selenium.webdriver.support.ui import WebDriverWait

    url, _ = lab
    status, job = post(url + "/api/runs", {"scenario": "somerset", "name": "long one", "years": 20, "replicates": 50,
                                           "levers": {"commissioning.prevention_share": 0.05}})
    assert status == 202
    ready(browser, url + "/")
    row = f"tr[data-run='{job['id']}']"
    WebDriverWait(browser, 120).until(lambda d: attribute(d, row, "data-status") == "running")
    click(browser, f"{row} button.cancel")
    assert wait_for(url, job["id"], seconds=120)["status"] == "cancelled"
    WebDriverWait(browser, 30).until(lambda d: attribute(d, row, "data-status") == "cancelled")
    assert not console_errors(browser)


def test_a_port_in_use_is_refused_with_exit_2(lab, caremarket_bin, tmp_path):
    url, _ = lab
    port = url.rsplit(":", 1)[1]
    res = subprocess.run([str(caremarket_bin), "lab", "--port", port, "--workdir", str(tmp_path / "w")],
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 2, res.stderr
    assert f"cannot listen on 127.0.0.1:{port}" in res.stderr


def test_the_lab_has_help_and_checks_its_port(caremarket_bin):
    res = subprocess.run([str(caremarket_bin), "lab", "--help"], capture_output=True, text=True, timeout=60)
    assert res.returncode == 0 and "--host" in res.stdout and "no login" in res.stdout
    res = subprocess.run([str(caremarket_bin), "lab", "--port", "70000"], capture_output=True, text=True, timeout=60)
    assert res.returncode == 2


def test_the_screenshots_of_the_guide_can_be_made_again(caremarket_bin, repo_root, tmp_path):
    """scripts/lab_screenshots.py makes docs/for-commissioners.md's pictures (here a short run)."""
    res = subprocess.run(["/usr/bin/python3", repo_root / "scripts" / "lab_screenshots.py", "--caremarket",
                          caremarket_bin, "--out", tmp_path, "--years", "1", "--replicates", "2"],
                         capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr[-2000:]
    for name in ("lab-form.png", "lab-result.png", "lab-charts.png"):
        assert (tmp_path / name).stat().st_size > 10_000, name
    guide = (repo_root / "docs" / "for-commissioners.md").read_text()
    for name in ("lab-form.png", "lab-result.png", "lab-charts.png"):
        assert f"(images/{name})" in guide and (repo_root / "docs" / "images" / name).is_file()
