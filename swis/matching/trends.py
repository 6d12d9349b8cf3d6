"""Step 1 of the matching: each school's trend per year group in the two periods before the pilot."""

from __future__ import annotations

import numpy as np
import pandas as pd

from swis.config import term_order
from swis.matching.settings import TREND_DECIMALS, year_group_key


def sorted_codes(values: pd.Series, key=None) -> tuple[np.ndarray, list]:
    """Integer codes of a column, numbered in the sort order of its labels (unused labels dropped)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes, labels = values.cat.codes.to_numpy(), list(values.cat.categories)
    else:
        codes, uniques = pd.factorize(values, sort=False)
        labels = list(uniques)
    labels = [str(v) for v in labels]
    used = np.bincount(codes[codes >= 0], minlength=len(labels)) > 0
    order = sorted((i for i in range(len(labels)) if used[i]), key=lambda i: key(labels[i]) if key else labels[i])
    new = np.full(len(labels) + 1, -1, dtype=np.int64)
    new[np.array(order, dtype=np.int64)] = np.arange(len(order))
    return new[codes], [labels[i] for i in order]


def term_codes(terms: pd.Series, wanted: list[str]) -> np.ndarray:
    """Position of each row's term in ``wanted`` (-1 for other terms)."""
    if isinstance(terms.dtype, pd.CategoricalDtype):
        lookup = np.array([wanted.index(str(c)) if str(c) in wanted else -1 for c in terms.cat.categories] + [-1])
        return lookup[terms.cat.codes.to_numpy()]
    return pd.Index(wanted).get_indexer(terms.astype(str)).astype(np.int64)


def dense_trends(frame: pd.DataFrame, autumn_terms: list[str], scales: np.ndarray, outcome_codes: np.ndarray):
    """Trends as an array (outcomes, periods, year groups, schools) from tidy rows.

    Rows of other terms are ignored. Returns the array, the school labels (in
    sort order) and the year groups (in school order).
    """
    s, schools = sorted_codes(frame["school"])
    y, years = sorted_codes(frame["year_group"], key=year_group_key)
    t = term_codes(frame["term"], list(autumn_terms[-3:]))
    keep = t >= 0
    n_out = len(scales)
    rate = np.full((len(schools), n_out, len(years), 3), np.nan)
    count = frame["count"].to_numpy(float)[keep]
    pupils = frame["pupils"].to_numpy(float)[keep]
    o = outcome_codes[keep]
    rate[s[keep], o, y[keep], t[keep]] = count / pupils * scales[o]
    # (S, O, Y, 2): period 1 = t-1 minus t-2, period 2 = t minus t-1; rounded far below any real difference,
    # so that trends equal in exact arithmetic are equal here too (and tie as they should)
    trend = np.round(np.diff(rate, axis=-1), TREND_DECIMALS)
    return np.ascontiguousarray(trend.transpose(1, 3, 2, 0)), schools, years


def trends(admin: pd.DataFrame, autumn_terms: list[str], scale: float) -> pd.DataFrame:
    """Trend of each school and year group in the two periods, for one outcome.

    Parameters
    ----------
    admin : DataFrame
        One outcome's rows: ``school, year_group, term, count, pupils``.
    autumn_terms : list of str
        Pre-intervention autumn terms, oldest first (the last three are used).
    scale : float
        Rate scale (100 for per 100 pupils, 1 for per pupil).

    Returns
    -------
    DataFrame
        Index ``school``; columns (period, year_group), period 1 and 2; NaN
        where a year group is missing in either term of a period.

    Examples
    --------
    >>> rows = pd.DataFrame({"school": "A", "year_group": "Year 7", "term": ["T0", "T1", "T2"],
    ...                      "count": [1, 3, 2], "pupils": 100})
    >>> trends(rows, ["T0", "T1", "T2"], 100).round(1).values.tolist()
    [[2.0, -1.0]]
    """
    arr, schools, years = dense_trends(admin, autumn_terms, np.array([float(scale)]), np.zeros(len(admin), int))
    cols = pd.MultiIndex.from_product([[1, 2], years], names=["period", "year_group"])
    return pd.DataFrame(arr[0].reshape(-1, len(schools)).T, index=pd.Index(schools, name="school"), columns=cols)


def school_rates(admin: pd.DataFrame, config, outcome: str) -> pd.DataFrame:
    """Rate of one outcome per school and term, year groups summed (schools x terms in time order)."""
    rows = admin[admin["outcome"].astype(str) == outcome]
    agg = rows.groupby([rows["school"].astype(str), rows["term"].astype(str)])[["count", "pupils"]].sum()
    rate = (agg["count"] / agg["pupils"] * config.outcomes[outcome].scale).unstack()
    return rate.reindex(columns=[t for t in term_order(config) if t in rate.columns])
