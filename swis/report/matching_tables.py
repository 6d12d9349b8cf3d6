"""Tables of the matching chapter, for display (the numbers come from :mod:`swis.matching`)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def selection_display(pairs: pd.DataFrame) -> pd.DataFrame:
    """Selected comparators with their scores, ranks and test, for display."""
    sel = pairs[pairs["selected"]]
    return pd.DataFrame(
        {
            "Outcome": sel["outcome"],
            "Intervention school": sel["intervention_school"],
            "Comparator": sel["candidate"],
            "Score, latest years": sel["score_period2"].round(3),
            "Score, earlier years": sel["score_period1"].round(3),
            "Rank, latest": sel["rank_period2"],
            "Rank, earlier": sel["rank_period1"],
            "U": sel["u_statistic"],
            "p-value": sel["p_value"].round(3),
        }
    ).reset_index(drop=True)


def tests_display(pairs: pd.DataFrame) -> pd.DataFrame:
    """Every candidate that was U-tested, with the decision and why, for display."""
    t = pairs[pairs["tested"]]
    return pd.DataFrame(
        {
            "Outcome": t["outcome"],
            "Intervention school": t["intervention_school"],
            "Candidate": t["candidate"],
            "Rank, latest": t["rank_period2"],
            "Rank, earlier": t["rank_period1"],
            "U": t["u_statistic"],
            "p-value": t["p_value"].round(3),
            "Decision": t["status"],
            "Why": t["reason"],
        }
    ).reset_index(drop=True)


def score_display(pairs: pd.DataFrame, top: int = 5) -> pd.DataFrame:
    """The ``top`` best-ranked candidates of each intervention school and outcome, for display."""
    best = pairs[pairs["rank_period2"].fillna(np.iinfo(np.int32).max) <= top]
    return pd.DataFrame(
        {
            "Outcome": best["outcome"],
            "Intervention school": best["intervention_school"],
            "Candidate": best["candidate"],
            "Year groups": best["n_year_groups_period2"],
            "Score, latest years": best["score_period2"].round(3),
            "Rank, latest": best["rank_period2"],
            "Score, earlier years": best["score_period1"].round(3),
            "Rank, earlier": best["rank_period1"],
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
    one = one.drop(columns=["outcome", "intervention_school", "candidate", "period"]).round(3)
    return one.rename(
        columns={
            "terms": "Autumn terms",
            "year_group": "Year group",
            "trend_intervention": "Trend, intervention school",
            "trend_candidate": "Trend, comparator",
            "standardiser": "Standardiser",
            "standardised_difference": "Standardised gap",
            "year_group_rank": "Rank in year group",
        }
    )


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
