"""Figures: trends by school, difference-in-differences, forest plot."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from swis.privacy import suppress_counts

# Okabe-Ito colours: distinguishable with colour-blindness.
COLOURS = {"intervention": "#D55E00", "control": "#0072B2", "counterfactual": "#555555"}
STYLES = {"intervention": "-", "control": "--"}


def _mark_intervention(ax, terms: list[str], post_terms) -> None:
    first = min(terms.index(t) for t in post_terms if t in terms)
    ax.axvspan(first - 0.5, len(terms) - 0.5, color="#EEEEEE", zorder=0)
    ax.text(first - 0.45, ax.get_ylim()[1], "pilot", va="top", ha="left", fontsize=9, color="#444444")


def trend_figure(panel, outcome: str, suppress_below: int = 0) -> plt.Figure:
    """Average count by term and school, intervention and control told apart.

    Intervention schools are drawn with solid orange lines and circles,
    control schools with dashed blue lines and squares; the pilot term(s)
    are shaded. Suppressed (small) counts leave gaps.
    """
    cfg = panel.config
    spec = cfg.outcomes[outcome]
    d = panel.outcome(outcome)
    d["rate"] = d["count"] / d["pupils"] * spec.scale
    d = suppress_counts(d, suppress_below)
    terms = [t for t in cfg.terms if t in set(d["term"].astype(str))]
    fig, ax = plt.subplots(figsize=(8, 4.5), layout="constrained")
    for (group, school), rows in d.groupby(["group", "school"], observed=True, sort=True):
        rows = rows.assign(x=rows["term"].astype(str).map(terms.index)).sort_values("x")
        ax.plot(rows["x"], rows["rate_plot"], STYLES[group], color=COLOURS[group],
                marker="o" if group == "intervention" else "s", label=f"{school} ({group})", alpha=0.9)
    ax.set_xticks(range(len(terms)), terms, rotation=30 if len(terms) > 3 else 0, ha="right" if len(terms) > 3 else "center")
    ax.set_ylabel(f"{spec.label} {spec.unit}")
    ax.set_ylim(bottom=0)
    _mark_intervention(ax, terms, cfg.intervention_terms)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    ax.set_title(f"{cfg.authority}: {spec.in_text} {spec.unit}, by school and term", fontsize=11)
    return fig


def group_rates(result, scale: float, counterfactual: bool = False) -> pd.DataFrame:
    """Model-fitted rate of each group in each term (sum of fitted / sum of pupils).

    With ``counterfactual=True`` the interaction(s) are set to zero: the
    rate intervention schools would have had on the control schools' trend.
    """
    d = result.design.rows.copy()
    X = result.design.X.copy()
    if counterfactual:
        for name in result.design.interactions:
            if name in X:
                X[name] = 0.0
    eta = X.to_numpy() @ result.fit.params.to_numpy()
    d["fitted"] = np.exp(eta) * d["pupils"]
    out = d.groupby(["group", "term"], observed=True)[["fitted", "pupils"]].sum()
    out["rate"] = out["fitted"] / out["pupils"] * scale
    return out["rate"].reset_index()


def did_figure(result, config, outcome: str) -> plt.Figure:
    """Fitted rates before (reference term) and after (post terms), with the counterfactual."""
    spec = config.outcomes[outcome]
    terms = [result.spec.reference_term, *result.spec.post_terms]
    fitted = group_rates(result, spec.scale)
    cf = group_rates(result, spec.scale, counterfactual=True)
    fig, ax = plt.subplots(figsize=(6.5, 4.2), layout="constrained")
    for group in ("control", "intervention"):
        rows = fitted[(fitted["group"] == group) & fitted["term"].isin(terms)]
        rows = rows.assign(x=rows["term"].map(terms.index)).sort_values("x")
        ax.plot(rows["x"], rows["rate"], STYLES[group], color=COLOURS[group], marker="o",
                label=f"{group.capitalize()} schools (fitted)")
    rows = cf[(cf["group"] == "intervention") & cf["term"].isin(terms)]
    rows = rows.assign(x=rows["term"].map(terms.index)).sort_values("x")
    ax.plot(rows["x"], rows["rate"], ":", color=COLOURS["counterfactual"], marker="^",
            label="Intervention schools without the pilot (counterfactual)")
    ax.set_xticks(range(len(terms)), [f"{t}\n(before)" if i == 0 else f"{t}\n(pilot)" for i, t in enumerate(terms)])
    ax.set_xlim(-0.3, len(terms) - 0.7)
    ax.set_ylim(bottom=0)
    ax.set_ylabel(f"{spec.label} {spec.unit}")
    ax.legend(fontsize=8, loc="lower left", frameon=False)
    ax.set_title(f"{config.authority}: difference in differences, {spec.in_text}", fontsize=11)
    return fig


def forest_figure(estimates: pd.DataFrame) -> plt.Figure:
    """Forest plot of the intervention-by-time IRRs of all models (log scale).

    ``estimates`` has one row per model: ``label, irr, ci_low, ci_high,
    estimable``. Models that are not estimable are listed without a point.
    """
    est = estimates.reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(est) + 1.4), layout="constrained")
    y = np.arange(len(est))[::-1]
    for yi, r in zip(y, est.itertuples()):
        if r.estimable:
            ax.plot([r.ci_low, r.ci_high], [yi, yi], color="#333333", lw=1.5)
            ax.plot(r.irr, yi, "o", color=COLOURS["intervention"], ms=7)
        else:
            ax.text(1, yi, "not estimable (separation)", va="center", ha="center", fontsize=9, color="#555555")
    ax.axvline(1, color="#888888", lw=1, ls="--")
    ax.set_xscale("log")
    ax.set_yticks(y, est["label"])
    ax.set_xlabel("Intervention-by-time incidence rate ratio (95% CI, log scale); < 1 favours the pilot")
    return fig
