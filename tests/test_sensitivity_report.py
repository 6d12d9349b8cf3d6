"""The sentences and tables of the robustness appendix, and which results survive every check.

Each sentence is a statistical claim: it is tested on constructed tables whose answer is known (every check
passed, each one failed in turn, no estimate, no false start possible) and, on the published models, for never
speaking of significance.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from swis.estimation.sensitivity import CHECKS, COLUMNS, sensitivity_panel
from swis.report.sensitivity import SURVIVAL, authority_display, checks_passed, sentence, surviving


def model(main=0.5, quasi=0.5, nb=0.6, placebo=0.9, loo=(0.3, 0.8), other=0, unestimable=0, false_start="T3"):
    """One model's five rows, as :func:`swis.estimation.sensitivity.sensitivity` lays them out."""
    rows = []
    for check, irr in zip(CHECKS, (main, quasi, nb, np.nan, placebo), strict=True):
        rows.append(dict(authority="A", outcome="s47", coefficient="Intervention by time", check=check, irr=irr))
    t = pd.DataFrame(rows).reindex(columns=COLUMNS).astype({"most_influential": object, "false_start": object})
    t["estimable"] = t["irr"].notna() | t["check"].eq("leave_one_out")
    t["ci_low"], t["ci_high"] = t["irr"] * 0.5, t["irr"] * 2
    t.loc[t["check"].eq("quasi_poisson"), "dispersion"] = 3.25
    t.loc[t["check"].eq("negative_binomial"), "dispersion"] = 0.12
    t.loc[t["check"].eq("leave_one_out"), ["irr_min", "irr_max", "influential_irr"]] = [loo[0], loo[1], loo[0]]
    t.loc[t["check"].eq("leave_one_out"), ["n_refits", "n_unestimable", "n_other_side"]] = [5, unestimable, other]
    t.loc[t["check"].eq("leave_one_out"), "most_influential"] = "S2_INT"
    t.loc[t["check"].eq("placebo"), "false_start"] = false_start
    if false_start is None:
        t.loc[t["check"].eq("placebo"), "estimable"] = False
    return t


def test_a_result_that_passes_everything_survives():
    m = model()
    assert checks_passed(m) == dict.fromkeys(SURVIVAL, True)
    text = sentence(m, "Section 47 starts")
    assert text.startswith("Section 47 starts: the report's ratio of 0.50 stays below one under")
    assert "(0.50 and 0.60; Pearson dispersion 3.25, where a Poisson model assumes 1)" in text
    assert "ranges from 0.30 to 0.80 when one school at a time is left out (0 of 5 refits" in text
    assert "furthest without S2_INT" in text
    assert "is 0.90 at a false start in T3, a smaller departure from one" in text
    assert text.endswith("It survives every check.")


@pytest.mark.parametrize(
    "changes,failed,phrase",
    [
        (dict(nb=1.3), "count models", "does not stay on one side of one"),
        (dict(other=1), "one school fewer", "1 of 5 refits on the other side of one"),
        (dict(unestimable=2), "one school fewer", "2 with no estimate"),
        (dict(placebo=2.5), "false start", "at least as large a departure from one"),
        (dict(placebo=0.4), "false start", "at least as large a departure from one"),
        (dict(false_start=None, placebo=np.nan), "false start", "fewer than two terms before the pilot"),
    ],
)
def test_each_check_can_fail_and_the_sentence_says_which(changes, failed, phrase):
    m = model(**changes)
    assert [k for k, ok in checks_passed(m).items() if not ok] == [failed]
    text = sentence(m, "Section 47 starts")
    assert phrase in text and text.endswith(f"It does not survive every check ({failed}).")


def test_a_ratio_above_one_is_said_to_stay_above_one():
    text = sentence(model(main=1.6, quasi=1.6, nb=1.4, placebo=1.1, loo=(1.2, 2.0)), "Days in care")
    assert "ratio of 1.60 stays above one" in text and text.endswith("It survives every check.")


def test_no_estimate_means_nothing_to_check():
    m = model(main=np.nan, quasi=np.nan, nb=np.nan)
    m.loc[m["check"].eq("leave_one_out"), ["estimable", "n_unestimable"]] = [False, 5]
    assert checks_passed(m) == dict.fromkeys(SURVIVAL, False)
    text = sentence(m, "Section 47 starts")
    assert "has no estimate of the pilot's effect" in text and "in any of the 5 refits" in text
    found = surviving(m)
    assert found[["estimable", "survives", "failed"]].iloc[0].tolist() == [False, False, "no estimate to check"]


def test_surviving_has_one_row_per_model():
    both = pd.concat([model(), model(other=2).assign(outcome="s17")])
    found = surviving(both).set_index("outcome")
    assert found.loc["s47", "survives"] and not found.loc["s17", "survives"]
    assert found.loc["s17", "failed"] == "one school fewer"


def test_display_has_one_column_per_outcome_and_states_the_dispersion():
    both = pd.concat([model(), model(other=2).assign(outcome="s17")])
    shown = authority_display(both, {"s47": "Section 47 starts", "s17": "Section 17 starts"})
    assert list(shown.columns) == ["Check", "Section 47 starts", "Section 17 starts"]
    row = shown.set_index("Check")["Section 47 starts"]
    assert row["Survives every check"] == "yes"
    assert shown.set_index("Check").loc["Survives every check", "Section 17 starts"] == "no (one school fewer)"
    assert (row["Pearson dispersion"], row["NB alpha"]) == ("3.25", "0.12")
    assert row["Report's model"] == "0.50 [0.25, 1.00]"
    assert row["One school fewer"] == "0.30 to 0.80 (5 refits)"
    assert row["False start"] == "0.90 [0.45, 1.80] in T3"


def test_published_sentences_never_claim_significance(panels):
    for panel in panels.values():
        for outcome in panel.outcomes:
            text = sentence(sensitivity_panel(panel, outcome).table, panel.config.outcomes[outcome].label)
            assert "signific" not in text.lower() and "nan" not in text.split()
            verdict = text.endswith("It survives every check.") or "It does not survive every check (" in text
            assert verdict or "so there is no result to check" in text


@pytest.mark.book
def test_the_built_chapter_has_a_table_per_authority_and_a_sentence_per_model(built):
    from swis import paths
    from swis.book import registry
    from swis.config import authority_configs

    html = (built["html"] / "book" / "generated" / "sensitivity.html").read_text(encoding="utf-8")
    configs = authority_configs()
    for config in configs:
        assert f'id="{registry.label("sensitivity", config.code)}"' in html
    n_models = sum(len(c.outcomes) for c in configs)
    assert (
        html.count("It survives every check.")
        + html.count("It does not survive every check (")
        + html.count("so there is no result to check")
        == n_models
    )
    assert "signific" not in html.split("Inference with few schools")[-1].lower()  # past the prose's pointer
    assert "nan" not in html.split() and str(paths.ROOT) not in html
