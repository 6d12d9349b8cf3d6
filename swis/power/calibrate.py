"""Default rates and variation for a simulated trial, estimated from the pilots' published panels.

Only terms before each pilot started are used, so nothing here is affected by the intervention. For each
outcome, with every authority's schools pooled (each authority keeps its own terms):

- ``baseline_rate``: events per pupil per term, all pre-pilot counts over all pre-pilot pupil-terms;
- ``sd_term`` (school-by-term variation): the moment estimator of the squared coefficient of variation of a
  gamma (negative binomial) school-by-term effect, ``sum((y - mu)^2 - mu) / sum(mu^2)``, where ``mu`` is
  the fit of the Poisson model with school and term fixed effects to the pre-pilot terms of the authority;
- ``sd_school`` (between-school variation): the same for school totals ``Y`` against ``M``, the total a school
  would have at its authority's term rates, after removing the school-by-term part:
  ``sum((Y - M)^2 - M - sd_term^2 sum_t mu^2) / sum(M^2)``.

Squared coefficients of variation are turned into standard deviations of the log rate
(``sqrt(log(1 + cv^2))``), the scale :mod:`swis.power.simulate` draws on; negative moment estimates are
reported as zero. Uncertainty: a bootstrap of schools within authorities (seeded), percentile intervals.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from swis.config.book import pilot_panels
from swis.data.panel import load_panel

#: Bootstrap replicates of the calibration.
BOOT = 400


def pre_pilot_rows(outcome: str) -> pd.DataFrame:
    """Rows of one outcome in the terms before each authority's pilot, every authority of the book."""
    frames = []
    for config, path in pilot_panels():
        panel = load_panel(path, config)
        if outcome not in panel.outcomes:
            continue
        first_post = min(config.terms.index(t) for t in config.intervention_terms)
        pre = set(config.terms[:first_post])
        rows = panel.outcome(outcome)
        frames.append(rows[rows["term"].astype(str).isin(pre)].assign(term=lambda d: d["term"].astype(str)))
    return pd.concat(frames, ignore_index=True)[["authority", "school", "term", "count", "pupils"]]


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """num / den where both are positive, 1 elsewhere (a margin with no events stays at zero fitted)."""
    out = np.ones_like(num)
    ok = (num > 0) & (den > 0)
    out[ok] = num[ok] / den[ok]
    return out


def _fitted(rows: pd.DataFrame) -> np.ndarray:
    """Poisson fit with school and term fixed effects (no interaction), by iterative proportional fitting.

    Schools (or terms) with no events have fitted means of zero, their maximum-likelihood limit.
    """
    y, n = rows["count"].to_numpy(float), rows["pupils"].to_numpy(float)
    school = pd.factorize(rows["authority"] + "|" + rows["school"])[0]
    term = pd.factorize(rows["authority"] + "|" + rows["term"])[0]
    live = (np.bincount(school, y) > 0)[school] & (np.bincount(term, y) > 0)[term]
    mu = np.where(live, n * y.sum() / n[live].sum(), 0.0)
    for _ in range(500):  # the two margins are matched in turn; converges for these small panels
        previous = mu
        mu = mu * _ratio(np.bincount(school, y), np.bincount(school, mu))[school]
        mu = mu * _ratio(np.bincount(term, y), np.bincount(term, mu))[term]
        if np.max(np.abs(mu - previous)) < 1e-10:
            break
    return mu


def _moments(rows: pd.DataFrame) -> dict[str, float]:
    """Point estimates of the baseline rate and the two squared coefficients of variation."""
    y, n = rows["count"].to_numpy(float), rows["pupils"].to_numpy(float)
    mu = _fitted(rows)
    cv2_term = ((y - mu) ** 2 - mu).sum() / (mu**2).sum()
    key = rows["authority"] + "|" + rows["term"]
    term_rate = pd.Series(y).groupby(key.to_numpy()).sum() / pd.Series(n).groupby(key.to_numpy()).sum()
    expected = n * term_rate.reindex(key).to_numpy()
    school = (rows["authority"] + "|" + rows["school"]).to_numpy()
    g = pd.DataFrame({"Y": y, "M": expected, "mu2": mu**2}).groupby(school).sum()
    cv2_school = ((g["Y"] - g["M"]) ** 2 - g["M"] - max(cv2_term, 0) * g["mu2"]).sum() / (g["M"] ** 2).sum()
    return {"baseline_rate": float(y.sum() / n.sum()), "cv2_term": float(cv2_term), "cv2_school": float(cv2_school)}


def _as_sd(cv2: float) -> float:
    return float(np.sqrt(np.log1p(max(cv2, 0.0))))


def _bootstrap(rows: pd.DataFrame, reps: int, seed: int) -> pd.DataFrame:
    """Moment estimates on ``reps`` resamples of schools within authorities."""
    rng = np.random.default_rng(seed)
    groups = {a: [g for _, g in rows[rows["authority"] == a].groupby("school")] for a in rows["authority"].unique()}
    out = []
    for _ in range(reps):
        parts = []
        for a, schools in groups.items():
            for k, i in enumerate(rng.integers(0, len(schools), len(schools))):
                parts.append(schools[i].assign(school=f"{a}-{k}"))
        out.append(_moments(pd.concat(parts, ignore_index=True)))
    return pd.DataFrame(out)


def calibrate(outcome: str, reps: int = BOOT, seed: int = 20200501) -> pd.DataFrame:
    """Baseline rate, ``sd_school`` and ``sd_term`` of one outcome, with bootstrap 95% intervals.

    Returns
    -------
    DataFrame
        One row per parameter: ``parameter, estimate, ci_low, ci_high, n_schools, n_rows`` (with
        ``reps=0`` no bootstrap: the interval is the estimate itself).

    Examples
    --------
    >>> cal = calibrate("s47", reps=20)
    >>> cal["parameter"].tolist()
    ['baseline_rate', 'sd_school', 'sd_term']
    """
    rows = pre_pilot_rows(outcome)
    point = _moments(rows)
    boot = _bootstrap(rows, reps, seed) if reps else pd.DataFrame([point] * 1)  # reps=0: no interval
    values = {
        "baseline_rate": (point["baseline_rate"], boot["baseline_rate"]),
        "sd_school": (_as_sd(point["cv2_school"]), boot["cv2_school"].map(_as_sd)),
        "sd_term": (_as_sd(point["cv2_term"]), boot["cv2_term"].map(_as_sd)),
    }
    n_schools = (rows["authority"] + rows["school"]).nunique()
    return pd.DataFrame(
        [
            {
                "parameter": k,
                "estimate": est,
                "ci_low": float(b.quantile(0.025)),
                "ci_high": float(b.quantile(0.975)),
                "n_schools": n_schools,
                "n_rows": len(rows),
            }
            for k, (est, b) in values.items()
        ]
    )


def pupil_distribution(phase: str = "Secondary") -> tuple[float, float]:
    """Median pupils and standard deviation of log pupils of the panel's schools of one phase (label match).

    The trial randomised mainstream secondary schools, so its default pupils come from the secondary schools
    of the pilots' published tables (each school's mean over its terms and outcomes).

    Examples
    --------
    >>> median, sd_log = pupil_distribution()
    >>> median > 500, 0 < sd_log < 1
    (True, True)
    """
    frames = [load_panel(path, config).data for config, path in pilot_panels()]
    data = pd.concat(frames, ignore_index=True)
    pupils = data[data["school"].str.contains(phase, case=False)].groupby(["authority", "school"])["pupils"].mean()
    return float(pupils.median()), float(np.log(pupils).std(ddof=0))
