"""What the book says about each model, in words and in glued values, from the estimates alone."""

from __future__ import annotations

import pandas as pd

from swis.estimation.design import INTERACTION
from swis.estimation.twobytwo import two_by_two
from swis.report import format as fmt
from swis.report.inference import survives, verdict

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
    ``significance`` (by the tests that respect the design:
    :func:`swis.report.inference.verdict`), ``significance_report`` (by
    the report's convention alone), ``n_intervention``, ``n_control`` and
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
    # the design-respecting verdict (never the clustered interval alone with few schools); the report's own apart
    values[f"{o}_significance"] = verdict(parts["int"])
    values[f"{o}_significance_report"] = (
        SIGNIFICANCE[bool(parts["int"]["p_value"] < alpha)] if est else fmt.NOT_ESTIMABLE
    )
    rows = result.design.rows.drop_duplicates("school")
    all_rows = _observed_rows(result).drop_duplicates("school")
    values[f"{o}_n_intervention"] = int((all_rows["group"] == "intervention").sum())
    values[f"{o}_n_control"] = int((all_rows["group"] == "control").sum())
    values[f"{o}_n_schools_fitted"] = int(len(rows))
    return values


def _observed_rows(result) -> pd.DataFrame:
    """Every row of the outcome, those set aside included (they are part of the groups' observed rates)."""
    return pd.concat([result.design.rows, result.design.dropped.drop(columns="reason", errors="ignore")])


def _terms(result) -> list[str]:
    """Every term in calendar order (the order of the table's term rows)."""
    t = result.table
    return list(t.loc[t["kind"].isin(["term", "reference"]), "coefficient"].astype(str))


def what_it_compares(result, label: str) -> str:
    """What the interaction compares, in words.

    Examples
    --------
    >>> from swis import paths
    >>> from swis.config import load_config
    >>> from swis.data.panel import load_panel
    >>> from swis.estimation.did import estimate_panel
    >>> panel = load_panel(paths.PANEL, load_config(paths.config_path("Stockport")))
    >>> what_it_compares(estimate_panel(panel, "s17"), "Section 17 starts")[:80]
    'The model compares the rate of Section 17 starts in Autumn 2019 with the 2 terms'
    """
    post, terms = result.spec.post_terms, _terms(result)
    pre = [t for t in terms[: terms.index(post[0])] if t not in post]
    when = post[0] if len(post) == 1 else f"each of {', '.join(post)} (and in all of them together)"
    return (
        f"The model compares the rate of {label} in {when} with the {len(pre)} terms before the pilot together "
        f"({pre[0]} to {pre[-1]}), after allowing for each school's own level and for each term's change common "
        "to all schools: the interaction is how much more, or less, the rate changed in the intervention schools "
        "than in the comparison schools."
    )


def _one(row: pd.Series, name: str) -> str:
    if not row["estimable"]:
        ri = ""
        if "ri_p_value" in row and fmt.is_finite(row["ri_p_value"]):
            ri = (
                f" Compared with every other choice of schools, the randomization test gives p = "
                f"{fmt.p_value(row['ri_p_value'])}, with {int(row['ri_n_separated'])} of "
                f"{int(row['ri_n_assignments'])} choices separated too."
            )
        why = str(row["note"]).removeprefix("not estimable: ")
        return f"{name}: the model cannot estimate the interaction ({why}).{ri}"
    text = (
        f"{name}: the rate ratio is {fmt.irr(row['irr'])}. By the report's convention (standard errors clustered "
        f"by school, normal critical values) its 95% interval is {fmt.span(row['ci_low'], row['ci_high'])} "
        f"(p = {fmt.p_value(row['p_value'])}); with t({int(row['t_df'])}) critical values it is "
        f"{fmt.span(row['t_ci_low'], row['t_ci_high'])} (p = {fmt.p_value(row['t_p_value'])})"
    )
    if "ri_p_value" in row and fmt.is_finite(row["ri_p_value"]):
        text += (
            f"; the randomization test gives p = {fmt.p_value(row['ri_p_value'])}, where the smallest p-value "
            f"this design allows is {fmt.p_value(row['ri_min_p'])}"
        )
    if "boot_p_value" in row and fmt.is_finite(row["boot_p_value"]):
        text += (
            f"; the score bootstrap gives p = {fmt.p_value(row['boot_p_value'])} (interval: "
            f"{fmt.span(row['boot_ci_low'], row['boot_ci_high'])})"
        )
    return f"{text}. {survives(row)}"


def _observed(result, label: str) -> str:
    """The two-by-two of observed rates, and whether it agrees in direction with the interaction."""
    t = result.table.set_index("coefficient")
    out = []
    pairs = two_by_two(_observed_rows(result), _terms(result), result.spec.post_terms)
    for post, last, pooled in zip(result.spec.post_terms, pairs[::2], pairs[1::2], strict=True):
        if not (fmt.is_finite(last.ratio) and fmt.is_finite(pooled.ratio)):
            continue
        out.append(
            f"In the observed rates, from {last.baseline_terms[0]} to {post} the rate of {label} was multiplied by "
            f"{fmt.irr(last.change_intervention)} in the intervention schools and by "
            f"{fmt.irr(last.change_control)} in the comparison schools: a simple difference in differences of "
            f"{fmt.irr(last.ratio)} ({fmt.irr(pooled.ratio)} against the pre-pilot terms pooled)."
        )
        name = INTERACTION if len(result.spec.post_terms) == 1 else f"{INTERACTION}: {post}"
        irr = t.loc[name, "irr"] if name in t.index else float("nan")
        against = [
            (b.baseline_terms[0] if b.baseline == "last" else "the pooled pre-pilot terms", b.ratio)
            for b in (last, pooled)
            if fmt.is_finite(irr) and (b.ratio - 1) * (irr - 1) < 0
        ]
        for where, ratio in against:
            out.append(
                f"Against {where} the simple difference in differences ({fmt.irr(ratio)}) points the other way from "
                f"the model's interaction ({fmt.irr(irr)}): which terms the pilot term is compared with decides "
                "the direction, so neither should be read as the pilot's effect."
            )
    return " ".join(out)


def reading(result, label: str) -> str:
    """A plain-language reading of one model: what it compares, every interaction, what survives.

    Significance is never claimed from the clustered interval alone with fewer than
    :data:`swis.report.inference.FEW_SCHOOLS` schools (:func:`swis.report.inference.significant`).

    Examples
    --------
    >>> from swis import paths
    >>> from swis.config import load_config
    >>> from swis.data.panel import load_panel
    >>> from swis.estimation.did import estimate_panel
    >>> panel = load_panel(paths.PANEL, load_config(paths.config_path("Southampton")))
    >>> text = reading(estimate_panel(panel, "s47", randomization=True, bootstrap=True), "Section 47 starts")
    >>> "consistent with no effect" in text, "smallest p-value this design allows is 0.333" in text
    (True, True)
    """
    t = result.table
    parts = [what_it_compares(result, label)]
    for _, row in t[t["kind"].eq("interaction")].iterrows():
        name = "Pilot term" if row["coefficient"] == INTERACTION else str(row["coefficient"])
        parts.append(_one(row, name.replace(f"{INTERACTION}: ", "").replace(f"{INTERACTION} (pooled)", "Pooled")))
    parts.append(_observed(result, label))
    return " ".join(p for p in parts if p)
