"""Moment estimators of between-school and term-to-term variation that allow for the fitted fixed effects.

The model, as :mod:`swis.power.simulate` draws it: in authority *a*, school *s*, term *t*, the count is Poisson
with mean ``m_st exp(b_s + w_st)``, ``m_st`` the pupils times the authority's term rate, and ``exp(b)``,
``exp(w)`` of mean one with squared coefficients of variation ``cv2_school`` and ``cv2_term``. So
``Var(y_st) = m + (cv2_school + cv2_term + cv2_school cv2_term) m^2`` and, within a school,
``Cov(y_st, y_st') = cv2_school m_st m_st'``.

Residuals of a fitted model are shorter than the errors: a Poisson fit with school and term fixed effects spends
one degree of freedom per school and per term, which with two or three terms is most of the data. To first order
the residuals are ``P (y - E y)`` with ``P = I - diag(mu) X (X' diag(mu) X)^+ X'``, so the expected sum of
squared residuals is ``trace(P V P')``, exactly linear in the two variances. Each estimator equates the observed
sum of squares to that expectation:

- ``cv2_term``: residuals of the school-and-term fit (school effects absorbed), row by row;
- ``cv2_school``: school totals of the residuals of the term-only fit (the term rates are linear in the counts,
  so here ``P`` is exact), given ``cv2_term``.

Both are ratios of sums over authorities, ``sum_a num_a / sum_a den_a``, so each authority's weight is its share
of the denominator: the share of the information about that variance it carries. Negative estimates are kept
(an unbiased estimator must be allowed below zero); :func:`as_sd` turns them into standard deviations of the log
rate, zero below zero.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Panel:
    """Rows of pre-period counts: ``y``, ``pupils``, and integer codes of ``authority``, ``school``, ``term``
    (schools and terms coded within the whole panel, so each belongs to one authority)."""

    pupils: np.ndarray
    authority: np.ndarray
    school: np.ndarray
    term: np.ndarray

    def rates(self, y: np.ndarray) -> np.ndarray:
        """Each row's expected count at its authority's term rate (the term-only fit)."""
        return self.pupils * (np.bincount(self.term, y) / np.bincount(self.term, self.pupils))[self.term]


def _dummies(codes: np.ndarray) -> np.ndarray:
    return (codes[:, None] == np.unique(codes)[None, :]).astype(float)


def _residual_maker(mu: np.ndarray, X: np.ndarray) -> np.ndarray:
    """``I - diag(mu) X (X' diag(mu) X)^+ X'``: residuals of a Poisson fit, to first order, from the errors."""
    return np.eye(len(mu)) - (mu[:, None] * X) @ np.linalg.pinv(X.T @ (mu[:, None] * X)) @ X.T


def _two_way_fit(y: np.ndarray, n: np.ndarray, school: np.ndarray, term: np.ndarray) -> np.ndarray:
    """Poisson fit with school and term fixed effects by iterative proportional fitting (zero where a school or
    term has no events, the maximum-likelihood limit)."""
    live = (np.bincount(school, y) > 0)[school] & (np.bincount(term, y) > 0)[term]
    mu = np.where(live, n * y.sum() / max(n[live].sum(), 1.0), 0.0)
    for _ in range(500):
        before = mu
        for codes in (school, term):
            fitted = np.bincount(codes, mu)[codes]
            mu = np.where(fitted > 0, mu * np.bincount(codes, y)[codes] / np.where(fitted > 0, fitted, 1.0), 0.0)
        if np.max(np.abs(mu - before)) < 1e-10:
            break
    return mu


def _term_parts(y: np.ndarray, n: np.ndarray, school: np.ndarray, term: np.ndarray) -> np.ndarray:
    """``[num, den, 0]`` of the term-to-term estimator for one authority (codes local to it)."""
    mu = _two_way_fit(y, n, school, term)
    live = mu > 0
    if not live.any():
        return np.zeros(3)
    mu, r = mu[live], y[live] - mu[live]
    P = _residual_maker(mu, np.hstack([_dummies(school[live]), _dummies(term[live])]))
    a, H2 = (P**2).sum(0), (np.eye(len(mu)) - P) ** 2
    # mu^2 is read off the fit, whose own noise H (y - mu) adds sum_k H_jk^2 mu_k to it (its Poisson part;
    # the overdispersed part is second order here, and taking it off too overcorrects with few schools)
    return np.array([(r**2).sum() - a @ mu, a @ (mu**2 - H2 @ mu), 0.0])


def _school_parts(y: np.ndarray, n: np.ndarray, school: np.ndarray, term: np.ndarray, c_term: float) -> np.ndarray:
    """``[num, den0, den1]`` of the between-school estimator for one authority, given ``c_term``: the estimate
    solves ``c = num / (den0 - c den1)``. The term-only fit is ``m = G y``, exactly linear."""
    on = (np.bincount(term, y) > 0)[term]
    if not on.any():  # no events at all: the authority says nothing about the variation
        return np.zeros(3)
    y, n, school, term = y[on], n[on], school[on], term[on]
    T = _dummies(term)
    G = n[:, None] * T @ (T / (T.T @ n)).T  # m = G y: pupils times the authority's term rate
    m = G @ y
    agg = _dummies(school).T  # schools x rows
    L = agg @ (np.eye(len(y)) - G)  # school totals of the residuals, from the errors
    aL = (L**2).sum(0)
    same = (school[:, None] == school[None, :]).astype(float)
    B = (L[:, None, :] * agg[None, :, :]).reshape(-1, len(y))  # school total s, errors of school k
    K = B.T @ B
    # Var(y) = V0 + c_school V1; the fitted m carries noise G Var(y) G' into m^2 and m'Km: taken off
    S0 = G @ np.diag(m + c_term * m**2) @ G.T
    S1 = G @ (np.diag(c_term * m**2) + same * np.outer(m, m)) @ G.T
    alpha0, alpha1 = aL @ (m**2 - np.diag(S0)), aL @ np.diag(S1)
    q0, q1 = m @ K @ m - np.trace(K @ S0), np.trace(K @ S1)
    num = ((agg @ (y - m)) ** 2).sum() - aL @ m - c_term * alpha0
    return np.array([num, q0 + c_term * (alpha0 - alpha1), q1 + c_term * alpha1])


def _solve(parts: np.ndarray) -> tuple[float, np.ndarray]:
    """``c`` with ``c (D0 - c D1) = N`` (sums over authorities), the root that tends to ``N / D0`` as ``D1``
    goes to 0; where no root exists, ``c`` is capped at ``D0 / (2 D1)``, where ``c (D0 - c D1)`` peaks. Each
    authority's weight is its share of the denominator ``den0 - c+ den1`` (c+ = max(c, 0))."""
    num, den0, den1 = parts.T
    N, D0, D1 = num.sum(), den0.sum(), max(den1.sum(), 0.0)
    if D1 * max(N, 0.0) < 1e-12 * D0**2:
        c = N / D0
    else:
        c = (D0 - np.sqrt(max(D0**2 - 4 * D1 * N, 0.0))) / (2 * D1)
    den = den0 - max(c, 0.0) * den1
    return float(c), den / den.sum()


@dataclass(frozen=True)
class Moments:
    """Baseline rate, the two squared coefficients of variation, and each authority's weight behind them."""

    baseline_rate: float
    cv2_term: float
    cv2_school: float
    weight_term: np.ndarray
    weight_school: np.ndarray


def estimate(panel: Panel, y: np.ndarray) -> Moments:
    """The moment estimates for counts ``y`` on ``panel``.

    ``cv2_term = sum_a num_a / sum_a den_a``, with ``num = sum r^2 - sum_j a_j mu_j`` and
    ``den = sum_j a_j (mu_j^2 - sum_k H_jk^2 mu_k)``, ``a_j`` the column sums of squares of the residual maker
    ``P`` and ``H = I - P`` (the fitted means' own Poisson noise taken off their squares);
    ``cv2_school`` solves ``sum_a num_a = c sum_a (den0_a - c den1_a)``, where ``num`` is the sum of squared
    school totals of the term-only residuals less its expected Poisson and term-to-term parts (given
    ``max(cv2_term, 0)``), and ``den0 - c den1`` its expected part per unit of ``cv2_school``, again with the
    noise of the fitted means taken off (see :func:`_school_parts`, :func:`_solve`).

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> school = np.repeat(np.arange(40), 3)
    >>> panel = Panel(np.full(120, 800.0), np.zeros(120, int), school, np.tile(np.arange(3), 40))
    >>> y = rng.poisson(8 * np.exp(rng.normal(-0.08, 0.4, 40))[school]).astype(float)
    >>> m = estimate(panel, y)
    >>> round(m.baseline_rate, 4), bool(abs(m.cv2_term) < 0.05), bool(0.05 < m.cv2_school < 0.4)
    (0.0095, True, True)
    """
    blocks = [
        (
            y[k],
            panel.pupils[k],
            np.unique(panel.school[k], return_inverse=True)[1],
            np.unique(panel.term[k], return_inverse=True)[1],
        )
        for k in (panel.authority == a for a in np.unique(panel.authority))
    ]
    c_term, weight_term = _solve(np.array([_term_parts(*b) for b in blocks]))
    c_school, weight_school = _solve(np.array([_school_parts(*b, max(c_term, 0.0)) for b in blocks]))
    return Moments(float(y.sum() / panel.pupils.sum()), c_term, c_school, weight_term, weight_school)


def as_sd(cv2: float | np.ndarray) -> np.ndarray:
    """Squared coefficient of variation of a mean-one log-normal effect as the SD of its log (zero below zero).

    Examples
    --------
    >>> float(np.round(as_sd(np.exp(0.3**2) - 1), 6)), float(as_sd(-0.1))
    (0.3, 0.0)
    """
    return np.sqrt(np.log1p(np.maximum(cv2, 0.0)))


def draw(panel: Panel, m: np.ndarray, sd_school: float, sd_term: float, reps: int, seed) -> np.ndarray:
    """``reps`` panels of counts (reps, rows) from the model with means ``m`` (the parametric bootstrap's and
    the recovery test's draws), school and school-by-term effects log-normal of mean one."""
    rng = np.random.default_rng(seed)
    b = rng.normal(-(sd_school**2) / 2, sd_school, (reps, panel.school.max() + 1))[:, panel.school]
    w = rng.normal(-(sd_term**2) / 2, sd_term, (reps, len(m)))
    return rng.poisson(m * np.exp(b + w)).astype(float)
