"""Sensitivity checks: other count models, leave one school out, a false start.

Oracles: statsmodels' discrete ``NegativeBinomial`` (its own maximum-likelihood fit) for the NB2 model, to 1e-5
relative in alpha and 1e-6 in the interaction (both optimisers stop near 1e-8 on these scales) and 1e-3 relative
in the standard error (ours is a numerical second derivative); statsmodels' Poisson GLM with Pearson's scale for
the quasi-Poisson model; the closed form of a two-term model for leave-one-out; a synthetic panel with no effect
for the placebo.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from statsmodels.discrete.discrete_model import NegativeBinomial
from statsmodels.genmod import families
from statsmodels.genmod.generalized_linear_model import GLM

from swis.estimation.design import INTERACTION, build_design
from swis.estimation.did import DidSpec
from swis.estimation.sensitivity import CHECKS, COLUMNS, sensitivity, sensitivity_panel
from swis.estimation.sensitivity.count_models import negative_binomial, quasi_poisson


def _design(panels, authority, outcome):
    cfg = panels[authority].config
    return build_design(panels[authority].outcome(outcome), cfg.reference_term, cfg.intervention_terms)


def _statsmodels_nb(design):
    y = design.rows["count"].to_numpy(float)
    model = NegativeBinomial(y, design.X, offset=np.log(design.rows["pupils"].to_numpy(float)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # its first optimiser warns on the way; the second polishes
        start = model.fit(method="bfgs", maxiter=2000, disp=0)
        return model.fit(start_params=start.params, method="newton", maxiter=200, disp=0)


@pytest.mark.parametrize("authority", ["Stockport", "Southampton"])
def test_negative_binomial_matches_statsmodels(panels, authority):
    design = _design(panels, authority, "days_in_care")
    ours = negative_binomial(design, [INTERACTION])[INTERACTION]
    ref = _statsmodels_nb(design)
    assert ref.mle_retvals["converged"]
    assert_allclose(ours.dispersion, ref.params["alpha"], rtol=1e-5)
    assert_allclose(ours.estimate, ref.params[INTERACTION], atol=1e-6)
    assert_allclose(ours.se, ref.bse[INTERACTION], rtol=1e-3)


def test_negative_binomial_at_zero_dispersion_is_the_poisson_model(panels):
    design = _design(panels, "Stockport", "s17")  # under-dispersed: alpha's maximum is at its bound
    ours = negative_binomial(design, [INTERACTION])[INTERACTION]
    poisson = GLM(
        design.rows["count"].to_numpy(float),
        design.X,
        family=families.Poisson(),
        exposure=design.rows["pupils"].to_numpy(float),
    ).fit()
    assert ours.dispersion < 1e-6 and "no over-dispersion" in ours.note
    assert_allclose(ours.estimate, poisson.params[INTERACTION], atol=1e-6)


def test_quasi_poisson_matches_statsmodels_pearson_scale(panels):
    design = _design(panels, "Southampton", "days_in_care")
    ours = quasi_poisson(design, [INTERACTION])[INTERACTION]
    y, pupils = design.rows["count"].to_numpy(float), design.rows["pupils"].to_numpy(float)
    ref = GLM(y, design.X, family=families.Poisson(), exposure=pupils).fit(scale="X2")
    assert_allclose(ours.dispersion, ref.scale, rtol=1e-8)
    assert_allclose(ours.se, ref.bse[INTERACTION], rtol=1e-8)
    assert ours.dispersion > 10  # days in care: a child in care adds a term's days at once


def _two_term_panel() -> pd.DataFrame:
    """Two terms, pupils constant within each school: the interaction is a ratio of ratios of group totals.

    School B_INT has no event after the pilot, so once A_INT is dropped the interaction is separated.
    """
    counts = {"A_INT": (10, 4), "B_INT": (6, 0), "C_COMP": (8, 9), "D_COMP": (5, 7), "E_COMP": (12, 10)}
    pupils = {"A_INT": 400, "B_INT": 300, "C_COMP": 500, "D_COMP": 250, "E_COMP": 600}
    rows = [
        dict(school=s, group="intervention" if s.endswith("INT") else "control", term=t, count=c, pupils=pupils[s])
        for s, (pre, post) in counts.items()
        for t, c in (("T1", pre), ("T2", post))
    ]
    return pd.DataFrame(rows)


def _by_hand(rows: pd.DataFrame) -> float:
    """(treated post / treated pre) / (control post / control pre), from the group totals."""
    tot = rows.pivot_table(index="group", columns="term", values="count", aggfunc="sum")
    return (tot.loc["intervention", "T2"] / tot.loc["intervention", "T1"]) / (
        tot.loc["control", "T2"] / tot.loc["control", "T1"]
    )


def test_leave_one_out_matches_a_hand_computation():
    rows = _two_term_panel()
    res = sensitivity(rows, DidSpec(reference_term="T1", post_terms=("T2",)), ["T1", "T2"])
    refits = res.leave_one_out[0].refits.set_index("school")
    for school in ["B_INT", "C_COMP", "D_COMP", "E_COMP"]:
        assert_allclose(refits.loc[school, "irr"], _by_hand(rows[rows["school"].ne(school)]), rtol=1e-8)
    assert not refits.loc["A_INT", "estimable"] and "separation" in refits.loc["A_INT", "note"]
    row = res.get("leave_one_out")
    hand = {s: _by_hand(rows[rows["school"].ne(s)]) for s in ["B_INT", "C_COMP", "D_COMP", "E_COMP"]}
    assert (row["n_refits"], row["n_unestimable"]) == (5, 1)
    assert_allclose([row["irr_min"], row["irr_max"]], [min(hand.values()), max(hand.values())], rtol=1e-8)
    full = _by_hand(rows)
    assert row["most_influential"] == max(hand, key=lambda s: abs(np.log(hand[s] / full)))
    assert not res.get("placebo")["estimable"]  # one term before the pilot: no false start to try
    assert "fewer than two terms" in res.get("placebo")["note"]


def _synthetic_no_effect(seed: int = 7, schools: int = 30, terms: int = 5) -> pd.DataFrame:
    """SYNTHETIC: Poisson counts with school and term effects and no effect of the pilot at any time."""
    rng = np.random.default_rng(seed)
    names = [f"S{i:02d}" for i in range(schools)]
    level = dict(zip(names, rng.normal(0.0, 0.4, schools), strict=True))
    trend = rng.normal(0.0, 0.2, terms)
    rows = []
    for i, s in enumerate(names):
        pupils = int(rng.integers(300, 1200))
        for t in range(terms):
            rate = 0.05 * np.exp(level[s] + trend[t])
            group = "intervention" if i % 2 == 0 else "control"
            rows.append(dict(school=s, group=group, term=f"T{t + 1}", count=rng.poisson(rate * pupils), pupils=pupils))
    return pd.DataFrame(rows)


def test_placebo_on_a_synthetic_panel_with_no_effect_is_near_one():
    rows = _synthetic_no_effect()
    terms = [f"T{t}" for t in range(1, 6)]
    res = sensitivity(rows, DidSpec(reference_term="T4", post_terms=("T5",)), terms)
    row = res.get("placebo")
    assert row["false_start"] == "T4"  # the last term before the pilot, against T3; T5 dropped
    assert row["n_schools"] == 30
    assert abs(np.log(row["irr"])) < 0.1  # about 40 events per school and term: a log-ratio s.e. near 0.04
    assert row["ci_low"] < 1 < row["ci_high"]


def test_every_published_model_has_every_check(panels):
    for authority, panel in panels.items():
        for outcome in panel.outcomes:
            table = sensitivity_panel(panel, outcome).table
            assert list(table.columns) == list(COLUMNS)
            assert table["check"].tolist() == list(CHECKS)
            stated = table.set_index("check").loc[["quasi_poisson", "negative_binomial"]]
            estimable = stated["estimable"].astype(bool)
            assert stated.loc[estimable, "dispersion"].notna().all(), (authority, outcome)
