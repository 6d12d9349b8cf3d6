"""Tables as the report prints them, built from a panel or from estimates."""

from __future__ import annotations

import numpy as np
import pandas as pd

from swis.privacy import suppress_counts

GROUP_TITLES = {"intervention": "Intervention", "control": "Control"}


def school_term_table(panel, outcome: str, suppress_below: int = 0) -> pd.DataFrame:
    """The school-by-term table: number, pupils and average count per school.

    Parameters
    ----------
    panel : swis.data.Panel
    outcome : str
    suppress_below : int
        Counts from 1 to ``suppress_below - 1`` are hidden (shown as
        ``<n``), with the average computed from them; 0 hides nothing.

    Returns
    -------
    DataFrame
        Index: term; columns: (group, school, measure) with measures
        ``Number``, ``Pupils`` and ``Average count`` (per 100 pupils or per
        pupil, from the config).
    """
    d = panel.outcome(outcome)
    scale = panel.config.outcomes[outcome].scale
    d["rate"] = d["count"] / d["pupils"] * scale
    d = suppress_counts(d, suppress_below)
    decimals = 3 if scale == 1 else 2
    changed = d["corrected"] & (d["printed_count"].astype(str) != d["count"].map(lambda v: f"{v:g}"))
    d["Number"] = np.where(changed, d["count_shown"] + " (printed " + d["printed_count"].astype(str) + ")",
                           d["count_shown"])
    d["Pupils"] = d["pupils"].map(lambda v: f"{v:,.0f}")
    d["Average count"] = d["rate_shown"].map(lambda v: v if isinstance(v, str) else f"{v:.{decimals}f}")
    d["Group"] = d["group"].map(GROUP_TITLES)
    wide = d.pivot_table(index="term", columns=["Group", "school"], values=["Number", "Pupils", "Average count"],
                         aggfunc="first", observed=True)
    wide = wide.reorder_levels([1, 2, 0], axis=1)
    order = [(g, s, m) for g in ("Intervention", "Control")
             for s in sorted(d.loc[d["Group"] == g, "school"].unique())
             for m in ("Number", "Pupils", "Average count")]
    wide = wide.reindex(columns=pd.MultiIndex.from_tuples(order, names=["Group", "School", ""]))
    wide.index = wide.index.astype(str)
    wide.index.name = "Term"
    return wide.fillna("")


def _fmt_irr(v: float) -> str:
    if not np.isfinite(v):
        return "not estimable"
    return f"{v:.2f}" if v >= 0.005 else f"{v:.2e}"


def regression_table(result) -> pd.DataFrame:
    """Regression estimates laid out like the report: IRR, 95% CI and p-value.

    Term fixed effects first (the reference term marked), then the
    interaction(s), the constant, and the combined change in intervention
    schools.
    """
    t = result.table
    level = int(round(result.spec.level * 100))
    rows = []
    for r in t.itertuples():
        if r.kind == "reference":
            rows.append((r.coefficient, "Reference", "", ""))
            continue
        ci = f"{_fmt_irr(r.ci_low)}, {_fmt_irr(r.ci_high)}" if r.estimable else ""
        p = (f"{r.p_value:.3f}" if r.p_value >= 0.001 else "<0.001") if r.estimable else ""
        rows.append((r.coefficient, _fmt_irr(r.irr), ci, p))
    out = pd.DataFrame(rows, columns=["Coefficient", "IRR", f"{level}% CI", "p-value"])
    out.insert(0, "Effect", t["kind"].map({
        "term": "Term fixed effect", "reference": "Term fixed effect", "interaction": "Interaction",
        "constant": "Constant", "combined": "Combined (time x interaction)"}).to_numpy())
    return out


def audit_display(rows: pd.DataFrame) -> pd.DataFrame:
    """Row-by-row audit, published next to reproduced, for display."""
    def pair(a, b):
        return "" if not np.isfinite(a) else f"{_fmt_irr(a)} [{_fmt_irr(b[0])}, {_fmt_irr(b[1])}]"

    out = pd.DataFrame({
        "Coefficient": rows["coefficient"],
        "Published IRR [95% CI]": [pair(r.published_irr, (r.published_ci_low, r.published_ci_high))
                                   for r in rows.itertuples()],
        "Reproduced IRR [95% CI]": [pair(r.irr, (r.ci_low, r.ci_high)) if np.isfinite(r.irr)
                                    else "not estimable" for r in rows.itertuples()],
        "Agrees at printed precision": rows["reproduced"].map({True: "yes", False: "no"}),
    })
    return out.reset_index(drop=True)
