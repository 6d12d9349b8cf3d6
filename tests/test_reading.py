"""What each authority page says about each result: the generated sentences are statistical claims, tested here.

The rule under test: with fewer than 30 schools, "statistically significant" is never said on the strength of
the clustered interval alone; the interaction is described as what it compares; every post term is read; a
simple difference in differences pointing the other way is said to.
"""

from __future__ import annotations

import pytest
from test_randomization import _toy

from swis.estimation.did import DidSpec, estimate, estimate_panel
from swis.report.inference import inference_table, significant
from swis.report.readings import outcome_values, reading


def _full(panels, authority, outcome):
    return estimate_panel(panels[authority], outcome, randomization=True, bootstrap=True)


def test_southampton_s47_is_not_called_significant(panels):
    res = _full(panels, "Southampton", "s47")
    text = reading(res, "Section 47 starts")
    row = res.get("Intervention by time")
    assert row["p_value"] < 0.05  # the report's convention alone would call it significant
    assert "would call this statistically significant, but with 3 schools" in text
    assert "consistent with no effect" in text and "Every test that respects" not in text
    assert "smallest p-value this design allows is 0.333" in text
    assert "6 terms before the pilot together" in text  # what the interaction compares
    assert outcome_values(res)["s47_significance"].startswith("not statistically significant by the tests")
    assert outcome_values(res)["s47_significance_report"] == "statistically significant"


def test_southampton_days_in_care_says_the_two_by_two_points_the_other_way(panels):
    text = reading(_full(panels, "Southampton", "days_in_care"), "days in care")
    assert "simple difference in differences of 1.26" in text
    assert "points the other way from the model's interaction (0.89)" in text


def test_two_post_terms_are_each_read_and_pooled():
    rows, _ = _toy(5, n_schools=6, treated=3, terms=4, effect=-0.3)
    spec = DidSpec(reference_term="T1", post_terms=("T2", "T3"))
    res = estimate(rows, spec, randomization=True, bootstrap=True)
    text = reading(res, "Section 47 starts")
    for name in ("T2: the rate ratio is", "T3: the rate ratio is", "Pooled: the rate ratio is"):
        assert name in text
    assert "from T1 to T2" in text and "from T1 to T3" in text
    assert len(inference_table(res)) == 3


def test_a_separated_model_says_what_can_still_be_said(panels):
    res = _full(panels, "Lambeth", "s47")
    text = reading(res, "Section 47 starts")
    assert "cannot estimate the interaction" in text and "separation" in text
    assert "randomization test gives p = 0.196" in text and "11 of 56 choices separated" in text
    assert outcome_values(res)["s47_significance"] == "not estimable"
    assert inference_table(res).iloc[0]["Rate ratio"] == "not estimable"


@pytest.mark.parametrize(
    "authority,outcome",
    [("Southampton", "s17"), ("Stockport", "s17"), ("Stockport", "s47"), ("Lambeth", "s17")],
)
def test_no_pilot_model_is_significant_by_the_design(panels, authority, outcome):
    # 3 to 15 schools: none of the pilots' interactions survives every test that respects the design
    row = _full(panels, authority, outcome).get("Intervention by time")
    assert significant(row) is False
