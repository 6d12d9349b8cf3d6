"""The forest plot of every model's intervention-by-time IRR."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from swis.report.style import INTERVAL, MUTED_TEXT, POINT, REFERENCE_LINE


def forest_figure(estimates: pd.DataFrame) -> plt.Figure:
    """Forest plot of the intervention-by-time IRRs of all models (log scale).

    ``estimates`` has one row per model: ``label, irr, ci_low, ci_high,
    estimable``. Models that are not estimable are listed without a point.
    """
    est = estimates.reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(est) + 1.4), layout="constrained")
    y = np.arange(len(est))[::-1]
    for yi, r in zip(y, est.itertuples(), strict=True):
        if r.estimable:
            ax.plot([r.ci_low, r.ci_high], [yi, yi], color=INTERVAL, lw=1.5)
            ax.plot(r.irr, yi, "o", color=POINT, ms=7)
        else:
            ax.text(1, yi, "not estimable (separation)", va="center", ha="center", fontsize=9, color=MUTED_TEXT)
    ax.axvline(1, color=REFERENCE_LINE, lw=1, ls="--")
    ax.set_xscale("log")
    ax.set_yticks(y, est["label"])
    ax.set_xlabel("Intervention-by-time incidence rate ratio (95% CI, log scale); < 1 favours the pilot")
    return fig
