"""A fast solver of the Poisson model with school and term fixed effects, many fits at once.

For fixed term effects and interactions :math:`\\beta`, the maximum-likelihood school effect has a closed form,

.. math::

    \\hat\\alpha_s(\\beta) = \\log \\frac{\\sum_t y_{st}}{\\sum_t \\text{pupils}_{st} \\, e^{x_{st}'\\beta}},

so the school effects are profiled out and Newton steps are taken on :math:`\\beta` alone (a handful of
coefficients, whatever the number of schools). With the school effects at their profile, each school's fitted
counts sum to its observed counts, so its score for its own effect is exactly zero; the cluster-robust
(by school) covariance of :math:`\\beta` is then :math:`H^{-1} (\\sum_s u_s u_s') H^{-1}` with :math:`H` the
profiled information and :math:`u_s` school *s*'s score for :math:`\\beta`, and the covariance of the school
effects follows from theirs on :math:`\\beta` (:func:`fit_design`). Many fits that share rows but differ in
their regressors (the randomization distribution's refits) are solved together, as arrays
(:func:`fit_batch`).

statsmodels' GLM with school dummies stays the reference engine (:mod:`swis.estimation.poisson`); the tests
check that both agree on every published panel.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from swis.estimation.design import CONSTANT, Design

#: Newton steps at most, and the tolerance on the largest step (log scale).
MAX_STEPS = 100
TOLERANCE = 1e-12
#: A step is clipped to this size on the log scale, so a fit heading for separation cannot overflow.
MAX_STEP = 5.0
#: Beyond this size on the log scale (a rate ratio of e^15, about 3 million) a coefficient is taken to be
#: running off to infinity: the fit is separated, whatever the cause.
MAX_COEFFICIENT = 15.0
#: Largest number of array cells (fits x rows x coefficients) held at once; batches are split to stay below.
CHUNK_CELLS = 4_000_000


@dataclass(frozen=True)
class Rows:
    """The fitted rows in array form, sorted by school (each school's rows contiguous).

    Attributes
    ----------
    y, exposure : ndarray (n,)
        Counts and pupils.
    school : ndarray of int (n,)
        School index 0..G-1 of each row.
    starts : ndarray of int (G,)
        First row of each school.
    totals : ndarray (G,)
        Each school's total count (every one positive: all-zero schools are set aside by the design).
    order : ndarray of int (n,)
        Position in the design's rows of each sorted row.
    """

    y: np.ndarray
    exposure: np.ndarray
    school: np.ndarray
    starts: np.ndarray
    totals: np.ndarray
    order: np.ndarray

    @classmethod
    def from_frame(cls, rows: pd.DataFrame) -> Rows:
        """From rows with ``school, count, pupils`` (schools with a zero total must have been set aside)."""
        codes, _ = pd.factorize(rows["school"], sort=True)
        order = np.argsort(codes, kind="stable")
        school = codes[order]
        y = rows["count"].to_numpy(float)[order]
        starts = np.flatnonzero(np.r_[True, school[1:] != school[:-1]])
        totals = np.add.reduceat(y, starts)
        if (totals <= 0).any():
            raise ValueError("a school with a zero total count is in the rows: set it aside first")
        return cls(y, rows["pupils"].to_numpy(float)[order], school, starts, totals, order)

    @property
    def n_schools(self) -> int:
        return len(self.starts)


@dataclass(frozen=True)
class BatchFit:
    """Fits of many models on the same rows (the first axis indexes the model).

    Attributes
    ----------
    beta : ndarray (A, k)
        Coefficients of the regressors (term effects, interactions); NaN where not ``ok``.
    scores : ndarray (A, G, k)
        Each school's score for beta at the solution.
    information : ndarray (A, k, k)
        Profiled information (minus the Hessian of the profiled log-likelihood).
    mu : ndarray (A, n)
        Fitted counts, in the sorted row order of :class:`Rows`.
    ok : ndarray of bool (A,)
        Converged to a finite estimate with a non-singular information; False for a separated fit (a
        coefficient running off past :data:`MAX_COEFFICIENT`, or no convergence in :data:`MAX_STEPS`).
    steps : int
        Newton steps taken.
    """

    beta: np.ndarray
    scores: np.ndarray
    information: np.ndarray
    mu: np.ndarray
    ok: np.ndarray
    steps: int

    def cov(self, factor: float = 1.0) -> np.ndarray:
        """Cluster-robust covariance of beta, (A, k, k): H^-1 (sum_s u_s u_s') H^-1 x ``factor``."""
        inv = np.linalg.inv(np.where(self.ok[:, None, None], self.information, np.eye(self.beta.shape[1])))
        meat = np.einsum("agk,agl->akl", self.scores, self.scores)
        return inv @ meat @ inv * factor


def profiled_state(rows: Rows, X: np.ndarray, beta: np.ndarray):
    """Fitted counts with the school effects at their profile, the profiled gradient, information and scores."""
    w = rows.exposure * np.exp(np.einsum("ank,ak->an", X, beta))
    alpha = np.log(rows.totals / np.add.reduceat(w, rows.starts, axis=1))  # (A, G)
    mu = w * np.exp(alpha)[:, rows.school]
    mx = np.add.reduceat(mu[..., None] * X, rows.starts, axis=1)  # (A, G, k): each school's fitted x
    info = np.einsum("an,ank,anl->akl", mu, X, X) - np.einsum("agk,agl->akl", mx, mx / rows.totals[:, None])
    scores = np.add.reduceat((rows.y - mu)[..., None] * X, rows.starts, axis=1)
    return mu, scores.sum(1), info, scores


def _solve(info: np.ndarray, grad: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Clipped Newton steps, and which fits have a usable (finite, non-singular) information."""
    finite = np.isfinite(info).all((1, 2)) & np.isfinite(grad).all(1)
    safe = np.where(finite[:, None, None], info, np.eye(info.shape[-1]))
    usable = finite & (np.linalg.cond(safe) < 1e13)
    safe = np.where(usable[:, None, None], safe, np.eye(info.shape[-1]))
    step = np.linalg.solve(safe, np.where(usable[:, None], grad, 0.0)[..., None])[..., 0]
    return np.clip(step, -MAX_STEP, MAX_STEP), usable


def _fit_chunk(rows: Rows, X: np.ndarray) -> BatchFit:
    a, _, k = X.shape
    beta = np.zeros((a, k))
    active = np.ones(a, bool)  # fits still taking steps
    usable = np.ones(a, bool)
    steps = 0
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        while steps < MAX_STEPS:
            steps += 1
            idx = np.flatnonzero(active)
            _, grad, info, _ = profiled_state(rows, X[idx], beta[idx])
            step, use = _solve(info, grad)
            beta[idx] += step
            usable[idx] = use
            big = np.abs(step).max(1)
            active[idx] = use & (big > TOLERANCE) & (np.abs(beta[idx]).max(1) < MAX_COEFFICIENT)
            if not active.any():
                break
        mu, _, info, scores = profiled_state(rows, X, beta)
        ok = usable & ~active & (np.abs(beta).max(1) < MAX_COEFFICIENT) & np.isfinite(info).all((1, 2))
    beta = np.where(ok[:, None], beta, np.nan)
    return BatchFit(beta, scores, info, mu, ok, steps)


def fit_batch(rows: Rows, X: np.ndarray) -> BatchFit:
    """Fit the Poisson model with school effects and regressors ``X`` for every model in the batch.

    Parameters
    ----------
    rows : Rows
        Counts, exposures and schools (sorted by school).
    X : ndarray (A, n, k) or (n, k)
        Regressors other than the school effects (term dummies, interactions), rows in ``rows``' sorted
        order (``X[..., rows.order, :]`` of a design's columns).

    Returns
    -------
    BatchFit

    Examples
    --------
    Two schools, two terms, no regressor but the second term's dummy: its rate ratio is the ratio of the
    second term's total to the first's (equal pupils).

    >>> r = Rows.from_frame(pd.DataFrame({"school": ["a", "a", "b", "b"], "count": [2, 4, 3, 6],
    ...                                   "pupils": [100] * 4}))
    >>> fit = fit_batch(r, np.array([[0.0], [1.0], [0.0], [1.0]]))
    >>> round(float(np.exp(fit.beta[0, 0])), 6)
    2.0
    """
    X = np.asarray(X, float)
    if X.ndim == 2:
        X = X[None]
    per = max(1, CHUNK_CELLS // max(1, X.shape[1] * X.shape[2]))
    parts = [_fit_chunk(rows, X[i : i + per]) for i in range(0, X.shape[0], per)]
    if len(parts) == 1:
        return parts[0]
    cat = {f: np.concatenate([getattr(p, f) for p in parts]) for f in ("beta", "scores", "information", "mu", "ok")}
    return BatchFit(**cat, steps=max(p.steps for p in parts))


@dataclass(frozen=True)
class FastFit:
    """One fit of a :class:`~swis.estimation.design.Design` by the fast solver.

    Attributes
    ----------
    params : Series
        Coefficients named as the design's columns (constant, term and school dummies, interactions), as
        statsmodels' GLM would give them.
    cov_plain : DataFrame
        Cluster-robust covariance by school without any small-sample factor.
    converged : bool
    steps : int
    """

    params: pd.Series
    cov_plain: pd.DataFrame
    converged: bool
    steps: int


def fit_design(design: Design) -> FastFit:
    """Fit a design's model by the fast solver, with the plain cluster-robust covariance of every coefficient.

    The school effects' covariance follows from beta's: with each school's own score zero at the profile,
    :math:`\\hat\\alpha_s` moves with :math:`\\hat\\beta` only, by
    :math:`-P_s = -\\sum_t \\mu_{st} x_{st} / y_{s\\cdot}` (first order),
    so every coefficient is a linear map of beta and its covariance is that map's sandwich.

    Examples
    --------
    >>> from swis import paths
    >>> from swis.config import load_config
    >>> from swis.data.panel import load_panel
    >>> from swis.estimation.design import build_design
    >>> cfg = load_config(paths.config_path("Stockport"))
    >>> d = build_design(load_panel(paths.PANEL, cfg).outcome("s17"), cfg.reference_term, cfg.intervention_terms)
    >>> round(float(np.exp(fit_design(d).params["Intervention by time"])), 2)
    0.47
    """
    cols = list(design.X.columns)
    is_school = np.array([c.startswith("school:") for c in cols])
    others = [c for c, sch in zip(cols, is_school, strict=True) if c != CONSTANT and not sch]
    rows = Rows.from_frame(design.rows)
    xs = design.X[others].to_numpy(float)[rows.order]
    fit = fit_batch(rows, xs)
    beta = fit.beta[0]
    labels = np.array(sorted(design.rows["school"].unique()))
    dummies = {c.removeprefix("school:"): i for i, c in enumerate(cols) if is_school[i]}
    base = next(i for i, s in enumerate(labels) if s not in dummies)
    alpha = np.log(rows.totals / np.add.reduceat(rows.exposure * np.exp(xs @ beta), rows.starts))
    p = np.add.reduceat(fit.mu[0][:, None] * xs, rows.starts) / rows.totals[:, None]  # (G, k)
    # every coefficient as a linear map of beta: constant = alpha_base, school:s = alpha_s - alpha_base
    where = {c: i for i, c in enumerate(cols)}
    jac = np.zeros((len(cols), len(others)))
    params = np.zeros(len(cols))
    jac[where[CONSTANT]], params[where[CONSTANT]] = -p[base], alpha[base]
    idx = [i for i, s in enumerate(labels) if i != base]
    at = [dummies[labels[i]] for i in idx]
    jac[at] = -(p[idx] - p[base])
    params[at] = alpha[idx] - alpha[base]
    at = [where[c] for c in others]
    jac[at, np.arange(len(others))] = 1.0
    params[at] = beta
    cov = jac @ fit.cov()[0] @ jac.T
    return FastFit(
        pd.Series(params, index=cols), pd.DataFrame(cov, index=cols, columns=cols), bool(fit.ok[0]), fit.steps
    )
