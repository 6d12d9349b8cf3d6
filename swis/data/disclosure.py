"""Small-count suppression for re-runs on local (unpublished) data.

The report's own tables are already public, so the book shows them in
full. A panel supplied by a researcher is treated as confidential: counts
from 1 to ``threshold - 1``, and the rates computed from them, are hidden in
every table and figure that is published.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from swis import paths

#: Threshold applied to any panel other than the report's published one.
LOCAL_THRESHOLD = 10


def resolve_threshold(panel_path: str | Path, requested: int = -1) -> int:
    """The suppression threshold to use.

    Parameters
    ----------
    panel_path : path
        The panel being analysed.
    requested : int
        -1 for automatic (0 for the report's published panel, else
        :data:`LOCAL_THRESHOLD`); any other value is used as given.

    Examples
    --------
    >>> from swis import paths
    >>> resolve_threshold(paths.PANEL)
    0
    >>> resolve_threshold("my_local_panel.csv")
    10
    """
    if requested >= 0:
        return requested
    try:
        published = Path(panel_path).resolve() == paths.PANEL.resolve()
    except OSError:
        published = False
    return 0 if published else LOCAL_THRESHOLD


def is_suppressed(count: pd.Series, threshold: int) -> pd.Series:
    """Counts that must not be shown: 1 <= count < threshold."""
    return (count >= 1) & (count < threshold)


def suppress_counts(rows: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """Add ``count_shown`` and ``rate_shown`` with small counts hidden.

    Hidden cells read ``<threshold``; ``rate_shown`` is the rate, or the
    same marker where the count is hidden.
    """
    out = rows.copy()
    hide = is_suppressed(out["count"], threshold) if threshold > 0 else pd.Series(False, index=out.index)
    marker = f"<{threshold}"
    out["count_shown"] = np.where(hide, marker, out["count"].map(lambda v: f"{v:,.0f}"))
    out["rate_shown"] = [marker if h else r for h, r in zip(hide, out["rate"], strict=True)]
    out["rate_plot"] = np.where(hide, np.nan, out["rate"])
    return out
