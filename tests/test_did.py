"""The Poisson difference-in-differences estimator.

Reference values are the report's printed estimates (data/published/
regression_estimates.csv, each row citing its table). They were printed to
two decimals, so a value is compared with ``assert_allclose(atol=half a unit
in the last printed digit)``: the largest difference that still rounds to
the printed number. Tables that do not reproduce are marked ``xfail`` with
the reason, never deleted.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import toy_rows
from numpy.testing import assert_allclose

from swis.audit.compare import half_unit
from swis.data.published import load_published
from swis.estimation.did import INTERACTION, DidSpec, estimate, estimate_panel

PUBLISHED = load_published()
REPRODUCING = [
    ("Southampton", "s17"),
    ("Southampton", "s47"),
    ("Southampton", "days_in_care"),
    ("Stockport", "s17"),
    ("Stockport", "s47"),
    ("Stockport", "days_in_care"),
]


def _published(authority, outcome):
    p = PUBLISHED[(PUBLISHED["authority"] == authority) & (PUBLISHED["outcome"] == outcome)]
    return p[p["kind"].isin(["term", "interaction"])]


def _check_table(panel, outcome):
    table = estimate_panel(panel, outcome).table.set_index("coefficient")
    for row in _published(panel.config.authority, outcome).itertuples():
        for col in ("irr", "ci_low", "ci_high"):
            printed = getattr(row, f"{col}_text")
            # tolerance: half a unit in the last printed digit (rounding of the published table)
            assert_allclose(
                table.loc[row.coefficient, col],
                float(printed),
                rtol=0,
                atol=half_unit(printed) * (1 + 1e-9),
                err_msg=f"{row.coefficient} {col}",
            )


@pytest.mark.parametrize("authority,outcome", REPRODUCING)
def test_published_terms_and_interaction_reproduce(panels, authority, outcome):
    _check_table(panels[authority], outcome)


@pytest.mark.xfail(
    strict=True,
    reason="Lambeth Section 17 (Part Two, Table 4) does not follow from the printed "
    "Table 3: term effects 3.01 and 0.66 and interaction 0.99 against printed 3.50, 0.83 and 0.89; "
    "see the audit appendix (a count of 2 instead of 3 for LAM_Secondary8_COMP in Autumn 2018 "
    "would reproduce the point estimates)",
)
def test_lambeth_s17_reproduces(panels):
    _check_table(panels["Lambeth"], "s17")


@pytest.mark.xfail(
    strict=True,
    reason="Lambeth Section 47 (Part Two, Table 6): the printed interaction 1.43E-08 is "
    "an artefact of separation (every intervention school at zero in Autumn 2019); we report it "
    "as not estimable. The Autumn 2019 upper limit agrees only within one unit of the last printed digit "
    "(55.31 against 55.32).",
)
def test_lambeth_s47_reproduces(panels):
    _check_table(panels["Lambeth"], "s47")


def test_separation_is_not_estimable(panels):
    res = estimate_panel(panels["Lambeth"], "s47")
    row = res.get(INTERACTION)
    assert not row["estimable"] and np.isnan(row["irr"]) and "separation" in row["note"]
    assert len(res.design.dropped) == 3  # the three intervention schools in Autumn 2019
    # the term effects are still estimated from the other rows
    # (printed: 7.08 [2.60, 19.23], Part Two, Lambeth, Table 6; data/published/regression_estimates.csv)
    assert_allclose(res.get("Autumn 2017")[["irr", "ci_low", "ci_high"]].astype(float), [7.08, 2.60, 19.23], atol=0.005)


def test_combined_change_uses_joint_covariance(panels):
    """The change in intervention schools is exp(time + interaction), its CI from the joint covariance.

    Independent computation: statsmodels' own clustered covariance of the same GLM (no small-sample factor),
    scaled by G/(G-1), and the contrast a'Va with a = (time effect, interaction); tolerance 1e-10, rounding only.
    """
    import statsmodels.api as sm
    from scipy import stats

    res = estimate_panel(panels["Stockport"], "s17")
    t = res.table.set_index("coefficient")
    combined = t.loc["Change in intervention schools"]
    # point: time effect x interaction, as the report computes it (Part Two, Stockport, text before Table 3:
    # 0.75 x 0.47 = 0.35)
    assert_allclose(combined["irr"], t.loc["Autumn 2019", "irr"] * t.loc[INTERACTION, "irr"], rtol=1e-12)
    assert round(combined["irr"], 2) == 0.35
    d, X = res.design.rows, res.design.X
    groups = pd.factorize(d["school"])[0]
    own = sm.GLM(d["count"].to_numpy(float), X, family=sm.families.Poisson(), exposure=d["pupils"].to_numpy(float))
    fit = own.fit(cov_type="cluster", cov_kwds={"groups": groups, "use_correction": False}, tol=1e-12, maxiter=200)
    g = res.table["n_clusters"].iloc[0]
    cov = fit.cov_params() * g / (g - 1)
    a = pd.Series(0.0, index=X.columns)
    a[["term:Autumn 2019", INTERACTION]] = 1.0
    b, se = float(a @ fit.params), float(np.sqrt(a @ cov @ a))
    z = stats.norm.ppf(0.975)
    assert_allclose([combined["ci_low"], combined["ci_high"]], np.exp([b - z * se, b + z * se]), rtol=1e-10)
    # the covariance term matters here: ignoring it would give another interval
    naive = np.sqrt(cov.loc["term:Autumn 2019", "term:Autumn 2019"] + cov.loc[INTERACTION, INTERACTION])
    assert abs(naive - se) > 1e-3


def test_correction_options(panels):
    panel = panels["Southampton"]
    se = {
        c: estimate_panel(panel, "s17", correction=c).get(INTERACTION)["se"] for c in ("none", "stata", "statsmodels")
    }
    # Southampton s17 (Part Two, Table 3): 5 schools x 7 terms; constant, 6 term effects, 4 school effects, 1
    # interaction
    g, n, k = 5, 35, 1 + 6 + 4 + 1
    assert_allclose(se["stata"] / se["none"], np.sqrt(g / (g - 1)), rtol=1e-10)
    assert_allclose(se["statsmodels"] / se["none"], np.sqrt(g / (g - 1) * (n - 1) / (n - k)), rtol=1e-10)


def test_statsmodels_option_matches_statsmodels_own(panels):
    import statsmodels.api as sm

    res = estimate_panel(panels["Southampton"], "s47", correction="statsmodels")
    d, X = res.design.rows, res.design.X
    own = sm.GLM(d["count"].to_numpy(float), X, family=sm.families.Poisson(), exposure=d["pupils"].to_numpy(float)).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(d["school"])[0]}
    )
    assert_allclose(res.get(INTERACTION)["se"], own.bse[INTERACTION], rtol=1e-8)


def test_several_post_terms_give_one_interaction_each_and_a_pooled_one():
    terms = ("T1", "T2", "T3", "T4")
    rows = toy_rows(terms=terms[:4]).assign(
        count=lambda d: d["count"].astype(float), pupils=lambda d: d["pupils"].astype(float)
    )
    spec = DidSpec(reference_term="T2", post_terms=("T3", "T4"))
    res = estimate(rows, spec)
    names = res.table.loc[res.table["kind"] == "interaction", "coefficient"].tolist()
    assert names == [f"{INTERACTION}: T3", f"{INTERACTION}: T4", f"{INTERACTION} (pooled)"]
    assert res.table.loc[res.table["kind"] == "combined", "coefficient"].tolist() == [
        "Change in intervention schools: T3",
        "Change in intervention schools: T4",
    ]


def test_all_zero_school_is_set_aside_but_counted_in_g(panels):
    res = estimate_panel(panels["Stockport"], "s47")
    assert set(res.design.dropped["school"]) == {
        "STO_Primary2_INT",
        "STO_Primary13_COMP",
        "STO_Primary15_COMP",
        "STO_Primary11_COMP",
    }
    assert res.table["n_clusters"].iloc[0] == 12 and res.table["n_schools"].iloc[0] == 8


@pytest.mark.parametrize("authority,outcome", REPRODUCING)
def test_cross_check_with_pyfixest(panels, authority, outcome):
    """An independent implementation: pyfixest fepois, CRV1 by school, G/(G-1) only.

    pyfixest drops schools whose counts are all zero, so our fit is compared
    with ``count_set_aside_schools=False`` (G counts only the schools fitted).
    Tolerance: 1e-6 relative, the convergence tolerance of two IRLS solvers.
    """
    import pyfixest as pf

    res = estimate_panel(panels[authority], outcome, count_set_aside_schools=False)
    d = res.design.rows.copy()
    d["post_int"] = res.design.X[INTERACTION].to_numpy()
    d["log_pupils"] = np.log(d["pupils"])
    fit = pf.fepois(
        "count ~ post_int | school + term",
        data=d,
        offset="log_pupils",
        vcov={"CRV1": "school"},
        ssc=pf.ssc(k_adj=False, G_adj=True),
        iwls_tol=1e-12,
        iwls_maxiter=200,
    )
    ours = res.get(INTERACTION)
    assert_allclose(fit.coef()["post_int"], ours["estimate"], rtol=1e-6)
    assert_allclose(fit.se()["post_int"], ours["se"], rtol=1e-5)


def test_fitted_group_rates_count_schools_with_no_event(panels):
    # Stockport days in care sets aside schools with no day in care in any term; they are fitted at zero and
    # their pupils still count. In the pilot term the model's group totals equal the observed ones (the
    # scores of the term effect and the interaction are zero), so the fitted rates must equal the observed
    from swis.estimation.did import fitted_group_rates

    panel = panels["Stockport"]
    res = estimate_panel(panel, "days_in_care")
    assert (res.design.dropped["reason"] == "school with zero count in every term").any()
    fitted = fitted_group_rates(res, 1.0).set_index(["group", "term"])["rate"]
    rows = panel.outcome("days_in_care").astype({"count": float, "pupils": float})
    sums = rows.groupby(["group", "term"])[["count", "pupils"]].sum()
    observed = sums["count"] / sums["pupils"]
    for group in ("intervention", "control"):
        assert_allclose(fitted[(group, "Autumn 2019")], observed[(group, "Autumn 2019")], rtol=1e-8)


def test_fitted_group_rates_draw_separated_rows_and_no_counterfactual(panels):
    # Lambeth Section 47: every intervention school recorded none in Autumn 2019 (Part Two, Lambeth, Table 5), so
    # the interaction is not estimable and those rows are set aside. The figure still draws the intervention
    # schools' pilot term, at the limit of the fit (their observed rate, zero), and draws no counterfactual there.
    from swis.estimation.did import fitted_group_rates
    from swis.report.captions import did_caption, did_note

    panel = panels["Lambeth"]
    res = estimate_panel(panel, "s47")
    fitted = fitted_group_rates(res, 100.0).set_index(["group", "term"])["rate"]
    counterfactual = fitted_group_rates(res, 100.0, counterfactual=True).set_index(["group", "term"])["rate"]
    rows = panel.outcome("s47").astype({"count": float, "pupils": float})
    sums = rows.groupby(["group", "term"])[["count", "pupils"]].sum()
    observed = sums["count"] / sums["pupils"] * 100
    assert len(fitted) == len(observed) == 6
    assert fitted[("intervention", "Autumn 2019")] == observed[("intervention", "Autumn 2019")] == 0
    assert np.isnan(counterfactual[("intervention", "Autumn 2019")])
    assert_allclose(counterfactual[("intervention", "Autumn 2017")], fitted[("intervention", "Autumn 2017")])
    assert did_note(res) == "No counterfactual for Autumn 2019: the interaction is not estimable (separation)"
    caption = did_caption(res, "Lambeth", "Section 47 enquiries")
    assert "dotted line" not in caption and "not estimable in Autumn 2019" in caption
    # an estimable model draws every line, and its caption describes the dotted one
    ok = estimate_panel(panel, "s17")
    assert did_note(ok) == "" and "dotted line is the counterfactual" in did_caption(ok, "Lambeth", "x")
    assert fitted_group_rates(ok, 1.0, counterfactual=True)["rate"].notna().all()
