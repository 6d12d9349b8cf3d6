"""Power curves of a planned trial: over the effect, and over the number of schools."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from swis.report.style import FIGURE_WIDTH_IN, GROUP_COLOURS, REFERENCE_LINE, TEXT_PT

ANALYSIS_NAMES = {"did": "difference in differences", "crt": "comparison adjusted for baseline rate"}
#: Names of every analysis in tables (the curves show the first two).
TABLE_NAMES = {**ANALYSIS_NAMES, "crt_strata": "the same, with authority fixed effects"}
ANALYSIS_STYLE = {"did": ("-", "o", GROUP_COLOURS["intervention"]), "crt": ("--", "s", GROUP_COLOURS["control"])}


def _curves(ax, table: pd.DataFrame, x: str) -> None:
    for analysis, rows in table.groupby("analysis", sort=False):
        line, marker, colour = ANALYSIS_STYLE[analysis]
        rows = rows.sort_values(x)
        ax.plot(rows[x], rows["power"], line, marker=marker, color=colour, label=ANALYSIS_NAMES[analysis])
        ax.fill_between(
            rows[x], rows["power"] - 2 * rows["mcse"], rows["power"] + 2 * rows["mcse"], color=colour, alpha=0.15, lw=0
        )
        if "power_low_var" in rows:  # the power at the ends of the variation's intervals: thin lines
            for end in ("power_low_var", "power_high_var"):
                ax.plot(rows[x], rows[end], line, color=colour, lw=0.8, alpha=0.7)
    ax.axhline(0.8, color=REFERENCE_LINE, lw=1, ls=":")
    ax.set_ylim(0, 1)
    ax.set_ylabel("Power")


def power_figure(by_effect: pd.DataFrame, by_schools: pd.DataFrame, outcome_label: str) -> plt.Figure:
    """Two panels: power against the rate ratio (fixed schools), and against the number of schools.

    Bands are two Monte Carlo standard errors either side; the dotted line marks 80% power. Where the table has
    ``power_low_var`` and ``power_high_var`` (the power at the ends of the variation's intervals), thin lines of
    each analysis's style show them.
    """
    fig, (left, right) = plt.subplots(
        2, 1, figsize=(FIGURE_WIDTH_IN, 6.4), layout="constrained"
    )  # stacked: each full width
    _curves(left, by_effect, "effect")
    left.set_xlabel("True rate ratio (intervention against control)")
    left.set_title(f"{outcome_label}: {int(by_effect['n_schools'].iloc[0])} schools", fontsize=TEXT_PT + 2)
    left.invert_xaxis()
    _curves(right, by_schools, "n_schools")
    right.set_xlabel("Schools randomised (half to the intervention)")
    effect = by_schools["effect"].iloc[0]
    right.set_title(f"{outcome_label}: a {(1 - effect) * 100:.0f}% lower rate", fontsize=TEXT_PT + 2)
    right.set_xticks(
        [
            n
            for n in np.unique(by_schools["n_schools"])
            if n % 100 == 0 or n == by_schools["n_schools"].max() or n == 268 or n <= 20
        ]
    )
    left.legend(fontsize=TEXT_PT, frameon=False, loc="lower right")  # where power is already near 1: empty
    return fig
