"""Figures a reader can read: the trend figures' panels and labels, the forest plot's ticks and not-estimable
label, the smallest text recorded in each glued figure, and the browser test's rules for text size and alt text."""

from __future__ import annotations

import io
import re

import matplotlib
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")

import figure_rules  # noqa: E402

from swis.book.myst import FIGURE_DPI, SMALLEST_TEXT_KEY, figure_image  # noqa: E402
from swis.estimation.observed import observed_rates  # noqa: E402
from swis.report.figures.authority import spread, trend_figure  # noqa: E402
from swis.report.figures.forest import NOT_ESTIMABLE, forest_figure, ratio_ticks  # noqa: E402
from swis.report.style import DESIGN_INTERVAL, INTERVAL, SMALLEST_SHOWN_PT, TEXT_PT  # noqa: E402


def _texts(fig) -> list:
    fig.canvas.draw()
    return [t for t in fig.findobj(matplotlib.text.Text) if t.get_visible() and t.get_text().strip()]


# -- the statistics the trend figures draw -------------------------------------------------------------------
def test_group_rate_pools_the_schools(panels):
    rates = observed_rates(panels["Stockport"], "s47")
    d = panels["Stockport"].outcome("s47")
    d = d[(d["group"] == "control") & (d["term"] == "Autumn 2019")]
    expected = d["count"].sum() / d["pupils"].astype(float).sum() * 100
    got = rates.groups.query("group == 'control' and term == 'Autumn 2019'")["rate"].item()
    assert got == pytest.approx(expected)
    assert rates.pilot_terms == ["Autumn 2019"] and len(rates.schools) == len(panels["Stockport"].outcome("s47"))


def test_a_hidden_count_hides_its_group_rate(panels):
    rates = observed_rates(panels["Southampton"], "s47", suppress_below=10)
    hidden_terms = set(rates.schools.loc[rates.schools["rate"].isna() & (rates.schools["group"] == "control"), "term"])
    control = rates.groups[rates.groups["group"] == "control"].set_index("term")["rate"]
    assert hidden_terms and control[sorted(hidden_terms)].isna().all()


# -- the trend figure -----------------------------------------------------------------------------------------
def test_trend_figure_has_a_panel_per_group_each_school_labelled_and_the_pilot_marked(panels, configs):
    rates = observed_rates(panels["Stockport"], "s47")
    fig = trend_figure(rates, configs["Stockport"], "s47")
    texts = [t.get_text() for t in _texts(fig)]
    assert "Pilot (intervention) schools" in texts and "Comparison (control) schools" in texts
    assert set(rates.schools["school"]) <= set(texts)  # every school named on the figure, as printed
    assert texts.count("all schools") == 2 and texts.count("pilot term") == 2
    assert min(t.get_fontsize() for t in _texts(fig)) >= TEXT_PT


def test_trend_labels_do_not_overlap(panels, configs):
    """Nine comparison schools end near zero in Stockport: their labels are moved apart (the words only; an
    annotation's extent includes its leader line)."""
    fig = trend_figure(observed_rates(panels["Stockport"], "s47"), configs["Stockport"], "s47")
    fig.canvas.draw()
    for ax in fig.axes:
        boxes = sorted(
            (
                matplotlib.text.Text.get_window_extent(t)
                for t in ax.texts
                if t.get_text() in set(panels["Stockport"].data["school"])
            ),
            key=lambda b: b.y0,
        )
        assert all(low.y1 <= high.y0 + 0.5 for low, high in zip(boxes, boxes[1:], strict=False))


def test_spread_keeps_order_and_gap():
    wished = [0.0, 0.2, 0.1, 3.0, -5.0]
    got = spread(wished, 1.0, floor=-4.5)
    ordered = [got[i] for i in sorted(range(len(wished)), key=lambda i: wished[i])]
    assert all(b - a >= 1.0 - 1e-9 for a, b in zip(ordered, ordered[1:], strict=False))
    assert min(got) >= -4.5
    assert spread([1.0, 5.0], 1.0) == [1.0, 5.0]  # labels with room stay where they are


# -- the forest plot ------------------------------------------------------------------------------------------
def _estimates(lambeth_irr=np.nan):
    return pd.DataFrame(
        {
            "label": ["X", "Y", "Z"],
            "irr": [0.5, 2.0, lambeth_irr],
            "ci_low": [0.04, 1.1, np.nan],
            "ci_high": [1.0, 25, np.nan],
            "t_ci_low": [0.03, 0.6, np.nan],
            "t_ci_high": [2.5, 30.0, np.nan],
            "estimable": [True, True, False],
        }
    )


def test_forest_ticks_are_plain_numbers():
    ax = forest_figure(_estimates()).axes[0]
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert {"0.1", "0.5", "1", "2", "10"} <= set(labels)
    assert all(re.fullmatch(r"\d+(\.\d+)?", label) for label in labels)  # no 10^-1, no 1e-1
    assert ratio_ticks(0.3, 3) == ([0.5, 1, 2], ["0.5", "1", "2"])


@pytest.mark.parametrize("irr", [(0.5, 2.0), (5.0, 20.0), (0.02, 0.05)])
def test_not_estimable_label_is_clear_of_the_line_at_one(irr):
    est = _estimates()
    est.loc[:1, "irr"] = irr
    est.loc[:1, ["ci_low", "t_ci_low"]] = min(irr) / 2
    est.loc[:1, ["ci_high", "t_ci_high"]] = max(irr) * 2
    fig = forest_figure(est)
    ax = fig.axes[0]
    fig.canvas.draw()
    label = next(t for t in ax.texts if t.get_text() == NOT_ESTIMABLE)
    box = label.get_window_extent()
    one = ax.transData.transform((1, 0))[0]
    crossed = box.x0 <= one <= box.x1
    # clear of the line, or else drawn over it on white: never struck through
    line = next(line for line in ax.lines if list(line.get_xdata()) == [1, 1])
    assert not crossed or (label.get_zorder() > line.get_zorder() and label.get_bbox_patch() is not None)
    assert ax.get_window_extent().x0 <= box.x0 and box.x1 <= ax.get_window_extent().x1


def test_forest_draws_both_intervals_when_the_results_carry_them():
    ax = forest_figure(_estimates()).axes[0]
    colours = [line.get_color() for line in ax.lines if len(line.get_xdata()) == 2]
    assert colours.count(INTERVAL) == 2 and colours.count(DESIGN_INTERVAL) == 2
    ax = forest_figure(_estimates().drop(columns=["t_ci_low", "t_ci_high"])).axes[0]
    colours = [line.get_color() for line in ax.lines if len(line.get_xdata()) == 2]
    assert colours.count(INTERVAL) == 2 and DESIGN_INTERVAL not in colours


# -- the smallest text, recorded at draw time, and the browser test's rules -----------------------------------
def test_glued_figures_record_their_smallest_text(panels, configs):
    from PIL import Image

    fig = trend_figure(observed_rates(panels["Lambeth"], "s17"), configs["Lambeth"], "s17")
    with Image.open(io.BytesIO(figure_image(fig).data)) as png:
        smallest, width = float(png.text[SMALLEST_TEXT_KEY]), png.size[0]
    assert smallest >= TEXT_PT
    # shown at half its pixels, or less should that be wider than the content column (672 px at a 1280 px window)
    shown = figure_rules.shown_points(smallest, FIGURE_DPI, min(width / 2, 672), width)
    assert shown >= SMALLEST_SHOWN_PT


def test_shown_points_rule():
    assert figure_rules.shown_points(9, 200, 680, 1360) == pytest.approx(9.375)
    assert figure_rules.shown_points(10, 200, 672, 2840) < SMALLEST_SHOWN_PT  # a squeezed wide drawing fails


def test_alt_text_rule():
    assert figure_rules.alt_problem("Line chart of Section 47 starts by term, one line per school.") is None
    assert figure_rules.alt_problem("") == "empty"
    assert figure_rules.alt_problem("fig_forest.png") == "a file name"
    assert figure_rules.alt_problem("a plot") is not None


def test_svg_text_sizes():
    svg = '<svg viewBox="0 0 800 400"><text style="font-size: 12px">a</text><text font-size="10">b</text></svg>'
    assert figure_rules.svg_text(svg) == (10.0, 800.0)


def test_two_pilot_terms_are_named_as_such(panels, configs):
    import dataclasses

    rates = observed_rates(panels["Stockport"], "s47")
    two = dataclasses.replace(rates, pilot_terms=["Autumn 2018", "Autumn 2019"])
    texts = [t.get_text() for t in _texts(trend_figure(two, configs["Stockport"], "s47"))]
    assert texts.count("pilot terms") == 2 and "pilot term" not in texts
