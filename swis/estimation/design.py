"""Design matrices of the difference-in-differences model, with separation handled.

Separation. A coefficient has no finite maximum-likelihood estimate when
every observation its dummy switches on has a zero count (for instance every
intervention school at zero in the post term). Such coefficients are marked
not estimable, with the reason, and the rows concerned are set aside before
fitting, as ``ppmlhdfe`` and ``pyfixest`` do; nothing like exp(-18) is
reported as a finding.

Beyond those named cases, separation is found by its definition (Correia,
Guimarães & Zylkin 2019, the ``ppmlhdfe`` separation primer): rows with a zero
count are separated when some combination z = X g of the regressors is zero
on every row with a positive count, at most zero on every row with a zero
count, and negative on them. A linear programme (:func:`separated_rows`,
scipy's HiGHS) finds every such row, whatever the pattern (all comparison
schools at zero after the pilot, all intervention schools at zero before it,
and any other). They are set aside; a coefficient that the remaining rows no
longer identify (its column zero, or a combination of the columns before it)
is reported as not estimable, with the zero counts that caused it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.optimize import linprog

INTERACTION = "Intervention by time"
POOLED = "Intervention by time (pooled)"
CONSTANT = "Constant"
#: Why a school with no event in any term is set aside (it is fitted at zero).
ALL_ZERO_REASON = "school with zero count in every term"
#: Passes of setting aside all-zero schools and separated dummies before giving up.
MAX_PASSES = 10


@dataclass
class Design:
    """Design matrix and bookkeeping of one fit.

    Attributes
    ----------
    rows : DataFrame
        The rows fitted.
    X : DataFrame
        Constant, term dummies, school dummies and interaction(s).
    interactions : dict
        The interaction columns the model asked for (fitted or not).
    not_estimable : dict
        Coefficient (or ``school:<label>``) -> why it cannot be estimated.
    dropped : DataFrame
        Rows set aside, with the ``reason``.
    n_clusters : int
        Schools in the data, including those set aside.
    """

    rows: pd.DataFrame
    X: pd.DataFrame
    interactions: dict[str, str]
    not_estimable: dict[str, str] = field(default_factory=dict)
    dropped: pd.DataFrame = field(default_factory=pd.DataFrame)
    n_clusters: int = 0


def interaction_name(term: str, post_terms: tuple[str, ...]) -> str:
    """Label of the interaction of one post term ("Intervention by time" if only one).

    Examples
    --------
    >>> interaction_name("T3", ("T3",)), interaction_name("T3", ("T3", "T4"))
    ('Intervention by time', 'Intervention by time: T3')
    """
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
            out[name] = (
                f"every observation it switches on has a zero count ({int(on.sum())} rows), "
                "so its maximum-likelihood estimate is minus infinity (separation)"
            )
    return out


def _dummies(d: pd.DataFrame, column: str, levels: list[str], prefix: str) -> dict[str, pd.Series]:
    return {f"{prefix}{lev}": d[column].astype(str).eq(lev).astype(float) for lev in levels}


def _set_aside(d: pd.DataFrame, on: np.ndarray, reason: str, dropped: list[pd.DataFrame]) -> pd.DataFrame:
    dropped.append(d.loc[on].assign(reason=reason))
    return d.loc[~on]


def separated_rows(X: np.ndarray, y: np.ndarray, tol: float = 1e-7) -> np.ndarray:
    """Rows separated by some combination of the regressors (a boolean mask; every one has a zero count).

    Solves: minimise the sum of z_i over the zero-count rows, for z = X g, subject to z = 0 on
    positive-count rows and -1 <= z <= 0 on zero-count rows; the rows with z < 0 are separated. Repeated on
    the rows left until it finds none, so that no certificate is missed for another's bound.

    Examples
    --------
    Two schools (constant, school b's dummy); school a has counts, school b has none: b's rows are separated.

    >>> X = np.array([[1.0, 0.0], [1.0, 0.0], [1.0, 1.0], [1.0, 1.0]])
    >>> separated_rows(X, np.array([3.0, 1.0, 0.0, 0.0])).tolist()
    [False, False, True, True]
    """
    out = np.zeros(len(y), bool)
    while True:
        live = ~out
        zero = live & (y == 0)
        if not zero.any():
            return out
        xz, xp = X[zero], X[live & (y > 0)]
        res = linprog(
            xz.sum(0),
            A_ub=np.vstack([xz, -xz]),
            b_ub=np.r_[np.zeros(len(xz)), np.ones(len(xz))],
            A_eq=xp if len(xp) else None,
            b_eq=np.zeros(len(xp)) if len(xp) else None,
            bounds=(None, None),
            method="highs",
        )
        found = np.flatnonzero(zero)[(xz @ res.x) < -tol] if res.status == 0 else []
        if not len(found):
            return out
        out[found] = True


def _describe(rows: pd.DataFrame) -> str:
    """The zero counts behind a separation, by group and term (e.g. 'control schools in T3: 4 rows')."""
    parts = rows.groupby(["group", "term"], observed=True).size()
    return "; ".join(f"{g} schools in {t}: {n} rows, all zero" for (g, t), n in parts.items())


def _remove_separation(d: pd.DataFrame, reference_term: str, post_terms: tuple[str, ...], pooled: bool):
    """Set aside all-zero schools and separated dummies until none remain; return rows, reasons, set-aside rows."""
    not_estimable, dropped = {}, []
    for _ in range(MAX_PASSES):
        zero = _all_zero_schools(d)
        for school in zero:
            not_estimable[f"school:{school}"] = "zero count in every term"
        d = _set_aside(d, d["school"].isin(zero).to_numpy(), ALL_ZERO_REASON, dropped)
        terms = [t for t in dict.fromkeys(d["term"]) if t != reference_term]
        cols = {**_dummies(d, "term", terms, "term:"), **_interaction_columns(d, post_terms, pooled)}
        sep = {k: v for k, v in _separated(d, cols).items() if k not in not_estimable}
        if not sep and not zero:
            break
        for name, why in sep.items():
            not_estimable[name.removeprefix("term:")] = why
            on = cols[name].reindex(d.index, fill_value=0.0).to_numpy() > 0  # d shrinks as dummies go
            d = _set_aside(d, on, f"separated: {name.removeprefix('term:')}", dropped)
    return d, not_estimable, dropped


def build_design(
    rows: pd.DataFrame,
    reference_term: str,
    post_terms: tuple[str, ...],
    base_school: str | None = None,
    pooled: bool = False,
) -> Design:
    """Design matrix with separation handled.

    Schools with zero counts in every term, and dummies whose rows are all
    zero, are set aside (recorded in ``dropped`` and ``not_estimable``),
    repeating until no separation remains.

    Parameters
    ----------
    rows : DataFrame
        One outcome's rows: ``school, group, term, count, pupils``.
    reference_term : str
        Omitted category of the term fixed effects.
    post_terms : tuple of str
        Intervention terms: one interaction each, or one pooled interaction.
    base_school : str, optional
        Omitted school (default: the first label in sort order).
    pooled : bool
        One interaction for all post terms together.
    """
    d = rows.copy()
    d["term"] = d["term"].astype(str)
    not_estimable, dropped, by_lp = {}, [], []
    for _ in range(MAX_PASSES):
        d, found, gone = _remove_separation(d, reference_term, post_terms, pooled)
        not_estimable.update(found)
        dropped += gone
        X, inter = _columns(d, reference_term, post_terms, base_school, pooled, not_estimable)
        sep = separated_rows(X.to_numpy(), d["count"].to_numpy(float))
        if not sep.any():
            break
        by_lp.append(d.loc[sep])
        d = _set_aside(d, sep, f"separated: {_describe(d.loc[sep])}", dropped)
    if by_lp:
        why = f"not identified once the separated rows are set aside (separation; {_describe(pd.concat(by_lp))})"
        for name in _unidentified(X):
            not_estimable[name.removeprefix("term:")] = why
        X = X.drop(columns=_unidentified(X))
    gone = pd.concat(dropped) if dropped else pd.DataFrame(columns=[*rows.columns, "reason"])
    return Design(d, X, {k: k for k in inter}, not_estimable, gone, rows["school"].nunique())


def _columns(d, reference_term, post_terms, base_school, pooled, not_estimable):
    """The design matrix of rows ``d`` without the columns already known not estimable; the interactions asked."""
    terms = [t for t in dict.fromkeys(d["term"]) if t != reference_term]
    schools = sorted(d["school"].unique())
    base = base_school if base_school in schools else schools[0]
    inter = _interaction_columns(d, post_terms, pooled)
    cols = {
        **_dummies(d, "term", terms, "term:"),
        **_dummies(d, "school", [s for s in schools if s != base], "school:"),
        **{k: v for k, v in inter.items() if k not in not_estimable},
    }
    cols = {k: v for k, v in cols.items() if k.removeprefix("term:") not in not_estimable}
    return pd.DataFrame({CONSTANT: 1.0, **cols}, index=d.index), inter


def _unidentified(X: pd.DataFrame) -> list[str]:
    """Columns that are zero, or a combination of the columns before them.

    Taken in the order constant, schools, terms, interactions: every school keeps its own effect (the fast
    solver profiles them out), and what the remaining rows cannot tell apart falls on a term or an interaction.
    """
    order = sorted(X.columns, key=lambda c: (c != CONSTANT, not c.startswith("school:"), c.startswith("Interv")))
    out, kept = [], np.zeros((len(X), 0))
    for name in order:
        col = X[name].to_numpy()[:, None]
        trial = np.hstack([kept, col])
        if not col.any() or np.linalg.matrix_rank(trial) < trial.shape[1]:
            out.append(name)
        else:
            kept = trial
    return out
