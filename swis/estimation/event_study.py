"""Event study: the intervention schools' difference from the comparison schools, term by term.

The difference-in-differences model with one interaction per term instead of one for the pilot: intervention
x each term other than the reference, with the same school and term effects, exposure and clustered standard
errors (:mod:`swis.estimation.did`). Before the pilot the interactions should be near one (rate ratio) if the
two groups moved together; the joint test of the pre-pilot interactions uses the clustered Wald statistic
divided by their number, referred to F(q, G-1) rather than chi-squared, since with G schools the clustered
covariance has at most G-1 degrees of freedom (the usual small-cluster adjustment; still approximate with
three schools).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from swis.estimation.design import build_design, interaction_name
from swis.estimation.did import DidSpec, _fit


@dataclass(frozen=True)
class EventStudy:
    """Per-term interactions and the joint pre-trend test.

    Attributes
    ----------
    table : DataFrame
        ``term, period ("before"/"pilot"/"reference"), irr, t_ci_low, t_ci_high, estimable, note``.
    pretrend_f, pretrend_p : float
        F statistic and p-value of "every pre-pilot interaction is zero"; NaN without an estimable pre-pilot
        interaction, or with more of them (q) than G-1, the most a clustered covariance of G schools can test.
    pretrend_df : tuple of int
        (q, G - 1).
    """

    table: pd.DataFrame
    pretrend_f: float
    pretrend_p: float
    pretrend_df: tuple[int, int]


def event_study(rows: pd.DataFrame, spec: DidSpec, terms: list[str]) -> EventStudy:
    """Fit the event-study model of one outcome.

    Parameters
    ----------
    rows : DataFrame
        One outcome's rows (``school, group, term, count, pupils``).
    spec : DidSpec
        Reference and post terms, standard-error convention and engine.
    terms : list of str
        Every term in calendar order.

    Examples
    --------
    >>> from swis import paths
    >>> from swis.config import load_config
    >>> from swis.data.panel import load_panel
    >>> cfg = load_config(paths.config_path("Stockport"))
    >>> es = event_study(load_panel(paths.PANEL, cfg).outcome("s17"), DidSpec.from_config(cfg), list(cfg.terms))
    >>> es.table["period"].tolist(), es.pretrend_df
    (['before', 'reference', 'pilot'], (1, 3))
    """
    others = tuple(t for t in terms if t != spec.reference_term)
    design = build_design(rows, spec.reference_term, others, spec.base_school)
    _, params, cov = _fit(design, spec)
    g = design.n_clusters if spec.count_set_aside_schools else design.rows["school"].nunique()
    crit = stats.t.ppf(0.5 + spec.level / 2, g - 1)
    out, pre = [], []
    for term in terms:
        period = "reference" if term == spec.reference_term else "pilot" if term in spec.post_terms else "before"
        name = interaction_name(term, others)
        if period == "reference":
            out.append(dict(term=term, period=period, irr=1.0, t_ci_low=np.nan, t_ci_high=np.nan, estimable=True))
            continue
        if name not in params:
            why = design.not_estimable.get(name, "absent")
            out.append(dict(term=term, period=period, irr=np.nan, t_ci_low=np.nan, t_ci_high=np.nan, estimable=False))
            out[-1]["note"] = f"not estimable: {why}"
            continue
        b, se = float(params[name]), float(np.sqrt(max(cov.loc[name, name], 0.0)))
        out.append(
            dict(
                term=term,
                period=period,
                irr=np.exp(b),
                t_ci_low=np.exp(b - crit * se),
                t_ci_high=np.exp(b + crit * se),
                estimable=True,
            )
        )
        if period == "before":
            pre.append(name)
    table = pd.DataFrame(out).reindex(columns=["term", "period", "irr", "t_ci_low", "t_ci_high", "estimable", "note"])
    f, p = _joint(params, cov, pre, g)
    return EventStudy(table, f, p, (len(pre), g - 1))


def _joint(params: pd.Series, cov: pd.DataFrame, names: list[str], g: int) -> tuple[float, float]:
    """Clustered Wald test of ``names`` all zero, as F(q, G-1)."""
    if not names or len(names) > g - 1:
        return np.nan, np.nan  # G schools' clustered covariance has rank at most G-1: no joint test of more
    b = params[names].to_numpy(float)
    v = cov.loc[names, names].to_numpy(float)
    wald = float(b @ np.linalg.pinv(v) @ b)
    f = wald / len(names)
    return f, float(stats.f.sf(f, len(names), g - 1))
