"""The display layer: what the book says and shows is tested here without executing a notebook."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from swis.data.published import load_costs, load_data_collected
from swis.estimation.costs import cost_table
from swis.estimation.did import estimate_panel
from swis.report import context_tables, tables
from swis.report import format as fmt
from swis.report.readings import outcome_values, reading


@pytest.fixture(scope="module")
def stockport_s17(panels):
    return estimate_panel(panels["Stockport"], "s17")


def test_formatters():
    assert fmt.irr(0.4704) == "0.47" and fmt.irr(np.nan) == "not estimable"
    assert fmt.irr_with_ci(0.47038, 0.23815, 0.92909) == "0.47 [0.24, 0.93]"
    assert fmt.p_value(0.0298748) == "0.030" and fmt.p_value(0.0004) == "<0.001"
    assert fmt.percent(0.35) == "65%" and fmt.pct_change(np.inf) != fmt.pct_change(np.inf)  # NaN when not finite
    assert fmt.count(1040) == "1,040" and fmt.rate(5 / 200 * 100, 100) == "2.50" and fmt.money(599.91) == "£599.91"


def test_regression_table_lays_out_every_coefficient(stockport_s17):
    table = tables.regression_table(stockport_s17)
    assert list(table.columns) == ["Effect", "Coefficient", "IRR", "95% CI", "p-value"]
    assert table["Coefficient"].tolist() == [
        "Autumn 2017",
        "Autumn 2018",
        "Autumn 2019",
        "Intervention by time",
        "Constant",
        "Change in intervention schools",
    ]
    row = table.set_index("Coefficient").loc["Intervention by time"]
    t = stockport_s17.get("Intervention by time")
    assert (row["IRR"], row["95% CI"], row["p-value"]) == (
        fmt.irr(t["irr"]),
        fmt.interval(t["ci_low"], t["ci_high"]),
        fmt.p_value(t["p_value"]),
    )
    assert table.set_index("Coefficient").loc["Autumn 2018", "IRR"] == "Reference"  # the reference term


def test_reading_says_what_the_estimates_are(stockport_s17):
    text = reading(stockport_s17, "Section 17 starts")
    inter = stockport_s17.table.set_index("coefficient").loc["Intervention by time"]
    assert f"the rate ratio is {inter['irr']:.2f}" in text and f"(p = {inter['p_value']:.3f})" in text
    assert f"with t({int(inter['t_df'])}) critical values" in text
    values = outcome_values(stockport_s17)
    assert values["s17_int_irr"] == pytest.approx(inter["irr"]) and values["s17_int_direction"] == "decrease"
    # reference: the Section 17 table of Part Two, Stockport, lists two intervention and two comparison schools
    assert (values["s17_n_intervention"], values["s17_n_control"]) == (2, 2)


def test_reading_of_a_separated_model_says_it_cannot_be_estimated(panels):
    text = reading(estimate_panel(panels["Lambeth"], "s47"), "Section 47 starts")
    assert "cannot estimate the interaction" in text and "the rate ratio is" not in text


def test_school_term_table_suppresses_small_counts_when_asked(panels):
    shown = tables.school_term_table(panels["Stockport"], "s17", suppress_below=10)
    numbers = [c.split(" ")[0] for c in shown.drop(columns="School").to_numpy().ravel() if c]
    assert any(n == "<10" for n in numbers)
    assert not any(n.isdigit() and 1 <= int(n) < 10 for n in numbers)
    data = tables.school_term_data(panels["Stockport"], "s17", suppress_below=10)
    assert set(data.loc[data["Number"] == "<10", "Average count per 100 pupils"]) == {"<10"}


def test_school_term_table_has_a_row_per_school_grouped_and_terms_across(panels):
    full = tables.school_term_table(panels["Stockport"], "s17")
    assert list(full.columns) == ["School", "Autumn 2017", "Autumn 2018", "Autumn 2019"]
    # reference: Part Two, Stockport, Table 2 lists STO_Primary2_INT and STO_Primary4_INT as intervention schools
    assert full["School"].tolist()[:3] == ["Intervention schools", "STO_Primary2_INT", "STO_Primary4_INT"]
    assert full["School"].tolist()[3] == "Control schools"
    # number and average in one cell; the corrected cell shows the printed count (data/corrections.csv)
    row = full.set_index("School").loc["STO_Primary4_INT"]
    assert row["Autumn 2017"] == "5 (2.50; printed 0)" and row["Autumn 2018"] == "12 (6.32)"
    assert "printed" not in full.set_index("School").loc["STO_Primary2_INT", "Autumn 2017"]


def test_school_term_data_has_every_school_and_term_with_pupils(panels):
    data = tables.school_term_data(panels["Stockport"], "s17")
    panel = panels["Stockport"].outcome("s17")
    assert len(data) == len(panel)
    assert list(data.columns) == [
        "Group", "School", "Term", "Number", "Pupils", "Average count per 100 pupils", "Printed number"
    ]  # fmt: skip
    row = data[(data["School"] == "STO_Primary4_INT") & (data["Term"] == "Autumn 2017")].iloc[0]
    assert (row["Number"], row["Pupils"], row["Printed number"]) == ("5", "200", "0")


def test_audit_and_forest_tables_format_every_row():
    rows = pd.DataFrame(
        {
            "coefficient": ["A", "B"],
            "published_irr": [0.61, 1.2],
            "published_ci_low": [0.44, 0.5],
            "published_ci_high": [0.85, 3.1],
            "irr": [0.6123, np.nan],
            "ci_low": [0.441, np.nan],
            "ci_high": [0.849, np.nan],
            "reproduced": [True, False],
        }
    )
    shown = tables.audit_display(rows)
    assert shown["Reproduced IRR [95% CI]"].tolist() == ["0.61 [0.44, 0.85]", "not estimable"]
    assert shown["Agrees at printed precision"].tolist() == ["yes", "no"]
    est = pd.DataFrame(
        {
            "label": ["X", "Y"],
            "irr": [0.5, np.nan],
            "ci_low": [0.25, np.nan],
            "ci_high": [1.0, np.nan],
            "p_value": [0.051, np.nan],
            "estimable": [True, False],
        }
    )
    forest = tables.forest_table(est)
    assert forest["Rate ratio"].tolist() == ["0.50", "not estimable"]
    assert forest["Report's convention: 95% CI; p"].tolist() == ["0.25 to 1.00; 0.051", "not estimable"]
    # results written before the design-respecting tests existed say so, rather than show a number
    assert forest["Randomization p (smallest possible)"].tolist() == ["not computed", "not computed"]
    est = est.assign(ri_p_value=[0.333, 0.2], ri_min_p=[0.333, 0.1], t_ci_low=[0.1, np.nan])
    est = est.assign(t_ci_high=[2.5, np.nan], t_p_value=[0.2, np.nan])
    forest = tables.forest_table(est)
    assert forest["t(G-1): 95% CI; p"].tolist() == ["0.10 to 2.50; 0.200", "not estimable"]
    assert forest["Randomization p (smallest possible)"].tolist() == ["0.333 (0.333)", "0.200 (0.100)"]


def test_context_tables():
    collected = context_tables.data_collected_display(load_data_collected())
    assert collected.columns[0] == "Data collection" and collected.columns[-1] == "Total"
    costs = context_tables.cost_display(cost_table())
    assert costs.index.tolist()[-1] == "Total"
    assert list(costs.columns) == load_costs()["authority"].tolist()
    # reference: Part One, Table 3 prints Southampton's total as £84,387.91
    assert costs.loc["Total", "Southampton"] == "£84,387.91"
    assert context_tables.configuration_display(None).iloc[0, 0].startswith("No configuration table")


def test_forest_figure_draws_both_intervals_and_every_row():
    from swis.report.figures.forest import forest_figure
    from swis.report.style import DESIGN_INTERVAL, INTERVAL

    est = pd.DataFrame(
        {
            "label": ["X", "Y", "Z"],
            "irr": [0.5, 2.0, np.nan],
            "ci_low": [0.25, 1.1, np.nan],
            "ci_high": [1.0, 3.6, np.nan],
            "t_ci_low": [0.1, 0.6, np.nan],
            "t_ci_high": [2.5, 6.0, np.nan],
            "estimable": [True, True, False],
        }
    )
    ax = forest_figure(est).axes[0]
    colours = [line.get_color() for line in ax.lines if len(line.get_xdata()) == 2]
    assert colours.count(INTERVAL) == 2 and colours.count(DESIGN_INTERVAL) == 2
    low, high = ax.get_ylim()
    assert low < 0 and high > len(est) - 1  # the not-estimable row sits inside the axes
    assert any("not estimable" in t.get_text() for t in ax.texts)
