"""Power of a design by simulation, its Monte Carlo error, curves, the minimum detectable effect, and the
large-sample normal approximation to check them by."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np
import pandas as pd
from scipy.stats import norm

from swis.power.analyse import ANALYSE, Fits, _arm_shares, _did_hessian, arm_sums
from swis.power.design import TrialDesign, even_strata
from swis.power.simulate import Simulated, simulate, simulate_null, with_effect


@dataclass(frozen=True)
class PowerResult:
    """Simulated power of one design: rejections out of ``reps``, with the fits behind them."""

    design: TrialDesign
    reps: int
    seed: int
    fits: Fits

    @property
    def rejected(self) -> np.ndarray:
        """Whether each replicate's test rejects at the design's level."""
        return self.fits.p_value < self.design.alpha

    @property
    def power(self) -> float:
        """Share of replicates that reject (a replicate without a finite estimate does not)."""
        return float(np.mean(self.rejected))

    @property
    def mcse(self) -> float:
        """Monte Carlo standard error of the power: sqrt(p (1 - p) / reps)."""
        return float(np.sqrt(self.power * (1 - self.power) / self.reps))

    def row(self) -> dict:
        """The design and its power, as one row of a table."""
        d = self.design
        return {
            "analysis": d.analysis,
            "n_schools": d.n_schools,
            "n_treated": d.treated_count,
            "terms_pre": d.terms_pre,
            "terms_post": d.terms_post,
            "baseline_rate": d.baseline_rate,
            "sd_school": d.sd_school,
            "sd_term": d.sd_term,
            "rho_term": d.rho_term,
            "sd_authority": d.sd_authority,
            "n_strata": len(d.strata),
            "effect": d.effect,
            "alpha": d.alpha,
            "reps": self.reps,
            "seed": self.seed,
            "power": self.power,
            "mcse": self.mcse,
            "median_se": float(np.nanmedian(self.fits.se)),
        }


#: Replicates simulated and fitted together; each chunk has its own seed, ``(seed, chunk)``, so a run is the
#: same bit for bit however it is reported on.
CHUNK = 250


@lru_cache(maxsize=8)
def _null(design: TrialDesign, size: int, seed: tuple[int, int]) -> Simulated:
    """One chunk of simulated trials without an effect (``design`` keyed with ``effect=1`` and ``analysis="did"``),
    kept for the next call rather than drawn again: the other analyses, the other effects of a curve and the
    check of a detectable effect start from it (:func:`swis.power.simulate.with_effect`)."""
    return simulate_null(design, size, seed)


@lru_cache(maxsize=4)
def _simulated(design: TrialDesign, size: int, seed: tuple[int, int]) -> Simulated:
    """One chunk of simulated trials (:func:`swis.power.simulate.simulate`, with the chunk without an effect
    shared through :func:`_null`). The data do not depend on the analysis, so both analyses of a design (keyed
    with ``analysis="did"``) fit the same chunk."""
    null = _null(replace(design, effect=1.0), size, seed)
    return with_effect(null, design.effect, seed)


def simulate_power(design: TrialDesign, reps: int = 1000, seed: int = 1, progress=None) -> PowerResult:
    """Simulate ``reps`` trials of ``design`` and analyse each as it would be analysed.

    ``progress``, if given, is called with the number of replicates done after each chunk.

    Examples
    --------
    >>> res = simulate_power(TrialDesign(n_schools=40, effect=1.0), reps=200, seed=3)
    >>> res.reps, round(res.power, 3)  # few schools: the clustered test rejects more than 5% with no effect
    (200, 0.085)
    """
    parts = []
    for k, start in enumerate(range(0, reps, CHUNK)):
        size = min(CHUNK, reps - start)
        parts.append(ANALYSE[design.analysis](_simulated(replace(design, analysis="did"), size, (seed, k))))
        if progress is not None:
            progress(start + size)
    fits = Fits(np.concatenate([f.estimate for f in parts]), np.concatenate([f.se for f in parts]))
    return PowerResult(design, reps, seed, fits)


def power_curve(
    design: TrialDesign,
    values: list,
    field: str = "effect",
    reps: int = 1000,
    seed: int = 1,
    analyses: tuple[str, ...] | None = None,
) -> pd.DataFrame:
    """Power over the ``values`` of one field of the design (``effect`` or ``n_schools``), same seed each; for
    each of ``analyses`` (default: the design's own) on the same simulated trials. Over ``n_schools``, the
    schools are shared evenly among the design's strata (fewer strata where each would have under two).

    Examples
    --------
    >>> curve = power_curve(TrialDesign(n_schools=40), [1.0, 0.7], reps=100, seed=2, analyses=("did", "crt"))
    >>> curve[["analysis", "effect"]].values.tolist()
    [['did', 1.0], ['crt', 1.0], ['did', 0.7], ['crt', 0.7]]
    """
    rows = []
    for v in values:
        changes = {field: v}
        if field == "n_schools":  # as many strata as before, fewer where each would have under two schools
            strata = even_strata(v, min(len(design.strata), v // 2)) if design.strata else ()
            changes.update(n_treated=v // 2, strata=strata)  # half in all, shared among the strata
        for analysis in analyses or (design.analysis,):
            rows.append(simulate_power(replace(design, analysis=analysis, **changes), reps, seed).row())
    return pd.DataFrame(rows)


def minimum_detectable_effect(
    design: TrialDesign,
    power: float = 0.8,
    reps: int = 1000,
    seed: int = 1,
    reduction: bool = True,
    check: bool = True,
) -> dict:
    """The rate ratio detectable with ``power``, from the standard error of the simulated null.

    ``(z_{1-alpha/2} + z_power) x SE`` on the log scale, with SE the root mean square standard error of the
    null replicates; then the power at that effect is simulated to check it. ``mde_mcse`` is the Monte Carlo
    standard error of the detectable effect (delta method on the mean squared standard error), and
    ``null_rejection`` the test's rejection rate with no effect (nominally ``alpha``), with its own ``null_mcse``.
    With ``check=False`` the power at the detectable effect is not simulated (NaN): half the cost.

    Examples
    --------
    >>> out = minimum_detectable_effect(TrialDesign(n_schools=60, terms_pre=1, terms_post=1), reps=100, seed=2)
    >>> 0 < out["mde"] < 1, out["mde_mcse"] < 0.01
    (True, True)
    """
    null = simulate_power(replace(design, effect=1.0), reps, seed)
    se2 = null.fits.se[np.isfinite(null.fits.se)] ** 2
    se = float(np.sqrt(se2.mean()))
    k = norm.ppf(1 - design.alpha / 2) + norm.ppf(power)
    mde = float(np.exp(-k * se if reduction else k * se))
    se_mcse = float(se2.std(ddof=1) / np.sqrt(se2.size) / (2 * se))
    at_mde = simulate_power(replace(design, effect=mde), reps, seed) if check else None
    return {
        "mde": mde,
        "mde_mcse": float(mde * k * se_mcse),
        "se_null": se,
        "null_rejection": null.power,
        "null_mcse": null.mcse,
        "power_at_mde": at_mde.power if at_mde else np.nan,
        "mcse_at_mde": at_mde.mcse if at_mde else np.nan,
    }


def normal_power(design: TrialDesign, reps: int = 200, seed: int = 1) -> float:
    """Large-sample power of the difference in differences for a Poisson design without overdispersion.

    The model-based variance of the interaction at the expected counts (profiled information matrix), for
    allocations and pupils drawn as in the simulation, then Phi(|delta|/se - z) + Phi(-|delta|/se - z),
    averaged over the draws.
    """
    if design.analysis != "did" or design.sd_school or design.sd_term:
        raise ValueError("the normal approximation here is for the 'did' analysis without overdispersion")
    sim = simulate(design, reps, seed)
    mean = sim.pupils[..., None] * design.baseline_rate * design.effect ** (sim.treated[..., None] * sim.post)
    totals = arm_sums(sim.treated, mean.sum(-1))
    truth = np.zeros((reps, design.n_terms))  # no term effects, and the interaction at the true effect
    truth[:, -1] = np.log(design.effect)
    A = _did_hessian(totals, _arm_shares(truth, sim.post), sim.post)
    se = np.sqrt(np.linalg.inv(A)[:, -1, -1])
    z, lam = norm.ppf(1 - design.alpha / 2), abs(np.log(design.effect)) / se
    return float(np.mean(norm.cdf(lam - z) + norm.cdf(-lam - z)))


def se_from_interval(low: float, high: float, level: float = 0.95) -> float:
    """The standard error of a log rate ratio implied by its symmetric (on the log scale) confidence interval.

    Examples
    --------
    >>> round(se_from_interval(0.955, 1.166), 4)
    0.0509
    """
    return float((np.log(high) - np.log(low)) / (2 * norm.ppf(1 - (1 - level) / 2)))


def power_from_se(effects, se: float, alpha: float = 0.05) -> np.ndarray:
    """Two-sided power of a Wald test of a log rate ratio with standard error ``se``, at each true ``effects``:
    ``Phi(|log e| / se - z) + Phi(-|log e| / se - z)``. With ``se`` from simulated null trials it carries a
    simulated design's precision to effects not simulated (the curves at the ends of the variation's intervals).

    Examples
    --------
    >>> np.round(power_from_se([1.0, np.exp(-2.8 * 0.05)], 0.05), 3).tolist()
    [0.05, 0.8]
    """
    z, lam = norm.ppf(1 - alpha / 2), np.abs(np.log(np.asarray(effects, float))) / se
    return norm.cdf(lam - z) + norm.cdf(-lam - z)
