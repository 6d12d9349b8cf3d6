"""What the book says about each model, in words and in glued values, from the estimates alone."""

from __future__ import annotations

import pandas as pd

from swis.estimation.design import INTERACTION
from swis.report import format as fmt

SIGNIFICANCE = {True: "statistically significant", False: "not statistically significant"}


def direction(ratio: float) -> str:
    """``decrease`` or ``increase`` (``not estimable`` when the ratio is not finite).

    Examples
    --------
    >>> direction(0.65), direction(1.2), direction(float("nan"))
    ('decrease', 'increase', 'not estimable')
    """
    if not fmt.is_finite(ratio):
        return fmt.NOT_ESTIMABLE
    return "decrease" if ratio < 1 else "increase"


def _verb(ratio: float) -> str:
    return "fell" if ratio < 1 else "rose"


def outcome_values(result, alpha: float = 0.05) -> dict[str, object]:
    """Glue values of one outcome, keyed ``<outcome>_<name>``.

    Keys: ``int_irr``, ``int_ci_low``, ``int_ci_high``, ``int_p``,
    ``time_*`` (change in control schools), ``combined_*`` (change in
    intervention schools), ``*_pct_abs``, ``*_direction``,
    ``significance``, ``n_intervention``, ``n_control`` and
    ``n_schools_fitted``.
    """
    t = result.table.set_index("coefficient")
    o = t["outcome"].iloc[0]
    post = result.spec.post_terms[0]
    parts = {
        "int": t.loc[[c for c in t.index if c.startswith(INTERACTION)][0]],
        "time": t.loc[post],
        "combined": t[t["kind"] == "combined"].iloc[0],
    }
    values: dict[str, object] = {}
    for name, row in parts.items():
        for col in ("irr", "ci_low", "ci_high"):
            values[f"{o}_{name}_{col}"] = float(row[col])
        values[f"{o}_{name}_p"] = float(row["p_value"])
        values[f"{o}_{name}_pct_abs"] = fmt.pct_change(row["irr"])
        values[f"{o}_{name}_direction"] = direction(row["irr"])
    est = bool(parts["int"]["estimable"])
    values[f"{o}_significance"] = SIGNIFICANCE[bool(parts["int"]["p_value"] < alpha)] if est else fmt.NOT_ESTIMABLE
    rows = result.design.rows.drop_duplicates("school")
    all_rows = pd.concat([result.design.rows, result.design.dropped]).drop_duplicates("school")
    values[f"{o}_n_intervention"] = int((all_rows["group"] == "intervention").sum())
    values[f"{o}_n_control"] = int((all_rows["group"] == "control").sum())
    values[f"{o}_n_schools_fitted"] = int(len(rows))
    return values


def reading(result, label: str) -> str:
    """A plain-language reading of one model, every number from the estimates.

    Examples
    --------
    The Stockport Section 17 model:

    >>> from swis import paths
    >>> from swis.config import load_config
    >>> from swis.data.panel import load_panel
    >>> from swis.estimation.did import estimate_panel
    >>> panel = load_panel(paths.PANEL, load_config(paths.config_path("Stockport")))
    >>> reading(estimate_panel(panel, "s17"), "Section 17 starts")[:95]
    'Between Autumn 2018 and Autumn 2019, the rate of Section 17 starts in the control schools fell '
    """
    t = result.table.set_index("coefficient")
    ref, post = result.spec.reference_term, result.spec.post_terms[0]
    time = t.loc[post]
    inter = t[t["kind"] == "interaction"].iloc[0]
    comb = t[t["kind"] == "combined"].iloc[0]
    text = (
        f"Between {ref} and {post}, the rate of {label} in the control schools {_verb(time['irr'])} "
        f"by {fmt.percent(time['irr'])} (IRR {fmt.irr(time['irr'])}, 95% CI {fmt.irr(time['ci_low'])} to "
        f"{fmt.irr(time['ci_high'])}). "
    )
    if not inter["estimable"]:
        return text + (
            "The intervention-by-time interaction cannot be estimated: "
            f"{inter['note'].removeprefix('not estimable: ')}. The data cannot say how much larger "
            "the change was in the intervention schools, only that their count fell to zero."
        )
    sig = SIGNIFICANCE[bool(inter["p_value"] < 0.05)]
    return text + (
        f"Relative to that change, the intervention schools' rate was multiplied by {fmt.irr(inter['irr'])} "
        f"(95% CI {fmt.irr(inter['ci_low'])} to {fmt.irr(inter['ci_high'])}, p = {fmt.p_value(inter['p_value'])}), "
        f"a difference that is {sig} at the 5% level. Combining the two, the rate in the intervention schools "
        f"{_verb(comb['irr'])} by {fmt.percent(comb['irr'])} (IRR {fmt.irr(comb['irr'])}, 95% CI "
        f"{fmt.irr(comb['ci_low'])} to {fmt.irr(comb['ci_high'])})."
    )
