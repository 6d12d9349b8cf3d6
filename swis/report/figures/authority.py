"""Figures of an authority's chapter: school-by-term trends and the difference in differences."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from swis.estimation.observed import ObservedRates
from swis.report.style import (
    ANNOTATION,
    FIGURE_WIDTH_IN,
    GROUP_COLOURS,
    GROUP_LINES,
    PILOT_SHADE,
    REFERENCE_LINE,
    TEXT_PT,
)

#: Names of the groups on the figures, in words.
GROUP_NAMES = {"intervention": "Pilot (intervention) schools", "control": "Comparison (control) schools"}


def _mark_pilot(ax, terms: list[str], pilot_terms: list[str]) -> None:
    """Shade the pilot term(s) and say so above the shading."""
    if not pilot_terms:
        return
    first = min(terms.index(t) for t in pilot_terms)
    ax.axvspan(first - 0.5, len(terms) - 0.5, color=PILOT_SHADE, zorder=0)
    ax.text(  # above the axes, over the shading: clear of every line
        (first - 0.5 + len(terms) - 0.5) / 2,
        1.01,
        "pilot terms" if len(pilot_terms) > 1 else "pilot term",
        transform=ax.get_xaxis_transform(),
        va="bottom",
        ha="center",
        fontsize=TEXT_PT,
        color=ANNOTATION,
    )


def spread(positions: list[float], gap: float, floor: float = -np.inf) -> list[float]:
    """Label positions moved apart as little as possible so that neighbours are at least ``gap`` apart.

    Labels keep their order; a run of crowded labels is centred on the mean of its wishes, then the lowest
    labels are lifted to ``floor`` if they fell below it.

    Examples
    --------
    >>> spread([0.0, 0.1, 5.0], 1.0)
    [-0.45, 0.55, 5.0]
    >>> spread([3.0, 1.0], 1.0)  # any order in, the same order out
    [3.0, 1.0]
    >>> spread([0.0, 0.0, 0.0], 1.0, floor=0.0)
    [0.0, 1.0, 2.0]
    """
    order = sorted(range(len(positions)), key=lambda i: positions[i])
    runs: list[list[int]] = []  # each run: labels placed gap apart, centred on the mean of their wishes
    for i in order:
        runs.append([i])
        while len(runs) > 1 and _start(runs[-2], positions, gap) + len(runs[-2]) * gap > _start(
            runs[-1], positions, gap
        ):
            runs[-2:] = [runs[-2] + runs[-1]]
    out = [0.0] * len(positions)
    below = floor - gap
    for run in runs:
        low = _start(run, positions, gap)
        for k, j in enumerate(run):
            out[j] = low + k * gap
    for j in order:  # lift what fell under the floor, keeping the gaps
        out[j] = round(max(out[j], below + gap), 10)
        below = out[j]
    return out


def _start(run: list[int], positions: list[float], gap: float) -> float:
    """Where the first label of a run goes: the run centred on the mean of its labels' wishes."""
    return float(np.mean([positions[j] - k * gap for k, j in enumerate(run)]))


def _label_ends(ax, names, ends: list[tuple[float, float, str, dict]]) -> None:
    """Label each line's last point in the margin (``names``, an empty axes to the right), joined by a thin
    leader line; labels are moved apart vertically so that none overlap.
    """
    names.axis("off")
    if not ends:
        return
    ax.figure.draw_without_rendering()  # the layout fixes the axes' size, hence how far apart labels must be
    box = ax.get_window_extent()
    wished = [ax.transData.transform((x, y))[1] for x, y, _, _ in ends]
    gap = TEXT_PT * 1.3 * ax.figure.dpi / 72
    for (x, y, text, style), got in zip(ends, spread(wished, gap, box.y0), strict=True):
        ax.annotate(
            text,
            (x, y),
            xytext=(1.04, (got - box.y0) / box.height),
            textcoords="axes fraction",
            va="center",
            ha="left",
            fontsize=TEXT_PT,
            annotation_clip=False,
            arrowprops={
                "arrowstyle": "-",
                "color": REFERENCE_LINE,
                "lw": 0.6,
                "shrinkA": 1,
                "shrinkB": 2,
                "relpos": (0, 0.5),
            },
            **style,
        )


def _group_panel(ax, names, rates: ObservedRates, group: str) -> None:
    """One group's schools (faint, labelled) and the group's rate (bold) on one panel."""
    x_of = {t: i for i, t in enumerate(rates.terms)}
    colour = GROUP_COLOURS[group]
    ends = []
    schools = rates.schools[rates.schools["group"] == group]
    for school, rows in schools.groupby("school", sort=True):
        rows = rows.assign(x=rows["term"].map(x_of)).sort_values("x")
        ax.plot(rows["x"], rows["rate"], GROUP_LINES[group], color=colour, lw=1, alpha=0.45, marker=".", ms=5)
        shown = rows.dropna(subset=["rate"])
        if len(shown):
            ends.append((shown["x"].iloc[-1], shown["rate"].iloc[-1], school, {"color": ANNOTATION}))
    mean = rates.groups[rates.groups["group"] == group]
    mean = mean.assign(x=mean["term"].map(x_of)).sort_values("x")
    if mean["schools"].max() > 1:  # with one school the group's rate is that school's line
        ax.plot(mean["x"], mean["rate"], GROUP_LINES[group], color=colour, lw=3, marker="o", ms=6, zorder=3)
        shown = mean.dropna(subset=["rate"])
        if len(shown):
            style = {"color": colour, "fontweight": "bold"}
            ends.append((shown["x"].iloc[-1], shown["rate"].iloc[-1], "all schools", style))
    if schools["rate"].isna().all():  # say why a panel is empty rather than leave it blank
        ax.text(
            0.5,
            0.5,
            "every count hidden (small numbers)",
            transform=ax.transAxes,
            ha="center",
            fontsize=TEXT_PT,
            color=ANNOTATION,
        )
    ax.set_title(GROUP_NAMES[group], fontsize=TEXT_PT + 1, loc="left")
    _mark_pilot(ax, rates.terms, rates.pilot_terms)
    _label_ends(ax, names, ends)


def trend_figure(rates: ObservedRates, config, outcome: str) -> plt.Figure:
    """Observed rate by term: one panel per group, each school a faint labelled line, the group's rate bold.

    Pilot (intervention) schools are on the upper panel, comparison
    (control) schools on the lower, on one vertical scale; the pilot term
    is shaded. Hidden (small) counts leave gaps.

    Parameters
    ----------
    rates : ObservedRates
        From :func:`swis.estimation.observed.observed_rates`.
    config : swis.config.Config
    outcome : str
    """
    spec = config.outcomes[outcome]
    fig, grid = plt.subplots(
        2, 2, figsize=(FIGURE_WIDTH_IN, 5.6), sharey=True, layout="constrained", width_ratios=(3, 1)
    )
    axes = grid[:, 0]
    axes[0].sharex(axes[1])
    axes[0].tick_params(labelbottom=False)
    top = np.nanmax([rates.schools["rate"].max(), rates.groups["rate"].max(), 0])
    for ax in axes:
        ax.set_ylim(0, top * 1.12 if top > 0 else 1)
        ax.set_xlim(-0.3, len(rates.terms) - 0.5)
        ax.tick_params(labelsize=TEXT_PT)
    for row, group in zip(grid, ("intervention", "control"), strict=True):
        _group_panel(row[0], row[1], rates, group)
    many = len(rates.terms) > 3  # four term names side by side run into each other at this width
    axes[1].set_xticks(
        range(len(rates.terms)), rates.terms, rotation=30 if many else 0, ha="right" if many else "center"
    )
    fig.supylabel(f"{spec.label} {spec.unit}", fontsize=TEXT_PT + 1)
    fig.suptitle(f"{config.authority}: {spec.in_text} {spec.unit}, by school and term", fontsize=TEXT_PT + 2)
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
    ax.legend(fontsize=TEXT_PT, loc="lower left", frameon=False)
    title = f"{config.authority}: difference in differences, {spec.in_text}"
    if note:  # a second title line, inside the layout, so it never sits on a data point
        fig.suptitle(title, fontsize=TEXT_PT + 2)
        ax.set_title(note, fontsize=TEXT_PT, color=ANNOTATION)
    else:
        ax.set_title(title, fontsize=TEXT_PT + 2)
    return fig
