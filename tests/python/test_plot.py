"""caremarket.plot (issue 22, part 3): an arm keeps one colour in every panel of a figure (its lines
in one panel differ by line style), and money is drawn in £ m a year, labelled so.

Run with:  CAREMARKET_PYTHONPATH=<build>/python /usr/bin/python3 -m pytest -q tests/python/test_plot.py
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402

WEEKS = 20
ARMS = ("baseline", "support", "alliance")


@pytest.fixture(scope="module")
def cm(caremarket_pkg):
    return caremarket_pkg


@pytest.fixture(scope="module")
def plot(cm):
    return cm.plot


@pytest.fixture(scope="module")
def arms(cm, tiny_scenario):
    """Three arms of two replicates each (time series of the tiny region, weeks 0..WEEKS)."""
    out = {}
    for k, name in enumerate(ARMS):
        runs = []
        for replicate in range(2):
            sim = cm.Simulation(tiny_scenario, seed=10 + k, replicate=replicate, threads=1)
            sim.step(WEEKS)
            runs.append(sim.metrics())
        out[name] = runs
    return out


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def lines_of(ax, arm: str) -> list:
    return [line for line in ax.get_lines() if line.get_label().endswith(f"({arm})")]


def test_an_arm_has_one_colour_in_every_panel_of_the_dashboard(plot, arms):
    fig = plot.dashboard(arms)
    panels = [ax for ax in fig.axes if ax.get_lines()]
    assert len(panels) == 6
    for k, arm in enumerate(ARMS):
        for ax in panels:
            lines = lines_of(ax, arm)
            assert lines, (arm, ax.get_title())
            assert {to_rgba(line.get_color()) for line in lines} == {to_rgba(f"C{k}")}, (arm, ax.get_title())
            # One arm's several lines in a panel differ by line style.
            styles = [line.get_linestyle() for line in lines]
            assert len(set(styles)) == len(styles), (arm, ax.get_title(), styles)
    assert plot.arm_colors(fig) == {arm: f"C{k}" for k, arm in enumerate(ARMS)}


def test_dashboard_takes_the_arms_colours(plot, arms):
    fig = plot.dashboard(arms, colors={"support": "black"})
    for ax in fig.axes:
        assert {to_rgba(line.get_color()) for line in lines_of(ax, "support")} == {to_rgba("black")}
        # The others take C0, C1 in order.
        assert {to_rgba(line.get_color()) for line in lines_of(ax, "baseline")} == {to_rgba("C0")}
        assert {to_rgba(line.get_color()) for line in lines_of(ax, "alliance")} == {to_rgba("C1")}
    fig = plot.dashboard(arms, colors=["red", "green", "blue"])
    assert plot.arm_colors(fig) == {"baseline": "red", "support": "green", "alliance": "blue"}


def test_the_same_label_keeps_its_colour_across_axes(plot, arms):
    """Drawn by hand: an arm is C0, C1, ... in the order arms first appear in the figure, on every axes
    of it, whatever is drawn on each."""
    fig, (left, right) = plt.subplots(1, 2)
    plot.micro_enterprises(arms["baseline"], ax=left, label="baseline")
    plot.micro_enterprises(arms["support"], ax=left, label="support")
    plot.workforce(arms["support"], ax=right, label="support")  # support alone here: still C1
    plot.series(arms["baseline"], "workers", ax=right, label="baseline")
    assert {to_rgba(line.get_color()) for line in lines_of(right, "support")} == {to_rgba("C1")}
    baseline_right = [line for line in right.get_lines() if line.get_label() == "baseline"]
    assert [to_rgba(line.get_color()) for line in baseline_right] == [to_rgba("C0")]
    assert plot.arm_colors(left) == {"baseline": "C0", "support": "C1"}
    # color= sets an arm's colour, which it keeps in the figure's other panels.
    fig, (a, b) = plt.subplots(1, 2)
    plot.unmet_need(arms["alliance"], ax=a, label="alliance", color="purple")
    plot.wellbeing(arms["alliance"], ax=b, label="alliance")
    assert {to_rgba(line.get_color()) for line in lines_of(b, "alliance")} == {to_rgba("purple")}


def test_money_is_drawn_in_pounds_million_a_year(cm, plot, arms):
    runs = arms["baseline"]
    ax = plot.money_flows(runs, label="baseline")
    assert ax.get_ylabel() == plot.MONEY_LABEL == "£ m a year"
    spend = np.mean([cm.region_series(m)["council_spend"].to_numpy() for m in runs], axis=0)
    line = next(line for line in ax.get_lines() if line.get_label() == "council spend (baseline)")
    np.testing.assert_allclose(line.get_ydata(), spend * 52 / 1e6)
    # One series on its own: money flows (GBP/week) likewise, unless a scale is given.
    ax = plot.series(runs, "council_spend")
    assert ax.get_ylabel() == "£ m a year"
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), spend * 52 / 1e6)
    ax = plot.series(runs, "council_spend", scale=1.0)
    assert ax.get_ylabel() == ""
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), spend)
    # A price is not a flow: £ an hour, as it is.
    ax = plot.series(runs, "price_per_hour")
    price = np.mean([cm.region_series(m)["price_per_hour"].to_numpy() for m in runs], axis=0)
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), price)
    assert "£ m a year" in plot.__doc__ and "one colour" in plot.__doc__


def test_region_series_takes_results_simulations_and_frames(cm, tiny_scenario, tmp_path):
    sim = cm.Simulation(tiny_scenario, seed=3, threads=1)
    sim.step(5)
    from_sim = cm.region_series(sim)
    assert list(from_sim.index) == list(range(6)) and from_sim.index.name == "step"
    assert (from_sim["people_needing_care"] == sim.metrics()["people_needing_care"].groupby(level="step").sum()).all()
    saved = sim.save(tmp_path / "r.h5", progress=False)
    np.testing.assert_array_equal(cm.region_series(saved).to_numpy(), from_sim.to_numpy())
    groups = cm.region_series(sim, groups={"North Tiny": "north", "South Tiny": "south"})
    assert groups.index.names == ["step", "group"] and len(groups) == 12
    with pytest.raises(TypeError, match="region_series"):
        cm.region_series(np.zeros(3))
