"""Separation found by its definition: every pattern, named or not, and no estimate running off to infinity.

Before this, only 'every intervention school at zero after the pilot' was detected; the other patterns were
reported with rate ratios like 1e14 and p = 5e-274. The oracle here is the definition: an estimable
coefficient of a separated model stays finite (|log rate ratio| < 10), and a model that cannot compare says so.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from test_randomization import _toy

from swis.audit.compare import half_unit
from swis.data.published import load_published
from swis.estimation.did import INTERACTION, DidSpec, estimate, estimate_panel

#: Beyond this on the log scale (a rate ratio of 22,000) an "estimate" is a separated coefficient.
FINITE = 10.0


def _zeroed(which: str) -> tuple[pd.DataFrame, DidSpec]:
    rows, spec = _toy(0, n_schools=6, treated=3, terms=4)
    post, control = rows["term"].eq("T3"), rows["group"].eq("control")
    mask = {
        "control schools after": post & control,
        "intervention schools before": ~post & ~control,
        "control schools before": ~post & control,
        "intervention schools after": post & ~control,
    }[which]
    rows.loc[mask, "count"] = 0
    return rows, spec


@pytest.mark.parametrize(
    "which,shown",
    [
        ("control schools after", "control schools in T3"),
        ("intervention schools before", "intervention schools in T0"),
        ("control schools before", "control schools in T0"),
        ("intervention schools after", "every observation it switches on has a zero count"),
    ],
)
def test_each_pattern_is_not_estimable_with_its_zero_counts(which, shown):
    rows, spec = _zeroed(which)
    table = estimate(rows, spec).table
    row = table.set_index("coefficient").loc[INTERACTION]
    assert not row["estimable"] and np.isnan(row["irr"])
    assert "separation" in row["note"] and shown in row["note"]
    finite = table[table["estimable"] & table["kind"].isin(["term", "interaction", "combined"])]
    assert (finite["estimate"].abs() < FINITE).all()


def test_reference_term_at_zero_throughout_gives_no_infinite_term_effect():
    rows, spec = _toy(1, n_schools=6, treated=3, terms=4)
    rows.loc[rows["term"].eq(spec.reference_term), "count"] = 0
    table = estimate(rows, spec).table
    finite = table[table["estimable"] & table["kind"].isin(["term", "interaction", "combined"])]
    assert (finite["estimate"].abs() < FINITE).all()
    assert (~table.loc[table["kind"].eq("term"), "estimable"]).any()  # a term effect is not identified


@pytest.mark.parametrize("outcome", ["s17", "s47"])
def test_lambeth_comparison_schools_labelled_treated(panels, outcome):
    # the example: three comparison schools labelled treated gave a rate ratio of 1e14
    rows = panels["Lambeth"].outcome(outcome).copy()
    chosen = sorted(rows.loc[rows["group"].eq("control"), "school"].unique())[:3]
    rows["group"] = np.where(rows["school"].isin(chosen), "intervention", "control")
    table = estimate(rows, DidSpec.from_config(panels["Lambeth"].config)).table
    finite = table[table["estimable"] & table["kind"].isin(["term", "interaction", "combined"])]
    assert (finite["estimate"].abs() < FINITE).all()


def _sparse(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        [
            dict(
                school=f"S{s}",
                group="intervention" if s < 2 else "control",
                term=f"T{t}",
                count=int(rng.poisson(0.6)),
                pupils=500,
            )
            for s in range(5)
            for t in range(3)
        ]
    )


def test_no_pattern_escapes_on_random_sparse_panels():
    # 150 panels of 5 schools x 3 terms with about half the counts zero: patterns no special case names
    spec = DidSpec(reference_term="T1", post_terms=("T2",))
    separated = 0
    for seed in range(150):
        rows = _sparse(seed)
        if rows["count"].sum() == 0:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # statsmodels warns of separation it cannot see is handled
            ref = estimate(rows, spec).table
        fast = estimate(rows, DidSpec(**{**spec.__dict__, "engine": "fast"})).table
        finite = ref["estimable"] & ref["kind"].isin(["term", "interaction", "combined"])
        assert (ref.loc[finite, "estimate"].abs() < FINITE).all(), seed
        assert (ref["estimable"] == fast["estimable"]).all(), seed
        both = finite & ref["se"].notna()
        np.testing.assert_allclose(fast.loc[both, "estimate"], ref.loc[both, "estimate"], atol=1e-6, err_msg=str(seed))
        separated += not ref.set_index("coefficient").loc[INTERACTION, "estimable"]
    assert separated > 20  # the panels do exercise separation


def test_published_panels_that_are_not_separated_are_unchanged(panels):
    published = load_published().set_index(["authority", "outcome", "coefficient"])
    for authority, outcome in [("Southampton", "s17"), ("Stockport", "s47"), ("Stockport", "days_in_care")]:
        res = estimate_panel(panels[authority], outcome)
        printed = published.loc[(authority, outcome, INTERACTION)]
        for col in ("irr", "ci_low", "ci_high"):
            # half a unit in the last printed digit (the report's rounding)
            text = printed[f"{col}_text"]
            assert abs(res.get(INTERACTION)[col] - float(text)) <= half_unit(text) * (1 + 1e-9), (authority, outcome)
        assert not res.design.dropped["reason"].str.contains("schools in").any()


def test_pooled_row_carries_its_own_fits_sizes():
    # the intervention schools have no event in T2 only: the per-term model sets those rows aside (its T2
    # interaction is separated), the pooled model keeps them; each row reports the rows its own fit used
    rows, _ = _toy(6, n_schools=6, treated=3, terms=4)
    rows.loc[rows["term"].eq("T2") & rows["group"].eq("intervention"), "count"] = 0
    spec = DidSpec(reference_term="T1", post_terms=("T2", "T3"))
    table = estimate(rows, spec).table.set_index("coefficient")
    assert table.loc[f"{INTERACTION}: T3", "n_obs"] == len(rows) - 3
    assert table.loc[f"{INTERACTION} (pooled)", "n_obs"] == len(rows)
