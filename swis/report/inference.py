"""What each model says under each kind of inference: the compact table and the sentence on what survives.

Three kinds of test sit beside the report's (clustered standard errors, normal critical values): the same
standard error with t(G-1) critical values, randomization inference, and the score bootstrap
(:mod:`swis.estimation.inference`). With fewer than :data:`FEW_SCHOOLS` schools the report's convention alone
never makes a result "statistically significant": a result is called so only when every test that respects
the design rejects at the 5 % level.
"""

from __future__ import annotations

import math

import pandas as pd

from swis.report import format as fmt

#: Below this many schools, clustered intervals with normal critical values are not trusted on their own.
FEW_SCHOOLS = 30
ALPHA = 0.05
DESIGN_TESTS = {"t_p_value": "t(G-1)", "ri_p_value": "randomization", "boot_p_value": "score bootstrap"}


def _finite(v) -> bool:
    return isinstance(v, (int, float)) and math.isfinite(v)


def design_p_values(row: pd.Series) -> dict[str, float]:
    """The p-values of the tests that respect the design that were computed for this row."""
    return {name: float(row[col]) for col, name in DESIGN_TESTS.items() if col in row and _finite(row[col])}


def significant(row: pd.Series, alpha: float = ALPHA) -> bool | None:
    """Whether a result may be called statistically significant (None when not estimable).

    With at least :data:`FEW_SCHOOLS` schools the report's test decides; with fewer, every design-respecting
    test must reject (and at least the t(G-1) test is always there).

    Examples
    --------
    >>> significant(pd.Series({"estimable": True, "n_clusters": 3, "p_value": 0.02, "t_p_value": 0.15}))
    False
    >>> significant(pd.Series({"estimable": True, "n_clusters": 40, "p_value": 0.02, "t_p_value": 0.03}))
    True
    """
    if not row.get("estimable", False):
        return None
    if row["n_clusters"] >= FEW_SCHOOLS:
        return bool(row["p_value"] < alpha)
    tests = design_p_values(row)
    return bool(tests) and all(p < alpha for p in tests.values())


def verdict(row: pd.Series) -> str:
    """``statistically significant``, ``not statistically significant`` or ``not estimable``.

    Where the report's convention alone would say significant and the design-respecting tests do not, the
    text says which tests decide, since it may stand beside the report's interval.

    Examples
    --------
    >>> verdict(pd.Series({"estimable": True, "n_clusters": 3, "p_value": 0.02, "t_p_value": 0.15}))
    'not statistically significant by the tests that allow for so few schools'
    """
    flag = significant(row)
    if flag is None:
        return fmt.NOT_ESTIMABLE
    if flag:
        return "statistically significant"
    if row["p_value"] < ALPHA:
        return "not statistically significant by the tests that allow for so few schools"
    return "not statistically significant"


def survives(row: pd.Series) -> str:
    """One plain sentence on what survives the tests that respect the design."""
    if not row.get("estimable", False):
        return "The model cannot estimate this interaction (separation), so no interval can be given."
    flag, report = significant(row), bool(row["p_value"] < ALPHA)
    side = "below" if row["irr"] < 1 else "above"
    if flag:
        return f"Every test that respects the number of schools puts the rate ratio {side} one at the 5% level."
    if report:
        return (
            f"The report's convention would call this statistically significant, but with {int(row['n_clusters'])} "
            "schools no test that respects the design supports that: the data are consistent with no effect."
        )
    return "No test, the report's included, tells this change apart from no effect."


def interval_cell(r, low: str, high: str, p: str) -> str:
    """``interval; p`` of one model's row (a named tuple), or why there is none.

    Examples
    --------
    >>> from collections import namedtuple
    >>> Row = namedtuple("Row", "estimable ci_low ci_high p_value")
    >>> interval_cell(Row(True, 0.45, 0.94, 0.022), "ci_low", "ci_high", "p_value")
    '0.45 to 0.94; 0.022'
    >>> interval_cell(Row(True, 0.45, 0.94, float("nan")), "ci_low", "ci_high", "p_value")
    'not computed'
    """
    if not r.estimable:
        return fmt.NOT_ESTIMABLE
    if not _finite(getattr(r, p, float("nan"))):
        return "not computed"
    return f"{fmt.span(getattr(r, low), getattr(r, high))}; {fmt.p_value(getattr(r, p))}"


def randomization_cell(r) -> str:
    """``p (smallest p the design allows)`` of one model's row; a separated model has one too."""
    if not _finite(getattr(r, "ri_p_value", float("nan"))):
        return "not computed"
    return f"{fmt.p_value(r.ri_p_value)} ({fmt.p_value(r.ri_min_p)})"


def inference_table(result) -> pd.DataFrame:
    """One row per interaction: the rate ratio and every kind of interval and p-value, as text.

    Examples
    --------
    >>> from swis import paths
    >>> from swis.config import load_config
    >>> from swis.data.panel import load_panel
    >>> from swis.estimation.did import estimate_panel
    >>> panel = load_panel(paths.PANEL, load_config(paths.config_path("Southampton")))
    >>> t = inference_table(estimate_panel(panel, "s47", randomization=True, bootstrap=True))
    >>> t.iloc[0]["Randomization p (smallest possible)"]
    '0.667 (0.333)'
    """
    t = result.table
    rows = []
    for r in t[t["kind"].eq("interaction")].itertuples():
        rows.append(
            {
                "Interaction": r.coefficient,
                "Rate ratio": fmt.irr(r.irr) if r.estimable else fmt.NOT_ESTIMABLE,
                "Report's convention: 95% CI; p": interval_cell(r, "ci_low", "ci_high", "p_value"),
                f"t({int(r.t_df)}): 95% CI; p": interval_cell(r, "t_ci_low", "t_ci_high", "t_p_value"),
                "Randomization p (smallest possible)": randomization_cell(r),
                "Score bootstrap: 95% CI; p": interval_cell(r, "boot_ci_low", "boot_ci_high", "boot_p_value"),
            }
        )
    return pd.DataFrame(rows)


def event_study_table(es) -> pd.DataFrame:
    """The event study's per-term rate ratios with t(G-1) intervals, as text.

    Examples
    --------
    >>> from swis import paths
    >>> from swis.config import load_config
    >>> from swis.data.panel import load_panel
    >>> from swis.estimation.did import DidSpec
    >>> from swis.estimation.event_study import event_study
    >>> cfg = load_config(paths.config_path("Stockport"))
    >>> es = event_study(load_panel(paths.PANEL, cfg).outcome("s17"), DidSpec.from_config(cfg), list(cfg.terms))
    >>> event_study_table(es).iloc[1].tolist()
    ['Autumn 2018', 'reference term', '1 (by definition)', '']
    """
    rows = []
    for r in es.table.itertuples():
        period = {"before": "before the pilot", "reference": "reference term", "pilot": "pilot"}[r.period]
        if r.period == "reference":
            rows.append([r.term, period, "1 (by definition)", ""])
        elif not r.estimable:
            rows.append([r.term, period, fmt.NOT_ESTIMABLE, ""])
        else:
            rows.append([r.term, period, fmt.irr(r.irr), fmt.span(r.t_ci_low, r.t_ci_high)])
    g = es.pretrend_df[1] + 1
    return pd.DataFrame(rows, columns=["Term", "Period", "Rate ratio", f"95% CI, t({g - 1})"])


def pretrend_sentence(es) -> str:
    """The joint test of the pre-pilot interactions, or why there is none."""
    q, df = es.pretrend_df
    if q == 0:
        return "With a single term before the pilot there is no earlier term to test the groups' trends on."
    if not _finite(es.pretrend_p):
        return (
            f"A joint test of the {q} pre-pilot differences is not possible: the standard errors clustered by "
            f"{df + 1} schools can test at most {df} coefficients together."
        )
    holds = "no evidence against" if es.pretrend_p >= ALPHA else "evidence against"
    return (
        f"Before the pilot, the joint test that the intervention schools moved with the comparison schools gives "
        f"F({q}, {df}) = {es.pretrend_f:.2f}, p = {fmt.p_value(es.pretrend_p)}: {holds} parallel trends, "
        f"from {df + 1} schools, which is weak evidence either way."
    )
