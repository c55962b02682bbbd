"""The `caremarket` command line: help, version, validate, params, error reporting, exit codes,
run summaries and interruption by signals."""

from __future__ import annotations

import signal
import subprocess
import time
import tomllib
from pathlib import Path

import h5py
import numpy as np
import pytest
import xarray as xr

EXIT_OK = 0
EXIT_RUNTIME = 1
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def resolved(result) -> dict:
    """Parses the TOML printed by `caremarket validate`."""
    assert result.returncode == EXIT_OK, str(result)
    return tomllib.loads(result.stdout)


def config_error_lines(result) -> list[str]:
    """The indented problem lines of a configuration error report."""
    assert "problem(s)" in result.stderr, str(result)
    return [line.strip() for line in result.stderr.splitlines() if line.startswith("  ")]


# --------------------------------------------------------------------------------------------
# help and version


def test_app_help(cli):
    res = cli("--help")
    assert res.returncode == EXIT_OK, str(res)
    for word in ("run", "validate", "params", "--version", "--help"):
        assert word in res.stdout, f"{word!r} missing from --help\n{res}"


@pytest.mark.parametrize(
    "command, options",
    [
        ("run", ["--policy", "--set", "--output", "--seed", "--replicate", "--threads", "--steps", "--quiet"]),
        ("validate", ["--policy", "--set", "scenario"]),
        ("params", ["--markdown"]),
    ],
)
def test_subcommand_help(cli, command, options):
    res = cli(command, "--help")
    assert res.returncode == EXIT_OK, str(res)
    assert f"caremarket {command}" in res.stdout or f"{command} [OPTIONS]" in res.stdout, str(res)
    for opt in options:
        assert opt in res.stdout, f"{opt!r} missing from `{command} --help`\n{res}"


def test_help_does_not_run_anything(cli, tmp_path):
    res = cli("run", "--help", "-o", tmp_path / "x.h5", cwd=tmp_path)
    assert res.returncode == EXIT_OK, str(res)
    assert list(tmp_path.iterdir()) == [], "run --help must not write files"


@pytest.mark.parametrize("flag", ["--version", "-V"])
def test_version(cli, flag):
    res = cli(flag)
    assert res.returncode == EXIT_OK, str(res)
    first = res.stdout.strip().splitlines()[0]
    assert first.split()[0].count(".") == 2, f"expected a semantic version first, got {first!r}"
    assert all(part.isdigit() for part in first.split()[0].split(".")), first
    assert "commit" in first, first


def test_no_subcommand_is_bad_input(cli):
    res = cli()
    assert res.returncode == EXIT_BAD_INPUT, str(res)
    assert "subcommand" in res.stderr.lower(), str(res)


@pytest.mark.parametrize(
    "args",
    [
        ["run", "--frobnicate"],
        ["validate", "--no-such-option", "x.toml"],
        ["params", "--html"],
        ["frobnicate"],
    ],
)
def test_unknown_option_or_command_is_bad_input(cli, tmp_path, args):
    res = cli(*args, cwd=tmp_path)
    assert res.returncode == EXIT_BAD_INPUT, str(res)
    assert res.stderr.strip(), "an argument error must say what is wrong on stderr"
    assert list(tmp_path.iterdir()) == []


def test_validate_requires_a_scenario(cli):
    res = cli("validate")
    assert res.returncode == EXIT_BAD_INPUT, str(res)
    assert "scenario" in res.stderr, str(res)


# --------------------------------------------------------------------------------------------
# params


def test_params_lists_every_resolved_key(cli, tiny_scenario):
    params = cli("params")
    assert params.returncode == EXIT_OK, str(params)
    listed = {line.split()[0] for line in params.stdout.splitlines() if line.strip()}
    assert {"labour.nlw", "commissioning.mode", "run.steps", "output.snapshot_interval"} <= listed

    # Every scalar key of the resolved configuration is documented by `params`.
    doc = resolved(cli("validate", tiny_scenario))

    def leaves(table, prefix=""):
        for key, value in table.items():
            if isinstance(value, dict):
                yield from leaves(value, prefix + key + ".")
            elif not (isinstance(value, list) and value and isinstance(value[0], dict)):
                yield prefix + key

    missing = sorted(set(leaves(doc)) - listed)
    assert not missing, f"resolved keys missing from `caremarket params`: {missing}"


def test_params_markdown(cli):
    res = cli("params", "--markdown")
    assert res.returncode == EXIT_OK, str(res)
    lines = res.stdout.splitlines()
    assert lines[0].startswith("| key |") and lines[1].startswith("|---"), lines[:2]
    nlw = [line for line in lines if line.startswith("| `labour.nlw` |")]
    assert len(nlw) == 1, "labour.nlw should appear once in the Markdown table"
    assert "GBP/h" in nlw[0] and "between " in nlw[0], nlw[0]
    assert all(line.count("|") >= 7 for line in lines), "every row has the six columns"


# --------------------------------------------------------------------------------------------
# validate


def documented_defaults(cli) -> dict:
    """{key: default} from `caremarket params --markdown` (defaults are written as TOML values)."""
    res = cli("params", "--markdown")
    assert res.returncode == EXIT_OK, str(res)
    out = {}
    for line in res.stdout.splitlines()[2:]:
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        key, default = cells[0].strip("`"), cells[2].strip("`")
        if default != "(none)":
            out[key] = tomllib.loads(f"v = {default}")["v"]
    return out


def lookup(table: dict, key: str):
    # A council's key (`caremarket params` lists them as councils[NAME].key): the first council's.
    if key.startswith("councils[NAME]."):
        table, key = table["councils"][0], key[len("councils[NAME]."):]
    for part in key.split("."):
        table = table[part]
    return table


def test_validate_prints_resolved_toml_with_defaults(cli, tiny_scenario):
    res = cli("validate", tiny_scenario)
    doc = resolved(res)
    assert "# layers:" in res.stdout and "tiny.toml" in res.stdout
    # Values from the scenario.
    assert doc["region"]["name"] == "Tinyshire"
    assert [c["name"] for c in doc["councils"]] == ["North Tiny", "South Tiny"]
    assert doc["councils"][0]["people"] == 900
    assert doc["councils"][1]["chain_groups"] == 1
    assert doc["commissioning"]["mode"] == "quality_weighted"
    assert doc["run"]["steps"] == 40 and doc["run"]["seed"] == 7
    assert doc["output"]["snapshot_interval"] == 10
    # Every parameter the scenario leaves out takes its documented default.
    scenario = tomllib.loads(tiny_scenario.read_text())
    defaults = documented_defaults(cli)
    assert len(defaults) > 100
    checked = 0
    for key, default in defaults.items():
        try:
            lookup(scenario, key)
            continue  # set by the scenario
        except KeyError:
            pass
        value = lookup(doc, key)
        if isinstance(default, (int, float)) and not isinstance(default, bool):
            assert value == pytest.approx(default, rel=1e-5), f"{key}: resolved {value}, documented default {default}"
        else:
            assert value == default, f"{key}: resolved {value!r}, documented default {default!r}"
        checked += 1
    assert checked > 100
    assert {"labour", "retention", "need", "providers", "founding", "outcomes"} <= doc.keys()
    assert len(doc["need"]["hours_by_band"]) == 4
    assert doc["providers"]["micro"]["max_workers"] == defaults["providers.micro.max_workers"]


def test_validate_resolved_config_is_a_fixed_point(cli, tiny_scenario, tmp_path):
    first = cli("validate", tiny_scenario)
    assert first.returncode == EXIT_OK, str(first)
    body = "\n".join(line for line in first.stdout.splitlines() if not line.startswith("#"))
    again = cli("validate", write(tmp_path / "resolved.toml", body))
    assert resolved(again) == resolved(first)


def test_validate_policy_overlay_and_set(cli, tiny_scenario, tmp_path):
    policy = write(
        tmp_path / "policy.toml",
        '[commissioning]\nmode = "collaborative"\nprice_floor = 30.5\n\n[labour]\nnlw = 13.0\n',
    )
    res = cli("validate", tiny_scenario, "--policy", policy, "--set", "labour.nlw=14.25", "-s", "founding.coordinators=3")
    doc = resolved(res)
    assert doc["commissioning"]["mode"] == "collaborative"  # from the policy
    assert doc["commissioning"]["price_floor"] == pytest.approx(30.5)  # from the policy
    assert doc["labour"]["nlw"] == pytest.approx(14.25)  # --set wins over the policy
    assert doc["founding"]["coordinators"] == pytest.approx(3)
    assert doc["councils"][0]["name"] == "North Tiny"  # the scenario is kept
    layers = next(line for line in res.stdout.splitlines() if line.startswith("# layers:"))
    assert layers.index("tiny.toml") < layers.index("policy.toml") < layers.index("--set labour.nlw"), layers


def test_shipped_names_resolve_like_paths(cli, tmp_path):
    """`run` and `validate` take shipped scenario and policy names, as `compare` and sweep files do."""
    root = Path(__file__).resolve().parents[2] / "configs"
    by_name = resolved(cli("validate", "west_midlands", "-p", "living_wage_floor", cwd=tmp_path))
    by_path = resolved(cli("validate", root / "scenarios" / "west_midlands.toml", "-p", root / "policies" / "living_wage_floor.toml"))
    assert by_name == by_path
    assert by_name["region"]["name"] != resolved(cli("validate", "somerset", cwd=tmp_path))["region"]["name"]
    res = cli("validate", "no_such_scenario", cwd=tmp_path)
    assert res.returncode == 2, res.stderr
    assert '"no_such_scenario" is not a shipped scenario nor a file; shipped: england, somerset, west_midlands' in res.stderr


def test_validate_policies_apply_in_order(cli, tiny_scenario, tmp_path):
    a = write(tmp_path / "a.toml", "[labour]\nnlw = 13.0\noutside_wage = 13.5\n")
    b = write(tmp_path / "b.toml", "[labour]\nnlw = 15.0\n")
    doc = resolved(cli("validate", tiny_scenario, "-p", a, "-p", b))
    assert doc["labour"]["nlw"] == pytest.approx(15.0)
    assert doc["labour"]["outside_wage"] == pytest.approx(13.5)
    doc = resolved(cli("validate", tiny_scenario, "-p", b, "-p", a))
    assert doc["labour"]["nlw"] == pytest.approx(13.0)


def test_validate_set_bare_word_choice(cli, tiny_scenario):
    doc = resolved(cli("validate", tiny_scenario, "--set", "commissioning.mode=lowest_price"))
    assert doc["commissioning"]["mode"] == "lowest_price"


# --------------------------------------------------------------------------------------------
# bad input: exit 2, one line per problem naming the file and key


BAD_POLICIES = {
    "wrong_type": ('[labour]\nnlw = "twelve"\n', "labour.nlw", ["expected a number"]),
    "out_of_range": ("[labour]\nnlw = 500.0\n", "labour.nlw", ["500", "must be between 0 and 100 GBP/h"]),
    "unknown_key": ("[labour]\nnwl = 12.0\n", "labour.nwl", ["is not a known parameter", "did you mean 'labour.nlw'?"]),
    "bad_choice": ('[commissioning]\nmode = "cheapest"\n', "commissioning.mode",
                   ["cheapest", '"lowest_price"', '"quality_weighted"', '"collaborative"']),
    "integer_expected": ("[run]\nsteps = 12.5\n", "run.steps", ["expected an integer"]),
    "list_length": ("[need]\nhours_by_band = [1.0, 2.0]\n", "need.hours_by_band", ["4 numbers"]),
}


@pytest.mark.parametrize("command", ["validate", "run"])
@pytest.mark.parametrize("kind", sorted(BAD_POLICIES))
def test_bad_policy_value(cli, tiny_scenario, tmp_path, kind, command):
    text, key, fragments = BAD_POLICIES[kind]
    policy = write(tmp_path / f"{kind}.toml", text)
    out = tmp_path / "out.h5"
    extra = ["-o", out, "--steps", "2"] if command == "run" else []
    res = cli(command, tiny_scenario, "--policy", policy, *extra, cwd=tmp_path)
    assert res.returncode == EXIT_BAD_INPUT, str(res)
    lines = config_error_lines(res)
    assert len(lines) == 1, str(res)
    line = lines[0]
    assert line.startswith(f"{policy}: {key} "), f"expected '{policy}: {key} ...', got {line!r}"
    for fragment in fragments:
        assert fragment in line, f"{fragment!r} missing from {line!r}"
    assert res.stdout == "", "nothing is printed on stdout for bad input"
    assert not out.exists() and not list(tmp_path.glob("*.tmp-*")), "bad input must not write output"


def test_bad_value_in_scenario_names_the_scenario(cli, tiny_scenario, tmp_path):
    scenario = write(tmp_path / "scen.toml", tiny_scenario.read_text() + "\n[labour]\nnlw = -1.0\n")
    res = cli("validate", scenario)
    assert res.returncode == EXIT_BAD_INPUT, str(res)
    assert config_error_lines(res) == [f"{scenario}: labour.nlw = -1.0: must be between 0 and 100 GBP/h"]


def test_bad_council_value_names_the_council(cli, tiny_scenario, tmp_path):
    text = tiny_scenario.read_text().replace("localities = 2\n", "localities = 1001\n", 1)
    assert "localities = 1001" in text
    scenario = write(tmp_path / "scen.toml", text)
    res = cli("validate", scenario)
    assert res.returncode == EXIT_BAD_INPUT, str(res)
    lines = config_error_lines(res)
    assert lines == [f"{scenario}: councils[1].localities = 1001: must be between 0 and 1000"], str(res)


def test_all_problems_are_reported_together(cli, tiny_scenario, tmp_path):
    policy = write(tmp_path / "p.toml", '[labour]\nnlw = "x"\nnwl = 1.0\n[commissioning]\nmode = "cheapest"\n')
    res = cli("validate", tiny_scenario, "-p", policy, "--set", "run.steps=0")
    assert res.returncode == EXIT_BAD_INPUT, str(res)
    lines = config_error_lines(res)
    assert "4 problem(s)" in res.stderr, str(res)
    joined = "\n".join(lines)
    for key in ("labour.nlw", "labour.nwl", "commissioning.mode", "run.steps"):
        assert key in joined, f"{key} not reported\n{res}"
    assert any(line.startswith("--set run.steps: run.steps = 0") for line in lines), lines


def test_unknown_key_in_a_misspelt_section(cli, tiny_scenario):
    res = cli("validate", tiny_scenario, "--set", "comissioning.mode=collaborative")
    assert res.returncode == EXIT_BAD_INPUT, str(res)
    (line,) = config_error_lines(res)
    assert line.startswith("--set comissioning.mode: comissioning"), line
    assert "is not a known parameter" in line, line


def test_misspelt_section_gets_a_suggestion(cli, tiny_scenario):
    res = cli("validate", tiny_scenario, "--set", "comissioning.mode=collaborative")
    assert res.returncode == EXIT_BAD_INPUT, str(res)
    (line,) = config_error_lines(res)
    assert "did you mean 'commissioning" in line, line


def test_bad_choice_suggests_nearby_value(cli, tiny_scenario):
    res = cli("validate", tiny_scenario, "--set", "commissioning.mode=colaborative")
    assert res.returncode == EXIT_BAD_INPUT, str(res)
    (line,) = config_error_lines(res)
    assert line.startswith("--set commissioning.mode: commissioning.mode = "), line
    assert 'did you mean "collaborative"?' in line, line


@pytest.mark.parametrize("command", ["validate", "run"])
def test_missing_scenario_file(cli, tmp_path, command):
    missing = tmp_path / "nope" / "missing.toml"
    res = cli(command, missing, cwd=tmp_path)
    assert res.returncode == EXIT_BAD_INPUT, str(res)
    assert config_error_lines(res) == [f"{missing}: does not exist"]


def test_missing_policy_file(cli, tiny_scenario, tmp_path):
    missing = tmp_path / "missing-policy.toml"
    res = cli("validate", tiny_scenario, "-p", missing)
    assert res.returncode == EXIT_BAD_INPUT, str(res)
    assert config_error_lines(res) == [f"{missing}: does not exist"]


def test_malformed_toml(cli, tiny_scenario, tmp_path):
    policy = write(tmp_path / "broken.toml", "# a comment\n[labour\nnlw = 12.0\n")
    res = cli("validate", tiny_scenario, "-p", policy)
    assert res.returncode == EXIT_BAD_INPUT, str(res)
    (line,) = config_error_lines(res)
    assert line.startswith(f"{policy}: is not valid TOML: line 2"), line


@pytest.mark.parametrize("assignment", ["labour.nlw", "=3", ".nlw=3", "labour.=3", " =1"])
def test_bad_set_syntax(cli, tiny_scenario, assignment):
    res = cli("validate", tiny_scenario, "--set", assignment)
    assert res.returncode == EXIT_BAD_INPUT, str(res)
    (line,) = config_error_lines(res)
    assert line.startswith("--set: ") and "must look like key.path=value" in line, line
    assert assignment.strip() in line, line


@pytest.mark.parametrize(
    "assignment, fragment",
    [
        ("labour.nlw=abc", "labour.nlw = 'abc': expected a number"),
        ("labour.nlw=1000", "labour.nlw = 1000: must be between 0 and 100 GBP/h"),
        ("output.events=maybe", "output.events = 'maybe': expected true or false"),
    ],
)
def test_bad_set_value(cli, tiny_scenario, assignment, fragment):
    res = cli("validate", tiny_scenario, "--set", assignment)
    assert res.returncode == EXIT_BAD_INPUT, str(res)
    (line,) = config_error_lines(res)
    key = assignment.split("=")[0]
    assert line.startswith(f"--set {key}: "), line
    assert fragment in line, line


@pytest.mark.parametrize(
    "args",
    [
        ["--threads", "-1"],
        ["--threads", "abc"],
        ["--threads", "5000"],
        ["--steps", "0"],
        ["--steps", "1.5"],
        ["--seed", "-3"],
        ["--replicate", "x"],
    ],
)
def test_bad_run_option(cli, tiny_scenario, tmp_path, args):
    out = tmp_path / "out.h5"
    res = cli("run", tiny_scenario, "-o", out, *args, cwd=tmp_path)
    assert res.returncode == EXIT_BAD_INPUT, str(res)
    assert args[0] in res.stderr, str(res)
    assert list(tmp_path.iterdir()) == [], "a rejected run must not write anything"


def test_unwritable_output_is_a_runtime_failure(cli, tiny_scenario, tmp_path):
    blocker = write(tmp_path / "a-file", "")
    res = cli("run", tiny_scenario, "--steps", "2", "-q", "-o", blocker / "out.h5", cwd=tmp_path)
    assert res.returncode == EXIT_RUNTIME, str(res)
    assert "caremarket: error:" in res.stderr, str(res)


# --------------------------------------------------------------------------------------------
# run


def test_run_writes_file_and_prints_summary(cli, tiny_scenario, tmp_path):
    out = tmp_path / "sub" / "tiny.h5"
    res = cli("run", tiny_scenario, "--steps", "12", "-o", out, cwd=tmp_path)
    assert res.returncode == EXIT_OK, str(res)
    assert out.is_file()
    assert not list(out.parent.glob("*.tmp-*")), "the temporary file must be renamed away"
    assert "Tinyshire" in res.stdout and "12 weeks" in res.stdout and "seed 7" in res.stdout, str(res)
    for label in ("people needing care", "hours unmet", "care workers", "council spend",
                  "wellbeing of people served", "wellbeing of all with need"):
        assert label in res.stdout, f"summary row {label!r} missing\n{res}"
    assert f"wrote {out}" in res.stdout, str(res)
    with h5py.File(out, "r") as f:
        assert int(f.attrs["complete"]) == 1
        assert f["step"].shape == (13,)
        # The summary's first row agrees with the file.
        total0 = float(np.sum(f["people_needing_care"][0]))
    row = next(line for line in res.stdout.splitlines() if line.startswith("people needing care"))
    assert float(row.split()[3]) == total0, row
    # Flows have no week-0 value: shown as "-", not as a misleading 0.
    spend = next(line for line in res.stdout.splitlines() if line.startswith("council spend"))
    assert spend.split()[2] == "-" and spend.split()[3].startswith("£"), spend


def test_run_quiet_prints_nothing(cli, tiny_scenario, tmp_path):
    out = tmp_path / "q.h5"
    res = cli("run", tiny_scenario, "--steps", "3", "-q", "-o", out, cwd=tmp_path)
    assert res.returncode == EXIT_OK, str(res)
    assert res.stdout == "" and res.stderr == "", str(res)
    assert out.is_file()


def test_run_default_output_path(cli, tiny_scenario, tmp_path):
    res = cli("run", tiny_scenario, "--steps", "2", "-q", cwd=tmp_path)
    assert res.returncode == EXIT_OK, str(res)
    assert (tmp_path / "results" / "tiny.h5").is_file(), sorted(p.name for p in tmp_path.rglob("*"))


def test_default_output_path_names_the_policies(cli, tiny_scenario, repo_root, tmp_path):
    policy = repo_root / "configs" / "policies" / "collaborative.toml"
    res = cli("run", "-p", policy, tiny_scenario, "--steps", "2", "-q", cwd=tmp_path)
    assert res.returncode == EXIT_OK, str(res)
    assert (tmp_path / "results" / "tiny+collaborative.h5").is_file(), sorted(p.name for p in tmp_path.rglob("*"))


def test_policy_option_takes_one_value_and_keeps_the_scenario(cli, tiny_scenario, repo_root, tmp_path):
    policy = repo_root / "configs" / "policies" / "collaborative.toml"
    out = tmp_path / "p.h5"
    res = cli("run", "-p", policy, tiny_scenario, "--steps", "2", "-q", "-o", out)
    assert res.returncode == EXIT_OK, str(res)
    with h5py.File(out, "r") as f:
        assert f.attrs["config_layers"].splitlines() == [str(tiny_scenario), str(policy)]


def test_run_overwrites_existing_output(cli, tiny_scenario, tmp_path):
    out = write(tmp_path / "old.h5", "not an HDF5 file")
    res = cli("run", tiny_scenario, "--steps", "2", "-q", "-o", out, cwd=tmp_path)
    assert res.returncode == EXIT_OK, str(res)
    assert h5py.is_hdf5(out)


def test_run_applies_set_and_steps(cli, tiny_scenario, tmp_path):
    out = tmp_path / "s.h5"
    res = cli("run", tiny_scenario, "--steps", "5", "--set", "labour.nlw=13.5", "--seed", "99", "-q", "-o", out)
    assert res.returncode == EXIT_OK, str(res)
    with h5py.File(out, "r") as f:
        config = tomllib.loads(f.attrs["config"])
        assert config["labour"]["nlw"] == pytest.approx(13.5)
        assert int(f.attrs["seed"]) == 99
        assert int(f.attrs["steps_requested"]) == 5
        assert "--set labour.nlw" in f.attrs["config_layers"]


# --------------------------------------------------------------------------------------------
# interruption


def _interrupt(caremarket_bin, scenario, tmp_path, sig) -> tuple[subprocess.CompletedProcess, Path, float]:
    out = tmp_path / "long.h5"
    deadline = time.monotonic() + 60
    while not Path(caremarket_bin).is_file() and time.monotonic() < deadline:
        time.sleep(0.5)  # being rebuilt
    proc = subprocess.Popen(
        [str(caremarket_bin), "run", str(scenario), "--steps", "5000", "--set", "output.snapshot_interval=0",
         "--threads", "2", "-o", str(out)],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # Wait until the output file is being written (the run loop is under way), then ~1 s more.
        deadline = time.monotonic() + 30
        while not list(tmp_path.glob("long.h5.tmp-*")):
            assert proc.poll() is None, f"the run ended before it could be interrupted: {proc.communicate()}"
            assert time.monotonic() < deadline, "the run never created its temporary output file"
            time.sleep(0.05)
        time.sleep(1.0)
        assert proc.poll() is None, "a 5000-week run should still be going after a second"
        sent = time.monotonic()
        proc.send_signal(sig)
        stdout, stderr = proc.communicate(timeout=30)
        latency = time.monotonic() - sent
    except BaseException:
        proc.kill()
        proc.communicate()
        raise
    return subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr), out, latency


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_signal_stops_run_and_keeps_partial_output(caremarket_bin, somerset_scenario, tmp_path, sig):
    res, out, latency = _interrupt(caremarket_bin, somerset_scenario, tmp_path, sig)
    assert res.returncode == 128 + sig, f"exit {res.returncode}\n{res.stderr}"
    assert latency < 10, f"stopping took {latency:.1f} s; it should stop at the next weekly step"
    assert "interrupted" in res.stderr, res.stderr
    assert "complete = 0" in res.stderr, res.stderr
    assert not list(tmp_path.glob("*.tmp-*")), f"temporary files left behind: {list(tmp_path.iterdir())}"
    if not out.exists():
        return  # allowed: nothing written
    assert h5py.is_hdf5(out)
    with h5py.File(out, "r") as f:
        assert int(f.attrs["complete"]) == 0
        assert f.attrs["stop_reason"] == "cancelled"
        done = int(f.attrs["steps_completed"])
        assert int(f.attrs["steps_requested"]) == 5000
        assert 0 <= done < 5000
        assert f"after {done} of 5000 weeks" in res.stderr, res.stderr
        # Every recorded week is in the file, and nothing else.
        np.testing.assert_array_equal(f["step"][:], np.arange(done + 1))
        assert f["people_needing_care"].shape == (done + 1, 1)
        assert np.all(f["people_needing_care"][:] > 0)
        assert "snapshots" not in f or len(f["snapshots"]) == 0
        assert f.attrs["end_time"] >= f.attrs["start_time"]
    # The partial file is still a readable netCDF-4 dataset.
    with xr.open_dataset(out, engine="h5netcdf") as ds:
        assert ds.sizes["step"] == done + 1
        assert int(ds.attrs["complete"]) == 0


# --------------------------------------------------------------------------------------------
# hostile input and hostile machines: full disks, outputs that are not files, typos


def _can_mount_in_a_namespace() -> bool:
    try:
        probe = subprocess.run(["unshare", "--mount", "--map-root-user", "sh", "-c", "mount -t tmpfs tmpfs /mnt"],
                               capture_output=True, timeout=30)
    except (FileNotFoundError, subprocess.TimeoutExpired):
        return False
    return probe.returncode == 0


needs_mount = pytest.mark.skipif(not _can_mount_in_a_namespace(),
                                 reason="cannot mount a small tmpfs here (no user or mount namespaces)")


def on_small_disk(binary, size: str, *args, timeout: float = 120):
    """Runs `caremarket ARGS` with the folder "@DISK" on a tmpfs of `size`, in a private mount
    namespace (nothing is mounted on the machine), whose out.h5 holds "old" beforehand. Returns
    (exit status, stderr, the names left on the disk, the text of out.h5 afterwards)."""
    script = r'''
        disk=$(mktemp -d)
        mount -t tmpfs -o size="$1" tmpfs "$disk" || exit 99
        shift
        echo old > "$disk/out.h5"
        for a in "$@"; do set -- "$@" "$(printf %s "$a" | sed "s|@DISK|$disk|g")"; shift; done
        err=$(mktemp)
        "$@" 2> "$err"
        status=$?
        echo "@@status $status"
        echo "@@files $(cd "$disk" && find . -mindepth 1 | sort | tr '\n' ' ')"
        echo "@@old $(cat "$disk/out.h5" 2>/dev/null | head -c 20)"
        echo "@@stderr"; cat "$err"; rm -f "$err"; umount "$disk"; rmdir "$disk"
    '''
    proc = subprocess.run(["unshare", "--mount", "--map-root-user", "sh", "-c", script, "sh", size, str(binary), *map(str, args)],
                          capture_output=True, text=True, timeout=timeout)
    out = proc.stdout
    assert "@@status" in out, f"{proc.returncode}\n{out}\n{proc.stderr}"
    status = int(out.split("@@status ")[1].split()[0])
    files = out.split("@@files ")[1].split("\n")[0].split()
    old = out.split("@@old ")[1].split("\n")[0]
    stderr = out.split("@@stderr\n")[1]
    return status, stderr, files, old


@needs_mount
@pytest.mark.parametrize("size", ["16k", "300k", "1200k"])
def test_run_on_a_full_disk_fails_cleanly(caremarket_bin, tiny_scenario, size):
    # Before: HDF5's error stack from the writer's thread, then a segfault at exit (status 139).
    status, stderr, files, old = on_small_disk(caremarket_bin, size, "run", tiny_scenario, "--steps", 60, "-q",
                                               "-o", "@DISK/out.h5")
    assert status == EXIT_RUNTIME, stderr
    assert stderr.strip().splitlines() == [f"caremarket: error: no space left writing {stderr.split('writing ')[-1].strip()}"]
    assert stderr.strip().endswith("/out.h5"), stderr
    assert "HDF5" not in stderr
    assert files == ["./out.h5"], "the temporary file must be removed"
    assert old == "old", "an earlier file of that name must be untouched"


@needs_mount
def test_sweep_on_a_full_disk_fails_cleanly(caremarket_bin, tmp_path, repo_root):
    sweep = write(tmp_path / "s.toml", f"""
[sweep]
name = "s"
scenario = "{repo_root / 'tests/data/tiny.toml'}"
steps = 30
replicates = 2
[[sweep.parameters]]
key = "commissioning.wage_floor"
values = [0.0, 12.60]
""")
    for size in ("8k", "600k"):
        status, stderr, files, _ = on_small_disk(caremarket_bin, size, "sweep", sweep, "-o", "@DISK/sw", "-q")
        assert status == EXIT_RUNTIME, (size, stderr)
        assert "HDF5" not in stderr and "Segmentation" not in stderr, stderr
        assert not [f for f in files if ".tmp" in f], files


def _not_files(tmp_path: Path) -> dict[str, Path]:
    import os
    import socket
    import stat

    made = {"fifo": tmp_path / "fifo.h5", "folder": tmp_path / "folder.h5", "socket": tmp_path / "socket.h5",
            "symlink": tmp_path / "link.h5"}
    os.mkfifo(made["fifo"])
    made["folder"].mkdir()
    with socket.socket(socket.AF_UNIX) as s:
        s.bind(str(made["socket"]))
    (tmp_path / "target.h5").write_text("keep me")
    made["symlink"].symlink_to(tmp_path / "target.h5")
    try:  # a device node, never the machine's own /dev/null
        os.mknod(tmp_path / "null.h5", 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        made["device"] = tmp_path / "null.h5"
    except PermissionError:
        pass
    return made


def test_run_refuses_an_output_that_is_not_a_regular_file(cli, tiny_scenario, tmp_path):
    # Before: `run -o /dev/null` as root replaced the device with an HDF5 file.
    import stat

    for kind, path in _not_files(tmp_path).items():
        mode = path.lstat().st_mode
        res = cli("run", tiny_scenario, "--steps", 2, "-q", "-o", path, cwd=tmp_path)
        assert res.returncode == EXIT_BAD_INPUT, (kind, str(res))
        assert f"caremarket: error: {path}" in res.stderr, (kind, str(res))
        assert path.lstat().st_mode == mode, f"the {kind} was replaced"
        if kind == "symlink":
            assert (tmp_path / "target.h5").read_text() == "keep me"
            assert "symbolic link" in res.stderr
        if kind == "fifo":
            assert stat.S_ISFIFO(path.lstat().st_mode)
    assert not list(tmp_path.glob("*.tmp-*"))


def test_empty_output_name_is_an_error(cli, tiny_scenario, tmp_path):
    # Before: -o '' wrote results/tiny.h5.
    res = cli("run", tiny_scenario, "--steps", 2, "-q", "-o", "", cwd=tmp_path)
    assert res.returncode == EXIT_BAD_INPUT, str(res)
    assert "output file name is empty" in res.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_mistyped_command_is_named_with_the_nearest(cli):
    # Before: "A subcommand is required".
    res = cli("rn")
    assert res.returncode == EXIT_BAD_INPUT, str(res)
    assert "'rn' is not a command (did you mean 'run'?)" in res.stderr, str(res)
    assert "run, validate, scenario, sweep, compare, report, params" in res.stderr


@pytest.mark.parametrize("command", ["run", "validate"])
def test_an_unknown_policy_name_lists_the_shipped_ones(cli, tiny_scenario, tmp_path, command):
    res = cli(command, tiny_scenario, "--policy", "livng_wage_floor", cwd=tmp_path)
    assert res.returncode == EXIT_BAD_INPUT, str(res)
    from conftest import REPO_ROOT

    shipped = ", ".join(sorted(p.stem for p in (REPO_ROOT / "configs" / "policies").glob("*.toml")))
    assert f"is not a shipped policy nor a file; shipped: {shipped} (did you mean living_wage_floor?)" in res.stderr, (
        str(res))


def test_quoted_dotted_keys_are_not_ignored(cli, tiny_scenario, tmp_path):
    # Before: "labour.nlw" = 99 was dropped silently and the run recorded as if it applied.
    policy = write(tmp_path / "p.toml", '"labour.nlw" = 99\n"commissioning.mode" = "collaborative"\n')
    res = cli("validate", tiny_scenario, "--policy", policy)
    assert res.returncode == EXIT_BAD_INPUT, str(res)
    lines = config_error_lines(res)
    assert any('"labour.nlw" is a quoted key with a dot' in line and "did you mean labour.nlw without the quotes" in line
               for line in lines), lines
    assert any('"commissioning.mode" is a quoted key' in line for line in lines), lines


def test_a_config_key_of_fifty_thousand_parts_is_refused(cli, tiny_scenario, tmp_path):
    # Before: the TOML library overflowed the stack (a crash, not a message).
    policy = write(tmp_path / "deep.toml", "a" + ".a" * 50000 + " = 1\n")
    res = cli("validate", tiny_scenario, "--policy", policy)
    assert res.returncode == EXIT_BAD_INPUT, str(res)
    assert "a key with more than 32 dotted parts" in res.stderr


def test_lists_may_mix_integers_and_floats(cli, tiny_scenario, tmp_path):
    # Before: "expected a list of 4 numbers".
    policy = write(tmp_path / "p.toml", "[need]\nhours_by_band = [5, 10.5, 18, 30]\n")
    for args in (["--policy", policy], ["--set", "need.hours_by_band=[5, 10.5, 18, 30]"]):
        res = cli("validate", tiny_scenario, *args)
        assert resolved(res)["need"]["hours_by_band"] == [5.0, 10.5, 18.0, 30.0], str(res)


def test_no_worker_is_paid_below_the_legal_minimum(cli, tiny_scenario, tmp_path):
    # Before: --set labour.nlw=13.00 ran with chain wages of 12.21.
    out = tmp_path / "nlw.h5"
    res = cli("run", tiny_scenario, "--set", "labour.nlw=13.00", "--set", "output.snapshot_interval=4", "--steps", 4,
              "-q", "-o", out)
    assert res.returncode == EXIT_OK, str(res)
    assert "caremarket: warning: providers.chain.wage = 12.21 (default) is below labour.nlw = 13.00" in res.stderr
    with h5py.File(out, "r") as f:
        wages = f["snapshots/week_000004/workers/wage"][()]
        assert wages.min() >= np.float32(13.00) - 1e-4
    res = cli("validate", tiny_scenario, "--set", "labour.nlw=13.00")
    assert "warning: providers.chain.wage" in res.stderr and resolved(res)["providers"]["chain"]["wage"] == 13.0


@pytest.mark.parametrize("setting, allowed", [
    ("commissioning.contract_guaranteed_hours=1.5", "must be between 0 and 1"),
    ("commissioning.contract_min_visit_minutes=-3", "must be between 0 and 120 min"),
    ("commissioning.contract_paid_travel=maybe", "expected true or false"),
])
def test_contract_terms_out_of_range_name_the_key_and_what_is_allowed(caremarket_bin, tiny_scenario, setting, allowed):
    from conftest import run_cli

    result = run_cli(caremarket_bin, "validate", str(tiny_scenario), "--set", setting)
    assert result.returncode == EXIT_BAD_INPUT, str(result)
    key = setting.split("=")[0]
    assert any(key in line and allowed in line for line in config_error_lines(result)), result.stderr


@pytest.mark.parametrize("settings, key, allowed", [
    (["eligibility.care_cap=20000"], "eligibility.care_cap", "must be 0 (no cap) or at least eligibility.capital_upper (GBP 23250)"),
    (["eligibility.care_cap=86000", "eligibility.capital_upper=100000"], "eligibility.care_cap",
     "at least eligibility.capital_upper (GBP 100000)"),
    (["eligibility.income_contribution=-5"], "eligibility.income_contribution", "must be between 0 and 1000"),
    (["eligibility.entrant_share_above_upper=0.97"], "eligibility.entrant_share_between",
     "plus eligibility.entrant_share_above_upper must not exceed 1"),
    (["need.discharge_per_1000_adults=-1"], "need.discharge_per_1000_adults", "must be between 0 and 1000"),
    (["discharge.reablement_success=1.5"], "discharge.reablement_success", "must be between 0 and 1"),
])
def test_means_test_and_discharge_bad_input_names_the_key_and_what_is_allowed(caremarket_bin, tiny_scenario, settings, key, allowed):
    # Issue 16's bad input: a cap below the upper capital limit (it would fund people the means test
    # says can pay), a discharge rate or reablement success out of range: exit 2, naming the key.
    from conftest import run_cli

    args = [arg for s in settings for arg in ("--set", s)]
    result = run_cli(caremarket_bin, "validate", str(tiny_scenario), *args)
    assert result.returncode == EXIT_BAD_INPUT, str(result)
    assert any(key in line and allowed in line for line in config_error_lines(result)), result.stderr

