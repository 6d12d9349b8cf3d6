"""What the pilots' own designs could tell: each pilot model simulated at its size, against the trial's effect.

A pilot design is read from the published panel: the schools and intervention schools of one authority's
model, its terms before and after the pilot, and its pupils. Simulated with the calibrated variation and
analysed as the report analysed it (cluster-robust standard errors, normal critical values), it gives the
test's real rejection rate when there is no effect and its power. The type S and type M errors (Gelman & Carlin
2014) are computed among the simulated trials in which that same test rejects, so they belong to the test whose
rejection rate they sit beside. For comparison, :func:`swis.power.retro.retrodesign` gives them for an ideal
test that knows the true spread of the estimate (labelled ``ideal``).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from swis.power.calibrate import pilot_data
from swis.power.design import TrialDesign
from swis.power.power import simulate_power
from swis.power.retro import retrodesign


def pilot_designs(outcome: str, base: TrialDesign) -> pd.DataFrame:
    """One design per authority whose panel has ``outcome``: schools, intervention schools, terms, pupils."""
    rows = []
    for config, panel in pilot_data(outcome):
        if outcome not in panel.outcomes:
            continue
        d = panel.outcome(outcome)
        first_post = min(config.terms.index(t) for t in config.intervention_terms)
        schools = d.drop_duplicates("school")
        pupils = d.groupby("school")["pupils"].mean()
        design = replace(
            base,
            n_schools=len(schools),
            n_treated=int((schools["group"] == "intervention").sum()),
            terms_pre=first_post,
            terms_post=len(config.terms) - first_post,
            strata=(),
            pupils=(float(pupils.median()), float(np.log(pupils).std(ddof=0))),
            analysis="did",
        )
        rows.append({"authority": config.authority, "outcome": outcome, "design": design})
    return pd.DataFrame(rows)


def among_rejections(estimate: np.ndarray, rejected: np.ndarray, effect: float) -> tuple[float, float]:
    """Type S rate and exaggeration ratio among the replicates whose test rejected (NaN if none did).

    Examples
    --------
    >>> est = np.log(np.array([0.5, 0.6, 1.3, 0.95]))
    >>> s, m = among_rejections(est, np.array([True, True, True, False]), 0.9)
    >>> round(s, 3), round(m, 2)
    (0.333, 4.64)
    """
    sig = rejected & np.isfinite(estimate)
    if not sig.any():
        return float("nan"), float("nan")
    truth = np.log(effect)
    wrong = np.sign(estimate[sig]) != np.sign(truth)
    return float(wrong.mean()), float(np.abs(estimate[sig]).mean() / abs(truth))


def pilot_power(
    outcome: str, base: TrialDesign, effects: dict[str, float], reps: int = 1000, seed: int = 1
) -> pd.DataFrame:
    """Rejection rate with no effect, power at each of ``effects``, and type S/M at each, per pilot design.

    Returns
    -------
    DataFrame
        ``authority, n_schools, n_treated, terms_pre, terms_post, size`` (rejection rate with no effect,
        nominally ``alpha``), and per effect name ``power_<name>``, ``type_s_<name>`` and ``exaggeration_<name>``
        (among the report's test's rejections), ``type_s_ideal_<name>`` and ``exaggeration_ideal_<name>`` (an
        ideal test with the true spread ``sd_<name>``).
    """
    out = []
    for r in pilot_designs(outcome, base).itertuples():
        d = r.design
        row = {
            "authority": r.authority,
            "n_schools": d.n_schools,
            "n_treated": d.treated_count,
            "terms_pre": d.terms_pre,
            "terms_post": d.terms_post,
            "size": simulate_power(replace(d, effect=1.0), reps, seed).power,
        }
        for name, effect in effects.items():
            res = simulate_power(replace(d, effect=effect), reps, seed)
            spread = float(np.nanstd(res.fits.estimate))
            retro = retrodesign(np.log(effect), spread, d.alpha)
            type_s, exaggeration = among_rejections(res.fits.estimate, res.rejected, effect)
            row.update(
                {
                    f"power_{name}": res.power,
                    f"type_s_{name}": type_s,
                    f"exaggeration_{name}": exaggeration,
                    f"type_s_ideal_{name}": retro.type_s,
                    f"exaggeration_ideal_{name}": retro.exaggeration,
                    f"sd_{name}": spread,
                }
            )
        out.append(row)
    return pd.DataFrame(out)
