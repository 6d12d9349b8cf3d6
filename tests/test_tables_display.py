"""Tables a reader can read (issue 33): one formatter, headers in words, wide tables in a reachable scroll region."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from swis.book.myst import myst_table, scroll_region
from swis.config import outcome_labels
from swis.data.corrections import load_corrections
from swis.report import format as fmt
from swis.report import matching_tables, tables

#: Raw keys of the config and the data files that must never be a header or a label a reader sees.
CODES = re.compile(r"^(s17|s47|days_in_care|int_\w+|authority|school|term|outcome|min|max|nunique|stata|none)$")


def test_counts_are_integers_and_missing_counts_are_empty():
    assert fmt.count(12.0) == "12" and fmt.count(1040) == "1,040" and fmt.count(4.0) == "4"
    assert fmt.count(np.nan) == "" and fmt.count(None) == ""


def test_quoted_figures_are_integers_when_whole():
    assert fmt.number(12.0) == "12" and fmt.number(1200) == "1,200" and fmt.number(0.29) == "0.29"


def test_a_column_of_measures_keeps_one_number_of_decimals():
    column = [fmt.decimals(v, 3) for v in (0.0, 1.0, 0.29, 1.17749)]
    assert column == ["0.000", "1.000", "0.290", "1.177"]
    assert fmt.decimals(np.nan, 3) == "" and fmt.decimals(10.5, 1) == "10.5"


def test_p_values_never_in_scientific_notation():
    assert fmt.p_value(1.43e-08) == "<0.001" and fmt.p_value(0.0123) == "0.012"


def _pairs():
    return pd.DataFrame(
        {
            "outcome": ["s17", "s47"],
            "intervention_school": ["A_INT", "A_INT"],
            "candidate": ["B_COMP", "C_COMP"],
            "n_year_groups_period2": [5.0, 4.0],
            "score_period2": [0.29, 1.0],
            "score_period1": [1.17749, 0.0],
            "rank_period2": [1.0, 2.0],
            "rank_period1": [16.0, np.nan],
            "u_statistic": [0.0, 10.5],
            "p_value": [0.0123, 0.75],
            "selected": [True, True],
            "tested": [True, True],
            "status": ["selected", "selected"],
            "reason": ["", ""],
        }
    )


def test_matching_tables_name_outcomes_in_words_and_keep_decimals_consistent():
    labels = {"s17": "Section 17 starts", "s47": "Section 47 starts"}
    scores = matching_tables.score_display(_pairs(), top=3, labels=labels)
    assert scores["Outcome"].tolist() == ["Section 17 starts", "Section 47 starts"]
    assert scores["Score, latest years"].tolist() == ["0.290", "1.000"]
    assert scores["Score, earlier years"].tolist() == ["1.177", "0.000"]
    assert scores["Rank, earlier"].tolist() == ["16", ""] and scores["Year groups"].tolist() == ["5", "4"]
    chosen = matching_tables.selection_display(_pairs(), labels=labels)
    assert chosen["U"].tolist() == ["0.0", "10.5"] and chosen["p-value"].tolist() == ["0.012", "0.750"]
    tested = matching_tables.tests_display(_pairs(), labels=labels)
    assert tested["Rank, latest"].tolist() == ["1", "2"]


def test_audit_tables_have_headers_and_labels_in_words():
    corrections = tables.corrections_display(load_corrections(), outcome_labels())
    first = corrections.iloc[0]
    # reference: data/corrections.csv, first row (Stockport, s17, STO_Primary4_INT, Autumn 2017, count)
    assert first["Where"] == "Stockport, Section 17 starts, STO_Primary4_INT, Autumn 2017: number"
    assert first["Printed \u2192 corrected"] == "0 \u2192 5"
    assert not any(re.search(r"\b(s17|s47|days_in_care|table_caption)\b", w) for w in corrections["Where"])
    frame = pd.DataFrame(
        {"authority": ["Stockport"], "school": ["X"], "term": ["Autumn 2017"], "min": [1], "max": [2],
         "nunique": [2], "days_in_care": [700.0], "s17": [np.nan], "s47": [960.0]}
    )  # fmt: skip
    pupils = tables.pupils_display(frame, outcome_labels())
    assert pupils.columns.tolist()[3:] == [
        "Pupils, Section 17 starts table", "Pupils, Section 47 starts table", "Pupils, Days in care table"
    ]  # fmt: skip
    assert pupils.iloc[0].tolist() == ["Stockport", "X", "Autumn 2017", "-", "960", "700"]
    search = tables.search_display(
        pd.DataFrame({"school": ["S"], "term": ["T"], "printed_count": [3.0], "count_that_reproduces": [2.0]})
    )
    assert search.iloc[0].tolist() == ["S", "T", "3", "2"]
    for frame in (corrections, pupils, search):
        assert not any(CODES.match(str(c)) for c in frame.columns)


def test_convention_columns_are_named_in_words():
    estimates = pd.DataFrame(
        {
            "authority": ["Southampton"] * 3,
            "outcome": ["s17"] * 3,
            "correction": ["stata", "statsmodels", "none"],
            "irr": [1.24] * 3,
            "ci_low": [0.85] * 3,
            "ci_high": [1.8] * 3,
            "estimable": [True] * 3,
        }
    )
    shown = tables.conventions_display(estimates, outcome_labels())
    assert not any(CODES.match(str(c)) for c in shown.columns)
    assert shown.columns[2] == "G/(G-1), the report's (Stata)"


def test_a_wide_table_sits_in_a_named_region_a_keyboard_reaches():
    md = myst_table(pd.DataFrame({"a": [1]}), "Caption", "tbl-a", scroll="Lambeth: days in care").data
    opening = md.splitlines()[0]
    assert 'class="swis-scroll"' in opening and 'tabindex="0"' in opening and 'role="region"' in opening
    assert 'aria-label="Lambeth: days in care"' in opening and md.rstrip().endswith("</div>")
    assert "```{list-table} Caption" in md
    # without a name a table is not wrapped (only tables that may be wide scroll)
    assert not myst_table(pd.DataFrame({"a": [1]}), "Caption", "tbl-a").data.startswith("<div")
    assert "&quot;" in scroll_region("T", 'a "b"')


def test_a_table_carries_its_classes():
    md = myst_table(pd.DataFrame({"a": [1]}), "Caption", "tbl-a", classes="swis-counts").data
    assert md.splitlines()[1:4] == [":name: tbl-a", ":header-rows: 1", ":class: swis-counts"]
