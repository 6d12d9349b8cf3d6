"""Model-fitted rates of each group in each term, for the difference-in-differences figure."""

from __future__ import annotations

import pandas as pd

from swis.estimation.design import ALL_ZERO_REASON
from swis.estimation.poisson import fitted_counts


def fitted_group_rates(result, scale: float, counterfactual: bool = False) -> pd.DataFrame:
    """Model-fitted rate of each group in each term (sum of fitted counts / sum of pupils x scale).

    With ``counterfactual=True`` the interaction(s) are set to zero: the
    rate intervention schools would have had on the control schools' trend.
    Schools with no event in any term are included, fitted at zero; rows
    set aside for other separation are not (their fitted value is a limit).

    Returns
    -------
    DataFrame
        ``group, term, rate``.
    """
    d = result.design.rows.copy()
    zero = tuple(result.design.interactions) if counterfactual else ()
    d["fitted"] = fitted_counts(result.design, result.fit.params.to_numpy(), zero)
    # a school with no event in any term is fitted at zero (its effect is minus infinity): its pupils count
    dropped = result.design.dropped
    if len(dropped):
        empty = dropped[dropped["reason"].eq(ALL_ZERO_REASON)].assign(fitted=0.0)
        d = pd.concat([d, empty[d.columns]], ignore_index=True)
    d["pupils"] = d["pupils"].astype(float)
    out = d.groupby(["group", "term"], observed=True)[["fitted", "pupils"]].sum()
    out["rate"] = out["fitted"] / out["pupils"] * scale
    return out["rate"].reset_index()
