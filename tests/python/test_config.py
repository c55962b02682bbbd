"""Configuration through the Python package (mirror of tests/cpp/test_config.cpp): defaults, layers
(scenario < policies < overrides), the typed schema, and one caremarket.ConfigError message per kind
of bad input, naming the layer, the key, the value and what is allowed. caremarket.parameters()
lists every parameter with its unit, default and allowed values, as `caremarket params` does.

Run with:  CAREMARKET_BIN=<build>/cli/caremarket CAREMARKET_PYTHONPATH=<build>/python \
           /usr/bin/python3 -m pytest -q tests/python/test_config.py
"""

from __future__ import annotations

import subprocess
import tomllib
from pathlib import Path

import pandas as pd
import pytest

from conftest import RAISED_WAGE

#: Keys tests/data/tiny.toml sets (besides [[councils]]); every other parameter takes its default.
TINY_SETS = {
    "run.steps", "run.seed", "run.warmup_weeks", "output.snapshot_interval", "region.name", "region.description",
    "commissioning.mode",
}


@pytest.fixture(scope="module")
def cm(caremarket_pkg):
    return caremarket_pkg


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def lookup(table: dict, dotted: str):
    # A council's key (parameters() lists them as councils[NAME].key): the first council's.
    if dotted.startswith("councils[NAME]."):
        table, dotted = table["councils"][0], dotted[len("councils[NAME]."):]
    for part in dotted.split("."):
        table = table[part]
    return table


def error_of(cm, *args, **kwargs):
    with pytest.raises(cm.ConfigError) as caught:
        cm.Simulation(*args, **kwargs)
    return caught.value


# --- defaults and types -----------------------------------------------------------------------------


def test_defaults_fill_missing_keys(cm, tiny_scenario):
    sim = cm.Simulation(tiny_scenario)
    params = cm.parameters()
    differing = set()
    for key, row in params.iterrows():
        if key == "councils" or key.startswith("councils[NAME]."):
            continue  # the scenario's own councils
        value = lookup(sim.config, key)  # KeyError: a parameter missing from the resolved config
        default = tomllib.loads(f"v = {row['default']}")["v"]
        if value != default:
            differing.add(key)
    assert differing == TINY_SETS


def test_resolved_values_have_their_declared_types(cm, tiny_scenario):
    config = cm.Simulation(tiny_scenario).config
    expected = {"integer": int, "real": float, "boolean": bool, "text": str, "choice": str, "real list": list}
    for key, kind in cm.parameters()["kind"].items():
        if kind in expected:
            value = lookup(config, key)
            assert type(value) is expected[kind], f"{key} ({kind}) resolved as {value!r}"


@RAISED_WAGE
def test_integers_are_accepted_for_reals_but_not_reals_for_integers(cm, tiny_scenario):
    sim = cm.Simulation(tiny_scenario, overrides={"labour.nlw": 13})
    assert sim.config["labour"]["nlw"] == 13.0 and isinstance(sim.config["labour"]["nlw"], float)
    error = error_of(cm, tiny_scenario, overrides={"run.steps": 1.5})
    assert "run.steps = 1.5: expected an integer (weeks), got a number" in str(error)


def test_parameters_lists_units_defaults_and_allowed_values(cm, caremarket_bin):
    params = cm.parameters()
    assert params.index.name == "key" and params.index.is_unique
    assert list(params.columns) == ["kind", "unit", "allowed", "default", "doc", "source"]
    assert len(params) > 100
    assert (params["doc"].str.len() > 0).all()
    nlw = params.loc["labour.nlw"]
    assert (nlw["kind"], nlw["unit"], nlw["default"], nlw["allowed"]) == (
        "real", "GBP/h", "12.21", "between 0 and 100 GBP/h"
    )
    radius = params.loc["providers.micro.radius_minutes"]
    assert (radius["unit"], radius["default"]) == ("minutes", "20")
    assert params.loc["providers.micro.max_workers", "default"] == "8"
    assert params.loc["run.steps", "unit"] == "weeks"
    mode = params.loc["commissioning.mode"]
    assert mode["kind"] == "choice"
    assert mode["allowed"] == 'one of "lowest_price", "quality_weighted", "collaborative"'
    assert params.loc["need.hours_by_band", "kind"] == "real list"
    # The same list, in the same order, as `caremarket params`.
    listed = subprocess.run([str(caremarket_bin), "params"], capture_output=True, text=True, timeout=60)
    assert listed.returncode == 0, listed.stderr
    assert [line.split()[0] for line in listed.stdout.splitlines() if line.strip()] == list(params.index)


# --- one message per kind of bad input --------------------------------------------------------------


def test_wrong_type_names_layer_key_and_expectation(cm, tiny_scenario, tmp_path):
    error = error_of(cm, tiny_scenario, overrides={"run.steps": "ten"})
    assert isinstance(error, ValueError)
    assert str(error) == (
        "the configuration has 1 problem(s):\n"
        "  --set run.steps: run.steps = 'ten': expected an integer (weeks), got a string"
    )
    assert error.problems == [("--set run.steps", "run.steps", "= 'ten': expected an integer (weeks), got a string")]
    policy = write(tmp_path / "typed.toml", '[output]\nevents = "yes"\n')
    error = error_of(cm, tiny_scenario, policies=[policy])
    (problem,) = error.problems
    assert problem.origin == str(policy) and problem.key == "output.events"
    assert "expected true or false, got a string" in problem.message


def test_out_of_range_gives_the_range(cm, tiny_scenario):
    error = error_of(cm, tiny_scenario, overrides={"labour.nlw": 150.0})
    assert "--set labour.nlw: labour.nlw = 150.0: must be between 0 and 100 GBP/h" in str(error)
    error = error_of(cm, tiny_scenario, overrides={"run.steps": 0})
    assert "run.steps = 0: must be between 1 and 100000 weeks" in str(error)
    error = error_of(cm, tiny_scenario, overrides={"need.hours_by_band": [1, 2, 3, 500]})
    assert "every entry must be between 0 and 168 h/week" in str(error)


def test_list_length_is_checked(cm, tiny_scenario):
    error = error_of(cm, tiny_scenario, overrides={"need.hours_by_band": [1, 2, 3]})
    assert "expected a list of 4 numbers (h/week)" in str(error)
    assert error.problems[0].key == "need.hours_by_band"


def test_unknown_key_suggests_the_nearest(cm, tiny_scenario, tmp_path):
    error = error_of(cm, tiny_scenario, overrides={"labour.nlww": 12.0})
    assert "labour.nlww is not a known parameter; did you mean 'labour.nlw'?" in str(error)
    error = error_of(cm, tiny_scenario, overrides={"labr.nlw": 12.0})
    assert "labr is not a known parameter; did you mean 'labour'?" in str(error)
    policy = write(tmp_path / "typo.toml", "[providers.micro]\nmax_worker = 6\n")
    error = error_of(cm, tiny_scenario, policies=[policy])
    assert error.problems[0].origin == str(policy)
    assert "did you mean 'providers.micro.max_workers'?" in str(error)


def test_bad_choice_lists_allowed_values_and_suggests_one(cm, tiny_scenario):
    error = error_of(cm, tiny_scenario, overrides={"commissioning.mode": "colaborative"})
    text = str(error)
    assert 'must be one of "lowest_price", "quality_weighted", "collaborative"' in text
    assert '(did you mean "collaborative"?)' in text


def test_all_problems_are_reported_together(cm, tiny_scenario):
    error = error_of(
        cm, tiny_scenario, overrides={"labour.nlw": -1, "run.steps": 0, "bogus.key": 1, "output.events": 1}
    )
    assert len(error.problems) == 4
    assert str(error).startswith("the configuration has 4 problem(s):\n")
    assert len(str(error).splitlines()) == 5
    # Unknown keys first, then the others in the order the schema declares them (not as given).
    keys = [p.key for p in error.problems]
    assert keys[0] == "bogus"
    order = list(cm.parameters().index)
    assert keys[1:] == sorted(keys[1:], key=order.index) == ["run.steps", "output.events", "labour.nlw"]


@pytest.mark.parametrize("where", ["scenario", "policy"])
def test_malformed_toml_gives_file_and_line(cm, tiny_scenario, tmp_path, where):
    broken = write(tmp_path / "broken.toml", "[labour]\nnlw = = 1\n")
    error = error_of(cm, broken) if where == "scenario" else error_of(cm, tiny_scenario, policies=[broken])
    (problem,) = error.problems
    assert problem.origin == str(broken)
    assert "is not valid TOML: line 2" in problem.message


def test_missing_files_are_named(cm, tiny_scenario, tmp_path):
    missing = tmp_path / "nonexistent" / "scenario.toml"
    error = error_of(cm, missing)
    assert f"{missing}: does not exist" in str(error)
    error = error_of(cm, tiny_scenario, policies=[tmp_path / "missing_policy.toml"])
    assert f"{tmp_path / 'missing_policy.toml'}: does not exist" in str(error)


def test_unknown_shipped_scenario_name_is_named(cm):
    error = error_of(cm, "no_such_scenario")
    assert "no_such_scenario: no such file and no shipped scenario of that name" in str(error)
    assert "somerset" in str(error)


def test_unknown_shipped_policy_name_is_named(cm, tiny_scenario):
    error = error_of(cm, tiny_scenario, policies=["no_such_policy"])
    assert error.problems[0].origin == "no_such_policy"
    assert "collaborative" in str(error)
    assert "no_such_policy: no such file and no shipped policy of that name" in str(error)


def test_bad_set_syntax(cm, tiny_scenario):
    for assignment in ("no-equals-sign", "=3"):
        error = error_of(cm, tiny_scenario, overrides=[assignment])
        assert "must look like key.path=value" in str(error), assignment


# --- layers -----------------------------------------------------------------------------------------


@RAISED_WAGE
def test_layers_merge_in_order_scenario_policies_overrides(cm, tiny_scenario, tmp_path):
    first = write(tmp_path / "first.toml", '[labour]\nnlw = 13.5\noutside_wage = 13.0\n[commissioning]\nmode = "collaborative"\n')
    second = write(tmp_path / "second.toml", "[labour]\nnlw = 14.0\n")
    sim = cm.Simulation(tiny_scenario, policies=[first, second], overrides={"labour.outside_wage": 15.0})
    labour = sim.config["labour"]
    assert labour["nlw"] == 14.0  # the later policy wins
    assert labour["outside_wage"] == 15.0  # the override wins over every policy
    assert sim.config["commissioning"]["mode"] == "collaborative"  # a policy over the scenario
    # Tables merge key by key: the rest of [labour] keeps its defaults.
    assert labour["move_share"] == float(cm.parameters().loc["labour.move_share", "default"])
    assert sim.config["run"]["steps"] == 40  # from the scenario
    assert sim.layers == [str(tiny_scenario), str(first), str(second), "--set labour.outside_wage"]
    reversed_order = cm.Simulation(tiny_scenario, policies=[second, first])
    assert reversed_order.config["labour"]["nlw"] == 13.5
    # Policies apply before overrides whatever the order of the arguments.
    assert cm.Simulation(tiny_scenario, overrides={"labour.nlw": 12.5}, policies=[second]).config["labour"]["nlw"] == 12.5


def test_a_policy_with_councils_replaces_the_whole_list(cm, tiny_scenario, tmp_path):
    """Tables merge key by key; an array of tables such as [[councils]] is replaced whole."""
    solo = write(
        tmp_path / "solo.toml",
        '[[councils]]\nname = "Solo"\nlocalities = 3\npeople = 300\nworkers = 150\nchains = 1\n'
        "agencies = 1\nmicro_enterprises = 1\nbudget_million = 2\nadults_thousands = 10\n",
    )
    sim = cm.Simulation(tiny_scenario, policies=[solo])
    assert sim.councils == ["Solo"]
    assert sim.config["region"]["name"] == "Tinyshire"  # the rest of the scenario stays
    assert sim.people.rows == 300


@RAISED_WAGE
def test_errors_name_the_layer_that_set_the_value(cm, tiny_scenario, tmp_path):
    good = write(tmp_path / "good.toml", "[labour]\nnlw = 13.0\n")
    bad = write(tmp_path / "bad.toml", "[labour]\nnlw = 300.0\n")
    error = error_of(cm, tiny_scenario, policies=[good, bad])
    assert error.problems[0].origin == str(bad)
    # A later layer that fixes the value hides the bad one.
    assert cm.Simulation(tiny_scenario, policies=[bad, good]).config["labour"]["nlw"] == 13.0
    assert cm.Simulation(tiny_scenario, policies=[bad], overrides={"labour.nlw": 12.0}).config["labour"]["nlw"] == 12.0


def test_set_parses_toml_values_and_bare_words(cm, tiny_scenario):
    sim = cm.Simulation(
        tiny_scenario,
        overrides=["commissioning.mode=collaborative", "output.events=false", "need.hours_by_band=[4, 9, 16, 28]"],
    )
    assert sim.config["commissioning"]["mode"] == "collaborative"
    assert sim.config["output"]["events"] is False
    assert sim.config["need"]["hours_by_band"] == [4.0, 9.0, 16.0, 28.0]
    mapped = cm.Simulation(tiny_scenario, overrides={"need.hours_by_band": (4, 9, 16, 28), "output.events": False})
    assert mapped.config["need"] == sim.config["need"]


@RAISED_WAGE
def test_mapping_overrides_mean_the_same_in_compare_as_in_simulation(cm, tiny_scenario, tmp_path):
    """caremarket.compare takes overrides "as {key: value}" like Simulation and run: the same mapping
    must resolve to the same configuration in every run of the comparison."""
    overrides = {"output.events": False, "labour.nlw": 12.5, "commissioning.mode": "collaborative"}
    expected = cm.Simulation(tiny_scenario, overrides=overrides).config
    output = tmp_path / "compare"
    try:
        cm.compare(tiny_scenario, "quality_weighted", replicates=2, steps=2, overrides=overrides, output=output)
    except RuntimeError:
        pass  # reported below, with the runs' own errors
    index = cm.read_index(output)
    assert (index["status"] == "done").all(), sorted(set(index["error"]))
    for file in index["file"]:
        config = cm.open(output / file).config
        assert config["output"]["events"] is expected["output"]["events"]
        assert config["labour"]["nlw"] == expected["labour"]["nlw"]


@RAISED_WAGE
def test_resolved_config_round_trips(cm, tiny_scenario, tmp_path):
    sim = cm.Simulation(tiny_scenario, overrides={"commissioning.mode": "collaborative", "labour.nlw": 12.75})
    resolved = write(tmp_path / "resolved.toml", sim.config_toml)
    again = cm.Simulation(resolved)
    assert again.config_toml == sim.config_toml
    assert again.config == sim.config
    sim.step(10)
    again.step(10)
    pd.testing.assert_frame_equal(again.metrics(), sim.metrics(), check_exact=True)


# --- scenarios --------------------------------------------------------------------------------------


def test_shipped_scenario_loads(cm):
    built = cm.Simulation("somerset", overrides={"run.warmup_weeks": 0})
    (council,) = built.config["councils"]
    assert council["people"] == 14000 and council["localities"] == 71 and council["code"] == "E06000066"
    assert built.people.rows == 14000
    # By default it starts after its warm-up (run.warmup_weeks, 104 weeks): the market has moved on.
    warm = cm.Simulation("somerset")
    assert warm.config["run"]["warmup_weeks"] == 104 and warm.current_step == 0
    assert warm.people.rows != 14000


def test_council_errors_name_the_entry(cm, tmp_path):
    path = write(
        tmp_path / "s.toml",
        '[[councils]]\nname = "A"\npeople = -5\n[[councils]]\nname = "A"\nlocalitees = 3\n',
    )
    text = str(error_of(cm, path))
    assert "councils[0].people = -5" in text
    assert "councils[1].localitees is not a known parameter; did you mean 'councils[1].localities'" in text


def test_consistency_checks(cm, tmp_path):
    path = write(tmp_path / "s.toml", '[[councils]]\nname = "A"\n[need]\ninitial_band_shares = [0.5, 0.5, 0.5, 0.5]\n')
    error = error_of(cm, path)
    assert "must sum to 1" in str(error)
    assert error.problems[0].key == "need.initial_band_shares"


def test_scenario_without_councils_is_an_error(cm, tmp_path):
    path = write(tmp_path / "s.toml", '[region]\nname = "x"\n')
    error = error_of(cm, path)
    assert "councils is missing" in str(error)


# --- hostile input (mirror of the ConfigLimits tests in tests/cpp/test_config.cpp) ------------------


def test_lists_may_mix_integers_and_floats(cm, tiny_scenario):
    # Before: "expected a list of 4 numbers" for [5, 10.5, 18, 30].
    sim = cm.Simulation(tiny_scenario, overrides={"need.hours_by_band": [5, 10.5, 18, 30]})
    assert sim.config["need"]["hours_by_band"] == [5.0, 10.5, 18.0, 30.0]


def test_quoted_dotted_keys_are_an_error(cm, tiny_scenario, tmp_path):
    policy = write(tmp_path / "p.toml", '"labour.nlw" = 99\n')
    error = error_of(cm, tiny_scenario, policies=[policy])
    (problem,) = error.problems
    assert problem.key == '"labour.nlw"' and "did you mean labour.nlw without the quotes" in problem.message


def test_deep_keys_are_refused_before_parsing(cm, tiny_scenario, tmp_path):
    policy = write(tmp_path / "deep.toml", "a" + ".a" * 50000 + " = 1\n")
    error = error_of(cm, tiny_scenario, policies=[policy])
    assert "a key with more than 32 dotted parts" in str(error)


def test_a_wage_below_the_legal_minimum_is_raised_with_a_warning(cm, tiny_scenario):
    with pytest.warns(UserWarning, match=r"providers\.chain\.wage = 12\.21 \(default\) is below labour\.nlw = 13\.00"):
        sim = cm.Simulation(tiny_scenario, overrides={"labour.nlw": 13.0})
    assert sim.config["providers"]["chain"]["wage"] == 13.0
