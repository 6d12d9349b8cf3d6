"""The fast solver and randomization inference.

Oracles: statsmodels' GLM with school dummies (the reference engine) for the fast solver, to 1e-8 in the
coefficients and 1e-6 in the standard errors (both converge to about 1e-12; the tolerances leave room for
the platform's arithmetic); an enumeration of assignments written here, with statsmodels' formula API, for
the randomization p-values.
"""

from __future__ import annotations

import time
from itertools import combinations

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from numpy.testing import assert_allclose
from statsmodels.genmod.families import Poisson

from swis.estimation.design import build_design
from swis.estimation.did import INTERACTION, DidSpec, estimate, estimate_panel
from swis.estimation.fast import fit_design
from swis.estimation.inference.randomization import randomization_tests

PUBLISHED = [
    (a, o)
    for a, outcomes in {
        "Southampton": ("s17", "s47", "days_in_care"),
        "Stockport": ("s17", "s47", "days_in_care"),
        "Lambeth": ("s17", "s47"),
    }.items()
    for o in outcomes
]


@pytest.mark.parametrize("authority,outcome", PUBLISHED)
def test_fast_solver_matches_statsmodels(panels, authority, outcome):
    panel = panels[authority]
    ref = estimate_panel(panel, outcome).table.set_index("coefficient")
    fast = estimate_panel(panel, outcome, engine="fast").table.set_index("coefficient")
    # coefficients to 1e-8, standard errors to 1e-6 (absolute, log scale)
    assert_allclose(fast["estimate"], ref["estimate"], rtol=0, atol=1e-8)
    assert_allclose(fast["se"], ref["se"], rtol=0, atol=1e-6)
    assert (fast["estimable"] == ref["estimable"]).all()


@pytest.mark.parametrize("authority,outcome", PUBLISHED)
def test_randomization_engines_agree(panels, authority, outcome):
    panel = panels[authority]
    cols = ["ri_p_value", "ri_p_value_t", "ri_min_p", "ri_n_assignments", "ri_n_separated"]
    # the reference refits one assignment at a time (about 10 ms each): for the 3,003 assignments of
    # Stockport's days in care, both engines are compared on the same 300 seeded draws instead
    reps = 300 if (authority, outcome) == ("Stockport", "days_in_care") else 10_000
    fast = estimate_panel(panel, outcome, randomization=True, reps=reps, engine="fast", ri_engine="fast").table
    ref = estimate_panel(panel, outcome, randomization=True, reps=reps, ri_engine="statsmodels").table
    inter = fast["kind"].eq("interaction")
    assert inter.any() and fast.loc[inter, "ri_p_value"].notna().all()
    assert_allclose(fast.loc[inter, cols].to_numpy(float), ref.loc[inter, cols].to_numpy(float), rtol=1e-12)


def _toy(seed=0, n_schools=4, treated=2, terms=3, effect=0.0):
    """A small panel drawn from the model (school and term effects, a true interaction ``effect``)."""
    rng = np.random.default_rng(seed)
    rows = []
    for s in range(n_schools):
        alpha = rng.normal(-3.5, 0.4)
        pupils = int(rng.integers(300, 1200))
        for t in range(terms):
            post = t == terms - 1
            mu = pupils * np.exp(alpha + 0.1 * t + (effect if (s < treated and post) else 0.0))
            rows.append(
                dict(
                    school=f"S{s:02d}",
                    group="intervention" if s < treated else "control",
                    term=f"T{t}",
                    count=int(rng.poisson(mu)),
                    pupils=pupils,
                )
            )
    spec = DidSpec(reference_term=f"T{terms - 2}", post_terms=(f"T{terms - 1}",))
    return pd.DataFrame(rows), spec


def _independent_enumeration(rows: pd.DataFrame, spec: DidSpec):
    """Every assignment refitted with statsmodels' formula API; the two-sided p-values of b and of b/se."""
    schools = sorted(rows["school"].unique())
    n_treated = rows.groupby("school")["group"].first().eq("intervention").sum()
    post = rows["term"].eq(spec.post_terms[0])
    stats = []
    for chosen in combinations(schools, n_treated):
        d = rows.assign(inter=(rows["school"].isin(chosen) & post).astype(float))
        fit = smf.glm(
            f"count ~ C(school) + C(term, Treatment(reference={spec.reference_term!r})) + inter",
            data=d,
            family=Poisson(),
            offset=np.log(d["pupils"]),
        ).fit(tol=1e-13, maxiter=200)
        g = len(schools)
        robust = fit.model.fit(
            tol=1e-13,
            maxiter=200,
            cov_type="cluster",
            cov_kwds={"groups": pd.factorize(d["school"])[0], "use_correction": False},
        )
        se = np.sqrt(robust.cov_params().loc["inter", "inter"] * g / (g - 1))
        observed = set(chosen) == set(rows.loc[rows["group"].eq("intervention"), "school"])
        stats.append((fit.params["inter"], fit.params["inter"] / se, observed))
    b, t, obs = map(np.array, zip(*stats, strict=True))
    i = int(np.flatnonzero(obs)[0])
    return np.mean(np.abs(b) >= np.abs(b[i]) * (1 - 1e-9)), np.mean(np.abs(t) >= np.abs(t[i]) * (1 - 1e-9))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_randomization_p_values_equal_an_independent_enumeration(seed):
    rows, spec = _toy(seed, n_schools=5, treated=2, effect=-0.4)
    (test,) = randomization_tests(rows, spec)
    p, p_t = _independent_enumeration(rows, spec)
    assert test.method == "exact" and test.n_assignments == 10 and test.n_separated == 0
    assert test.p_value == pytest.approx(p, abs=1e-12)
    assert test.p_value_t == pytest.approx(p_t, abs=1e-12)


@pytest.mark.parametrize("seed", range(8))
def test_one_treated_school_among_three_never_below_one_third(seed):
    rows, spec = _toy(seed, n_schools=3, treated=1, effect=-2.0)
    (test,) = randomization_tests(rows, spec)
    assert test.n_possible == 3
    assert test.min_p >= 1 / 3 - 1e-12
    assert test.p_value >= 1 / 3 - 1e-12 and test.p_value_t >= 1 / 3 - 1e-12


def test_randomization_test_holds_its_size_under_a_true_null():
    # 12 schools, 6 treated (924 assignments, exact), no effect: rejection at 5 % should be at most 5 % up to
    # Monte Carlo error; 300 data sets give a standard error of 1.26 points, so the bound is 5 % + 2.5 SE
    reps = 300
    rejected = []
    for seed in range(reps):
        rows, spec = _toy(1000 + seed, n_schools=12, treated=6, terms=3, effect=0.0)
        (test,) = randomization_tests(rows, spec)
        assert test.method == "exact" and test.n_assignments == 924
        rejected.append(test.p_value <= 0.05)
    rate = np.mean(rejected)
    assert rate <= 0.05 + 2.5 * np.sqrt(0.05 * 0.95 / reps), rate


def test_monte_carlo_is_seeded_and_close_to_exact(panels):
    rows = panels["Stockport"].outcome("days_in_care")
    spec = DidSpec.from_config(panels["Stockport"].config)
    (exact,) = randomization_tests(rows, spec)
    (mc,) = randomization_tests(rows, spec, reps=1000, seed=7)
    (again,) = randomization_tests(rows, spec, reps=1000, seed=7)
    assert exact.method == "exact" and exact.n_assignments == 3003
    assert mc.method == "monte carlo" and mc.n_assignments == 1000 and mc.mc_se > 0
    assert (mc.p_value, mc.p_value_t) == (again.p_value, again.p_value_t)
    assert abs(mc.p_value - exact.p_value) < 4 * mc.mc_se
    assert mc.min_p == pytest.approx(1 / 3003)


def test_separated_assignments_are_counted_and_extreme():
    # the two intervention schools have no event after the pilot: the observed interaction is separated
    rows, spec = _toy(3, n_schools=6, treated=2, effect=0.0)
    post = rows["term"].eq("T2")
    rows.loc[post & rows["group"].eq("intervention"), "count"] = 0
    rows.loc[post & rows["school"].eq("S05"), "count"] = 0  # so assignments including S05 can separate too
    (test,) = randomization_tests(rows, spec)
    zero_post = {"S00", "S01", "S05"}
    expected = sum(set(c) <= zero_post for c in combinations(sorted(rows["school"].unique()), 2))
    assert test.n_separated == expected == 3
    assert np.isnan(test.estimate)
    assert test.p_value == pytest.approx(3 / 15)  # the share of assignments separated too


def test_exact_enumeration_of_3003_assignments_is_fast(panels):
    rows = panels["Stockport"].outcome("days_in_care")
    spec = DidSpec.from_config(panels["Stockport"].config)
    randomization_tests(rows, spec)  # warm-up
    start = time.perf_counter()
    (test,) = randomization_tests(rows, spec)
    assert test.n_assignments == 3003
    assert time.perf_counter() - start < 2.0


def test_t_intervals_are_wider_than_normal_ones(panels):
    res = estimate_panel(panels["Southampton"], "s17")
    row = res.get(INTERACTION)
    assert int(row["t_df"]) == int(row["n_clusters"]) - 1
    assert row["t_ci_low"] < row["ci_low"] < row["irr"] < row["ci_high"] < row["t_ci_high"]
    assert row["t_p_value"] > row["p_value"]


def test_fit_design_names_every_coefficient_as_statsmodels(panels):
    cfg = panels["Lambeth"].config
    design = build_design(panels["Lambeth"].outcome("s17"), cfg.reference_term, cfg.intervention_terms)
    fit = fit_design(design)
    assert list(fit.params.index) == list(design.X.columns) and fit.converged


def test_several_post_terms_randomize_each_interaction_and_the_pooled_one():
    rows, _ = _toy(5, n_schools=5, treated=2, terms=4, effect=-0.3)
    spec = DidSpec(reference_term="T1", post_terms=("T2", "T3"))
    res = estimate(rows, spec, randomization=True).table.set_index("coefficient")
    for name in (f"{INTERACTION}: T2", f"{INTERACTION}: T3", f"{INTERACTION} (pooled)"):
        assert res.loc[name, "ri_n_assignments"] == 10
        assert 0 < res.loc[name, "ri_p_value"] <= 1
    assert res["ri_p_value"].isna().sum() == len(res) - 3
