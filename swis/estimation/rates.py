"""Model-fitted rates of each group in each term, for the difference-in-differences figure."""

from __future__ import annotations

import numpy as np
import pandas as pd

from swis.estimation.design import interaction_name
from swis.estimation.poisson import fitted_counts


def unestimable_post_terms(result) -> list[str]:
    """Post-pilot terms whose interaction is not estimable (e.g. separation): no counterfactual exists there."""
    spec, missing = result.spec, result.design.not_estimable
    return [t for t in spec.post_terms if interaction_name(t, spec.post_terms) in missing]


def fitted_group_rates(result, scale: float, counterfactual: bool = False) -> pd.DataFrame:
    """Model-fitted rate of each group in each term (sum of fitted counts / sum of pupils x scale).

    Every row of the panel counts. Rows set aside before the fit (schools
    with no event in any term; rows that separate a dummy) are included at
    the limit of their fitted value, which is their observed count (zero):
    their maximum-likelihood fit tends to it as their effect tends to minus
    infinity.

    With ``counterfactual=True`` the interaction(s) are set to zero: the
    rate intervention schools would have had on the control schools' trend.
    Where an interaction is not estimable there is no counterfactual, and
    the intervention schools' rate in that term is NaN (drawn as nothing,
    and said so on the figure).

    Returns
    -------
    DataFrame
        ``group, term, rate``.
    """
    d = result.design.rows.copy()
    zero = tuple(result.design.interactions) if counterfactual else ()
    d["fitted"] = fitted_counts(result.design, result.fit.params.to_numpy(), zero)
    aside = result.design.dropped
    if len(aside):
        d = pd.concat([d, aside.assign(fitted=aside["count"].astype(float))[d.columns]], ignore_index=True)
    d["pupils"] = d["pupils"].astype(float)
    out = d.groupby(["group", "term"], observed=True)[["fitted", "pupils"]].sum()
    out["rate"] = out["fitted"] / out["pupils"] * scale
    out = out["rate"].reset_index()
    if counterfactual:
        gone = out["group"].eq("intervention") & out["term"].isin(unestimable_post_terms(result))
        out.loc[gone, "rate"] = np.nan
    return out
