"""Score (wild) cluster bootstrap after the Poisson fit (Kline & Santos 2012), the null imposed.

For the null that an interaction equals :math:`\\delta_0`, the model is refitted with the interaction fixed
there (the restricted fit: an offset, by the fast solver). At that fit, each school's score for the
interaction is partialled on the scores of the other coefficients through the restricted information,

.. math:: \\tilde s_g = s_{g,\\delta} - H_{\\delta,-\\delta} H_{-\\delta,-\\delta}^{-1} s_{g,-\\delta},

(the school effects need no partialling: each school's own score is zero at the profile) and the test
statistic is the clustered score statistic :math:`T = (\\sum_g \\tilde s_g)^2 / \\sum_g \\tilde s_g^2`. Each
bootstrap draw multiplies every school's score by a weight :math:`v_g` (Webb's six-point distribution by
default, Rademacher as an option): :math:`T^* = (\\sum_g v_g \\tilde s_g)^2 / \\sum_g v_g^2 \\tilde s_g^2`, with
no refit. The p-value is the share of draws with :math:`T^* \\ge T`. When the distinct draws (2^G for
Rademacher, 6^G for Webb) are fewer than asked for, every one is enumerated, so the result does not depend
on the seed. The interval collects the null values that the test does not reject at the chosen level, found
by root-finding on the null value with the draws held fixed; where no null value far from the estimate is
rejected (as with three schools, whose 8 Rademacher draws cannot give p < 0.125), the interval is unbounded
on that side.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace

import numpy as np

from swis.estimation.design import CONSTANT, Design
from swis.estimation.fast import Rows, fit_batch, profiled_state

WEIGHTS = ("webb", "rademacher")
_POINTS = {
    "webb": np.array([-np.sqrt(1.5), -1.0, -np.sqrt(0.5), np.sqrt(0.5), 1.0, np.sqrt(1.5)]),
    "rademacher": np.array([-1.0, 1.0]),
}
#: The columns of a bootstrap test in ``swis did``'s output.
COLUMNS = ("boot_p_value", "boot_ci_low", "boot_ci_high", "boot_n_draws", "boot_weights")
#: How far from the estimate (log scale) the interval is searched before it is called unbounded.
SEARCH = 12.0


@dataclass(frozen=True)
class BootstrapTest:
    """A score bootstrap test of one interaction, and the interval that inverts it.

    Attributes
    ----------
    coefficient : str
    p_value : float
        Of the null that the interaction is zero (rate ratio 1).
    ci_low, ci_high : float
        Rate-ratio interval (0 or inf where unbounded).
    n_draws : int
    enumerated : bool
        Every distinct draw used (the result does not depend on the seed).
    weights : str
    """

    coefficient: str
    p_value: float
    ci_low: float
    ci_high: float
    n_draws: int
    enumerated: bool
    weights: str

    def row(self) -> dict:
        """The columns ``swis did`` writes (:data:`COLUMNS`)."""
        return dict(zip(COLUMNS, (self.p_value, self.ci_low, self.ci_high, self.n_draws, self.weights), strict=True))


def draws(n_clusters: int, weights: str, reps: int, seed: int) -> tuple[np.ndarray, bool]:
    """Weights (B, G): every distinct draw if there are at most ``reps``, else ``reps`` seeded draws.

    Examples
    --------
    >>> v, every = draws(2, "rademacher", 999, seed=1)
    >>> v.tolist(), every
    ([[-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0], [1.0, 1.0]], True)
    """
    points = _POINTS[weights]
    if len(points) ** n_clusters <= reps:
        return np.array(list(itertools.product(points, repeat=n_clusters))), True
    rng = np.random.default_rng(seed)
    return points[rng.integers(0, len(points), (reps, n_clusters))], False


class _Restricted:
    """The design's rows and regressors, ready to be refitted with one interaction fixed."""

    def __init__(self, design: Design, coefficient: str):
        cols = [c for c in design.X.columns if c != CONSTANT and not c.startswith("school:")]
        self.rows = Rows.from_frame(design.rows)
        self.X = design.X[cols].to_numpy(float)[self.rows.order]
        self.j = cols.index(coefficient)
        self.others = [i for i in range(len(cols)) if i != self.j]

    def effective_scores(self, delta0: float) -> np.ndarray:
        """Each school's partialled score for the interaction at the restricted fit (G,); NaN if it fails."""
        rows = replace(self.rows, exposure=self.rows.exposure * np.exp(delta0 * self.X[:, self.j]))
        fit = fit_batch(rows, self.X[:, self.others])
        if not fit.ok[0]:
            return np.full(self.rows.n_schools, np.nan)
        beta = np.zeros(self.X.shape[1])
        beta[self.others] = fit.beta[0]  # the interaction's own coefficient is delta0, carried by the offset
        _, _, info, scores = (a[0] for a in profiled_state(rows, self.X[None], beta[None]))
        o, j = self.others, self.j
        coef = np.linalg.solve(info[np.ix_(o, o)], info[o, j]) if o else np.zeros(0)
        return scores[:, j] - scores[:, o] @ coef


def _p_value(scores: np.ndarray, v: np.ndarray) -> float:
    if not np.isfinite(scores).all() or not (scores**2).sum() > 0:
        return np.nan
    observed = scores.sum() ** 2 / (scores**2).sum()
    boot = (v @ scores) ** 2 / ((v**2) @ (scores**2))
    return float(np.mean(boot >= observed * (1 - 1e-9)))


def _bound(p_at, estimate: float, step: float, alpha: float, side: int) -> float:
    """The null value where the p-value falls to ``alpha`` on one side (+/- inf if it never does)."""
    inside, distance = estimate, step
    while distance <= SEARCH:
        outside = estimate + side * distance
        if p_at(outside) < alpha:
            for _ in range(40):  # bisection: the p-value is a step function of the null value
                mid = (inside + outside) / 2
                inside, outside = (mid, outside) if p_at(mid) >= alpha else (inside, mid)
            return (inside + outside) / 2
        inside, distance = outside, distance * 2
    return side * np.inf


def score_bootstrap(
    design: Design,
    coefficient: str,
    estimate: float,
    se: float,
    weights: str = "webb",
    reps: int = 9_999,
    seed: int = 1,
    level: float = 0.95,
    interval: bool = True,
) -> BootstrapTest:
    """Score bootstrap p-value of ``coefficient`` = 0 and the interval inverting the test.

    ``estimate`` and ``se`` (the fit's, log scale) only set where the interval search starts and its step;
    ``interval=False`` skips the interval (NaN), for simulations that need the p-value alone.

    Examples
    --------
    >>> from swis import paths
    >>> from swis.config import load_config
    >>> from swis.data.panel import load_panel
    >>> from swis.estimation.did import INTERACTION, DidSpec, estimate_panel
    >>> res = estimate_panel(load_panel(paths.PANEL, load_config(paths.config_path("Stockport"))), "s47")
    >>> row = res.get(INTERACTION)
    >>> test = score_bootstrap(res.design, INTERACTION, row["estimate"], row["se"], reps=999)
    >>> test.n_draws, test.enumerated, 0 < test.p_value <= 1
    (999, False, True)
    """
    if weights not in WEIGHTS:
        raise ValueError(f"weights must be one of {WEIGHTS}, not {weights!r}")
    restricted = _Restricted(design, coefficient)
    v, every = draws(restricted.rows.n_schools, weights, reps, seed)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):

        def p_at(delta0: float) -> float:
            return _p_value(restricted.effective_scores(delta0), v)

        alpha = 1 - level
        step = se if np.isfinite(se) and se > 0 else 0.5
        low = _bound(p_at, estimate, step, alpha, -1) if interval else np.nan
        high = _bound(p_at, estimate, step, alpha, +1) if interval else np.nan
        p = p_at(0.0)
    return BootstrapTest(coefficient, p, float(np.exp(low)), float(np.exp(high)), len(v), every, weights)
