"""The forest plot of every model's intervention-by-time IRR."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from swis.report.style import DESIGN_INTERVAL, INTERVAL, MUTED_TEXT, POINT, REFERENCE_LINE


def forest_figure(estimates: pd.DataFrame) -> plt.Figure:
    """Forest plot of the intervention-by-time IRRs of all models (log scale), two intervals each.

    ``estimates`` has one row per model: ``label, irr, ci_low, ci_high, estimable`` and, where computed,
    ``t_ci_low, t_ci_high``. Each model shows the report's interval (clustered, normal critical values: a
    thin solid line) and the t(G-1) interval (a thick dashed line below it), told apart in print by line
    style and width as well as colour. Models that are not estimable are listed without a point.
    """
    est = estimates.reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(8, 0.6 * len(est) + 1.6), layout="constrained")
    y = np.arange(len(est))[::-1]
    for yi, r in zip(y, est.itertuples(), strict=True):
        if r.estimable:
            ax.plot([r.ci_low, r.ci_high], [yi + 0.12, yi + 0.12], color=INTERVAL, lw=1.5, ls="-")
            t_low, t_high = getattr(r, "t_ci_low", np.nan), getattr(r, "t_ci_high", np.nan)
            if np.isfinite(t_low) and np.isfinite(t_high):
                ax.plot([t_low, t_high], [yi - 0.12, yi - 0.12], color=DESIGN_INTERVAL, lw=3, ls=(0, (3, 1.5)))
            ax.plot(r.irr, yi, "o", color=POINT, ms=7, zorder=3)
        else:
            ax.text(1.05, yi, "not estimable (separation)", va="center", ha="left", fontsize=9, color=MUTED_TEXT)
    ax.axvline(1, color=REFERENCE_LINE, lw=1, ls="--")
    ax.set_xscale("log")
    ax.set_ylim(-0.6, len(est) - 0.4)  # every row on the axes, a not-estimable one included
    low, high = ax.get_xlim()
    ticks = [t for t in (0.01, 0.03, 0.1, 0.25, 0.5, 1, 2, 4, 10, 30, 100) if low <= t <= high]
    ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
    ax.minorticks_off()
    ax.set_yticks(y, est["label"])
    ax.plot([], [], color=INTERVAL, lw=1.5, label="report's convention (clustered, normal critical values)")
    ax.plot([], [], color=DESIGN_INTERVAL, lw=3, ls=(0, (3, 1.5)), label="t(G-1) critical values")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=1, frameon=False, fontsize=9)
    ax.set_xlabel(
        "Intervention-by-time incidence rate ratio, 95% CI (log scale)\nbelow 1: a lower rate in pilot schools"
    )
    return fig
