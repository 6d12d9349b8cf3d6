"""Tables of the matching chapter, for display (the numbers come from :mod:`swis.matching`).

Every number goes through :mod:`swis.report.format`: ranks and year groups as integers, scores, trends and
gaps to three decimals, the U statistic to one (it is a whole or half number), p-values as everywhere else.
Outcomes are named in words (``labels``: outcome key -> label, from the config).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from swis.report import format as fmt


def _outcomes(codes: pd.Series, labels: dict[str, str] | None) -> pd.Series:
    return codes.map(lambda c: (labels or {}).get(c, c))


def _three(values: pd.Series) -> pd.Series:
    return values.map(lambda v: fmt.decimals(v, 3))


def _p(values: pd.Series) -> pd.Series:
    return values.map(lambda v: fmt.p_value(v) if fmt.is_finite(v) else "")


def selection_display(pairs: pd.DataFrame, labels: dict[str, str] | None = None) -> pd.DataFrame:
    """Selected comparators with their scores, ranks and test, for display."""
    sel = pairs[pairs["selected"]]
    return pd.DataFrame(
        {
            "Outcome": _outcomes(sel["outcome"], labels),
            "Intervention school": sel["intervention_school"],
            "Comparator": sel["candidate"],
            "Score, latest years": _three(sel["score_period2"]),
            "Score, earlier years": _three(sel["score_period1"]),
            "Rank, latest": sel["rank_period2"].map(fmt.count),
            "Rank, earlier": sel["rank_period1"].map(fmt.count),
            "U": sel["u_statistic"].map(lambda v: fmt.decimals(v, 1)),
            "p-value": _p(sel["p_value"]),
        }
    ).reset_index(drop=True)


def tests_display(pairs: pd.DataFrame, labels: dict[str, str] | None = None) -> pd.DataFrame:
    """Every candidate that was U-tested, with the decision and why, for display."""
    t = pairs[pairs["tested"]]
    return pd.DataFrame(
        {
            "Outcome": _outcomes(t["outcome"], labels),
            "Intervention school": t["intervention_school"],
            "Candidate": t["candidate"],
            "Rank, latest": t["rank_period2"].map(fmt.count),
            "Rank, earlier": t["rank_period1"].map(fmt.count),
            "U": t["u_statistic"].map(lambda v: fmt.decimals(v, 1)),
            "p-value": _p(t["p_value"]),
            "Decision": t["status"],
            "Why": t["reason"],
        }
    ).reset_index(drop=True)


def score_display(pairs: pd.DataFrame, top: int = 5, labels: dict[str, str] | None = None) -> pd.DataFrame:
    """The ``top`` best-ranked candidates of each intervention school and outcome, for display."""
    best = pairs[pairs["rank_period2"].fillna(np.iinfo(np.int32).max) <= top]
    return pd.DataFrame(
        {
            "Outcome": _outcomes(best["outcome"], labels),
            "Intervention school": best["intervention_school"],
            "Candidate": best["candidate"],
            "Year groups": best["n_year_groups_period2"].map(fmt.count),
            "Score, latest years": _three(best["score_period2"]),
            "Rank, latest": best["rank_period2"].map(fmt.count),
            "Score, earlier years": _three(best["score_period1"]),
            "Rank, earlier": best["rank_period1"].map(fmt.count),
            "Decision": best["status"],
        }
    ).reset_index(drop=True)


def match_details_display(details: pd.DataFrame, outcome: str, school: str, candidate: str) -> pd.DataFrame:
    """The year-group intermediates of one selected match (:func:`swis.matching.year_group_details`)."""
    one = details[
        (details["outcome"] == outcome)
        & (details["intervention_school"] == school)
        & (details["candidate"] == candidate)
    ]
    return pd.DataFrame(
        {
            "Autumn terms": one["terms"],
            "Year group": one["year_group"],
            "Trend, intervention school": _three(one["trend_intervention"]),
            "Trend, comparator": _three(one["trend_candidate"]),
            "Standardiser": _three(one["standardiser"]),
            "Standardised gap": _three(one["standardised_difference"]),
            "Rank in year group": one["year_group_rank"].map(fmt.count),
        }
    ).reset_index(drop=True)


def readings_display(readings: pd.DataFrame) -> pd.DataFrame:
    """The comparison of readings (:func:`swis.matching.compare_readings`) with headers in words."""
    return readings.rename(
        columns={
            "reading": "Reading",
            "u_test": "U test compares",
            "standardise": "Standardised by",
            "n_selected": "Comparators selected",
            "n_also_selected": "Also selected as chosen here",
            "n_rejected": "Rejected by the U test",
            "n_missing": "Comparators missing",
        }
    )
