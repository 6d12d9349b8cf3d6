"""Step 5 of the matching: does a match persist? The Mann-Whitney U test, in rank order of candidates."""

from __future__ import annotations

import numpy as np
from scipy.special import ndtr

from swis.matching.scores import average_ranks
from swis.matching.settings import MatchSettings


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
    u1 = np.sum(x[:, :, None] > y[:, None, :], axis=(1, 2)) + 0.5 * np.sum(x[:, :, None] == y[:, None, :], axis=(1, 2))
    z = np.concatenate([x, y], axis=-1)
    ties = np.sum(z[:, :, None] == z[:, None, :], axis=-1)  # size of each value's tie group (0 for NaN)
    tie_term = np.sum(np.where(np.isnan(z), 0, ties**2 - 1), axis=-1)  # sum over groups of t^3 - t
    n = n1 + n2
    with np.errstate(divide="ignore", invalid="ignore"):
        var = n1 * n2 / 12 * ((n + 1) - tie_term / (n * (n - 1)))
        stat = (np.maximum(u1, n1 * n2 - u1) - n1 * n2 / 2 - 0.5) / np.sqrt(var)
        p = np.clip(2 * ndtr(-stat), 0, 1)
    p = np.where(var > 0, p, 1.0)
    empty = (n1 == 0) | (n2 == 0)
    return np.where(empty, np.nan, u1), np.where(empty, np.nan, p)


def u_samples(d: np.ndarray, bi: tuple[np.ndarray, np.ndarray], cols: np.ndarray, how: str) -> np.ndarray:
    """The two samples of the U test of candidates ``cols`` (R, k) of rows ``bi`` = (b, i): (R, k, 2, Y)."""
    rows = d[bi[0], :, :, bi[1], :]  # (R, 2, Y, C)
    own = np.take_along_axis(rows, np.broadcast_to(cols[:, None, None, :], rows.shape[:3] + cols.shape[1:]), axis=-1)
    sample = average_ranks(rows, own) if how == "ranks" else own
    return np.moveaxis(sample, -1, 1)


def u_test_in_order(d: np.ndarray, score: np.ndarray, order: np.ndarray, settings: MatchSettings):
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
        want = comparable[..., start : start + step] & ((need > 0)[..., None] | settings.test_all)
        bi = np.nonzero(want.any(axis=-1))
        if not len(bi[0]):
            break
        cols = order[..., start : start + step][bi]  # (R, k)
        sample = u_samples(d, bi, cols, settings.u_test)
        rr, kk = np.nonzero(want[bi])
        bb, ii, cc = bi[0][rr], bi[1][rr], cols[rr, kk]
        u[bb, ii, cc], p[bb, ii, cc] = mann_whitney_u(sample[rr, kk, 1], sample[rr, kk, 0])
        tested[bb, ii, cc] = True
        np.subtract.at(need, (bb, ii), (p[bb, ii, cc] >= settings.alpha).astype(int))
    return u, p, tested
