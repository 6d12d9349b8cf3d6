"""The forest plot of every model's intervention-by-time IRR."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from swis.report.style import DESIGN_INTERVAL, FIGURE_WIDTH_IN, INTERVAL, MUTED_TEXT, POINT, REFERENCE_LINE, TEXT_PT

#: Tick marks of the ratio axis: reciprocal pairs (0.5 and 2, 0.1 and 10), written as plain decimals.
TICKS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100)
#: What a row without an estimate says.
NOT_ESTIMABLE = "not estimable (separation)"


def ratio_ticks(low: float, high: float) -> tuple[list[float], list[str]]:
    """Ticks of :data:`TICKS` within ``[low, high]`` and their labels, plain (0.1, 0.5, 1, 2, 10).

    Examples
    --------
    >>> ratio_ticks(0.03, 30)
    ([0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20], ['0.05', '0.1', '0.2', '0.5', '1', '2', '5', '10', '20'])
    """
    ticks = [t for t in TICKS if low <= t <= high]
    return ticks, [f"{t:g}" for t in ticks]


def _label_unestimable(ax, rows: list[float]) -> None:
    """Write :data:`NOT_ESTIMABLE` on each such row, on the side of the axes away from the line at 1.

    The line at 1 is found in axes coordinates once the limits are final, so the words never cross it.
    """
    one = ax.transAxes.inverted().transform(ax.transData.transform((1, 0)))[0]
    left = one > 0.5  # the line is right of centre: write from the left edge, where there is more room
    for yi in rows:
        ax.text(
            0.02 if left else 0.98,
            yi,
            NOT_ESTIMABLE,
            transform=ax.get_yaxis_transform(),
            va="center",
            ha="left" if left else "right",
            fontsize=TEXT_PT,
            color=MUTED_TEXT,
            style="italic",
            zorder=4,  # over the dashed line at 1, on white, should the two meet
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.5},
        )


def forest_figure(estimates: pd.DataFrame) -> plt.Figure:
    """Forest plot of the intervention-by-time IRRs of all models (log scale), two intervals each.

    ``estimates`` has one row per model: ``label, irr, ci_low, ci_high, estimable`` and, where computed,
    ``t_ci_low, t_ci_high``. Each model shows the report's interval (clustered, normal critical values: a
    thin solid line) and the t(G-1) interval (a thick dashed line below it), told apart in print by line
    style and width as well as colour. Models that are not estimable are listed without a point.
    """
    est = estimates.reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(FIGURE_WIDTH_IN, 0.6 * len(est) + 1.8), layout="constrained")
    y = np.arange(len(est))[::-1]
    for yi, r in zip(y, est.itertuples(), strict=True):
        if r.estimable:
            ax.plot([r.ci_low, r.ci_high], [yi + 0.12, yi + 0.12], color=INTERVAL, lw=1.5, ls="-")
            t_low, t_high = getattr(r, "t_ci_low", np.nan), getattr(r, "t_ci_high", np.nan)
            if np.isfinite(t_low) and np.isfinite(t_high):
                ax.plot([t_low, t_high], [yi - 0.12, yi - 0.12], color=DESIGN_INTERVAL, lw=3, ls=(0, (3, 1.5)))
            ax.plot(r.irr, yi, "o", color=POINT, ms=7, zorder=3)
    ax.axvline(1, color=REFERENCE_LINE, lw=1, ls="--", zorder=1)
    ax.set_xscale("log")
    ax.set_ylim(-0.6, len(est) - 0.4)  # every row on the axes, a not-estimable one included
    ax.set_xticks(*ratio_ticks(*ax.get_xlim()))
    ax.minorticks_off()
    ax.tick_params(labelsize=TEXT_PT + 1)
    ax.set_yticks(y, est["label"])
    _label_unestimable(ax, [yi for yi, ok in zip(y, est["estimable"], strict=True) if not ok])
    ax.plot([], [], color=INTERVAL, lw=1.5, label="report's convention (clustered, normal critical values)")
    ax.plot([], [], color=DESIGN_INTERVAL, lw=3, ls=(0, (3, 1.5)), label="t(G-1) critical values")
    fig.legend(loc="outside lower center", ncol=1, frameon=False, fontsize=TEXT_PT)
    ax.set_xlabel(
        fontsize=TEXT_PT + 1,
        xlabel="Intervention-by-time incidence rate ratio, 95% CI (log scale)\nbelow 1: a lower rate in pilot schools",
    )
    return fig
