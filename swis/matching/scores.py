"""Steps 2 to 4 of the matching: standardised differences, scores and ranks.

Arrays: trends (B outcomes, 2 periods, Y year groups, S schools);
differences (B, 2, Y, I targets, C candidates); scores and ranks (B, 2, I, C).
Period index 0 is period 1 (the earlier pair of years), index 1 period 2.
"""

from __future__ import annotations

import numpy as np


def _nan_sd(x: np.ndarray, axis: int) -> np.ndarray:
    """Sample standard deviation ignoring NaN (NaN with fewer than two values), without warnings."""
    ok = ~np.isnan(x)
    n = ok.sum(axis)
    mean = np.where(ok, x, 0).sum(axis) / np.maximum(n, 1)
    dev = np.where(ok, x - np.expand_dims(mean, axis), 0)
    return np.where(n > 1, np.sqrt((dev**2).sum(axis) / np.maximum(n - 1, 1)), np.nan)


def _usable(sd: np.ndarray) -> np.ndarray:
    """The standardiser, 1 where it cannot be computed or is zero."""
    return np.where(np.isfinite(sd) & (sd > 0), sd, 1.0)


def standardised_differences(trend: np.ndarray, targets: np.ndarray, pool: np.ndarray, how: str):
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


def pair_scores(d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
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


def rank_candidates(score: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
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


def average_ranks(rows: np.ndarray, own: np.ndarray, chunk: int = 4) -> np.ndarray:
    """Average rank (1-based) of each ``own[..., k]`` among ``rows[...]``; NaN never counts, NaN gives NaN."""
    out = np.empty(own.shape)
    small = rows.shape[-1] < 255  # counts fit in a byte: a much faster sum
    for start in range(0, own.shape[-1], chunk):
        v, r = own[..., start : start + chunk, None], rows[..., None, :]
        if small:
            below = (r < v).view(np.uint8).sum(axis=-1, dtype=np.uint8).astype(float)
            upto = (r <= v).view(np.uint8).sum(axis=-1, dtype=np.uint8).astype(float)
        else:
            below, upto = np.sum(r < v, axis=-1).astype(float), np.sum(r <= v, axis=-1).astype(float)
        out[..., start : start + chunk] = below + (upto - below + 1) / 2.0
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
    return average_ranks(rows, own[..., None])[..., 0]
