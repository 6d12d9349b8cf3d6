"""Cluster-robust covariance by school, with the small-sample factor chosen (``correction``).

``"stata"`` (default)
    The sandwich times G/(G-1), G the number of schools, with normal
    critical values: what Stata's ``poisson ..., vce(cluster school)``
    reports, and so the report's convention.
``"statsmodels"``
    statsmodels' own correction, G/(G-1) x (N-1)/(N-K).
``"none"``
    The plain sandwich.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

Correction = Literal["stata", "statsmodels", "none"]
CORRECTIONS: dict[str, str] = {
    "stata": "cluster-robust by school, G/(G-1) small-sample factor (Stata's vce(cluster)), normal critical values",
    "statsmodels": "cluster-robust by school, statsmodels' G/(G-1) x (N-1)/(N-K) factor, normal critical values",
    "none": "cluster-robust by school, no small-sample factor, normal critical values",
}


def small_sample_factor(correction: Correction, g: int, n: int, k: int) -> float:
    """The factor the plain sandwich is multiplied by.

    Examples
    --------
    >>> small_sample_factor("stata", 5, 35, 12)
    1.25
    >>> small_sample_factor("statsmodels", 5, 12, 12)  # no residual degrees of freedom
    nan
    """
    if correction == "none":
        return 1.0
    if g < 2 or (correction == "statsmodels" and n <= k):
        return float("nan")  # one cluster, or no residual degrees of freedom: no clustered variance
    return g / (g - 1) * ((n - 1) / (n - k) if correction == "statsmodels" else 1.0)


def clustered_cov(fit, groups: np.ndarray, correction: Correction, g: int | None = None) -> np.ndarray:
    """Cluster-robust covariance with the chosen small-sample factor.

    The sandwich is computed from the score contributions of the GLM
    (statsmodels' ``cov_type="cluster"`` without its correction) and scaled;
    ``g`` is the number of clusters in the factor (default: those in ``groups``).
    """
    res = fit.model.fit(cov_type="cluster", cov_kwds={"groups": groups, "use_correction": False})
    cov = np.asarray(res.cov_params())
    n, k = fit.model.exog.shape
    return cov * small_sample_factor(correction, g or len(np.unique(groups)), n, k)
