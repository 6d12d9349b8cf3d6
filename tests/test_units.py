"""Costs, privacy, config and facts."""

from __future__ import annotations

import pytest
from numpy.testing import assert_allclose

from swis.config import parse_config
from swis.data.disclosure import resolve_threshold, suppress_counts
from swis.data.facts import load_facts
from swis.errors import InputError
from swis.estimation.costs import annuitised_term_cost, annuity_factor, cost_table, implied_capital


def test_annuity_factor_and_inverse():
    # (1 - 1.035**-4) / 0.035, computed by hand: 3.673079...
    assert_allclose(annuity_factor(), 3.6730789, rtol=1e-7)
    assert_allclose(annuitised_term_cost(implied_capital(599.91)), 599.91, rtol=1e-12)


def test_cost_totals_match_the_printed_table():
    costs = cost_table()
    assert costs["total_reproduced"].all()
    assert costs.set_index("authority").loc["Southampton", "total"] == pytest.approx(84387.91, abs=0.005)


def test_threshold_is_zero_only_for_the_published_panel(panels):
    # by content, not path: tests/test_disclosure.py copies and edits the panel
    assert resolve_threshold(panels["Stockport"]) == 0
    assert resolve_threshold(panels["Stockport"], requested=5) == 5


def test_suppression_hides_small_counts_and_their_rates():
    import pandas as pd

    rows = pd.DataFrame({"count": [0, 3, 12], "rate": [0.0, 0.5, 2.0]})
    out = suppress_counts(rows, 10)
    # 3 is hidden (primary), and 12 with it (secondary: otherwise the total of the three would reveal 3)
    assert out["count_shown"].tolist() == ["0", "<10", "<10"]
    assert out["suppressed"].tolist() == ["", "primary", "secondary"]
    assert out["rate_shown"].tolist()[1] == "<10" and pd.isna(out["rate_plot"].iloc[1])


def test_config_errors_name_the_line():
    text = "authority: X\nterms: [A, B]\nreference_term: A\nintervention_terms: [C]\noutcomes: {}\n"
    with pytest.raises(InputError) as info:
        parse_config(text, "c.yml")
    (p,) = info.value.problems
    assert (p.file, p.row, p.column) == ("c.yml", 4, "intervention_terms")


def test_config_not_yaml():
    with pytest.raises(InputError) as info:
        parse_config("terms: [A\n", "c.yml")
    assert info.value.problems[0].file == "c.yml"


def test_facts_are_numbers_with_sources():
    facts = load_facts()
    assert facts["key"].is_unique
    assert (facts["source"].str.len() > 0).all()


def test_bad_fact_file_is_reported(tmp_path):
    (tmp_path / "f.csv").write_text("key,value,source\na,12,Table 1\nb,twelve,Table 1\na,3,\n")
    with pytest.raises(InputError) as info:
        load_facts(tmp_path)
    found = {(p.row, p.column) for p in info.value.problems}
    assert {(3, "value"), (4, "source"), (4, "key")} <= found
