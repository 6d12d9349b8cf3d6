"""The panel loader: every error case of the foundation issue, one test each."""

from __future__ import annotations

import pytest
from conftest import toy_rows

from swis.config import load_config
from swis.data.panel import load_panel, rate_mismatches
from swis.errors import InputError


def problems(panel_path, config_path):
    with pytest.raises(InputError) as info:
        load_panel(panel_path, load_config(config_path), corrections=False)
    return info.value.problems


def test_valid_toy_panel_loads(toy):
    panel = load_panel(*_load_args(toy()))
    assert panel.outcomes == ["s47"]
    assert len(panel.data) == 12 and not panel.warnings


def _load_args(paths_pair):
    panel, config = paths_pair
    return panel, load_config(config), False


def test_missing_column(toy):
    rows = toy_rows().drop(columns=["pupils"])
    (p,) = problems(*toy(rows))
    assert (p.row, p.column) == (1, "pupils") and "missing column" in p.message


def test_non_numeric_count(toy):
    rows = toy_rows()
    rows.loc[3, "count"] = "seven"
    (p,) = problems(*toy(rows))
    assert (p.row, p.column) == (5, "count") and "'seven'" in p.message and "number" in p.message


def test_negative_count(toy):
    rows = toy_rows()
    rows.loc[0, "count"] = "-2"
    (p,) = problems(*toy(rows))
    assert (p.row, p.column) == (2, "count") and "'-2'" in p.message


@pytest.mark.parametrize("value", [0, -10])
def test_pupils_not_positive(toy, value):
    rows = toy_rows()
    rows.loc[1, "pupils"] = str(value)
    (p,) = problems(*toy(rows))
    assert (p.row, p.column) == (3, "pupils") and "from 1 to" in p.message


def test_duplicate_school_term(toy):
    rows = toy_rows()
    rows.loc[len(rows)] = rows.loc[2]
    (p,) = problems(*toy(rows))
    assert p.row == len(rows) + 1 and "duplicate" in p.message


def test_unknown_group(toy):
    rows = toy_rows()
    rows.loc[4, "group"] = "treated"
    (p,) = problems(*toy(rows))
    assert (p.row, p.column) == (6, "group") and "'treated'" in p.message


def test_unknown_outcome(toy):
    rows = toy_rows()
    rows.loc[4, "outcome"] = "s99"
    found = problems(*toy(rows))
    assert any((p.row, p.column) == (6, "outcome") and "unknown outcome" in p.message for p in found)


def test_term_not_in_config(toy):
    rows = toy_rows()
    rows.loc[5, "term"] = "Autumn 2030"
    (p,) = problems(*toy(rows))
    assert (p.row, p.column) == (7, "term") and "config" in p.message


def test_reference_term_absent(toy):
    rows = toy_rows()
    rows = rows[rows["term"] != "Autumn 2018"]
    found = problems(*toy(rows))
    assert any(p.column == "reference_term" and p.file.endswith("toy.yml") and p.row == 7 for p in found)


def test_intervention_term_absent(toy):
    rows = toy_rows()
    rows = rows[rows["term"] != "Autumn 2019"]
    found = problems(*toy(rows))
    assert any(p.column == "intervention_terms" and p.row == 8 for p in found)


def test_no_intervention_school(toy):
    rows = toy_rows()
    rows = rows[rows["group"] == "control"]
    found = problems(*toy(rows))
    assert any(p.column == "group" and "no intervention school" in p.message for p in found)


def test_no_control_school(toy):
    rows = toy_rows()
    rows = rows[rows["group"] == "intervention"]
    found = problems(*toy(rows))
    assert any(p.column == "group" and "no control school" in p.message for p in found)


def test_school_in_both_groups(toy):
    rows = toy_rows()
    rows.loc[rows["school"] == "A_INT", "group"] = ["intervention", "control", "intervention"]
    found = problems(*toy(rows))
    assert any("both" in p.message and "A_INT" in p.message for p in found)


def test_unbalanced_panel_warns(toy):
    rows = toy_rows().drop(index=[0])
    panel = load_panel(*_load_args(toy(rows)))
    assert any("unbalanced" in w.message and "A_INT" in w.message for w in panel.warnings)


def test_printed_rate_inconsistent_warns(toy):
    rows = toy_rows()
    rows["printed_rate"] = (rows["count"].astype(float) / rows["pupils"].astype(float) * 100).map(lambda v: f"{v:.2f}")
    rows.loc[0, "printed_rate"] = "9.99"
    panel = load_panel(*_load_args(toy(rows)))
    (w,) = panel.warnings
    assert (w.row, w.column) == (2, "printed_rate")


def test_every_printed_rate_agrees_after_corrections(panels):
    for panel in panels.values():
        assert rate_mismatches(panel.data, panel.config).empty


def test_corrections_fix_the_stockport_count(configs):
    from swis import paths

    printed = load_panel(paths.PANEL, configs["Stockport"], corrections=False)
    assert len(rate_mismatches(printed.data, printed.config)) == 1
    fixed = load_panel(paths.PANEL, configs["Stockport"])
    row = fixed.data[
        (fixed.data["school"] == "STO_Primary4_INT")
        & (fixed.data["term"] == "Autumn 2017")
        & (fixed.data["outcome"] == "s17")
    ].iloc[0]
    assert (row["count"], row["printed_count"], bool(row["corrected"])) == (5, "0", True)


def test_lambeth_labels_are_corrected_to_intervention(panels):
    s47 = panels["Lambeth"].outcome("s47")
    assert set(s47.loc[s47["group"] == "intervention", "school"]) == {
        "LAM_Primary3_INT",
        "LAM_Secondary1_INT",
        "LAM_Secondary5_INT",
    }


def test_shipped_panel_sizes(panels):
    # Schools per outcome as the report's text states them (Part Two, each "What impact" section).
    sizes = {(a, o): p.outcome(o)["school"].nunique() for a, p in panels.items() for o in p.outcomes}
    assert sizes == {
        ("Southampton", "s17"): 5,
        ("Southampton", "s47"): 3,
        ("Southampton", "days_in_care"): 3,
        ("Stockport", "s17"): 4,
        ("Stockport", "s47"): 12,
        ("Stockport", "days_in_care"): 15,
        ("Lambeth", "s17"): 7,
        ("Lambeth", "s47"): 8,
    }
