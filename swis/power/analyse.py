"""Each simulated trial analysed as it would be: many replicates fitted at once.

Difference in differences (``did``): the report's Poisson model with school and term fixed effects, pupils as
exposure and one pooled intervention-by-post interaction, with the school effects profiled out in closed form
(for given term effects and interaction, each school's effect is the log of its total count over its total
fitted exposure) and Newton steps on the rest, as the fast solver of :mod:`swis.estimation` does for one
panel. Every school's pupils are the same in each term, so once the school effects are profiled out a school's
fitted counts are its observed total shared over the terms in proportions that depend only on its arm: the
Hessian and gradient are sums over the two arms (:func:`_did_hessian`), each Newton step costs a few operations
per term whatever the number of schools, and all replicates are solved together. The schools' own scores are
formed once, for the standard error.
Standard errors are cluster-robust by school with the G/(G-1) factor (the report's convention).

Cluster-randomised comparison (``crt``): the post-period count of each school, Poisson with exposure
pupils x post terms, on treatment and the log of the school's baseline rate (pre-period count + 0.5 over
pre-period exposure), robust (sandwich) standard errors with each school's leverage allowed for (HC2).
Stratified (``crt_strata``): the same with one intercept per stratum (authority fixed effects) in place of the
common one, as an analysis that respects randomisation within strata would.
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
    finite = np.isfinite(A).all((1, 2))
    # the Hessians are symmetric: their 2-norm condition number is the ratio of the extreme |eigenvalues|,
    # which eigvalsh finds faster than the SVD np.linalg.cond would use
    eig = np.abs(np.linalg.eigvalsh(np.where(finite[:, None, None], A, np.eye(A.shape[-1]))))
    with np.errstate(divide="ignore", invalid="ignore"):
        usable = finite & (eig.max(-1) / eig.min(-1) < 1e12)
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


def _arm_shares(beta: np.ndarray, post: np.ndarray) -> np.ndarray:
    """Each arm's share of a school's fitted total in each term, (R, 2, T): control then intervention.

    With the school effects profiled out, a school's fitted count in term t is its observed total times
    ``exp(tau_t + delta d post_t)`` normalised over the terms, which depends on the school only through its arm
    (every school's pupils are the same in each term). So the fit needs the arms' totals, never the schools'.
    """
    tau = np.concatenate([np.zeros((beta.shape[0], 1)), beta[:, :-1]], axis=1)  # (R, T)
    log = np.stack([tau, tau + beta[:, -1, None] * post], axis=1)
    share = np.exp(log - log.max(-1, keepdims=True))  # less the largest, so that no term overflows
    return share / share.sum(-1, keepdims=True)


def _did_hessian(totals: np.ndarray, share: np.ndarray, post: np.ndarray) -> np.ndarray:
    """Profiled Hessian (R, k, k), k = T, from the arms' observed totals (R, 2) and their shares (R, 2, T).

    Summed over schools, ``-sum_s w_sj w_sl / total_s + diag(sum_s w_sj)`` and the interaction's terms, with
    ``w_st = total_s x share_{arm(s), t}``, become sums over the two arms.
    """
    fitted = np.einsum("ra,rat->rt", totals, share)  # (R, T): the fitted count of each term, all schools
    st = share[..., 1:]
    a_tt = -np.einsum("ra,raj,ral->rjl", totals, st, st) + fitted[:, 1:, None] * np.eye(st.shape[-1])
    treated, moved = totals[:, 1, None], post - (share[:, 1] * post).sum(-1, keepdims=True)  # post_t - pbar
    a_td = treated * share[:, 1, 1:] * moved[:, 1:]
    a_dd = treated[:, 0] * (share[:, 1] * moved**2).sum(-1)
    k = st.shape[-1] + 1
    A = np.empty((totals.shape[0], k, k))
    A[:, :-1, :-1], A[:, :-1, -1], A[:, -1, :-1], A[:, -1, -1] = a_tt, a_td, a_td, a_dd
    return A


def _did_scores(y: np.ndarray, d: np.ndarray, share: np.ndarray, post: np.ndarray) -> np.ndarray:
    """Per-school scores (R, S, k) of the term effects and the interaction, at the arms' ``share``."""
    w = y.sum(-1, keepdims=True) * np.where(d[..., None] > 0, share[:, None, 1], share[:, None, 0])
    resid = y - w
    return np.concatenate([resid[..., 1:], (d * (resid * post).sum(-1))[..., None]], axis=-1)


def arm_sums(d: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Sums of ``x`` (R, S, ...) over each replicate's control schools and over its intervention schools
    (``d``, (R, S), 0/1): (R, 2, ...).

    Examples
    --------
    >>> arm_sums(np.array([[0.0, 1.0, 1.0]]), np.array([[1.0, 2.0, 3.0]])).tolist()
    [[1.0, 5.0]]
    """
    return np.einsum("ras,rs...->ra...", np.stack([1 - d, d], axis=1), x)


def _did_start(y: np.ndarray, n: np.ndarray, d: np.ndarray, post: np.ndarray) -> np.ndarray:
    """Starting values near the answer, so Newton needs fewer steps: each term's log rate in the control
    schools against the first term's, and the crude difference in differences of the arms' pooled rates."""
    rate = (arm_sums(d, y) + 0.5) / arm_sums(d, n)[..., None]  # (R, 2, T)
    log = np.log(rate)
    tau = log[:, 0, 1:] - log[:, 0, :1]
    gap = log[:, 1] - log[:, 0]  # treated against control, each term
    delta = (gap * post).sum(-1) / post.sum() - (gap * (1 - post)).sum(-1) / (1 - post).sum()
    return np.clip(np.concatenate([tau, delta[:, None]], axis=1), -MAX_STEP, MAX_STEP)


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
    totals = arm_sums(d, y.sum(-1))  # (R, 2): each arm's events over all terms
    observed = y.sum(1)  # (R, T): every school's events in each term
    in_post = np.einsum("rs,rst,t->r", d, y, post)  # the intervention schools' events after it started
    beta = _did_start(y, n, d, post)
    for _ in range(MAX_STEPS):
        share = _arm_shares(beta, post)
        A = _did_hessian(totals, share, post)
        fitted = np.einsum("ra,rat->rt", totals, share)
        g = np.concatenate([(observed - fitted)[:, 1:], (in_post - totals[:, 1] * (share[:, 1] @ post))[:, None]], 1)
        step, usable = _newton(A, g)
        beta += step
        if np.max(np.abs(step)) < TOLERANCE:
            break
    # A and the scores are those of the last step's starting point: after a step under 1e-6 on the log scale
    # (all a finished replicate can have had), the standard error they give differs in its sixth digit or later
    ok = _finished(beta, step, usable)
    se = _sandwich_se(A, _did_scores(y, d, share, post), -1, ok)
    return Fits(np.where(ok, beta[:, -1], np.nan), np.where(ok, se, np.nan))


def _sandwich_se(A: np.ndarray, u: np.ndarray, j: int, ok: np.ndarray) -> np.ndarray:
    """Cluster-robust SE of coefficient ``j``: A^-1 (sum_s u_s u_s') A^-1 x G/(G-1), G = schools (``ok`` rows)."""
    g = u.shape[1]
    meat = np.swapaxes(u, 1, 2) @ u
    inv = np.linalg.inv(np.where(ok[:, None, None], A, np.eye(A.shape[-1])))
    var = (inv @ meat @ inv)[:, j, j] * g / (g - 1)
    return np.sqrt(np.where(ok & (var >= 0), var, np.nan))


def _crt_state(y, expo, X, sizes, beta):
    """Fitted means with the strata's intercepts profiled out (each stratum's fitted total is its observed
    total), the strata's fitted totals ``M`` per school and ``X`` centred on its fitted-mean-weighted stratum
    means. Schools come in blocks of their strata, ``sizes`` long."""
    lin = expo * np.exp((X @ beta[..., None])[..., 0])  # (R, S)
    total = lambda v: np.repeat(np.add.reduceat(v, np.r_[0, np.cumsum(sizes)[:-1]], axis=1), sizes, axis=1)  # noqa: E731
    with np.errstate(divide="ignore", invalid="ignore"):
        mu = np.where(total(y) > 0, lin * total(y) / total(lin), 0.0)
    M = total(mu)  # (R, S): the school's stratum's fitted total
    with np.errstate(divide="ignore", invalid="ignore"):
        means = np.where(M[..., None] > 0, total(mu[..., None] * X) / M[..., None], 0.0)
    return mu, M, X - means


def fit_crt(sim: Simulated, strata: bool = False) -> Fits:
    """Post-period counts on treatment and log baseline rate (Poisson, robust SE), every replicate; with
    ``strata``, one intercept per stratum of ``sim.stratum``.

    The intercepts are profiled out in closed form, so Newton runs on the two slopes only: the profiled
    Hessian is ``sum mu x~ x~'`` with ``x~`` centred within strata, each school's influence on the slopes is
    ``H^-1 x~ (y - mu)``, and its leverage ``mu (1 / M_k + x~' H^-1 x~)``, ``M_k`` its stratum's fitted total.

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
    codes = sim.stratum if strata and sim.stratum is not None else np.zeros(y.shape[1], int)
    if np.any(np.diff(codes) < 0):
        raise ValueError("schools must come in blocks of their strata")
    sizes = np.bincount(codes)
    X = np.stack([sim.treated, base - base.mean(1, keepdims=True)], -1)  # (R, S, 2)
    beta = np.zeros((y.shape[0], 2))
    for _ in range(MAX_STEPS):
        mu, _, Xc = _crt_state(y, expo, X, sizes, beta)
        A = np.swapaxes(Xc * mu[..., None], 1, 2) @ Xc
        step, usable = _newton(A, (np.swapaxes(X, 1, 2) @ (y - mu)[..., None])[..., 0])
        beta += step
        if np.max(np.abs(step)) < TOLERANCE:
            break
    mu, M, Xc = _crt_state(y, expo, X, sizes, beta)
    A = np.swapaxes(Xc * mu[..., None], 1, 2) @ Xc
    ok = _finished(beta, step, usable)
    # HC2: each school's score scaled by 1 / sqrt(1 - leverage), so that a stratum's few schools, whose own
    # intercept fits them closely, do not make the variance look smaller than it is (Bell & McCaffrey 2002)
    inv = np.linalg.inv(np.where(ok[:, None, None], A, np.eye(2)))
    with np.errstate(divide="ignore", invalid="ignore"):
        own = np.where(M > 0, 1 / M, 0.0)
    lev = np.clip(mu * (own + ((Xc @ inv) * Xc).sum(-1)), 0.0, 0.99)
    u = Xc * ((y - mu) / np.sqrt(1 - lev))[..., None]
    g = u.shape[1]
    se = _sandwich_se(A, u, 0, ok) * np.sqrt((g - 1) / g)  # no G/(G-1) factor: HC2 corrects on its own
    return Fits(np.where(ok, beta[:, 0], np.nan), np.where(ok, se, np.nan))


ANALYSE = {"did": fit_did, "crt": fit_crt, "crt_strata": lambda sim: fit_crt(sim, strata=True)}
