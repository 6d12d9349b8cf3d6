"""The event study: term-by-term interactions and the joint pre-trend test.

Oracle: statsmodels' formula API with the intervention-by-term dummies written here (not through
:func:`swis.estimation.design.build_design`), to 1e-6 in the rate ratios.
"""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.formula.api as smf
from scipy import stats
from statsmodels.genmod.families import Poisson

from swis.estimation.did import DidSpec
from swis.estimation.event_study import event_study
from swis.report.inference import event_study_table, pretrend_sentence


def _es(panels, authority, outcome):
    cfg = panels[authority].config
    return event_study(panels[authority].outcome(outcome), DidSpec.from_config(cfg), list(cfg.terms))


@pytest.mark.parametrize("authority,outcome", [("Southampton", "s17"), ("Stockport", "s47"), ("Lambeth", "s17")])
def test_event_study_matches_statsmodels(panels, authority, outcome):
    cfg = panels[authority].config
    rows = panels[authority].outcome(outcome).copy()
    rows = rows[rows.groupby("school")["count"].transform("sum") > 0]  # all-zero schools add nothing to the fit
    others = [t for t in cfg.terms if t != cfg.reference_term]
    names = {t: f"x{i}" for i, t in enumerate(others)}
    for t, n in names.items():
        rows[n] = (rows["group"].eq("intervention") & rows["term"].eq(t)).astype(float)
    formula = f"count ~ C(school) + C(term, Treatment(reference={cfg.reference_term!r})) + {' + '.join(names.values())}"
    fit = smf.glm(formula, data=rows, family=Poisson(), offset=np.log(rows["pupils"].astype(float))).fit(tol=1e-13)
    es = _es(panels, authority, outcome).table.set_index("term")
    for t, n in names.items():
        assert es.loc[t, "irr"] == pytest.approx(np.exp(fit.params[n]), rel=1e-6)


def test_single_pre_term_joint_test_is_the_t_test(panels):
    # one pre-pilot interaction: F(1, G-1) is the square of its t statistic, so the p-values agree
    es = _es(panels, "Lambeth", "s17")
    row = es.table.set_index("term").loc["Autumn 2017"]
    q, df = es.pretrend_df
    assert (q, df) == (1, 6)
    z = stats.t.ppf(0.975, df)
    se = np.log(row["t_ci_high"] / row["irr"]) / z
    t = np.log(row["irr"]) / se
    assert es.pretrend_p == pytest.approx(2 * stats.t.sf(abs(t), df), rel=1e-6)


def test_no_joint_test_with_more_pre_terms_than_schools_allow(panels):
    es = _es(panels, "Southampton", "s47")  # 3 schools, 5 pre-pilot interactions
    assert es.pretrend_df == (5, 2) and np.isnan(es.pretrend_p)
    assert "not possible" in pretrend_sentence(es)


def test_event_study_table_reads_each_term(panels):
    table = event_study_table(_es(panels, "Lambeth", "s47"))
    assert table["Period"].tolist() == ["before the pilot", "reference term", "pilot"]
    assert table.iloc[2]["Rate ratio"] == "not estimable"  # separated: every intervention school at zero
