"""The overall changes the report states, set beside the ones re-estimated here.

The report states, in its text, how much the rate in the intervention
schools changed overall: the time effect times the interaction, as a
percentage (e.g. Stockport's days in care, "+3 %"). Here each stated change
is set beside two others: the report's own arithmetic from the IRRs it
printed, and the combined change of our model (its ``combined`` row, for
the first post-pilot term, which is the term the report reads).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from swis import paths
from swis.config import authority_entries, load_config
from swis.data.panel import load_panel
from swis.data.published import load_combined_effects
from swis.estimation.did import estimate_panel

#: Differences of at most this many percentage points are read as agreement (the report prints whole percents).
AGREE_PP = 1.0


def computed_combined(results: dict[tuple[str, str], pd.DataFrame]) -> dict[tuple[str, str], float]:
    """Our combined IRR of the first post-pilot term, per (authority, outcome); NaN where not estimable."""
    out = {}
    for key, table in results.items():
        rows = table[table["kind"] == "combined"]
        first = rows.iloc[0] if not rows.empty else None
        out[key] = float(first["irr"]) if first is not None and bool(first["estimable"]) else np.nan
    return out


def compare_combined(stated: pd.DataFrame, ours: dict[tuple[str, str], float]) -> pd.DataFrame:
    """Each stated change beside the report's arithmetic and ours, in percent and percentage points.

    Examples
    --------
    >>> stated = pd.DataFrame({"authority": ["A"], "outcome": ["s17"], "time_irr": [0.5], "interaction_irr": [1.2],
    ...                        "stated_pct": [-40.0], "source": ["T1"]})
    >>> row = compare_combined(stated, {("A", "s17"): 0.61}).iloc[0]
    >>> [round(float(v), 1) for v in (row.report_arithmetic_pct, row.computed_pct, row.difference_pp)]
    [-40.0, -39.0, 1.0]
    """
    rows = []
    for r in stated.itertuples():
        irr = ours.get((r.authority, r.outcome), np.nan)
        computed = 100 * (irr - 1)
        rows.append(
            {
                "authority": r.authority,
                "outcome": r.outcome,
                "stated_pct": r.stated_pct,
                "report_arithmetic_pct": 100 * (r.time_irr * r.interaction_irr - 1),
                "computed_irr": irr,
                "computed_pct": computed,
                "difference_pp": computed - r.stated_pct,
                "agrees": bool(abs(computed - r.stated_pct) <= AGREE_PP + 1e-9),
                "source": r.source,
            }
        )
    return pd.DataFrame(rows)


def run_combined_comparison() -> pd.DataFrame:
    """:func:`compare_combined` for every stated change of the book's authorities, from their panels."""
    stated = load_combined_effects()
    results = {}
    for e in authority_entries():
        config = load_config(paths.resolve(e.config))
        panel = load_panel(paths.resolve(e.panel), config)
        for outcome in panel.outcomes:
            if ((stated["authority"] == config.authority) & (stated["outcome"] == outcome)).any():
                results[(config.authority, outcome)] = estimate_panel(panel, outcome).table
    mine = stated[[(a, o) in results for a, o in zip(stated["authority"], stated["outcome"], strict=True)]]
    return compare_combined(mine, computed_combined(results))


def combined_sentence(comparison: pd.DataFrame, labels: dict[tuple[str, str], str]) -> str:
    """One sentence: how many stated changes agree, and the largest difference.

    Examples
    --------
    >>> cmp = pd.DataFrame({"authority": ["A", "B"], "outcome": ["s17", "s47"], "stated_pct": [-26.0, 3.0],
    ...                     "computed_pct": [-1.6, 3.2], "difference_pp": [24.4, 0.2], "agrees": [False, True]})
    >>> text = combined_sentence(cmp, {("A", "s17"): "Section 17 starts", ("B", "s47"): "Section 47 enquiries"})
    >>> text.split("; ")
    ['Of the 2 overall changes the report states, 1 agrees with the re-estimate to within 1 percentage point', \
'the largest difference is A, Section 17 starts: -26% stated, -2% re-estimated.']
    """
    n, k = len(comparison), int(comparison["agrees"].sum())
    if n == 0:
        return "The report states no overall change for these authorities."
    worst = comparison.loc[comparison["difference_pp"].abs().fillna(np.inf).idxmax()]
    label = labels.get((worst["authority"], worst["outcome"]), worst["outcome"])
    ours = "not estimable here" if np.isnan(worst["computed_pct"]) else f"{worst['computed_pct']:+.0f}% re-estimated"
    head = (
        f"Of the {n} overall changes the report states, {k} agree{'s' if k == 1 else ''} with the re-estimate "
        f"to within {AGREE_PP:g} percentage point"
    )
    if k == n:
        return head + "."
    return (
        f"{head}; the largest difference is {worst['authority']}, {label}: {worst['stated_pct']:+.0f}% stated, {ours}."
    )
