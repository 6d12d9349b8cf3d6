"""Type S and type M errors of a significant estimate (Gelman & Carlin 2014, "Beyond power calculations").

For a true effect D, an estimate with standard error s (normal) and a two-sided test at level alpha: the power,
the probability that a significant estimate has the wrong sign (type S), and the expected exaggeration of a
significant estimate, E(|estimate| | significant) / D (type M).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import integrate, stats


@dataclass(frozen=True)
class Retrodesign:
    """Power, type S error rate and exaggeration ratio of a design."""

    power: float
    type_s: float
    exaggeration: float


def retrodesign(effect: float, se: float, alpha: float = 0.05) -> Retrodesign:
    """Power, type S and exaggeration by exact integration over the normal sampling distribution.

    Examples
    --------
    Gelman & Carlin's first example (true effect 0.1, standard error 3.28):

    >>> r = retrodesign(0.1, 3.28)
    >>> round(r.power, 2), round(r.type_s, 2)
    (0.05, 0.46)
    """
    z, lam = stats.norm.ppf(1 - alpha / 2), effect / se
    hi, lo = stats.norm.sf(z - lam), stats.norm.cdf(-z - lam)
    power = hi + lo
    pdf = lambda x: abs(x) * stats.norm.pdf(x - lam)  # noqa: E731 - integrand of E|z| over the rejection region
    tail = integrate.quad(pdf, z, np.inf)[0] + integrate.quad(pdf, -np.inf, -z)[0]
    wrong = lo if effect > 0 else hi
    return Retrodesign(float(power), float(wrong / power), float(tail / power / abs(lam)))


def retrodesign_simulated(
    effect: float, se: float, alpha: float = 0.05, sims: int = 100_000, seed: int = 1
) -> Retrodesign:
    """The same by simulation, as Gelman & Carlin's ``retrodesign`` computes the exaggeration ratio."""
    z = stats.norm.ppf(1 - alpha / 2)
    est = effect + se * np.random.default_rng(seed).standard_normal(sims)
    sig = np.abs(est) > se * z
    wrong = np.sign(est[sig]) != np.sign(effect)
    return Retrodesign(float(sig.mean()), float(wrong.mean()), float(np.abs(est[sig]).mean() / abs(effect)))
