"""Simulated trials: allocation, pupils and counts for many replicates at once, from one seed.

The model, for school *s* in term *t* of replicate *r*: the count is Poisson with mean
``pupils_rs * baseline_rate * exp(b_rs + w_rst) * effect ** (treated_rs * post_t)``, with the school effect
``b ~ N(-sd_school**2 / 2, sd_school**2)`` and the school-by-term effect ``w ~ N(-sd_term**2 / 2,
sd_term**2)``, both of mean one on the rate scale. There is no common trend: term effects are zero, which
a difference-in-differences estimates and removes anyway.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from swis.power.design import TrialDesign


@dataclass(frozen=True)
class Simulated:
    """Replicates of one design: ``counts`` (R, S, T), ``pupils`` (R, S), ``treated`` (R, S) as 0/1 floats."""

    counts: np.ndarray
    pupils: np.ndarray
    treated: np.ndarray
    post: np.ndarray


def allocate(design: TrialDesign, reps: int, rng: np.random.Generator) -> np.ndarray:
    """Random allocation of each replicate: exactly ``treated_per_stratum`` schools treated in each stratum.

    Examples
    --------
    >>> d = TrialDesign(n_schools=10, strata=(4, 6))
    >>> a = allocate(d, 3, np.random.default_rng(1))
    >>> a.shape, a[:, :4].sum(axis=1).tolist(), a[:, 4:].sum(axis=1).tolist()
    ((3, 10), [2.0, 2.0, 2.0], [3.0, 3.0, 3.0])
    """
    sizes = design.strata or (design.n_schools,)
    out, start = np.zeros((reps, design.n_schools)), 0
    for size, k in zip(sizes, design.treated_per_stratum, strict=True):
        order = np.argsort(rng.random((reps, size)), axis=1)
        out[:, start : start + size] = (order < k).astype(float)
        start += size
    return out


def simulate(design: TrialDesign, reps: int, seed: int | tuple[int, ...]) -> Simulated:
    """``reps`` simulated trials of ``design``, reproducible bit for bit from ``seed`` (an int or a tuple).

    Examples
    --------
    >>> sim = simulate(TrialDesign(n_schools=20, terms_pre=2, terms_post=1), reps=5, seed=1)
    >>> sim.counts.shape, bool((sim.counts >= 0).all())
    ((5, 20, 3), True)
    """
    rng = np.random.default_rng(seed)
    shape = (reps, design.n_schools)
    median, sd_log = design.pupils
    pupils = np.rint(median * np.exp(sd_log * rng.standard_normal(shape)))
    pupils = np.maximum(pupils, 1.0)
    treated = allocate(design, reps, rng)
    sb, sw = design.sd_school, design.sd_term
    school = rng.normal(-(sb**2) / 2, sb, shape)[..., None]
    term = rng.normal(-(sw**2) / 2, sw, (*shape, design.n_terms))
    log_effect = np.log(design.effect) * treated[..., None] * design.post
    mean = pupils[..., None] * design.baseline_rate * np.exp(school + term + log_effect)
    return Simulated(rng.poisson(mean).astype(float), pupils, treated, design.post)
