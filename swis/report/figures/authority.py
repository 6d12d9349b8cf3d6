"""Figures of an authority's chapter: school-by-term trends and the difference in differences."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from swis.data.disclosure import suppress_counts
from swis.report.style import ANNOTATION, GROUP_COLOURS, GROUP_LINES, PILOT_SHADE


def _mark_intervention(ax, terms: list[str], post_terms) -> None:
    first = min(terms.index(t) for t in post_terms if t in terms)
    ax.axvspan(first - 0.5, len(terms) - 0.5, color=PILOT_SHADE, zorder=0)
    ax.text(first - 0.45, ax.get_ylim()[1], "pilot", va="top", ha="left", fontsize=9, color=ANNOTATION)


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
        ax.plot(
            rows["x"],
            rows["rate_plot"],
            GROUP_LINES[group],
            color=GROUP_COLOURS[group],
            marker="o" if group == "intervention" else "s",
            label=f"{school} ({group})",
            alpha=0.9,
        )
    many = len(terms) > 3
    ax.set_xticks(range(len(terms)), terms, rotation=30 if many else 0, ha="right" if many else "center")
    ax.set_ylabel(f"{spec.label} {spec.unit}")
    ax.set_ylim(bottom=0)
    _mark_intervention(ax, terms, cfg.intervention_terms)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    ax.set_title(f"{cfg.authority}: {spec.in_text} {spec.unit}, by school and term", fontsize=11)
    return fig


def _line(
    ax, rates: pd.DataFrame, group: str, terms: list[str], style: str, colour: str, marker: str, label: str
) -> None:
    rows = rates[(rates["group"] == group) & rates["term"].isin(terms)]
    rows = rows.assign(x=rows["term"].map(terms.index)).sort_values("x")
    ax.plot(rows["x"], rows["rate"], style, color=colour, marker=marker, label=label)


def did_figure(
    fitted: pd.DataFrame, counterfactual: pd.DataFrame, terms: list[str], config, outcome: str, note: str = ""
) -> plt.Figure:
    """Fitted rates before (reference term) and after (post terms), with the counterfactual.

    Parameters
    ----------
    fitted, counterfactual : DataFrame
        ``group, term, rate`` (:func:`swis.estimation.did.fitted_group_rates`).
    terms : list of str
        The reference term, then the post terms.
    config : swis.config.Config
    outcome : str
    note : str
        What the figure cannot draw (:func:`swis.report.captions.did_note`), written on it.
    """
    spec = config.outcomes[outcome]
    fig, ax = plt.subplots(figsize=(6.5, 4.2), layout="constrained")
    for group in ("control", "intervention"):
        _line(
            ax,
            fitted,
            group,
            terms,
            GROUP_LINES[group],
            GROUP_COLOURS[group],
            "o",
            f"{group.capitalize()} schools (fitted)",
        )
    _line(
        ax,
        counterfactual,
        "intervention",
        terms,
        ":",
        GROUP_COLOURS["counterfactual"],
        "^",
        "Intervention schools without the pilot (counterfactual)",
    )
    ax.set_xticks(range(len(terms)), [f"{t}\n(before)" if i == 0 else f"{t}\n(pilot)" for i, t in enumerate(terms)])
    ax.set_xlim(-0.3, len(terms) - 0.7)
    ax.set_ylim(bottom=0)
    ax.set_ylabel(f"{spec.label} {spec.unit}")
    ax.legend(fontsize=8, loc="lower left", frameon=False)
    title = f"{config.authority}: difference in differences, {spec.in_text}"
    if note:  # a second title line, inside the layout, so it never sits on a data point
        fig.suptitle(title, fontsize=11)
        ax.set_title(note, fontsize=9, color=ANNOTATION)
    else:
        ax.set_title(title, fontsize=11)
    return fig
