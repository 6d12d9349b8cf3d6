"""Choosing comparison schools by their pre-intervention trends, as the report describes.

The report matched each pilot school with comparison schools, for each outcome
separately, on the *trend* of the outcome between the autumn terms before the
pilot. This module does the same on a researcher's administrative data (one
row per school, year group, term and outcome; see :mod:`swis.admin`).

The procedure, for one outcome
------------------------------
1. **Trends.** In each school and year group the rate (``count / pupils *
   scale``: per 100 pupils, or per pupil for days in care) is taken in the last
   three pre-intervention autumn terms ``t-2, t-1, t``. Period 2 is the latest
   pair of years (the change from ``t-1`` to ``t``), period 1 the pair before it
   (``t-2`` to ``t-1``). A year group missing in either term of a period has no
   trend in that period. Trends are rounded to 10 decimal places, so that
   trends equal in exact arithmetic tie in floating point too.
2. **Standardised differences.** For an intervention school *i* and a candidate
   *c*, ``|trend_i - trend_c|`` in each year group and period is divided by a
   standardiser (setting ``standardise``):

   * ``"candidates"`` (default): the standard deviation of the trends of all
     candidate schools in that year group and period. A difference then counts
     the same in a year group whose rates swing widely as in a steady one.
   * ``"pair"``: the pooled standard deviation of the two schools' own trends
     across their year groups in that period.
   * ``"none"``: the raw absolute difference.

   Where the standardiser cannot be computed or is zero (one candidate, or
   identical trends) the difference is left unstandardised (divided by 1).
3. **Score.** The pair's score in a period is the mean of its standardised
   differences over the year groups both schools have in that period; lower is
   closer. Pairs with no common year group are "not comparable".
4. **Ranking.** For each intervention school the candidates are ranked by the
   period-2 score (the report's "most recent change"). Ties are broken by the
   period-1 score, then by the candidate's label in sort order, so the result
   never depends on the order of the input rows. The period-1 ranking is made
   the same way with the periods swapped.
5. **Robustness.** The report compares "the ranking of the school matches"
   from the two pairs of years with a Mann-Whitney U test and rejects a match at
   ``p < alpha`` (0.05). A U test compares two samples, so each proposed match
   needs a sample from each period. The reading taken here (setting
   ``u_test="ranks"``): in every year group the candidates are ranked by their
   standardised difference from the intervention school (average ranks for
   ties); the candidate's ranks over the year groups in period 2 are one
   sample, its ranks in period 1 the other. A candidate that is among the
   closest in the latest years but not in the earlier ones has shifted ranks,
   and the test rejects it: its likeness did not persist. The alternative
   (``u_test="differences"``) compares the standardised differences
   themselves between the two periods. (Comparing the two whole rankings of
   all candidates cannot be meant: both are the numbers 1 to *C* and their
   U test never rejects.) The test is two-sided and uses the normal
   approximation with tie and continuity corrections, as
   ``scipy.stats.mannwhitneyu(..., method="asymptotic")`` does.
6. **Selection.** Candidates are tested in rank order and the first
   ``per_school`` that pass are kept (the report: the two lowest-scoring pairs
   in Southampton and Lambeth, the single lowest in Stockport). The result is
   the same as testing every candidate; by default the candidates beyond the
   last one needed are left untested (``test_all=True`` tests them all). When
   fewer than ``per_school`` candidates pass, the pair table says so in its
   ``n_selected`` and ``shortfall`` columns.

Comparators come from the same authority's non-intervention schools and a
school is never its own comparator. A comparator may be chosen for several
intervention schools; in the estimation panel it appears once per outcome (the
school fixed effect makes repeated rows meaningless), as a ``control`` school.
Every intervention school enters the panel, matched or not. The report counts
comparators per "pilot school cluster"; here they are counted per
intervention school.

For a national file (:func:`match_national`) every school is matched against
every other school of its authority, with the same arrays and steps; the work
is vectorised over schools, candidates, year groups and outcomes, with a loop
over authorities only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import ndtr

STANDARDISE = ("candidates", "pair", "none")
#: Trends are rounded to this many decimals (rates are per 100 pupils or per pupil).
TREND_DECIMALS = 10
U_TESTS = ("ranks", "differences")
#: Decision about a pair, in the order of the status codes.
STATUS = ("selected", "accepted, not needed", "rejected", "not testable", "not comparable", "not tested")


@dataclass(frozen=True)
class MatchSettings:
    """Settings of the matching procedure (see the module docstring).

    Parameters
    ----------
    per_school : int
        Comparators kept per intervention school and outcome (the report: 2 in
        Southampton and Lambeth, 1 in Stockport).
    alpha : float
        Level of the Mann-Whitney U test: a match with ``p < alpha`` is rejected.
    standardise : {"candidates", "pair", "none"}
        What the absolute trend differences are divided by.
    u_test : {"ranks", "differences"}
        What the U test compares between the two periods.
    test_all : bool
        Test every comparable candidate, not only until ``per_school`` pass.

    Examples
    --------
    >>> MatchSettings(per_school=1).u_test
    'ranks'
    >>> MatchSettings(standardise="z")
    Traceback (most recent call last):
    ...
    ValueError: standardise must be one of candidates, pair, none; got 'z'
    """

    per_school: int = 2
    alpha: float = 0.05
    standardise: str = "candidates"
    u_test: str = "ranks"
    test_all: bool = False

    def __post_init__(self):
        if self.standardise not in STANDARDISE:
            raise ValueError(f"standardise must be one of {', '.join(STANDARDISE)}; got {self.standardise!r}")
        if self.u_test not in U_TESTS:
            raise ValueError(f"u_test must be one of {', '.join(U_TESTS)}; got {self.u_test!r}")
        if int(self.per_school) != self.per_school or self.per_school < 1:
            raise ValueError(f"per_school must be a whole number >= 1; got {self.per_school!r}")
        if not 0 < self.alpha < 1:
            raise ValueError(f"alpha must lie between 0 and 1; got {self.alpha!r}")

    def reasons(self) -> tuple[str, ...]:
        """Why a pair has each status (same order as :data:`STATUS`)."""
        n = self.per_school
        better = "a better-ranked candidate" if n == 1 else f"{n} better-ranked candidates"
        return ("the best-ranked candidate whose match held in both periods" if n == 1 else
                f"among the {n} best-ranked candidates whose match held in both periods",
                f"passed the U test, but {better} {'was' if n == 1 else 'were'} kept",
                f"U test p < {self.alpha:g}: the match did not persist over time",
                "no year group with trends in both periods to test",
                "no year group with a trend in the latest years in both schools",
                f"not needed: {better} passed")


# ----------------------------------------------------------------------------------------------
# Orders and labels


def year_group_key(label: str) -> tuple:
    """Sort key of a year group: Nursery, Reception, Year 1, ..., Year 14, then others by name.

    Examples
    --------
    >>> sorted(["Year 10", "Year 2", "Reception"], key=year_group_key)
    ['Reception', 'Year 2', 'Year 10']
    """
    text = str(label).strip()
    found = re.fullmatch(r"(?i)year\s*(\d+)", text)
    if found:
        return (int(found.group(1)), "")
    return {"nursery": (-2, ""), "reception": (-1, "")}.get(text.lower(), (99, text))


def term_order(config) -> list[str]:
    """Every term of a config in time order: the analysis terms with the autumn terms merged in.

    An autumn term that is not an analysis term goes before the next autumn
    term that is, or, if none follows, before the first intervention term.

    Examples
    --------
    >>> from swis import paths
    >>> from swis.config import load_config
    >>> term_order(load_config(paths.config_path("Stockport")))
    ['Autumn 2016', 'Autumn 2017', 'Autumn 2018', 'Autumn 2019']
    """
    out, pending = list(config.terms), []
    for term in config.autumn_terms:
        if term in out:
            at = out.index(term)
            out[at:at] = pending
            pending = []
        elif term not in pending:
            pending.append(term)
    if pending:
        first_post = [t for t in config.intervention_terms if t in out]
        at = out.index(first_post[0]) if first_post else len(out)
        out[at:at] = pending
    return out


def _sorted_codes(values: pd.Series, key=None) -> tuple[np.ndarray, list]:
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


# ----------------------------------------------------------------------------------------------
# Trends


def _term_codes(terms: pd.Series, wanted: list[str]) -> np.ndarray:
    """Position of each row's term in ``wanted`` (-1 for other terms)."""
    if isinstance(terms.dtype, pd.CategoricalDtype):
        lookup = np.array([wanted.index(str(c)) if str(c) in wanted else -1 for c in terms.cat.categories] + [-1])
        return lookup[terms.cat.codes.to_numpy()]
    return pd.Index(wanted).get_indexer(terms.astype(str)).astype(np.int64)


def _dense_trends(frame: pd.DataFrame, autumn_terms: list[str], scales: np.ndarray, outcome_codes: np.ndarray):
    """Trends as an array (outcomes, periods, year groups, schools) from tidy rows.

    Rows of other terms are ignored. Returns the array, the school labels (in
    sort order) and the year groups (in school order).
    """
    s, schools = _sorted_codes(frame["school"])
    y, years = _sorted_codes(frame["year_group"], key=year_group_key)
    t = _term_codes(frame["term"], list(autumn_terms[-3:]))
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
    arr, schools, years = _dense_trends(admin, autumn_terms, np.array([float(scale)]), np.zeros(len(admin), int))
    cols = pd.MultiIndex.from_product([[1, 2], years], names=["period", "year_group"])
    return pd.DataFrame(arr[0].reshape(-1, len(schools)).T, index=pd.Index(schools, name="school"), columns=cols)


# ----------------------------------------------------------------------------------------------
# Scores, ranks, tests. Arrays: trends (B outcomes, 2 periods, Y year groups, S schools);
# differences (B, 2, Y, I targets, C candidates); scores and ranks (B, 2, I, C).
# Period index 0 is period 1 (the earlier pair of years), index 1 period 2.


def _nan_sd(x: np.ndarray, axis: int) -> np.ndarray:
    """Sample standard deviation ignoring NaN (NaN with fewer than two values), without warnings."""
    ok = ~np.isnan(x)
    n = ok.sum(axis)
    mean = np.where(ok, x, 0).sum(axis) / np.maximum(n, 1)
    dev = np.where(ok, x - np.expand_dims(mean, axis), 0)
    return np.where(n > 1, np.sqrt((dev ** 2).sum(axis) / np.maximum(n - 1, 1)), np.nan)


def _usable(sd: np.ndarray) -> np.ndarray:
    """The standardiser, 1 where it cannot be computed or is zero."""
    return np.where(np.isfinite(sd) & (sd > 0), sd, 1.0)


def _differences(trend: np.ndarray, targets: np.ndarray, pool: np.ndarray, how: str):
    """Standardised absolute trend differences (B, 2, Y, I, C) and the standardiser (broadcastable).

    A pair of a school with itself is NaN throughout.
    """
    a, b = trend[..., targets], trend[..., pool]
    if how == "candidates":
        sd = _usable(_nan_sd(b, axis=-1))[..., None, None]  # (B, 2, Y, 1, 1)
        a, b = a / sd[..., 0], b / sd[..., 0]
    d = a[..., :, None] - b[..., None, :]
    np.abs(d, out=d)
    if how == "pair":
        va, vb = _nan_sd(a, axis=2) ** 2, _nan_sd(b, axis=2) ** 2  # (B, 2, I), (B, 2, C)
        sd = _usable(np.sqrt((va[..., :, None] + vb[..., None, :]) / 2))[:, :, None]  # (B, 2, 1, I, C)
        d /= sd
    elif how == "none":
        sd = np.ones((1, 1, 1, 1, 1))
    d[..., targets[:, None] == pool[None, :]] = np.nan
    return d, sd


def _scores(d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean standardised difference over the year groups present, and their number: (B, 2, I, C)."""
    present = ~np.isnan(d)
    n = present.sum(axis=2, dtype=np.int32)
    total = np.sum(d, axis=2, where=present)
    return np.where(n > 0, total / np.maximum(n, 1), np.nan), n


def _order(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Candidates of each row in order of ``first``, ties by ``second``, then by position; NaN last.

    A fast sort, redone with the full tie-break only in rows with tied finite values.
    """
    first, second = np.where(np.isnan(first), np.inf, first), np.where(np.isnan(second), np.inf, second)
    order = np.argsort(first, axis=-1)
    ranked = np.take_along_axis(first, order, axis=-1)
    tied = np.any((ranked[..., 1:] == ranked[..., :-1]) & np.isfinite(ranked[..., 1:]), axis=-1)
    if tied.any():
        idx = np.broadcast_to(np.arange(first.shape[-1]), first[tied].shape)
        order[tied] = np.lexsort((idx, second[tied], first[tied]), axis=-1)
    return order


def _ranks(score: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rank (1 = closest) of each candidate in each period, and the period-2 order of candidates.

    Ties in a period are broken by the other period's score, then by the
    candidate's position (the pool is in label order). Pairs without a score
    rank after all others.
    """
    ranks = np.empty(score.shape, dtype=np.int32)
    positions = np.broadcast_to(np.arange(1, score.shape[-1] + 1, dtype=np.int32), score.shape[:1] + score.shape[2:])
    order2 = _order(score[:, 1], score[:, 0])
    for p, order in ((1, order2), (0, _order(score[:, 0], score[:, 1]))):
        rank_p = np.empty(positions.shape, dtype=np.int32)
        np.put_along_axis(rank_p, order, positions, axis=-1)
        ranks[:, p] = rank_p
    return ranks, order2


def _average_ranks(rows: np.ndarray, own: np.ndarray, chunk: int = 4) -> np.ndarray:
    """Average rank (1-based) of each ``own[..., k]`` among ``rows[...]``; NaN never counts, NaN gives NaN."""
    out = np.empty(own.shape)
    small = rows.shape[-1] < 255  # counts fit in a byte: a much faster sum
    for start in range(0, own.shape[-1], chunk):
        v, r = own[..., start:start + chunk, None], rows[..., None, :]
        if small:
            below = (r < v).view(np.uint8).sum(axis=-1, dtype=np.uint8).astype(float)
            upto = (r <= v).view(np.uint8).sum(axis=-1, dtype=np.uint8).astype(float)
        else:
            below, upto = np.sum(r < v, axis=-1).astype(float), np.sum(r <= v, axis=-1).astype(float)
        out[..., start:start + chunk] = below + (upto - below + 1) / 2.0
    return np.where(np.isnan(own), np.nan, out)


def year_group_ranks(d: np.ndarray, bb: np.ndarray, ii: np.ndarray, cc: np.ndarray) -> np.ndarray:
    """Rank of candidate ``cc`` among all candidates of target ``ii``, per period and year group.

    Parameters
    ----------
    d : ndarray
        Standardised differences (B, 2, Y, I, C); NaN where a pair has no data.
    bb, ii, cc : ndarray of int
        Outcome, target and candidate index of each pair to rank.

    Returns
    -------
    ndarray
        (pairs, 2, Y) average ranks (1 = closest; ties share their mean rank),
        NaN where the pair has no data in that year group.

    Examples
    --------
    >>> d = np.array([1.0, 0.5, 0.5, np.nan]).reshape(1, 1, 1, 1, 4).repeat(2, axis=1)
    >>> year_group_ranks(d, np.array([0, 0]), np.array([0, 0]), np.array([0, 1]))[:, 0, 0].tolist()
    [3.0, 1.5]
    """
    rows = d[bb, :, :, ii, :]  # (P, 2, Y, C)
    own = d[bb, :, :, ii, cc]  # (P, 2, Y)
    return _average_ranks(rows, own[..., None])[..., 0]


def mann_whitney_u(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two-sided Mann-Whitney U test of each row of ``x`` against the same row of ``y``; NaN ignored.

    The normal approximation with tie and continuity corrections, as
    ``scipy.stats.mannwhitneyu(x, y, method="asymptotic")``, vectorised over rows
    of different lengths (NaN pads a row). A row with all values tied has p = 1.

    Returns
    -------
    (ndarray, ndarray)
        The U statistic of ``x`` and the p-value of each row; NaN where either
        sample is empty.

    Examples
    --------
    >>> u, p = mann_whitney_u(np.array([[1.0, 2, 3, 4, 5]]), np.array([[6.0, 7, 8, 9, np.nan]]))
    >>> float(u[0]), round(float(p[0]), 3)
    (0.0, 0.02)
    """
    x, y = np.atleast_2d(np.asarray(x, float)), np.atleast_2d(np.asarray(y, float))
    n1, n2 = np.sum(~np.isnan(x), -1), np.sum(~np.isnan(y), -1)
    u1 = (np.sum(x[:, :, None] > y[:, None, :], axis=(1, 2))
          + 0.5 * np.sum(x[:, :, None] == y[:, None, :], axis=(1, 2)))
    z = np.concatenate([x, y], axis=-1)
    ties = np.sum(z[:, :, None] == z[:, None, :], axis=-1)  # size of each value's tie group (0 for NaN)
    tie_term = np.sum(np.where(np.isnan(z), 0, ties ** 2 - 1), axis=-1)  # sum over groups of t^3 - t
    n = n1 + n2
    with np.errstate(divide="ignore", invalid="ignore"):
        var = n1 * n2 / 12 * ((n + 1) - tie_term / (n * (n - 1)))
        stat = (np.maximum(u1, n1 * n2 - u1) - n1 * n2 / 2 - 0.5) / np.sqrt(var)
        p = np.clip(2 * ndtr(-stat), 0, 1)
    p = np.where(var > 0, p, 1.0)
    empty = (n1 == 0) | (n2 == 0)
    return np.where(empty, np.nan, u1), np.where(empty, np.nan, p)


# ----------------------------------------------------------------------------------------------
# Testing in rank order and deciding


@dataclass
class Scored:
    """Every intermediate array of one run.

    ``d`` (B, 2, Y, I, C) holds the standardised differences and ``sd`` the
    standardiser (broadcastable to ``d``); ``score``, ``n`` (year groups) and
    ``rank`` are (B, 2, I, C) with period 1 at index 0; ``u``, ``p``,
    ``tested``, ``selected`` and ``status`` (codes into :data:`STATUS`) are
    (B, I, C).
    """

    d: np.ndarray
    sd: np.ndarray
    score: np.ndarray
    n: np.ndarray
    rank: np.ndarray
    u: np.ndarray
    p: np.ndarray
    tested: np.ndarray
    selected: np.ndarray
    status: np.ndarray


def _u_samples(d: np.ndarray, bi: tuple[np.ndarray, np.ndarray], cols: np.ndarray, how: str) -> np.ndarray:
    """The two samples of the U test of candidates ``cols`` (R, k) of rows ``bi`` = (b, i): (R, k, 2, Y)."""
    rows = d[bi[0], :, :, bi[1], :]  # (R, 2, Y, C)
    own = np.take_along_axis(rows, np.broadcast_to(cols[:, None, None, :], rows.shape[:3] + cols.shape[1:]), axis=-1)
    sample = _average_ranks(rows, own) if how == "ranks" else own
    return np.moveaxis(sample, -1, 1)


def _test_in_order(d: np.ndarray, score: np.ndarray, order: np.ndarray, settings: MatchSettings):
    """U-test candidates in period-2 rank order until ``per_school`` pass (or all, with ``test_all``).

    Each round tests the next ``per_school`` candidates of the targets that
    still need comparators, so the selection equals that of testing every
    candidate in rank order.
    """
    shape = (score.shape[0],) + score.shape[2:]
    u, p = np.full(shape, np.nan), np.full(shape, np.nan)
    tested = np.zeros(shape, dtype=bool)
    comparable = np.take_along_axis(np.isfinite(score[:, 1]), order, axis=-1)
    need = np.full(shape[:2], settings.per_school)
    step = max(settings.per_school, 8) if settings.test_all else settings.per_school
    for start in range(0, shape[2], step):
        want = comparable[..., start:start + step] & ((need > 0)[..., None] | settings.test_all)
        bi = np.nonzero(want.any(axis=-1))
        if not len(bi[0]):
            break
        cols = order[..., start:start + step][bi]  # (R, k)
        sample = _u_samples(d, bi, cols, settings.u_test)
        rr, kk = np.nonzero(want[bi])
        bb, ii, cc = bi[0][rr], bi[1][rr], cols[rr, kk]
        u[bb, ii, cc], p[bb, ii, cc] = mann_whitney_u(sample[rr, kk, 1], sample[rr, kk, 0])
        tested[bb, ii, cc] = True
        np.subtract.at(need, (bb, ii), (p[bb, ii, cc] >= settings.alpha).astype(int))
    return u, p, tested


def _decide(score: np.ndarray, p: np.ndarray, tested: np.ndarray, order: np.ndarray, settings: MatchSettings):
    """Selected pairs (the first ``per_school`` passes in rank order) and the status code of every pair."""
    with np.errstate(invalid="ignore"):
        passed, rejected = tested & (p >= settings.alpha), tested & (p < settings.alpha)
    in_order = np.take_along_axis(passed, order, axis=-1)
    keep = in_order & (np.cumsum(in_order, axis=-1) <= settings.per_school)
    selected = np.zeros_like(passed)
    np.put_along_axis(selected, order, keep, axis=-1)
    status = np.select([selected, passed, rejected, tested & np.isnan(p), ~np.isfinite(score[:, 1])],
                       [0, 1, 2, 3, 4], 5).astype(np.int8)
    return selected, status


def score_arrays(trend: np.ndarray, targets: np.ndarray, pool: np.ndarray,
                 settings: MatchSettings = MatchSettings()) -> Scored:
    """Score, rank, test and select, on arrays: the vectorised core of the matching.

    Parameters
    ----------
    trend : ndarray
        Trends (B outcomes, 2 periods, Y year groups, S schools); NaN where missing.
    targets, pool : ndarray of int
        Schools to match and candidate schools (indices into S; the pool in
        label order, which breaks the last ties). A school in both is never
        paired with itself.
    settings : MatchSettings

    Returns
    -------
    Scored

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> trend = rng.normal(size=(1, 2, 5, 6))
    >>> trend[..., 5] = trend[..., 0]  # school 5 has exactly school 0's trends
    >>> sc = score_arrays(trend, np.array([0]), np.arange(1, 6), MatchSettings(per_school=1))
    >>> int(sc.rank[0, 1, 0, 4]), bool(sc.selected[0, 0, 4])
    (1, True)
    """
    d, sd = _differences(np.asarray(trend, float), np.asarray(targets), np.asarray(pool), settings.standardise)
    score, n = _scores(d)
    rank, order = _ranks(score)
    u, p, tested = _test_in_order(d, score, order, settings)
    selected, status = _decide(score, p, tested, order, settings)
    return Scored(d, sd, score, n, rank, u, p, tested, selected, status)


# ----------------------------------------------------------------------------------------------
# One authority: tables


def _pair_arrays(sc: Scored, at: tuple[np.ndarray, ...], settings: MatchSettings) -> dict[str, np.ndarray]:
    """The numeric and decision columns of the pair table for pairs ``at`` = (bb, ii, cc), as arrays."""
    bb, ii, cc = at
    n_selected = sc.selected.sum(axis=-1)[bb, ii]
    return {
        "n_year_groups_period1": sc.n[bb, 0, ii, cc], "n_year_groups_period2": sc.n[bb, 1, ii, cc],
        "score_period1": sc.score[bb, 0, ii, cc], "score_period2": sc.score[bb, 1, ii, cc],
        "rank_period1": sc.rank[bb, 0, ii, cc], "rank_period2": sc.rank[bb, 1, ii, cc],
        "u_statistic": sc.u[at], "p_value": sc.p[at], "tested": sc.tested[at], "selected": sc.selected[at],
        "status": sc.status[at], "n_selected": n_selected,
        "shortfall": np.maximum(settings.per_school - n_selected, 0),
    }


def _pair_columns(arrays: dict[str, np.ndarray], settings: MatchSettings) -> dict:
    """Table columns from :func:`_pair_arrays`: nullable ranks, status and reason as categories."""
    out = dict(arrays)
    for p in ("1", "2"):
        missing = ~np.isfinite(arrays["score_period" + p])
        ranks = np.where(missing, 0, arrays["rank_period" + p]).astype(np.int32)
        out["rank_period" + p] = pd.arrays.IntegerArray(ranks, missing)
    codes = arrays["status"]
    out["status"] = pd.Categorical.from_codes(codes, STATUS)
    reason = pd.Categorical.from_codes(codes, settings.reasons())
    order = list(out)
    order.insert(order.index("status") + 1, "reason")
    out["reason"] = reason
    return {k: out[k] for k in order}


@dataclass
class _Run:
    """One outcome's matching: arrays, and the labels their indices stand for."""

    scored: Scored
    trend: np.ndarray  # (1, 2, Y, S)
    labels: list[str]  # all schools, sorted
    targets: np.ndarray  # indices into labels
    pool: np.ndarray
    years: list[str]

    @property
    def target_labels(self) -> list[str]:
        return [self.labels[i] for i in self.targets]

    @property
    def pool_labels(self) -> list[str]:
        return [self.labels[i] for i in self.pool]


def _outcome_run(admin: pd.DataFrame, autumn_terms: list[str], scale: float, settings: MatchSettings,
                 schools: list[str] | None) -> _Run:
    """Trends, targets and pool of one outcome's rows, and the scored arrays."""
    arr, labels, years = _dense_trends(admin, autumn_terms, np.array([float(scale)]), np.zeros(len(admin), int))
    first = admin.drop_duplicates("school")
    group = pd.Series(first["group"].astype(str).to_numpy(), index=first["school"].astype(str)).reindex(labels)
    group = group.to_numpy()
    if schools is None:
        targets, pool = np.flatnonzero(group == "intervention"), np.flatnonzero(group == "candidate")
    else:
        wanted = set(map(str, schools))
        targets, pool = np.array([i for i, s in enumerate(labels) if s in wanted], int), np.arange(len(labels))
    if not len(targets) or not len(pool):
        raise ValueError("matching needs at least one school to match and one candidate "
                         f"(got {len(targets)} and {len(pool)})")
    return _Run(score_arrays(arr, targets, pool, settings), arr, labels, targets, pool, years)


def score_outcome(admin: pd.DataFrame, autumn_terms: list[str], scale: float,
                  settings: MatchSettings = MatchSettings(), schools: list[str] | None = None) -> pd.DataFrame:
    """Score, rank, test and select every intervention-candidate pair of one outcome.

    Parameters
    ----------
    admin : DataFrame
        One outcome's rows: ``school, group, year_group, term, count, pupils``.
    autumn_terms : list of str
        Pre-intervention autumn terms, oldest first (the last three are used).
    scale : float
        Rate scale (100 per 100 pupils; 1 per pupil).
    settings : MatchSettings
    schools : list of str, optional
        Schools to match (default: the ``intervention`` schools, against the
        ``candidate`` schools). When given, every school is a candidate for
        every other.

    Returns
    -------
    DataFrame
        One row per pair, ordered by intervention school and period-2 rank:
        ``intervention_school, candidate, n_year_groups_period1/2,
        score_period1/2, rank_period1/2, u_statistic, p_value, tested,
        selected, status, reason, n_selected, shortfall``.

    Examples
    --------
    >>> from swis import paths
    >>> from swis.config import load_config
    >>> from swis.synthetic import synthetic_authority
    >>> cfg = load_config(paths.config_path("Stockport"))
    >>> admin = synthetic_authority(cfg, seed=1, n_candidates=30)
    >>> pairs = score_outcome(admin[admin["outcome"] == "s17"], cfg.autumn_terms, 100)
    >>> int(pairs.groupby("intervention_school")["selected"].sum().max())
    2
    """
    run = _outcome_run(admin, list(autumn_terms), scale, settings, schools)
    sc, targets, pool = run.scored, run.target_labels, run.pool_labels
    mask = np.array(targets)[:, None] != np.array(pool)[None, :]
    bb, ii, cc = np.nonzero(mask[None])
    order = np.lexsort((cc, sc.rank[bb, 1, ii, cc], ii))
    bb, ii, cc = bb[order], ii[order], cc[order]
    frame = pd.DataFrame({"intervention_school": np.array(targets, dtype=object)[ii],
                          "candidate": np.array(pool, dtype=object)[cc]})
    for name, values in _pair_columns(_pair_arrays(sc, (bb, ii, cc), settings), settings).items():
        frame[name] = values
    return frame


def match(admin: pd.DataFrame, config, settings: MatchSettings = MatchSettings()) -> pd.DataFrame:
    """Match every outcome of one authority's admin data; one row per intervention-candidate pair.

    Parameters
    ----------
    admin : DataFrame
        Checked admin rows (:func:`swis.admin.load_admin`).
    config : swis.config.Config
        Gives the autumn terms and each outcome's rate scale.
    settings : MatchSettings

    Returns
    -------
    DataFrame
        :func:`score_outcome`'s table with an ``outcome`` column first, outcomes
        in the config's order.

    Examples
    --------
    >>> from swis import paths
    >>> from swis.config import load_config
    >>> from swis.synthetic import synthetic_authority
    >>> cfg = load_config(paths.config_path("Stockport"))
    >>> pairs = match(synthetic_authority(cfg, seed=1, n_candidates=30), cfg, MatchSettings(per_school=1))
    >>> int(pairs.groupby(["outcome", "intervention_school"])["selected"].sum().max())
    1
    """
    out = []
    present = set(admin["outcome"].astype(str))
    for outcome in [o for o in config.outcomes if o in present]:
        rows = admin[admin["outcome"].astype(str) == outcome]
        pairs = score_outcome(rows, list(config.autumn_terms), config.outcomes[outcome].scale, settings)
        out.append(pairs.assign(outcome=outcome))
    result = pd.concat(out, ignore_index=True)
    return result[["outcome"] + [c for c in result.columns if c != "outcome"]]


def shortfall(pairs: pd.DataFrame, per_school: int) -> pd.DataFrame:
    """Intervention schools (per outcome, when the table has outcomes) with fewer comparators than requested.

    Examples
    --------
    >>> pairs = pd.DataFrame({"intervention_school": ["A", "A", "B"], "selected": [True, False, False]})
    >>> shortfall(pairs, 2).to_dict("records")
    [{'intervention_school': 'A', 'selected': 1, 'requested': 2, 'missing': 1}, \
{'intervention_school': 'B', 'selected': 0, 'requested': 2, 'missing': 2}]
    """
    keys = [k for k in ("outcome", "intervention_school") if k in pairs.columns]
    got = pairs.groupby(keys, observed=True, sort=True)["selected"].sum().astype(int).reset_index()
    short = got[got["selected"] < per_school].reset_index(drop=True)
    return short.assign(requested=per_school, missing=per_school - short["selected"])


def year_group_details(admin: pd.DataFrame, pairs: pd.DataFrame, config, settings: MatchSettings = MatchSettings(),
                       only_selected: bool = True) -> pd.DataFrame:
    """The year-group intermediates behind each selected (or each tested) pair's score and U test.

    Returns
    -------
    DataFrame
        ``outcome, intervention_school, candidate, period, terms, year_group,
        trend_intervention, trend_candidate, standardiser,
        standardised_difference, year_group_rank`` (the candidate's average rank
        among all candidates in that year group and period; the samples of the
        ``ranks`` U test). The mean of ``standardised_difference`` over a
        pair's year groups in a period is its score.

    Examples
    --------
    >>> from swis import paths
    >>> from swis.config import load_config
    >>> from swis.synthetic import synthetic_authority
    >>> cfg = load_config(paths.config_path("Stockport"))
    >>> admin = synthetic_authority(cfg, seed=1, n_candidates=30)
    >>> details = year_group_details(admin, match(admin, cfg), cfg)
    >>> sorted(details["period"].unique().tolist())
    [1, 2]
    """
    chosen = pairs[pairs["selected"]] if only_selected else pairs[pairs["tested"]]
    autumn = list(config.autumn_terms)
    spans = {1: f"{autumn[-3]} to {autumn[-2]}", 2: f"{autumn[-2]} to {autumn[-1]}"}
    out = []
    for outcome, sel in chosen.groupby("outcome", observed=True, sort=False):
        rows = admin[admin["outcome"].astype(str) == outcome]
        run = _outcome_run(rows, autumn, config.outcomes[outcome].scale, settings, None)
        sc, years = run.scored, run.years
        ii = pd.Index(run.target_labels).get_indexer(sel["intervention_school"].astype(str))
        cc = pd.Index(run.pool_labels).get_indexer(sel["candidate"].astype(str))
        bb = np.zeros(len(ii), int)
        ranks = year_group_ranks(sc.d, bb, ii, cc)  # (P, 2, Y)
        sd = np.broadcast_to(sc.sd, sc.d.shape)[bb, :, :, ii, cc]
        trend_i = np.moveaxis(run.trend[0][..., run.targets[ii]], -1, 0)
        trend_c = np.moveaxis(run.trend[0][..., run.pool[cc]], -1, 0)
        shape = (len(ii), 2, len(years))
        grid = {"pair": np.arange(len(ii))[:, None, None], "period": np.array([1, 2])[None, :, None],
                "year": np.arange(len(years))[None, None, :]}
        g = {k: np.broadcast_to(v, shape).ravel() for k, v in grid.items()}
        out.append(pd.DataFrame({
            "outcome": outcome, "intervention_school": np.array(run.target_labels, dtype=object)[ii][g["pair"]],
            "candidate": np.array(run.pool_labels, dtype=object)[cc][g["pair"]], "period": g["period"],
            "terms": [spans[p] for p in g["period"]], "year_group": np.array(years, dtype=object)[g["year"]],
            "trend_intervention": trend_i.ravel(), "trend_candidate": trend_c.ravel(),
            "standardiser": sd.ravel(), "standardised_difference": sc.d[bb, :, :, ii, cc].ravel(),
            "year_group_rank": ranks.ravel()}))
    cols = ["outcome", "intervention_school", "candidate", "period", "terms", "year_group", "trend_intervention",
            "trend_candidate", "standardiser", "standardised_difference", "year_group_rank"]
    if not out:
        return pd.DataFrame(columns=cols)
    details = pd.concat(out, ignore_index=True)
    return details[details[["trend_intervention", "trend_candidate"]].notna().any(axis=1)].reset_index(drop=True)


# ----------------------------------------------------------------------------------------------
# Output for the estimator, figures and display tables


PANEL_COLUMNS = ["authority", "outcome", "school", "group", "term", "count", "pupils", "printed_rate"]


def is_synthetic(admin: pd.DataFrame) -> bool:
    """Whether admin data carry the ``synthetic`` marker of :mod:`swis.synthetic`."""
    return bool(admin.attrs.get("synthetic")) or (
        "synthetic" in admin.columns and admin["synthetic"].astype(str).str.lower().isin(["true", "1"]).any())


def matched_panel(admin: pd.DataFrame, pairs: pd.DataFrame, config) -> pd.DataFrame:
    """The panel of the intervention schools and their selected comparators, in the estimator's schema.

    Counts and pupils are summed over year groups per school and term, for
    the config's terms present in the data. Every intervention school of an
    outcome is kept (the pilots are the pilots, matched or not); each
    selected comparator appears once per outcome and term as a ``control``
    school, however many intervention schools chose it. ``printed_rate`` is
    empty. Synthetic admin data add a ``source`` column saying so.

    Examples
    --------
    >>> from swis import paths
    >>> from swis.config import load_config
    >>> from swis.synthetic import synthetic_authority
    >>> cfg = load_config(paths.config_path("Stockport"))
    >>> admin = synthetic_authority(cfg, seed=1, n_candidates=30)
    >>> panel = matched_panel(admin, match(admin, cfg), cfg)
    >>> list(panel.columns)[:8] == PANEL_COLUMNS, sorted(panel["group"].unique())
    (True, ['control', 'intervention'])
    """
    terms = list(config.terms)
    frames = []
    for outcome in config.outcomes:
        rows = admin[(admin["outcome"].astype(str) == outcome) & admin["term"].astype(str).isin(terms)]
        chosen = pairs[(pairs["outcome"] == outcome) & pairs["selected"]]["candidate"].astype(str)
        keep = (rows["group"] == "intervention") | rows["school"].astype(str).isin(set(chosen))
        agg = rows[keep].groupby(["school", "group", "term"], as_index=False, observed=True)[["count", "pupils"]].sum()
        frames.append(agg.assign(outcome=outcome))
    panel = pd.concat(frames, ignore_index=True)
    panel["group"] = panel["group"].replace({"candidate": "control"})
    panel = panel.assign(authority=config.authority, printed_rate="",
                         _o=panel["outcome"].map({o: k for k, o in enumerate(config.outcomes)}),
                         _g=panel["group"].map({"intervention": 0, "control": 1}),
                         _t=panel["term"].map({t: k for k, t in enumerate(terms)}))
    panel = panel.sort_values(["_o", "_g", "school", "_t"]).reset_index(drop=True)
    if is_synthetic(admin):
        panel["source"] = "SYNTHETIC data made by swis.synthetic; not the pilots' data"
    return panel[PANEL_COLUMNS + (["source"] if "source" in panel else [])]


def school_rates(admin: pd.DataFrame, config, outcome: str) -> pd.DataFrame:
    """Rate of one outcome per school and term, year groups summed (schools x terms in time order)."""
    rows = admin[admin["outcome"].astype(str) == outcome]
    agg = rows.groupby([rows["school"].astype(str), rows["term"].astype(str)])[["count", "pupils"]].sum()
    rate = (agg["count"] / agg["pupils"] * config.outcomes[outcome].scale).unstack()
    return rate.reindex(columns=[t for t in term_order(config) if t in rate.columns])


def trend_figure(admin: pd.DataFrame, pairs: pd.DataFrame, config, outcome: str, label: str = ""):
    """Parallel-trend check: each intervention school against its selected comparators, by term.

    One panel per intervention school: the school (solid), its comparators
    (dashed) and, in grey, the middle 80% of the candidates that could be
    scored against it. Rates are year groups summed; the autumn terms used
    for matching have bold labels and the intervention term(s) are shaded.
    ``label`` prefixes the title; synthetic admin data are always labelled
    SYNTHETIC.
    """
    import matplotlib.pyplot as plt

    label = label or ("SYNTHETIC data" if is_synthetic(admin) else "")
    rate = school_rates(admin, config, outcome)
    mine = pairs[pairs["outcome"] == outcome]
    targets = sorted(set(mine["intervention_school"].astype(str)) & set(rate.index))
    x, terms = np.arange(rate.shape[1]), list(rate.columns)
    n = max(len(targets), 1)
    cols = min(n, 3)
    rows = (n + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.3 * rows + 0.5), layout="constrained",
                             squeeze=False, sharey=True)
    post = [k for k, t in enumerate(terms) if t in config.intervention_terms]
    used = set(config.autumn_terms[-3:])
    for ax, school in zip(axes.flat, targets):
        own = mine[mine["intervention_school"].astype(str) == school]
        band = rate.loc[own.loc[own["status"] != "not comparable", "candidate"].astype(str)]
        ax.fill_between(x, band.quantile(0.1).to_numpy(float), band.quantile(0.9).to_numpy(float), color="0.88",
                        label="comparable candidates, middle 80%")
        if post:
            ax.axvspan(min(post) - 0.5, max(post) + 0.5, color="#F0E442", alpha=0.3, lw=0)
        ax.plot(x, rate.loc[school], "-o", color="#D55E00", lw=2, label=school, zorder=3)
        for k, cand in enumerate(own.loc[own["selected"], "candidate"].astype(str)):
            ax.plot(x, rate.loc[cand], "--", marker="so^v"[k % 4], color=["#0072B2", "#009E73", "#CC79A7"][k % 3],
                    alpha=0.9, label=cand)
        ax.set_xticks(x, terms, rotation=40, ha="right", fontsize=7)
        for tick, term in zip(ax.get_xticklabels(), terms):
            tick.set_fontweight("bold" if term in used else "normal")
        ax.set_title(school, fontsize=9)
        ax.legend(fontsize=6, frameon=False, loc="best")
    for ax in list(axes.flat)[len(targets):]:
        ax.set_axis_off()
    for row in axes:
        row[0].set_ylabel(f"{config.outcomes[outcome].label}\n{config.outcomes[outcome].unit}", fontsize=8)
    head = f"{label}: {config.outcomes[outcome].label}" if label else config.outcomes[outcome].label
    fig.suptitle(f"{head}\nintervention schools (solid) and chosen comparators (dashed); "
                 "bold: autumn terms used for matching", fontsize=9)
    return fig


def selection_display(pairs: pd.DataFrame) -> pd.DataFrame:
    """Selected comparators with their scores, ranks and test, for display."""
    sel = pairs[pairs["selected"]]
    return pd.DataFrame({
        "Outcome": sel["outcome"], "Intervention school": sel["intervention_school"], "Comparator": sel["candidate"],
        "Score, latest years": sel["score_period2"].round(3), "Score, earlier years": sel["score_period1"].round(3),
        "Rank, latest": sel["rank_period2"], "Rank, earlier": sel["rank_period1"],
        "U": sel["u_statistic"], "p-value": sel["p_value"].round(3),
    }).reset_index(drop=True)


def tests_display(pairs: pd.DataFrame) -> pd.DataFrame:
    """Every candidate that was U-tested, with the decision and why, for display."""
    t = pairs[pairs["tested"]]
    return pd.DataFrame({
        "Outcome": t["outcome"], "Intervention school": t["intervention_school"], "Candidate": t["candidate"],
        "Rank, latest": t["rank_period2"], "Rank, earlier": t["rank_period1"], "U": t["u_statistic"],
        "p-value": t["p_value"].round(3), "Decision": t["status"], "Why": t["reason"],
    }).reset_index(drop=True)


def score_display(pairs: pd.DataFrame, top: int = 5) -> pd.DataFrame:
    """The ``top`` best-ranked candidates of each intervention school and outcome, for display."""
    best = pairs[pairs["rank_period2"].fillna(np.iinfo(np.int32).max) <= top]
    return pd.DataFrame({
        "Outcome": best["outcome"], "Intervention school": best["intervention_school"], "Candidate": best["candidate"],
        "Year groups": best["n_year_groups_period2"], "Score, latest years": best["score_period2"].round(3),
        "Rank, latest": best["rank_period2"], "Score, earlier years": best["score_period1"].round(3),
        "Rank, earlier": best["rank_period1"], "Decision": best["status"],
    }).reset_index(drop=True)


def reading_comparison(admin: pd.DataFrame, config, settings: MatchSettings = MatchSettings()) -> pd.DataFrame:
    """How the selection changes under the other readings of the report (one row per reading).

    The readings: the chosen ``settings``; the U test on standardised
    differences instead of ranks; standardising by the pair's pooled SD; no
    standardisation. Columns: the reading, comparators selected, how many of
    them the chosen reading also selects, candidates rejected by the U test,
    and comparators missing (shortfall).
    """
    from dataclasses import replace

    other_test = "differences" if settings.u_test == "ranks" else "ranks"
    variants = {"as chosen here": settings, f"U test on {other_test}": replace(settings, u_test=other_test),
                "standardised by the pair's SD": replace(settings, standardise="pair"),
                "not standardised": replace(settings, standardise="none")}
    keys = ["outcome", "intervention_school", "candidate"]
    rows, base = [], None
    for name, variant in variants.items():
        pairs = match(admin, config, variant)
        chosen = pairs.loc[pairs["selected"], keys].astype(str).apply(tuple, axis=1)
        base = set(chosen) if base is None else base
        rows.append({"Reading": name, "U test compares": variant.u_test, "Standardised by": variant.standardise,
                     "Comparators selected": len(chosen), "Also selected as chosen here": len(set(chosen) & base),
                     "Rejected by the U test": int((pairs["status"] == "rejected").sum()),
                     "Comparators missing": int(shortfall(pairs, variant.per_school)["missing"].sum())})
    return pd.DataFrame(rows)


def trend_figure_directive(config, outcome: str, label: str = "SYNTHETIC data") -> str:
    """MyST for the glued parallel-trend figure of one outcome.

    The figure is glued as ``fig_match_<outcome>`` and labelled
    ``fig-matching-trends-<o>`` (``o`` = ``s17``, ``s47`` or ``dic``).

    Examples
    --------
    >>> from swis import paths
    >>> from swis.config import load_config
    >>> print(trend_figure_directive(load_config(paths.config_path("Lambeth")), "s47").splitlines()[:2])
    ['```{glue:figure} fig_match_s47', ':name: fig-matching-trends-s47']
    """
    short = {"days_in_care": "dic"}.get(outcome, outcome)
    spec = config.outcomes[outcome]
    return "\n".join([
        f"```{{glue:figure}} fig_match_{outcome}", f":name: fig-matching-trends-{short}",
        f":alt: {label}. Line charts of {spec.in_text} {spec.unit} by term, one panel per intervention school: the "
        "school as a solid line, its chosen comparators dashed, the middle 80% of comparable candidates as a grey band.",
        "", f"{label}: {spec.in_text} {spec.unit} by term, year groups summed. Each intervention school (solid) with "
        "the comparators chosen for it (dashed); the grey band spans the middle 80% of the candidates that could be "
        "scored against it, bold terms were used for matching and the shaded term is the intervention term. "
        "Not the pilots' data.", "```"])


# ----------------------------------------------------------------------------------------------
# A national file: every school against every other school of its authority


_NATIONAL: dict = {}


def national_trends(frame: pd.DataFrame, autumn_terms: list[str], scales: dict[str, float]) -> dict:
    """Trends of a national admin file as arrays, and the schools grouped by authority.

    ``frame`` has the admin columns and an ``authority`` column (categorical
    columns are used as they are, without copying their labels). Rows of
    outcomes not in ``scales`` and of terms other than the last three autumn
    terms are ignored; each school belongs to the authority of its first row.
    """
    outcomes = list(scales)
    o = _term_codes(frame["outcome"], outcomes)
    keep = o >= 0
    frame, o = frame[keep] if not keep.all() else frame, o[keep]
    arr, schools, years = _dense_trends(frame, autumn_terms, np.array([scales[k] for k in outcomes], float), o)
    s, _ = _sorted_codes(frame["school"])
    a, authorities = _sorted_codes(frame["authority"])
    authority_of = np.full(len(schools), -1, dtype=np.int64)
    authority_of[s[::-1]] = a[::-1]  # the first row of each school decides
    order = np.argsort(authority_of, kind="stable")
    bounds = np.searchsorted(authority_of[order], np.arange(len(authorities) + 1))
    blocks = [order[bounds[k]:bounds[k + 1]] for k in range(len(authorities))]
    return {"trend": arr, "schools": schools, "years": years, "outcomes": outcomes,
            "authorities": authorities, "blocks": blocks}


def _national_block(k: int) -> dict[str, np.ndarray]:
    """Match every school of authority ``k`` against every other; kept pairs as arrays."""
    data, settings, keep = _NATIONAL["data"], _NATIONAL["settings"], _NATIONAL["keep"]
    members = data["blocks"][k]
    local = np.arange(len(members))
    sc = score_arrays(data["trend"][..., members], local, local, settings)
    mask = {"tested": sc.tested, "selected": sc.selected}.get(keep, ~np.eye(len(members), dtype=bool)[None])
    bb, ii, cc = np.nonzero(np.broadcast_to(mask, sc.u.shape) & ~np.eye(len(members), dtype=bool)[None])
    out = _pair_arrays(sc, (bb, ii, cc), settings)
    out.update(authority=np.full(len(bb), k), outcome=bb, intervention_school=members[ii], candidate=members[cc])
    return out


def match_national(frame: pd.DataFrame, autumn_terms: list[str], scales: dict[str, float],
                   settings: MatchSettings = MatchSettings(), workers: int = 1, keep: str = "tested") -> pd.DataFrame:
    """Match every school of a national file against every other school of its authority, per outcome.

    The ``group`` column is not used: every school is matched, and every other
    school of its authority is a candidate. Authorities are processed in
    turn, or shared among ``workers`` forked processes.

    Parameters
    ----------
    frame : DataFrame
        Admin rows with an ``authority`` column (see :func:`national_trends`).
    autumn_terms : list of str
        Pre-intervention autumn terms, oldest first (the last three are used).
    scales : dict
        Rate scale of each outcome to match, e.g. ``{"s17": 100}``.
    settings : MatchSettings
    workers : int
        Processes (1: none).
    keep : {"tested", "selected", "all"}
        Pairs returned: U-tested (scores, ranks, tests and decisions), selected
        only, or every pair (for a national file, tens of millions of rows).

    Returns
    -------
    DataFrame
        ``authority, outcome`` and the columns of :func:`score_outcome`
        (labels as categories).
    """
    import multiprocessing as mp

    if keep not in ("tested", "selected", "all"):
        raise ValueError(f"keep must be 'tested', 'selected' or 'all'; got {keep!r}")
    if frame.empty:
        raise ValueError("the national file has no rows")
    _NATIONAL.update(data=national_trends(frame, autumn_terms, scales), settings=settings, keep=keep)
    data = _NATIONAL["data"]
    try:
        keys = range(len(data["blocks"]))
        if workers <= 1:
            parts = [_national_block(k) for k in keys]
        else:
            with mp.get_context("fork").Pool(workers) as pool:
                parts = pool.map(_national_block, keys, chunksize=max(1, len(keys) // (4 * workers)))
    finally:
        _NATIONAL.clear()
    cols = {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}
    labels = {"authority": data["authorities"], "outcome": data["outcomes"],
              "intervention_school": data["schools"], "candidate": data["schools"]}
    table = {name: pd.Categorical.from_codes(cols.pop(name), labels[name]) for name in labels}
    return pd.DataFrame({**table, **_pair_columns(cols, settings)})
