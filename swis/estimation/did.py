"""Poisson difference-in-differences, as described in the SWIS report.

The model for the count :math:`y_{st}` of school *s* in term *t* is

.. math::

    \\log E[y_{st}] = \\log(\\text{pupils}_{st}) + \\alpha_s + \\tau_t
                     + \\sum_{p} \\delta_p \\, \\text{intervention}_s \\, 1[t = p]

with school and term fixed effects, pupils as the exposure and one
intervention-by-time interaction per intervention (post) term *p*. It is
fitted as a Poisson GLM (:mod:`swis.estimation.poisson`); standard errors
are cluster-robust by school (:mod:`swis.estimation.inference.cluster`).
Separation is handled in :mod:`swis.estimation.design`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from swis.config import Config
from swis.estimation.design import CONSTANT, INTERACTION, POOLED, Design, build_design, interaction_name
from swis.estimation.fast import fit_design
from swis.estimation.inference.cluster import CORRECTIONS, Correction, clustered_cov, small_sample_factor
from swis.estimation.poisson import fit_glm
from swis.estimation.rates import fitted_group_rates

Engine = Literal["statsmodels", "fast"]
ENGINES = ("statsmodels", "fast")
#: Inference conventions: the report's (cluster-robust, normal critical values), t with G-1 degrees of
#: freedom, randomization inference (:mod:`swis.estimation.inference.randomization`) and the score
#: bootstrap (:mod:`swis.estimation.inference.bootstrap`).
INFERENCE = ("crv1", "t", "ri", "bootstrap")

__all__ = [
    "CONSTANT",
    "CORRECTIONS",
    "INTERACTION",
    "POOLED",
    "DidResult",
    "DidSpec",
    "ENGINES",
    "INFERENCE",
    "estimate",
    "estimate_panel",
    "fitted_group_rates",
]


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
        Small-sample factor of the clustered covariance.
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
    engine : {"statsmodels", "fast"}
        Solver: statsmodels' GLM with school dummies (the reference) or the
        profiled Newton solver of :mod:`swis.estimation.fast`; they agree to
        rounding error.
    ri_engine : {"fast", "statsmodels"}
        Solver of the randomization test's refits (thousands of them): the
        fast solver by default, whose p-values equal the reference's on every
        published panel (``tests/test_randomization.py``); "statsmodels"
        refits one assignment at a time, about a hundred times slower.
    """

    reference_term: str
    post_terms: tuple[str, ...]
    correction: Correction = "stata"
    level: float = 0.95
    base_school: str | None = None
    count_set_aside_schools: bool = True
    engine: Engine = "statsmodels"
    ri_engine: Engine = "fast"

    @classmethod
    def from_config(cls, config: Config, **overrides) -> DidSpec:
        """The spec a config implies, with optional overrides."""
        base = dict(reference_term=config.reference_term, post_terms=tuple(config.intervention_terms))
        base.update(overrides)
        return cls(**base)

    @property
    def z(self) -> float:
        """Normal critical value of the intervals."""
        return float(stats.norm.ppf(0.5 + self.level / 2))


def _fit(design: Design, spec: DidSpec):
    """Fit; return (fit result, parameters, clustered covariance as a DataFrame)."""
    g = design.n_clusters if spec.count_set_aside_schools else design.rows["school"].nunique()
    if spec.engine == "fast":
        fit = fit_design(design)
        factor = small_sample_factor(spec.correction, g, *design.X.shape)
        return fit, fit.params, fit.cov_plain * factor
    fit = fit_glm(design)
    groups = pd.factorize(design.rows["school"])[0]
    cov = pd.DataFrame(clustered_cov(fit, groups, spec.correction, g), index=design.X.columns, columns=design.X.columns)
    return fit, fit.params, cov


def _row(name: str, kind: str, b: float, se: float, z: float, note: str = "") -> dict:
    ok = np.isfinite(b) and np.isfinite(se)
    return dict(
        coefficient=name,
        kind=kind,
        estimate=b,
        se=se,
        irr=np.exp(b) if ok else np.nan,
        ci_low=np.exp(b - z * se) if ok else np.nan,
        ci_high=np.exp(b + z * se) if ok else np.nan,
        p_value=2 * stats.norm.sf(abs(b / se)) if ok and se > 0 else np.nan,
        estimable=bool(ok),
        note=note,
    )


def _missing(name: str, kind: str, why: str) -> dict:
    return _row(name, kind, np.nan, np.nan, 0.0, f"not estimable: {why}")


def _coef_rows(params: pd.Series, cov: pd.DataFrame, design: Design, terms: list[str], spec: DidSpec) -> list[dict]:
    """Term effects (config order), interactions and the constant."""
    z = spec.z
    # a sandwich is positive semi-definite: a negative diagonal is rounding (a degenerate, zero variance)
    se = pd.Series(np.sqrt(np.clip(np.diag(cov), 0.0, None)), index=cov.index)
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
    out.append(
        _row(
            CONSTANT,
            "constant",
            params[CONSTANT],
            se[CONSTANT],
            z,
            "rate per pupil of the base school in the reference term",
        )
    )
    return out


def _combined_rows(params: pd.Series, cov: pd.DataFrame, design: Design, spec: DidSpec) -> list[dict]:
    """Change in intervention schools: time effect x interaction, with the joint covariance."""
    out = []
    for term in spec.post_terms:
        name = (
            "Change in intervention schools" if len(spec.post_terms) == 1 else f"Change in intervention schools: {term}"
        )
        a, b = f"term:{term}", interaction_name(term, spec.post_terms)
        if a not in params or b not in params:
            why = design.not_estimable.get(b) or design.not_estimable.get(term) or "a component is absent"
            out.append(_missing(name, "combined", why))
            continue
        var = cov.loc[a, a] + cov.loc[b, b] + 2 * cov.loc[a, b]
        out.append(
            _row(
                name,
                "combined",
                params[a] + params[b],
                float(np.sqrt(max(var, 0.0))),
                spec.z,
                f"time effect x interaction ({term} vs {spec.reference_term})",
            )
        )
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
    cov : DataFrame
        Clustered covariance of the per-post-term model.
    """

    table: pd.DataFrame
    fit: object
    design: Design
    spec: DidSpec
    cov: pd.DataFrame | None = None

    def get(self, coefficient: str) -> pd.Series:
        """The row of one coefficient."""
        return self.table.set_index("coefficient").loc[coefficient]


def _fit_rows(rows: pd.DataFrame, spec: DidSpec, terms: list[str], pooled: bool):
    design = build_design(rows, spec.reference_term, spec.post_terms, spec.base_school, pooled=pooled)
    fit, params, cov = _fit(design, spec)
    out = _coef_rows(params, cov, design, terms, spec)
    if not pooled:
        out += _combined_rows(params, cov, design, spec)
    return out, fit, design, cov


def _sized(table: pd.DataFrame, design: Design, spec: DidSpec) -> pd.DataFrame:
    """The fit's sizes and standard-error convention, as columns."""
    table["n_obs"] = len(design.rows)
    table["n_schools"] = design.rows["school"].nunique()
    table["n_set_aside"] = len(design.dropped)
    table["n_clusters"] = design.n_clusters if spec.count_set_aside_schools else table["n_schools"]
    table["se_type"] = CORRECTIONS[spec.correction]
    return table


def _add_t(table: pd.DataFrame, level: float) -> None:
    """Intervals and p-values with t(G-1) critical values, G the clusters of the standard errors."""
    df = table["n_clusters"].astype(float) - 1
    crit = stats.t.ppf(0.5 + level / 2, df)
    b, se = table["estimate"].astype(float), table["se"].astype(float)
    table["t_df"] = df.astype(int)
    with np.errstate(invalid="ignore"):
        table["t_ci_low"] = np.exp(b - crit * se)
        table["t_ci_high"] = np.exp(b + crit * se)
        table["t_p_value"] = 2 * stats.t.sf(np.abs(b / se), df)


def _merge(table: pd.DataFrame, found: list[dict], columns: tuple[str, ...]) -> None:
    """Add per-coefficient results as columns of ``table`` (written, all missing, even when none was found)."""
    frame = pd.DataFrame(found, columns=["coefficient", *columns])
    merged = table[["coefficient"]].merge(frame, on="coefficient", how="left")
    for col in columns:
        table[col] = merged[col].to_numpy()


def _add_randomization(table: pd.DataFrame, rows: pd.DataFrame, spec: DidSpec, reps: int, seed: int) -> None:
    """The randomization tests of every interaction (per-term model, and pooled with several post terms)."""
    from swis.estimation.inference import randomization

    models = [False, True] if len(spec.post_terms) > 1 else [False]
    tests = [t for m in models for t in randomization.randomization_tests(rows, spec, m, reps, seed, spec.ri_engine)]
    _merge(table, [{"coefficient": t.coefficient, **t.row()} for t in tests], randomization.COLUMNS)


def _add_bootstrap(table: pd.DataFrame, designs: list[Design], reps: int, seed: int, weights: str) -> None:
    """Score bootstrap p-value and interval of every estimable interaction."""
    from swis.estimation.inference import bootstrap

    out = []
    for design in designs:
        for name in design.interactions:
            row = table.loc[table["coefficient"].eq(name)].iloc[0]
            if row["estimable"]:
                test = bootstrap.score_bootstrap(design, name, row["estimate"], row["se"], weights, reps, seed)
                out.append({"coefficient": name, **test.row()})
    _merge(table, out, bootstrap.COLUMNS)


def estimate(
    rows: pd.DataFrame,
    spec: DidSpec,
    terms: list[str] | None = None,
    randomization: bool = False,
    reps: int = 10_000,
    seed: int = 1,
    bootstrap: bool = False,
    weights: str = "webb",
) -> DidResult:
    """Estimate the difference-in-differences model for one outcome.

    Parameters
    ----------
    rows : DataFrame
        One outcome's panel rows (``school, group, term, count, pupils``).
    spec : DidSpec
        Reference term, post terms, standard-error convention and engine.
    terms : list of str, optional
        Order of the term rows in the output (default: order of appearance).
    randomization, bootstrap : bool
        Add randomization-inference (``ri_*``) and score-bootstrap
        (``boot_*``) columns to the interaction rows.
    reps, seed, weights : int, int, {"webb", "rademacher"}
        Assignments or draws enumerated up to ``reps``, else ``reps``
        seeded draws; the bootstrap's weights.

    Returns
    -------
    DidResult
        With several post terms, one interaction per post term and, after
        them, a pooled interaction from a second fit. Every row has the
        report's interval (``ci_low, ci_high, p_value``: clustered, normal
        critical values) and one with t(G-1) ones (``t_*``, ``t_df`` = G-1).

    Examples
    --------
    >>> from swis import paths
    >>> from swis.config import load_config
    >>> from swis.data.panel import load_panel
    >>> cfg = load_config(paths.config_path("Stockport"))
    >>> res = estimate(load_panel(paths.PANEL, cfg).outcome("s17"), DidSpec.from_config(cfg), randomization=True)
    >>> row = res.get("Intervention by time")  # t(G-1): G = 4 schools; 6 assignments, 2 as extreme
    >>> round(float(row["irr"]), 2), int(row["t_df"]), round(float(row["ri_p_value"]), 3)
    (0.47, 3, 0.333)
    """
    terms = terms or list(dict.fromkeys(rows["term"].astype(str)))
    out, fit, design, cov = _fit_rows(rows, spec, terms, pooled=False)
    designs, parts = [design], [_sized(pd.DataFrame(out), design, spec)]
    if len(spec.post_terms) > 1:  # the pooled interaction, with its own fit's sizes
        pooled, _, pooled_design, _ = _fit_rows(rows, spec, terms, pooled=True)
        parts.append(_sized(pd.DataFrame([r for r in pooled if r["kind"] == "interaction"]), pooled_design, spec))
        designs.append(pooled_design)
    table = pd.concat(parts, ignore_index=True)
    _add_t(table, spec.level)
    if randomization:
        _add_randomization(table, rows, spec, reps, seed)
    if bootstrap:
        _add_bootstrap(table, designs, reps, seed, weights)
    return DidResult(table, fit, design, spec, cov)


def estimate_panel(
    panel,
    outcome: str,
    randomization: bool = False,
    reps: int = 10_000,
    seed: int = 1,
    bootstrap: bool = False,
    weights: str = "webb",
    **overrides,
) -> DidResult:
    """:func:`estimate` for one outcome of a :class:`swis.data.panel.Panel`.

    ``overrides`` are fields of :class:`DidSpec` (e.g. ``correction="none"``, ``engine="fast"``).
    """
    spec = DidSpec.from_config(panel.config, **overrides)
    res = estimate(
        panel.outcome(outcome), spec, list(panel.config.terms), randomization, reps, seed, bootstrap, weights
    )
    res.table.insert(0, "outcome", outcome)
    res.table.insert(0, "authority", panel.config.authority)
    return res
