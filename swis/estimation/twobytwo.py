"""The simple difference in differences of observed rates, beside the model's interaction.

The model's interaction compares the post term with every pre-pilot term together, after the term and school
effects; the plain two-by-two compares group rates (sum of counts over sum of pupils): the intervention
schools' change between a baseline and the post term, over the comparison schools' change. Two baselines are
given: the last pre-pilot term, and every pre-pilot term pooled. When the two-by-two and the interaction point
in opposite directions, the reader needs to know (:mod:`swis.report.readings` says so).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class TwoByTwo:
    """Observed-rate difference in differences for one post term.

    Attributes
    ----------
    post : str
    baseline : str
        ``"last"`` (the last pre-pilot term) or ``"pooled"`` (every pre-pilot term).
    baseline_terms : tuple of str
    change_intervention, change_control : float
        Ratio of each group's rate in the post term to its baseline rate.
    ratio : float
        ``change_intervention / change_control`` (NaN when a rate is zero or missing).
    """

    post: str
    baseline: str
    baseline_terms: tuple[str, ...]
    change_intervention: float
    change_control: float
    ratio: float


def _rate(rows: pd.DataFrame, group: str, terms) -> float:
    d = rows[rows["group"].eq(group) & rows["term"].astype(str).isin(list(terms))]
    pupils = d["pupils"].astype(float).sum()
    return float(d["count"].astype(float).sum() / pupils) if pupils > 0 else np.nan


def _ratio(a: float, b: float) -> float:
    return a / b if np.isfinite(a) and np.isfinite(b) and b > 0 else np.nan


def two_by_two(rows: pd.DataFrame, terms: list[str], post_terms: tuple[str, ...]) -> list[TwoByTwo]:
    """Two-by-two differences in differences of each post term, against the last and the pooled pre-pilot terms.

    Parameters
    ----------
    rows : DataFrame
        One outcome's rows (``group, term, count, pupils``).
    terms : list of str
        Every term in calendar order (the config's).
    post_terms : tuple of str

    Examples
    --------
    >>> rows = pd.DataFrame({"group": ["intervention"] * 2 + ["control"] * 2, "term": ["A", "B"] * 2,
    ...                      "count": [10, 5, 10, 10], "pupils": [100] * 4})
    >>> [round(t.ratio, 2) for t in two_by_two(rows, ["A", "B"], ("B",))]
    [0.5, 0.5]
    """
    pre = [t for t in terms if t not in post_terms and terms.index(t) < terms.index(post_terms[0])]
    out = []
    for post in post_terms:
        for baseline, base_terms in (("last", pre[-1:]), ("pooled", pre)):
            ci = _ratio(_rate(rows, "intervention", [post]), _rate(rows, "intervention", base_terms))
            cc = _ratio(_rate(rows, "control", [post]), _rate(rows, "control", base_terms))
            out.append(TwoByTwo(post, baseline, tuple(base_terms), ci, cc, _ratio(ci, cc)))
    return out
