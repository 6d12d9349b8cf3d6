"""Costs of the pilots over the autumn term, by the report's method.

Staffing costs (team manager and social workers) are taken undiscounted: all
fell within the study period, under a year. Ancillary (set-up) costs are
annuitised: the replacement cost is spread over the item's useful life
(4 years) at a 3.5% discount rate, and the autumn term counts as four months
(September to December) of that annual cost. The report publishes the
annuitised ancillary cost per authority but not the items' replacement
costs; these are back-calculated here, and labelled as such.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from swis.data.published import load_costs

LIFE_YEARS = 4
DISCOUNT_RATE = 0.035
TERM_MONTHS = 4


def annuity_factor(rate: float = DISCOUNT_RATE, years: int = LIFE_YEARS) -> float:
    """Present value of 1 a year for ``years`` years: (1 - (1 + r)^-n) / r.

    Examples
    --------
    >>> round(annuity_factor(), 4)
    3.6731
    """
    return (1 - (1 + rate) ** -years) / rate


def annuitised_term_cost(
    capital: float, rate: float = DISCOUNT_RATE, years: int = LIFE_YEARS, months: int = TERM_MONTHS
) -> float:
    """Cost over the term of an item bought for ``capital``."""
    return capital / annuity_factor(rate, years) * months / 12


def implied_capital(
    term_cost: float, rate: float = DISCOUNT_RATE, years: int = LIFE_YEARS, months: int = TERM_MONTHS
) -> float:
    """Replacement cost that the method turns into ``term_cost`` (inverse of the above)."""
    return term_cost * 12 / months * annuity_factor(rate, years)


def cost_table(path: str | Path | None = None) -> pd.DataFrame:
    """Table 3: staffing, ancillary and total cost per authority, with the check.

    Returns
    -------
    DataFrame
        ``authority, staffing, ancillary, total, printed_total,
        total_reproduced, implied_replacement_cost, ancillary_items, source``.
    """
    raw = load_costs(path)
    out = pd.DataFrame(
        {"authority": raw["authority"], "staffing": raw["staffing"], "ancillary": raw["ancillary_term_cost"]}
    )
    out["total"] = out["staffing"] + out["ancillary"]
    out["printed_total"] = raw["printed_total"]
    out["total_reproduced"] = (out["total"] - out["printed_total"]).abs() < 0.005
    out["implied_replacement_cost"] = out["ancillary"].map(implied_capital)
    out["ancillary_items"] = raw["ancillary_items"]
    out["source"] = raw["source"]
    return out
