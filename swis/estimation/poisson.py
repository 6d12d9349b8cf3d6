"""Fitting the Poisson model with exposure: statsmodels' GLM (the reference engine)."""

from __future__ import annotations

import numpy as np

# only the GLM: statsmodels.api imports every model statsmodels has, a second of every kernel's start-up
from statsmodels.genmod import families
from statsmodels.genmod.generalized_linear_model import GLM

from swis.estimation.design import Design


def fit_glm(design: Design):
    """Fit the Poisson GLM of the design's counts with pupils as exposure.

    Returns
    -------
    statsmodels GLMResults
        With the default (model-based) covariance; see
        :func:`swis.estimation.inference.cluster.clustered_cov` for the
        clustered one.
    """
    d = design.rows
    model = GLM(d["count"].to_numpy(float), design.X, family=families.Poisson(), exposure=d["pupils"].to_numpy(float))
    return model.fit(maxiter=200, tol=1e-12)


def fitted_counts(design: Design, params: np.ndarray, zero: tuple[str, ...] = ()) -> np.ndarray:
    """Fitted counts of the design's rows, with the coefficients named in ``zero`` set to zero."""
    X = design.X.copy()
    for name in zero:
        if name in X:
            X[name] = 0.0
    return np.exp(X.to_numpy() @ np.asarray(params)) * design.rows["pupils"].to_numpy(float)
