"""Which of the report's claims of a significant effect hold (issue 24): read from what it printed, tested
under the report's convention and the three tests that respect the design, and said in generated sentences."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from swis import paths
from swis.config import load_config
from swis.data.panel import load_panel
from swis.data.published import load_published
from swis.estimation.design import INTERACTION
from swis.estimation.did import estimate_panel
from swis.report.claims import (
    assess_claims,
    claim_sentence,
    claims_conclusion,
    claims_display,
    claims_summary,
    flag,
    report_claims,
)

LABELS = {
    ("Southampton", "s47"): "Section 47 starts",
    ("Stockport", "s17"): "Section 17 starts",
    ("Lambeth", "s47"): "Section 47 starts",
}


@pytest.fixture(scope="module")
def estimates() -> pd.DataFrame:
    """The claimed models' interaction rows, estimated as the authority pages do (every test computed)."""
    rows = []
    for authority, outcome in LABELS:
        panel = load_panel(paths.PANEL, load_config(paths.config_path(authority)))
        t = estimate_panel(panel, outcome, randomization=True, bootstrap=True).table
        rows.append(t[t["coefficient"].astype(str).str.startswith(INTERACTION)].iloc[0])
    return pd.DataFrame(rows).reset_index(drop=True)


@pytest.fixture(scope="module")
def assessed(estimates) -> pd.DataFrame:
    return assess_claims(report_claims(load_published()), estimates).set_index(["authority", "outcome"], drop=False)


def test_claims_are_the_printed_intervals_that_exclude_one():
    claims = report_claims(load_published())
    # Part Two, Southampton Table 6 (0.45 to 0.94), Stockport Table 3 (0.24 to 0.93), Lambeth Table 6 (1.54E-9 to
    # 1.33E-7): the three results the report calls significant, all falls
    assert [(r.authority, r.outcome) for r in claims.itertuples()] == list(LABELS)
    assert set(claims["direction"]) == {"fall"}
    assert claims.loc[0, "printed"] == "0.65, 95% CI 0.45 to 0.94"


def test_no_claim_holds_under_the_tests_that_respect_the_design(assessed):
    sou = assessed.loc[("Southampton", "s47")]
    # the clustered interval with normal critical values excludes one, as printed; nothing else does
    flags = ["holds_report", "holds_t", "holds_randomization", "holds_bootstrap"]
    assert [flag(sou[c]) for c in flags] == [True, False, False, False] and sou["ci_high"] < 1
    # one school against two: the randomization p can be no smaller than 1/3
    assert sou["ri_min_p"] == pytest.approx(1 / 3)
    sto = assessed.loc[("Stockport", "s17")]
    assert [flag(sto[c]) for c in flags[:2]] == [True, False] and sto["ri_p_value"] >= sto["ri_min_p"]
    lam = assessed.loc[("Lambeth", "s47")]
    # separation: no estimate, so only randomization inference has a result
    assert not lam["estimable"] and [flag(lam[c]) for c in flags] == [None, None, False, None]
    assert not assessed["holds"].any()


def test_claim_sentences_say_what_each_test_gives(assessed):
    sou = claim_sentence(assessed.loc[("Southampton", "s47")], "Section 47 starts")
    assert sou.startswith("The report found a significant fall in Section 47 starts in Southampton (printed rate ratio")
    assert "3 schools are too few for that convention to be trusted alone" in sou
    assert "t critical values on 2 degrees of freedom" in sou
    assert "no result of this design could give less than 0.333" in sou
    assert sou.endswith(
        "None of the tests that respect the design supports the claim: the data are consistent with no change."
    )
    lam = claim_sentence(assessed.loc[("Lambeth", "s47")], "Section 47 starts")
    assert "artefact of separation" in lam and "the smallest p any result of this design can give" in lam
    assert "significant" not in lam.split(").", 1)[1]  # after the report's claim, nothing is called significant


def test_summary_and_conclusion_are_generated(assessed):
    summary = claims_summary(assessed, LABELS)
    assert summary == (
        "The report calls 3 results statistically significant (Section 47 starts in Southampton, Section 17 starts "
        "in Stockport and Section 47 starts in Lambeth); under the tests that respect how few schools each model "
        "has, none of them holds."
    )
    assert claims_conclusion(assessed).startswith("None of the report's significant results holds")
    shown = claims_display(assessed, LABELS)
    assert shown["This book"].tolist() == ["no"] * 3
    assert shown["Holds: report's convention"].tolist() == ["yes", "yes", "no test"]
    assert shown["Printed rate ratio, 95% CI"].iloc[0] == "0.65 (0.45 to 0.94)"


def _row(**kw) -> pd.Series:
    base = {
        "authority": "A",
        "outcome": "s17",
        "printed": "0.50, 95% CI 0.30 to 0.80",
        "direction": "fall",
        "irr": 0.5,
        "ci_low": 0.3,
        "ci_high": 0.8,
        "p_value": 0.001,
        "estimable": True,
        "n_clusters": 12,
        "t_df": 11,
        "t_ci_low": 0.3,
        "t_ci_high": 0.85,
        "t_p_value": 0.01,
        "ri_p_value": 0.02,
        "ri_min_p": 0.001,
        "boot_p_value": 0.03,
    }
    return pd.Series({**base, **kw})


def test_a_claim_that_holds_and_one_that_half_holds():
    claims = pd.DataFrame([_row()[["authority", "outcome", "printed", "direction"]]])
    held = assess_claims(claims, pd.DataFrame([_row()])).iloc[0]
    assert held["holds"] and claim_sentence(held, "x").endswith(
        "Every test that respects the design supports the claim."
    )
    half = assess_claims(claims, pd.DataFrame([_row(ri_p_value=0.2)])).iloc[0]
    assert not half["holds"]
    assert claim_sentence(half, "x").endswith(
        "The t test and the score bootstrap support it but randomization inference does not, so this book does "
        "not call it significant."
    )
    # a test that rejects in the other direction does not hold
    other = assess_claims(claims, pd.DataFrame([_row(irr=2.0)])).iloc[0]
    assert flag(other["holds_t"]) is False and not other["holds"]
    assert claims_summary(assess_claims(claims, pd.DataFrame([_row()])), {}).endswith("1 of them holds (s17 in A).")
    assert np.isfinite(held["ri_min_p"])
