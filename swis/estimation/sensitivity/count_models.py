"""The interaction under two other count models: quasi-Poisson and negative binomial (NB2).

Both keep the report's model otherwise: school and term fixed effects, pupils as the exposure, the same rows
(separation handled by :func:`swis.estimation.design.build_design`).

Quasi-Poisson
    The Poisson estimates with the variance of each count taken as :math:`\\phi \\mu`; the dispersion
    :math:`\\phi` is Pearson's :math:`\\chi^2` over the residual degrees of freedom, the model-based standard
    errors are multiplied by :math:`\\sqrt{\\phi}` and the interval uses t critical values on the residual
    degrees of freedom (as R's ``quasipoisson`` does). :math:`\\phi = 1` is the Poisson assumption.
Negative binomial (NB2)
    Variance :math:`\\mu + \\alpha \\mu^2`, :math:`\\alpha` estimated by maximum likelihood: the coefficients
    are profiled out by statsmodels' GLM at each :math:`\\alpha` and the profile likelihood maximised over
    :math:`\\log \\alpha` (this avoids the discrete model's failures when :math:`\\alpha` is near zero; the
    tests check the two agree where both converge). Standard errors come from the full observed information
    of :math:`(\\beta, \\alpha)`; when :math:`\\alpha` reaches its lower bound the data show no
    over-dispersion, the model is the Poisson one and its model-based standard errors are used.

Neither is clustered: they test the variance assumption, the clustered Poisson interval tests the independence
one.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from scipy import stats
from scipy.optimize import minimize_scalar
from statsmodels.genmod import families
from statsmodels.genmod.generalized_linear_model import GLM

from swis.estimation.design import Design
from swis.estimation.poisson import fit_glm

#: Search range of log(alpha); at the lower end the negative binomial is the Poisson model to rounding.
LOG_ALPHA_BOUNDS = (-20.0, 5.0)
#: Below this alpha the fit is taken to be at the boundary (no over-dispersion found).
ALPHA_FLOOR = 1e-6


@dataclass(frozen=True)
class CountFit:
    """One interaction under one count model.

    Attributes
    ----------
    estimate, se : float
        Log rate ratio and its standard error (NaN when not estimable).
    crit : float
        Critical value of the interval.
    dispersion : float
        Pearson's phi (quasi-Poisson) or alpha (NB2).
    note : str
    """

    estimate: float
    se: float
    crit: float
    dispersion: float
    note: str = ""

    @property
    def interval(self) -> tuple[float, float, float]:
        """Rate ratio and interval."""
        b, h = self.estimate, self.crit * self.se
        return float(np.exp(b)), float(np.exp(b - h)), float(np.exp(b + h))


def quasi_poisson(design: Design, names: list[str], level: float = 0.95) -> dict[str, CountFit]:
    """Quasi-Poisson fits of the interactions ``names`` (each present in ``design.X``).

    Examples
    --------
    >>> from swis import paths
    >>> from swis.config import load_config
    >>> from swis.data.panel import load_panel
    >>> from swis.estimation.design import build_design
    >>> cfg = load_config(paths.config_path("Stockport"))
    >>> d = build_design(load_panel(paths.PANEL, cfg).outcome("days_in_care"), cfg.reference_term,
    ...                  cfg.intervention_terms)
    >>> fit = quasi_poisson(d, ["Intervention by time"])["Intervention by time"]
    >>> fit.dispersion > 10  # a child in care adds about 90 days at once: far from Poisson
    True
    """
    fit = fit_glm(design)
    df = float(fit.df_resid)
    if df <= 0:
        return {n: CountFit(np.nan, np.nan, np.nan, np.nan, "no residual degrees of freedom") for n in names}
    phi = float(fit.pearson_chi2) / df
    crit = float(stats.t.ppf(0.5 + level / 2, df))
    note = f"Pearson dispersion on {int(df)} residual df; t({int(df)}) interval"
    return {n: CountFit(float(fit.params[n]), float(fit.bse[n]) * np.sqrt(phi), crit, phi, note) for n in names}


def _nb_glm(design: Design, alpha: float):
    d = design.rows
    family = families.NegativeBinomial(alpha=alpha)
    model = GLM(d["count"].to_numpy(float), design.X, family=family, exposure=d["pupils"].to_numpy(float))
    with warnings.catch_warnings():  # a step to a poor alpha may warn; the profile is judged by its likelihood
        warnings.simplefilter("ignore")
        return model.fit(maxiter=200, tol=1e-12)


def nb2_alpha(design: Design) -> float:
    """Maximum-likelihood alpha of the NB2 model (the coefficients profiled out)."""
    res = minimize_scalar(
        lambda la: -_nb_glm(design, float(np.exp(la))).llf,
        bounds=LOG_ALPHA_BOUNDS,
        method="bounded",
        options={"xatol": 1e-8},
    )
    return float(np.exp(res.x))


def _nb2_loglike(design: Design):
    """The NB2 log-likelihood as a function of (beta, log alpha)."""
    y = design.rows["count"].to_numpy(float)
    offset = np.log(design.rows["pupils"].to_numpy(float))
    X = design.X.to_numpy(float)

    def loglike(theta: np.ndarray) -> float:
        mu = np.exp(X @ theta[:-1] + offset)
        return float(families.NegativeBinomial(alpha=float(np.exp(theta[-1]))).loglike(y, mu))

    return loglike


def _full_cov(design: Design, params: np.ndarray, alpha: float) -> np.ndarray:
    """Inverse observed information of (beta, log alpha) at the profile's maximum (numerical second derivatives).

    The block of beta does not depend on how alpha is parametrised (the score is zero at the maximum).
    """
    from statsmodels.tools.numdiff import approx_hess3

    return np.linalg.inv(-approx_hess3(np.r_[params, np.log(alpha)], _nb2_loglike(design)))


def negative_binomial(design: Design, names: list[str], level: float = 0.95) -> dict[str, CountFit]:
    """NB2 fits of the interactions ``names``: rate ratio, normal-theory interval and alpha.

    Examples
    --------
    >>> from swis import paths
    >>> from swis.config import load_config
    >>> from swis.data.panel import load_panel
    >>> from swis.estimation.design import build_design
    >>> cfg = load_config(paths.config_path("Southampton"))
    >>> d = build_design(load_panel(paths.PANEL, cfg).outcome("days_in_care"), cfg.reference_term,
    ...                  cfg.intervention_terms)
    >>> round(negative_binomial(d, ["Intervention by time"])["Intervention by time"].dispersion, 3)
    0.296
    """
    alpha = nb2_alpha(design)
    fit = _nb_glm(design, alpha)
    crit = float(stats.norm.ppf(0.5 + level / 2))
    if alpha < ALPHA_FLOOR:
        note = "no over-dispersion found (alpha at zero): the Poisson model, model-based standard errors"
        return {n: CountFit(float(fit.params[n]), float(fit.bse[n]), crit, alpha, note) for n in names}
    cov = _full_cov(design, fit.params.to_numpy(), alpha)
    se = dict(zip(design.X.columns, np.sqrt(np.clip(np.diag(cov)[:-1], 0.0, None)), strict=True))
    note = "alpha by maximum likelihood; standard errors from the observed information, normal interval"
    return {n: CountFit(float(fit.params[n]), float(se[n]), crit, alpha, note) for n in names}
