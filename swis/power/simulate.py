"""Simulated trials: allocation, pupils and counts for many replicates at once, from one seed.

The model, for school *s* in term *t* of replicate *r*: the count is Poisson with mean
``pupils_rs * baseline_rate * exp(b_rs + w_rst) * effect ** (treated_rs * post_t)``, with the school effect
``b ~ N(-sd_school**2 / 2, sd_school**2)`` and the school-by-term effect ``w ~ N(-sd_term**2 / 2,
sd_term**2)``, both of mean one on the rate scale, times ``exp(a_rk)`` for the school's authority (stratum)
*k*, ``a ~ N(-sd_authority**2 / 2, sd_authority**2)``. A school's term effects follow a stationary AR(1) with
correlation ``rho_term`` one term apart (independent when 0). There is no common trend: term effects are
zero, which a difference-in-differences estimates and removes anyway.

The authority effects come from a stream of their own (spawned from the seed), so a design without them draws
exactly what it drew before they existed; the AR(1) term effects are a filter of the same normal draws.

The intervention's effect is applied to the trials drawn without it (:func:`with_effect`): each intervention
school's count in a post term is thinned (an effect below one keeps each event with probability ``effect``) or
added to (above one: plus a Poisson count of mean ``effect - 1`` times its mean). A thinned or superposed
Poisson count is Poisson, so each trial is drawn from the model above exactly; and every effect of one seed
shares its schools, pupils, variation and counts without the effect (common random numbers): the power at two
effects differs by the effect, not by new draws, and a curve over the effect, or the check of a detectable
effect, reuses the trials drawn without it instead of drawing them again.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from swis.power.design import TrialDesign


@dataclass(frozen=True)
class Simulated:
    """Replicates of one design: ``counts`` (R, S, T), ``pupils`` (R, S), ``treated`` (R, S) as 0/1 floats, and
    ``mean`` (R, S, T), the counts' means without the intervention's effect."""

    counts: np.ndarray
    pupils: np.ndarray
    treated: np.ndarray
    post: np.ndarray
    stratum: np.ndarray | None = None
    mean: np.ndarray | None = None


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
    """``reps`` simulated trials of ``design``, reproducible bit for bit from ``seed`` (an int or a tuple): those
    of :func:`simulate_null` with the design's effect applied (:func:`with_effect`).

    Examples
    --------
    >>> sim = simulate(TrialDesign(n_schools=20, terms_pre=2, terms_post=1), reps=5, seed=1)
    >>> sim.counts.shape, bool((sim.counts >= 0).all())
    ((5, 20, 3), True)
    """
    return with_effect(simulate_null(design, reps, seed), design.effect, seed)


def simulate_null(design: TrialDesign, reps: int, seed: int | tuple[int, ...]) -> Simulated:
    """``reps`` simulated trials of ``design`` without the intervention's effect (whatever its ``effect``).

    Examples
    --------
    >>> d = TrialDesign(n_schools=20, terms_pre=2, terms_post=1, effect=0.5)
    >>> bool((simulate_null(d, 5, 1).counts == simulate(replace(d, effect=1.0), 5, 1).counts).all())
    True
    """
    rng = np.random.default_rng(seed)
    shape = (reps, design.n_schools)
    median, sd_log = design.pupils
    pupils = np.rint(median * np.exp(sd_log * rng.standard_normal(shape)))
    pupils = np.maximum(pupils, 1.0)
    treated = allocate(design, reps, rng)
    sb, sw = design.sd_school, design.sd_term
    school = rng.normal(-(sb**2) / 2, sb, shape)[..., None]
    term = ar1(rng.standard_normal((*shape, design.n_terms)), design.rho_term) * sw - sw**2 / 2
    mean = pupils[..., None] * design.baseline_rate * np.exp(school + term)
    if design.sd_authority > 0 and design.strata:  # without strata there are no authorities to differ
        sa, strata = design.sd_authority, design.stratum
        extra = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(1,)))
        mean = mean * np.exp(extra.normal(-(sa**2) / 2, sa, (reps, strata.max() + 1))[:, strata, None])
    return Simulated(rng.poisson(mean).astype(float), pupils, treated, design.post, design.stratum, mean)


def with_effect(null: Simulated, effect: float, seed: int | tuple[int, ...]) -> Simulated:
    """The trials ``null`` (drawn without an effect) with the intervention's rate ratio ``effect``: each
    intervention school's count in a post term thinned (``effect`` below one: each event kept with probability
    ``effect``) or added to (above one: plus Poisson of mean ``(effect - 1)`` times the count's mean), from a
    stream of its own spawned from ``seed``. ``null`` itself when ``effect`` is 1.

    Examples
    --------
    >>> null = simulate_null(TrialDesign(n_schools=2000, n_treated=1000, terms_pre=1, terms_post=1), 2, 3)
    >>> cut, more = with_effect(null, 0.5, 3), with_effect(null, 1.5, 3)
    >>> cells = null.treated[..., None] * null.post == 1
    >>> bool((cut.counts[~cells] == null.counts[~cells]).all() and (cut.counts <= null.counts).all())
    True
    >>> [round(float(x.counts[cells].sum() / null.mean[cells].sum()), 1) for x in (cut, more)]
    [0.5, 1.5]
    """
    if effect == 1.0:
        return null
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(2,)))
    cells = (null.treated[..., None] * null.post) == 1
    counts = null.counts.copy()
    if effect < 1:
        counts[cells] = rng.binomial(null.counts[cells].astype(np.int64), effect)
    else:
        counts[cells] += rng.poisson(null.mean[cells] * (effect - 1))
    return replace(null, counts=counts)


def ar1(z: np.ndarray, rho: float) -> np.ndarray:
    """Standard normal draws along the last axis made a stationary AR(1) with lag-one correlation ``rho``
    (unit variance; ``z`` itself when ``rho`` is 0).

    Examples
    --------
    >>> x = ar1(np.random.default_rng(1).standard_normal((20000, 3)), 0.6)
    >>> np.round(np.corrcoef(x[:, 0], x[:, 1])[0, 1], 1), np.round(np.corrcoef(x[:, 0], x[:, 2])[0, 1], 2)
    (np.float64(0.6), np.float64(0.36))
    """
    if rho == 0:
        return z
    out = np.empty_like(z)
    out[..., 0] = z[..., 0]
    for t in range(1, z.shape[-1]):
        out[..., t] = rho * out[..., t - 1] + np.sqrt(1 - rho**2) * z[..., t]
    return out
