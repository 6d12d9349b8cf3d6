"""The parallel-trend check of the matching: each intervention school against its chosen comparators."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from swis.report.style import (
    COMPARATOR_COLOURS,
    COMPARATOR_MARKERS,
    FIGURE_WIDTH_IN,
    GROUP_COLOURS,
    INTERVENTION_TERM_SHADE,
    TEXT_PT,
)

#: Columns of panels in the grid.
MAX_COLUMNS = 1


def _school_panel(ax, rate: pd.DataFrame, own: pd.DataFrame, school: str, post: list[int], used: set[str]) -> None:
    """One intervention school: the candidates' middle 80%, the school, and its comparators."""
    x, terms = np.arange(rate.shape[1]), list(rate.columns)
    band = rate.loc[own.loc[own["status"] != "not comparable", "candidate"].astype(str)]
    ax.fill_between(
        x,
        band.quantile(0.1).to_numpy(float),
        band.quantile(0.9).to_numpy(float),
        color="0.88",
        label="comparable candidates, middle 80%",
    )
    if post:
        ax.axvspan(min(post) - 0.5, max(post) + 0.5, color=INTERVENTION_TERM_SHADE, alpha=0.3, lw=0)
    ax.plot(x, rate.loc[school], "-o", color=GROUP_COLOURS["intervention"], lw=2, label=school, zorder=3)
    for k, cand in enumerate(own.loc[own["selected"], "candidate"].astype(str)):
        ax.plot(
            x,
            rate.loc[cand],
            "--",
            marker=COMPARATOR_MARKERS[k % 4],
            color=COMPARATOR_COLOURS[k % len(COMPARATOR_COLOURS)],
            alpha=0.9,
            label=cand,
        )
    ax.set_xticks(x, terms, rotation=40, ha="right", fontsize=TEXT_PT)
    for tick, term in zip(ax.get_xticklabels(), terms, strict=True):
        tick.set_fontweight("bold" if term in used else "normal")
    ax.set_title(school, fontsize=TEXT_PT + 1)
    ax.tick_params(axis="y", labelsize=TEXT_PT)
    ax.legend(fontsize=TEXT_PT, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1))  # off the lines


def matching_trend_figure(rate: pd.DataFrame, pairs: pd.DataFrame, config, outcome: str, label: str = ""):
    """Parallel-trend check: each intervention school against its selected comparators, by term.

    One panel per intervention school: the school (solid), its comparators
    (dashed) and, in grey, the middle 80% of the candidates that could be
    scored against it. The autumn terms used for matching have bold labels and
    the intervention term(s) are shaded.

    Parameters
    ----------
    rate : DataFrame
        Rate per school (rows) and term (columns, in time order), year groups
        summed (:func:`swis.matching.school_rates`).
    pairs : DataFrame
        The matching's pair table (:func:`swis.matching.match`).
    config : swis.config.Config
    outcome : str
    label : str
        Prefix of the title, e.g. ``SYNTHETIC data``.
    """
    mine = pairs[pairs["outcome"] == outcome]
    targets = sorted(set(mine["intervention_school"].astype(str)) & set(rate.index))
    terms = list(rate.columns)
    n = max(len(targets), 1)
    cols = min(n, MAX_COLUMNS)
    rows = (n + cols - 1) // cols
    fig, axes = plt.subplots(
        rows, cols, figsize=(FIGURE_WIDTH_IN, 3.0 * rows + 0.8), layout="constrained", squeeze=False, sharey=True
    )
    post = [k for k, t in enumerate(terms) if t in config.intervention_terms]
    used = set(config.autumn_terms[-3:])
    for ax, school in zip(axes.flat, targets, strict=False):  # the grid may have spare axes
        _school_panel(ax, rate, mine[mine["intervention_school"].astype(str) == school], school, post, used)
    for ax in list(axes.flat)[len(targets) :]:
        ax.set_axis_off()
    spec = config.outcomes[outcome]
    for row in axes:
        row[0].set_ylabel(f"{spec.label}\n{spec.unit}", fontsize=TEXT_PT)
    head = f"{label}: {spec.label}" if label else spec.label
    fig.suptitle(
        f"{head}\nintervention schools (solid) and chosen comparators (dashed);\nbold: autumn terms used for matching",
        fontsize=TEXT_PT + 1,
    )
    return fig
