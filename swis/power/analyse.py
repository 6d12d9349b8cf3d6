"""Each simulated trial analysed as it would be: many replicates fitted at once.

Difference in differences (``did``): the report's Poisson model with school and term fixed effects, pupils as
exposure and one pooled intervention-by-post interaction, with the school effects profiled out in closed form
(for given term effects and interaction, each school's effect is the log of its total count over its total
fitted exposure) and Newton steps on the rest, as the fast solver of :mod:`swis.estimation` does for one
panel. On a balanced panel the profiled Hessian has closed-form blocks, so all replicates are solved together.
Standard errors are cluster-robust by school with the G/(G-1) factor (the report's convention).

Cluster-randomised comparison (``crt``): the post-period count of each school, Poisson with exposure
pupils x post terms, on treatment and the log of the school's baseline rate (pre-period count + 0.5 over
pre-period exposure), robust (sandwich) standard errors with the G/(G-K) factor.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr

from swis.power.simulate import Simulated

#: Newton steps at most, and the tolerance on the largest step.
MAX_STEPS = 60
TOLERANCE = 1e-10
#: A step is clipped to this size on the log scale, so a replicate heading for separation cannot overflow.
MAX_STEP = 5.0
#: Beyond this size on the log scale a coefficient is taken to be infinite: the replicate is separated.
MAX_COEFFICIENT = 12.0


def _newton(A: np.ndarray, g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Clipped Newton steps of every replicate, and which replicates have a usable (non-singular) Hessian."""
    usable = np.isfinite(A).all((1, 2)) & (np.linalg.cond(np.where(np.isfinite(A), A, 0.0)) < 1e12)
    A, g = np.where(usable[:, None, None], A, np.eye(A.shape[-1])), np.where(usable[:, None], g, 0.0)
    step = np.linalg.solve(A, g[..., None])[..., 0]
    return np.clip(step, -MAX_STEP, MAX_STEP), usable


def _finished(beta: np.ndarray, step: np.ndarray, usable: np.ndarray) -> np.ndarray:
    """Replicates with a finite maximum-likelihood estimate: converged, usable, no coefficient diverging.

    The rule for separated replicates (an estimate that runs off to infinity, or a model that cannot be
    identified): not estimable, so their test does not reject, as the report would print "not estimable".
    """
    return usable & (np.abs(step).max(1) < 1e-6) & (np.abs(beta).max(1) < MAX_COEFFICIENT)


@dataclass(frozen=True)
class Fits:
    """Per replicate: the estimate (log rate ratio), its standard error and the two-sided p-value."""

    estimate: np.ndarray
    se: np.ndarray

    @property
    def p_value(self) -> np.ndarray:
        """Two-sided normal p-value (NaN where the estimate is not finite)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return 2 * ndtr(-np.abs(self.estimate / self.se))


def _did_state(y: np.ndarray, n: np.ndarray, d: np.ndarray, post: np.ndarray, beta: np.ndarray):
    """Fitted means with the school effects profiled out; beta = (term effects 1..T-1, interaction)."""
    tau = np.concatenate([np.zeros((beta.shape[0], 1)), beta[:, :-1]], axis=1)  # (R, T)
    eta = tau[:, None, :] + beta[:, -1, None, None] * d[..., None] * post  # (R, S, T)
    expo = n[..., None] * np.exp(eta)
    with np.errstate(divide="ignore"):
        alpha = np.log(y.sum(-1) / expo.sum(-1))  # -inf for a school with no events
    return np.where(np.isfinite(alpha)[..., None], expo * np.exp(alpha)[..., None], 0.0)


def _did_blocks(y, w, d, post):
    """Profiled Hessian A (R, k, k), gradient g (R, k) and per-school scores u (R, S, k), k = T."""
    total = w.sum(-1, keepdims=True)  # (R, S, 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        pbar = np.where(total > 0, (w * post).sum(-1, keepdims=True) / total, 0.0)
    wt = w[..., 1:]  # terms 1..T-1
    a_tt = np.einsum("rsj,jl->rjl", wt, np.eye(wt.shape[-1])) - np.einsum(
        "rsj,rsl->rjl", wt, wt / np.where(total > 0, total, 1.0)
    )
    a_td = np.einsum("rs,rsj->rj", d, wt * (post[1:] - pbar))
    a_dd = np.einsum("rs,rst->r", d, w * (post - pbar) ** 2)
    k = wt.shape[-1] + 1
    A = np.empty((y.shape[0], k, k))
    A[:, :-1, :-1], A[:, :-1, -1], A[:, -1, :-1], A[:, -1, -1] = a_tt, a_td, a_td, a_dd
    resid = y - w
    u = np.concatenate([resid[..., 1:], (d * (resid * post).sum(-1))[..., None]], axis=-1)
    return A, u.sum(1), u


def fit_did(sim: Simulated) -> Fits:
    """The pooled intervention-by-post interaction of every replicate, with CRV1 (G/(G-1)) standard errors.

    Examples
    --------
    >>> from swis.power.design import TrialDesign
    >>> from swis.power.simulate import simulate
    >>> fits = fit_did(simulate(TrialDesign(n_schools=40, effect=0.8), reps=3, seed=2))
    >>> fits.estimate.shape, bool(np.isfinite(fits.se).all())
    ((3,), True)
    """
    y, n, d, post = sim.counts, sim.pupils, sim.treated, sim.post
    beta = np.zeros((y.shape[0], y.shape[-1]))
    for _ in range(MAX_STEPS):
        A, g, u = _did_blocks(y, _did_state(y, n, d, post, beta), d, post)
        step, usable = _newton(A, g)
        beta += step
        if np.max(np.abs(step)) < TOLERANCE:
            break
    A, _, u = _did_blocks(y, _did_state(y, n, d, post, beta), d, post)
    ok = _finished(beta, step, usable)
    return Fits(np.where(ok, beta[:, -1], np.nan), np.where(ok, _sandwich_se(A, u, -1, ok), np.nan))


def _sandwich_se(A: np.ndarray, u: np.ndarray, j: int, ok: np.ndarray) -> np.ndarray:
    """Cluster-robust SE of coefficient ``j``: A^-1 (sum_s u_s u_s') A^-1 x G/(G-1), G = schools (``ok`` rows)."""
    g = u.shape[1]
    meat = np.einsum("rsk,rsl->rkl", u, u)
    inv = np.linalg.inv(np.where(ok[:, None, None], A, np.eye(A.shape[-1])))
    var = (inv @ meat @ inv)[:, j, j] * g / (g - 1)
    return np.sqrt(np.where(ok & (var >= 0), var, np.nan))


def fit_crt(sim: Simulated) -> Fits:
    """Post-period counts on treatment and log baseline rate (Poisson, robust SE), every replicate.

    Examples
    --------
    >>> from swis.power.design import TrialDesign
    >>> from swis.power.simulate import simulate
    >>> fits = fit_crt(simulate(TrialDesign(n_schools=40, effect=0.8), reps=3, seed=2))
    >>> fits.estimate.shape
    (3,)
    """
    post = sim.post.astype(bool)
    y = sim.counts[..., post].sum(-1)
    expo = sim.pupils * post.sum()
    base = np.log((sim.counts[..., ~post].sum(-1) + 0.5) / (sim.pupils * (~post).sum()))
    X = np.stack([np.ones_like(y), sim.treated, base - base.mean(1, keepdims=True)], axis=-1)  # (R, S, 3)
    beta = np.zeros((y.shape[0], 3))
    beta[:, 0] = np.log(y.sum(1) / expo.sum(1))
    for _ in range(MAX_STEPS):
        mu = expo * np.exp(np.einsum("rsk,rk->rs", X, beta))
        A = np.einsum("rs,rsk,rsl->rkl", mu, X, X)
        step, usable = _newton(A, np.einsum("rsk,rs->rk", X, y - mu))
        beta += step
        if np.max(np.abs(step)) < TOLERANCE:
            break
    mu = expo * np.exp(np.einsum("rsk,rk->rs", X, beta))
    u = X * (y - mu)[..., None]
    A = np.einsum("rs,rsk,rsl->rkl", mu, X, X)
    ok = _finished(beta[:, 1:], step, usable)  # the intercept is large on the log scale of a rare rate
    g, k = u.shape[1], X.shape[-1]
    se = _sandwich_se(A, u, 1, ok) * np.sqrt((g - 1) / (g - k))
    return Fits(np.where(ok, beta[:, 1], np.nan), np.where(ok, se, np.nan))


ANALYSE = {"did": fit_did, "crt": fit_crt}
