"""Poisson difference-in-differences, as described in the SWIS report.

The model for the count :math:`y_{st}` of school *s* in term *t* is

.. math::

    \\log E[y_{st}] = \\log(\\text{pupils}_{st}) + \\alpha_s + \\tau_t
                     + \\sum_{p} \\delta_p \\, \\text{intervention}_s \\, 1[t = p]

with school and term fixed effects, pupils as the exposure and one
intervention-by-time interaction per intervention (post) term *p*. It is
fitted as a Poisson GLM with statsmodels; standard errors are cluster-robust
by school.

Small-sample correction of the clustered covariance (``correction``):

``"stata"`` (default)
    The sandwich times G/(G-1), G the number of schools, with normal
    critical values: what Stata's ``poisson ..., vce(cluster school)``
    reports, and so the report's convention.
``"statsmodels"``
    statsmodels' own correction, G/(G-1) x (N-1)/(N-K).
``"none"``
    The plain sandwich.

Separation. A coefficient has no finite maximum-likelihood estimate when
every observation its dummy switches on has a zero count (for instance every
intervention school at zero in the post term). Such coefficients are marked
not estimable, with the reason, and the rows concerned are set aside before
fitting, as ``ppmlhdfe`` and ``pyfixest`` do; nothing like exp(-18) is
reported as a finding.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from swis.config import Config

Correction = Literal["stata", "statsmodels", "none"]
CORRECTIONS: dict[str, str] = {
    "stata": "cluster-robust by school, G/(G-1) small-sample factor (Stata's vce(cluster)), normal critical values",
    "statsmodels": "cluster-robust by school, statsmodels' G/(G-1) x (N-1)/(N-K) factor, normal critical values",
    "none": "cluster-robust by school, no small-sample factor, normal critical values",
}
INTERACTION = "Intervention by time"
POOLED = "Intervention by time (pooled)"
CONSTANT = "Constant"


@dataclass(frozen=True)
class DidSpec:
    """What to estimate.

    Parameters
    ----------
    reference_term : str
        Omitted category of the term fixed effects.
    post_terms : tuple of str
        Intervention (post) terms; one interaction each.
    correction : {"stata", "statsmodels", "none"}
        Small-sample factor of the clustered covariance (module docstring).
    level : float
        Confidence level of the intervals.
    base_school : str or None
        Omitted school of the school fixed effects (the constant is this
        school's rate in the reference term); None for the first label in
        sort order, as Stata's ``encode`` would choose.
    count_set_aside_schools : bool
        Whether G, in the G/(G-1) factor, counts schools set aside because
        their count is zero in every term. True follows Stata's ``poisson``,
        which keeps them in the estimation sample (and so the report); False
        follows ``ppmlhdfe`` and ``pyfixest``, which drop them.
    """

    reference_term: str
    post_terms: tuple[str, ...]
    correction: Correction = "stata"
    level: float = 0.95
    base_school: str | None = None
    count_set_aside_schools: bool = True

    @classmethod
    def from_config(cls, config: Config, **overrides) -> "DidSpec":
        """The spec a config implies, with optional overrides."""
        base = dict(reference_term=config.reference_term, post_terms=tuple(config.intervention_terms))
        base.update(overrides)
        return cls(**base)


@dataclass
class Design:
    """Design matrix and bookkeeping of one fit."""

    rows: pd.DataFrame
    X: pd.DataFrame
    interactions: dict[str, str]
    not_estimable: dict[str, str] = field(default_factory=dict)
    dropped: pd.DataFrame = field(default_factory=pd.DataFrame)
    n_clusters: int = 0


def interaction_name(term: str, post_terms: tuple[str, ...]) -> str:
    """Label of the interaction of one post term ("Intervention by time" if only one)."""
    return INTERACTION if len(post_terms) == 1 else f"{INTERACTION}: {term}"


def _all_zero_schools(d: pd.DataFrame) -> list[str]:
    totals = d.groupby("school", observed=True)["count"].sum()
    return sorted(totals[totals == 0].index)


def _interaction_columns(d: pd.DataFrame, post_terms: tuple[str, ...], pooled: bool) -> dict[str, pd.Series]:
    treated = d["group"].eq("intervention")
    if pooled:
        return {POOLED: (treated & d["term"].isin(post_terms)).astype(float)}
    return {interaction_name(t, post_terms): (treated & d["term"].eq(t)).astype(float) for t in post_terms}


def _separated(d: pd.DataFrame, cols: dict[str, pd.Series]) -> dict[str, str]:
    """Dummies whose switched-on rows all have zero counts (coefficient -> -inf)."""
    out = {}
    for name, col in cols.items():
        on = col.to_numpy() > 0
        if not on.any():
            out[name] = "no observation has this dummy switched on"
        elif d.loc[on, "count"].sum() == 0:
            out[name] = (f"every observation it switches on has a zero count ({int(on.sum())} rows), "
                         "so its maximum-likelihood estimate is minus infinity (separation)")
    return out


def _dummies(d: pd.DataFrame, column: str, levels: list[str], prefix: str) -> dict[str, pd.Series]:
    return {f"{prefix}{lev}": d[column].astype(str).eq(lev).astype(float) for lev in levels}


def _set_aside(d: pd.DataFrame, on: np.ndarray, reason: str, dropped: list[pd.DataFrame]) -> pd.DataFrame:
    dropped.append(d.loc[on].assign(reason=reason))
    return d.loc[~on]


def build_design(rows: pd.DataFrame, spec: DidSpec, pooled: bool = False) -> Design:
    """Design matrix with separation handled.

    Schools with zero counts in every term, and dummies whose rows are all
    zero, are set aside (recorded in ``dropped`` and ``not_estimable``),
    repeating until no separation remains.
    """
    d = rows.copy()
    d["term"] = d["term"].astype(str)
    not_estimable, dropped = {}, []
    for _ in range(10):
        zero = _all_zero_schools(d)
        for school in zero:
            not_estimable[f"school:{school}"] = "zero count in every term"
        d = _set_aside(d, d["school"].isin(zero).to_numpy(), "school with zero count in every term", dropped)
        terms = [t for t in dict.fromkeys(d["term"]) if t != spec.reference_term]
        cols = {**_dummies(d, "term", terms, "term:"), **_interaction_columns(d, spec.post_terms, pooled)}
        sep = {k: v for k, v in _separated(d, cols).items() if k not in not_estimable}
        if not sep and not zero:
            break
        for name, why in sep.items():
            not_estimable[name.removeprefix("term:")] = why
            d = _set_aside(d, cols[name].to_numpy() > 0, f"separated: {name.removeprefix('term:')}", dropped)
    schools = sorted(d["school"].unique())
    base = spec.base_school if spec.base_school in schools else schools[0]
    cols = {**_dummies(d, "term", terms, "term:"),
            **_dummies(d, "school", [s for s in schools if s != base], "school:"),
            **{k: v for k, v in _interaction_columns(d, spec.post_terms, pooled).items() if k not in not_estimable}}
    cols = {k: v for k, v in cols.items() if k.removeprefix("term:") not in not_estimable}
    X = pd.DataFrame({CONSTANT: 1.0, **cols}, index=d.index)
    interactions = {k: k for k in _interaction_columns(d, spec.post_terms, pooled)}
    gone = pd.concat(dropped) if dropped else pd.DataFrame(columns=[*rows.columns, "reason"])
    return Design(d, X, interactions, not_estimable, gone, rows["school"].nunique())


def clustered_cov(fit, groups: np.ndarray, correction: Correction, g: int | None = None) -> np.ndarray:
    """Cluster-robust covariance with the chosen small-sample factor.

    The sandwich is computed from the score contributions of the GLM
    (statsmodels' ``cov_type="cluster"`` without its correction) and scaled;
    ``g`` is the number of clusters in the factor (default: those in ``groups``).
    """
    res = fit.model.fit(cov_type="cluster", cov_kwds={"groups": groups, "use_correction": False})
    cov = np.asarray(res.cov_params())
    g = g or len(np.unique(groups))
    n, k = fit.model.exog.shape
    factor = {"stata": g / (g - 1),
              "statsmodels": g / (g - 1) * (n - 1) / (n - k),
              "none": 1.0}[correction]
    return cov * factor


def fit_design(design: Design, spec: DidSpec):
    """Fit the Poisson GLM; return (statsmodels result, parameters, covariance)."""
    d = design.rows
    model = sm.GLM(d["count"].to_numpy(float), design.X, family=sm.families.Poisson(),
                   exposure=d["pupils"].to_numpy(float))
    fit = model.fit(maxiter=200, tol=1e-12)
    groups = pd.factorize(d["school"])[0]
    g = design.n_clusters if spec.count_set_aside_schools else None
    cov = pd.DataFrame(clustered_cov(fit, groups, spec.correction, g), index=design.X.columns,
                       columns=design.X.columns)
    return fit, fit.params, cov


def _row(name: str, kind: str, b: float, se: float, z: float, note: str = "") -> dict:
    ok = np.isfinite(b) and np.isfinite(se)
    return dict(coefficient=name, kind=kind, estimate=b, se=se,
                irr=np.exp(b) if ok else np.nan,
                ci_low=np.exp(b - z * se) if ok else np.nan,
                ci_high=np.exp(b + z * se) if ok else np.nan,
                p_value=2 * stats.norm.sf(abs(b / se)) if ok and se > 0 else np.nan,
                estimable=bool(ok), note=note)


def _missing(name: str, kind: str, why: str) -> dict:
    return _row(name, kind, np.nan, np.nan, 0.0, f"not estimable: {why}")


def _coef_rows(params: pd.Series, cov: pd.DataFrame, design: Design, terms: list[str],
               spec: DidSpec) -> list[dict]:
    """Term effects (config order), interactions and the constant."""
    z = stats.norm.ppf(0.5 + spec.level / 2)
    se = np.sqrt(np.diag(cov))
    se = pd.Series(se, index=cov.index)
    out = []
    for t in terms:
        key = f"term:{t}"
        if t == spec.reference_term:
            out.append(dict(_row(t, "reference", 0.0, np.nan, z, "reference category"), irr=1.0, estimable=True))
        elif key in params:
            out.append(_row(t, "term", params[key], se[key], z))
        else:
            out.append(_missing(t, "term", design.not_estimable.get(t, "term absent from the data")))
    for name in design.interactions:
        if name in params:
            out.append(_row(name, "interaction", params[name], se[name], z))
        else:
            out.append(_missing(name, "interaction", design.not_estimable.get(name, "absent")))
    out.append(_row(CONSTANT, "constant", params[CONSTANT], se[CONSTANT], z,
                    "rate per pupil of the base school in the reference term"))
    return out


def _combined_rows(params: pd.Series, cov: pd.DataFrame, design: Design, spec: DidSpec) -> list[dict]:
    """Change in intervention schools: time effect x interaction, with the joint covariance."""
    z = stats.norm.ppf(0.5 + spec.level / 2)
    out = []
    for term in spec.post_terms:
        name = f"Change in intervention schools: {term}" if len(spec.post_terms) > 1 else \
            "Change in intervention schools"
        a, b = f"term:{term}", interaction_name(term, spec.post_terms)
        if a not in params or b not in params:
            why = design.not_estimable.get(b) or design.not_estimable.get(term) or "a component is absent"
            out.append(_missing(name, "combined", why))
            continue
        var = cov.loc[a, a] + cov.loc[b, b] + 2 * cov.loc[a, b]
        out.append(_row(name, "combined", params[a] + params[b], float(np.sqrt(var)), z,
                        f"time effect x interaction ({term} vs {spec.reference_term})"))
    return out


@dataclass
class DidResult:
    """One outcome's estimates.

    Attributes
    ----------
    table : DataFrame
        Tidy estimates: ``outcome, coefficient, kind, estimate, se, irr,
        ci_low, ci_high, p_value, estimable, note`` plus the fit's sizes and
        the standard-error convention.
    fit : statsmodels GLMResults
        The per-post-term model.
    design : Design
        Rows used, rows set aside and the reasons.
    spec : DidSpec
    """

    table: pd.DataFrame
    fit: object
    design: Design
    spec: DidSpec

    def get(self, coefficient: str) -> pd.Series:
        """The row of one coefficient."""
        return self.table.set_index("coefficient").loc[coefficient]


def _fit_rows(rows: pd.DataFrame, spec: DidSpec, terms: list[str], pooled: bool):
    design = build_design(rows, spec, pooled=pooled)
    fit, params, cov = fit_design(design, spec)
    out = _coef_rows(params, cov, design, terms, spec)
    if not pooled:
        out += _combined_rows(params, cov, design, spec)
    return out, fit, design


def estimate(rows: pd.DataFrame, spec: DidSpec, terms: list[str] | None = None) -> DidResult:
    """Estimate the difference-in-differences model for one outcome.

    Parameters
    ----------
    rows : DataFrame
        One outcome's panel rows (``school, group, term, count, pupils``).
    spec : DidSpec
        Reference term, post terms and standard-error convention.
    terms : list of str, optional
        Order of the term rows in the output (default: order of appearance).

    Returns
    -------
    DidResult
        With several post terms, one interaction per post term and, after
        them, a pooled interaction from a second fit.

    Examples
    --------
    >>> from swis import paths
    >>> from swis.config import load_config
    >>> from swis.data import load_panel
    >>> cfg = load_config(paths.config_path("Stockport"))
    >>> panel = load_panel(paths.PANEL, cfg)
    >>> res = estimate(panel.outcome("s17"), DidSpec.from_config(cfg))
    >>> round(res.get("Intervention by time")["irr"], 2)
    0.47
    """
    terms = terms or list(dict.fromkeys(rows["term"].astype(str)))
    out, fit, design = _fit_rows(rows, spec, terms, pooled=False)
    if len(spec.post_terms) > 1:
        pooled, _, _ = _fit_rows(rows, spec, terms, pooled=True)
        out += [r for r in pooled if r["kind"] == "interaction"]
    table = pd.DataFrame(out)
    table["n_obs"] = len(design.rows)
    table["n_schools"] = design.rows["school"].nunique()
    table["n_set_aside"] = len(design.dropped)
    table["n_clusters"] = design.n_clusters if spec.count_set_aside_schools else table["n_schools"]
    table["se_type"] = CORRECTIONS[spec.correction]
    return DidResult(table, fit, design, spec)


def estimate_panel(panel, outcome: str, **overrides) -> DidResult:
    """:func:`estimate` for one outcome of a :class:`swis.data.Panel`."""
    spec = DidSpec.from_config(panel.config, **overrides)
    res = estimate(panel.outcome(outcome), spec, terms=list(panel.config.terms))
    res.table.insert(0, "outcome", outcome)
    res.table.insert(0, "authority", panel.config.authority)
    return res
