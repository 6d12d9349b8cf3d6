"""Randomization inference for the difference-in-differences interaction: the treated label permuted.

Under the sharp null that the pilot changed no school's counts, every assignment of the same number of treated
schools among the model's schools was as likely to have produced the data as the one observed (the schools were
chosen, not randomised, so this is a design-based reference distribution, not a literal re-randomisation). The
model is refitted under each assignment and the observed interaction compared with the refits: the two-sided
p-value is the share of assignments whose interaction is at least as far from zero as the observed one, for
the coefficient and for its t-statistic (the coefficient over its cluster-robust standard error). With G
schools and G1 treated there are C(G, G1) assignments, so the smallest p-value the design allows is about
1 / C(G, G1): 1/3 for one treated school among three, whatever the data.

The model's schools are every school of the outcome's rows, including any set aside for having no event in
any term (such a school contributes nothing to the fit, but it holds a label to permute). Up to ``reps``
assignments every one is enumerated (exact); beyond, ``reps`` assignments are drawn at random with the given
seed (Monte Carlo), the p-value is (1 + the draws at least as extreme) / (1 + reps), and its Monte Carlo
standard error is reported.

Separation rule. Under some assignments an interaction has no finite estimate: every row its dummy switches
on has a zero count (or none is switched on), or the fit runs off to infinity (a coefficient beyond
:data:`swis.estimation.fast.MAX_COEFFICIENT` on the log scale, or no convergence). The coefficient's limit is
then minus (or plus) infinity, further from zero than any finite value, so such an assignment is counted as
at least as extreme as the observed one, for the coefficient and, since a t-statistic has no useful limit
there, for the t-statistic too (the conservative choice). If any interaction of a model is separated, the
assignment counts as separated for each of the model's interactions. If the observed interaction is itself
separated, its p-value is the share of assignments that are separated too. The number of separated
assignments is reported beside every p-value.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from itertools import combinations
from math import comb

import numpy as np
import pandas as pd

from swis.estimation.design import POOLED, interaction_name
from swis.estimation.fast import MAX_COEFFICIENT, Rows, fit_batch
from swis.estimation.inference.cluster import small_sample_factor

#: Relative tolerance under which two statistics count as equal (a tie is at least as extreme).
TIE = 1e-9
ENGINES = ("fast", "statsmodels")
#: The columns of a randomization test in ``swis did``'s output.
COLUMNS = (
    "ri_p_value",
    "ri_p_value_t",
    "ri_min_p",
    "ri_n_assignments",
    "ri_n_separated",
    "ri_method",
    "ri_mc_se",
    "ri_mc_se_t",
)


@dataclass(frozen=True)
class RandomizationTest:
    """The randomization distribution of one interaction, and its p-values.

    Attributes
    ----------
    coefficient : str
    estimate, t : float
        Observed coefficient and t-statistic (NaN if the observed model is separated).
    p_value, p_value_t : float
        Two-sided randomization p-values of the coefficient and of its t-statistic.
    min_p : float
        Smallest p-value any assignment could have given (exact); 1 / C(G, G1) when sampled.
    n_assignments : int
        Assignments evaluated (all of them when exact; the draws when sampled).
    n_possible : int
        C(G, G1).
    n_separated : int
        Assignments evaluated whose model is separated (see the module's rule).
    method : str
        ``"exact"`` or ``"monte carlo"``.
    mc_se, mc_se_t : float
        Monte Carlo standard errors of the p-values (0 when exact).
    draws, draws_t : ndarray
        The statistic under each assignment evaluated (+/- inf where separated).
    """

    coefficient: str
    estimate: float
    t: float
    p_value: float
    p_value_t: float
    min_p: float
    n_assignments: int
    n_possible: int
    n_separated: int
    method: str
    mc_se: float
    mc_se_t: float
    draws: np.ndarray = field(repr=False)
    draws_t: np.ndarray = field(repr=False)

    def row(self) -> dict:
        """The columns ``swis did`` writes (:data:`COLUMNS`)."""
        values = (self.p_value, self.p_value_t, self.min_p, self.n_assignments, self.n_separated, self.method)
        return dict(zip(COLUMNS, (*values, self.mc_se, self.mc_se_t), strict=True))


def _unseparated_rows(rows: pd.DataFrame, reference_term: str) -> pd.DataFrame:
    """Rows fitted under every assignment: schools and non-reference terms with no event at all set aside."""
    d = rows
    while True:
        school_total = d.groupby("school")["count"].transform("sum")
        term_total = d.groupby("term")["count"].transform("sum")
        keep = (school_total > 0) & ((term_total > 0) | d["term"].eq(reference_term))
        if keep.all():
            return d
        d = d.loc[keep]


def assignments(n_schools: int, n_treated: int, reps: int, seed: int) -> tuple[np.ndarray, str]:
    """Boolean assignments (A, G): every one if C(G, G1) <= reps, else ``reps`` random draws.

    Examples
    --------
    >>> a, how = assignments(3, 1, 100, seed=1)
    >>> a.astype(int).tolist(), how
    ([[1, 0, 0], [0, 1, 0], [0, 0, 1]], 'exact')
    """
    if comb(n_schools, n_treated) <= reps:
        out = np.zeros((comb(n_schools, n_treated), n_schools), bool)
        for i, chosen in enumerate(combinations(range(n_schools), n_treated)):
            out[i, list(chosen)] = True
        return out, "exact"
    rng = np.random.default_rng(seed)
    keys = rng.random((reps, n_schools))
    ranks = keys.argsort(1).argsort(1)
    return ranks < n_treated, "monte carlo"


def _design_arrays(d: pd.DataFrame, reference_term: str, post_terms: tuple[str, ...], pooled: bool):
    """Rows, shared term dummies (n, T-1) and post indicators (n, P), in the sorted order of :class:`Rows`."""
    rows = Rows.from_frame(d)
    terms = [t for t in dict.fromkeys(d["term"]) if t != reference_term]
    term = d["term"].to_numpy()[rows.order]
    dummies = np.stack([term == t for t in terms], axis=1).astype(float) if terms else np.zeros((len(term), 0))
    if pooled:
        post = np.isin(term, post_terms)[:, None].astype(float)
        names = [POOLED]
    else:
        post = np.stack([term == t for t in post_terms], axis=1).astype(float)
        names = [interaction_name(t, post_terms) for t in post_terms]
    return rows, dummies, post, names


def _fast_stats(d, spec, pooled, treated_rows, g):
    """Interactions and t-statistics (A, P), and which assignments are separated, by the fast solver."""
    rows, dummies, post, names = _design_arrays(d, spec.reference_term, spec.post_terms, pooled)
    inter = treated_rows[:, rows.order, None] * post[None]  # (A, n, P)
    separated = ((inter * rows.y[None, :, None]).sum(1) == 0).any(1)
    b = np.full((len(treated_rows), len(names)), np.nan)
    se = np.full_like(b, np.nan)
    todo = np.flatnonzero(~separated)
    if len(todo):
        X = np.concatenate([np.broadcast_to(dummies, (len(todo), *dummies.shape)), inter[todo]], axis=2)
        fit = fit_batch(rows, X)
        n, k = X.shape[1], X.shape[2] + rows.n_schools
        var = np.diagonal(fit.cov(small_sample_factor(spec.correction, g, n, k)), axis1=1, axis2=2)
        b[todo] = fit.beta[:, -len(names) :]
        se[todo] = np.sqrt(var[:, -len(names) :])
        separated[todo[~fit.ok]] = True
    return names, b, se, separated


def _reference_stats(rows, spec, pooled, treated_schools, schools):
    """The same by statsmodels' GLM and the design's own separation rules, one assignment at a time (slow)."""
    from swis.estimation.design import build_design
    from swis.estimation.did import _fit

    out_b, out_se, sep, names = [], [], [], None
    for flags in treated_schools:
        group = pd.Series(np.where(flags, "intervention", "control"), index=schools)
        relabelled = rows.assign(group=rows["school"].map(group))
        design = build_design(relabelled, spec.reference_term, spec.post_terms, spec.base_school, pooled=pooled)
        names = list(design.interactions)
        if any(n in design.not_estimable for n in names):
            out_b.append([np.nan] * len(names)), out_se.append([np.nan] * len(names)), sep.append(True)
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a fit running off to infinity warns; it is caught just below
            _, params, cov = _fit(design, spec)
        b = params[names].to_numpy(float)
        slopes = params[[c for c in params.index if c.startswith("term:")] + names].to_numpy(float)
        out_b.append(b), out_se.append(np.sqrt(np.diag(cov.loc[names, names])))
        sep.append(bool(np.abs(slopes).max() >= MAX_COEFFICIENT))
    return names, np.array(out_b), np.array(out_se), np.array(sep)


def _p_values(stat: np.ndarray, separated: np.ndarray, observed: int | None, method: str) -> tuple[float, float]:
    """Two-sided p-value of the statistic of assignment ``observed`` (index) and its Monte Carlo SE."""
    mag = np.where(separated, np.inf, np.abs(stat))
    obs = mag[observed]
    extreme = mag >= obs * (1 - TIE) if np.isfinite(obs) else ~np.isfinite(mag)
    if method == "exact":
        return float(extreme.mean()), 0.0
    draws = np.delete(extreme, observed)
    p = (1 + draws.sum()) / (1 + len(draws))
    return float(p), float(np.sqrt(p * (1 - p) / len(draws)))


def _min_p(stat: np.ndarray, separated: np.ndarray) -> float:
    """Smallest p-value over every assignment taken as the observed one (ties at the maximum share it)."""
    mag = np.where(separated, np.inf, np.abs(stat))
    top = mag.max()
    return float((mag >= top * (1 - TIE)).mean()) if np.isfinite(top) else float(np.isinf(mag).mean())


def randomization_tests(
    rows: pd.DataFrame,
    spec,
    pooled: bool = False,
    reps: int = 10_000,
    seed: int = 1,
    engine: str = "fast",
) -> list[RandomizationTest]:
    """Randomization tests of each interaction of a model (see the module docstring for the rules).

    Parameters
    ----------
    rows : DataFrame
        One outcome's panel rows: ``school, group, term, count, pupils``.
    spec : swis.estimation.did.DidSpec
        Reference and post terms, and the standard-error convention of the t-statistic.
    pooled : bool
        The model with one interaction for every post term together.
    reps, seed : int
        Every assignment enumerated if there are at most ``reps``; else ``reps`` draws from ``seed``.
    engine : {"fast", "statsmodels"}
        Refits by the batched fast solver, or by statsmodels' GLM one at a time (the reference; slow).

    Returns
    -------
    list of RandomizationTest, one per interaction, in the model's order.

    Examples
    --------
    One treated school among three can never give a p-value below 1/3:

    >>> from swis import paths
    >>> from swis.config import load_config
    >>> from swis.data.panel import load_panel
    >>> from swis.estimation.did import DidSpec
    >>> cfg = load_config(paths.config_path("Southampton"))
    >>> (test,) = randomization_tests(load_panel(paths.PANEL, cfg).outcome("s47"), DidSpec.from_config(cfg))
    >>> test.method, test.n_assignments, round(test.min_p, 4), test.p_value >= 1 / 3
    ('exact', 3, 0.3333, True)
    """
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, not {engine!r}")
    d = rows.assign(term=rows["term"].astype(str), count=rows["count"].astype(float))
    schools = np.array(sorted(d["school"].unique()))
    observed_flags = d.groupby("school")["group"].first().reindex(schools).eq("intervention").to_numpy()
    with_events = d.loc[d.groupby("school")["count"].transform("sum") > 0, "school"].nunique()
    g = len(schools) if spec.count_set_aside_schools else with_events
    drawn, method = assignments(len(schools), int(observed_flags.sum()), reps, seed)
    if method == "exact":
        observed = int(np.flatnonzero((drawn == observed_flags).all(1))[0])
    else:
        drawn, observed = np.vstack([observed_flags, drawn]), 0
    if engine == "fast":
        fitted = _unseparated_rows(d, spec.reference_term)
        where = pd.Series(np.arange(len(schools)), index=schools)[fitted["school"]].to_numpy()
        names, b, se, separated = _fast_stats(fitted, spec, pooled, drawn[:, where].astype(float), g)
    else:
        names, b, se, separated = _reference_stats(d, spec, pooled, drawn, schools)
    return _summarise(names, b, se, separated, observed, method, comb(len(schools), int(observed_flags.sum())))


def _summarise(names, b, se, separated, observed: int, method: str, n_possible: int) -> list[RandomizationTest]:
    """One test per interaction from the statistics under every assignment evaluated."""
    with np.errstate(invalid="ignore", divide="ignore"):
        t = b / se
    evaluated = separated if method == "exact" else np.delete(separated, observed)
    out = []
    for j, name in enumerate(names):
        p, mc = _p_values(b[:, j], separated, observed, method)
        pt, mct = _p_values(t[:, j], separated, observed, method)
        out.append(
            RandomizationTest(
                coefficient=name,
                estimate=float(b[observed, j]),
                t=float(t[observed, j]),
                p_value=p,
                p_value_t=pt,
                min_p=_min_p(b[:, j], separated) if method == "exact" else 1 / n_possible,
                n_assignments=len(evaluated),
                n_possible=n_possible,
                n_separated=int(evaluated.sum()),
                method=method,
                mc_se=mc,
                mc_se_t=mct,
                draws=np.where(separated, -np.inf, b[:, j]),
                draws_t=np.where(separated, -np.inf, t[:, j]),
            )
        )
    return out
