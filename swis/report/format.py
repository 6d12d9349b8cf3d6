"""Every number format the book uses, defined once.

Formatters take a number and return the text a reader sees; none of them
computes anything but the text.
"""

from __future__ import annotations

import math

NOT_ESTIMABLE = "not estimable"


def is_finite(v: float | None) -> bool:
    return v is not None and isinstance(v, (int, float)) and math.isfinite(v)


def irr(v: float) -> str:
    """An incidence rate ratio (or a confidence limit) to two decimals.

    Examples
    --------
    >>> irr(0.6543), irr(0.0), irr(float("nan"))
    ('0.65', '0.00', 'not estimable')
    """
    if not is_finite(v):
        return NOT_ESTIMABLE
    return f"{v:.2f}" if v >= 0.005 or v == 0 else f"{v:.2e}"


def interval(low: float, high: float) -> str:
    """A confidence interval without brackets: ``0.44, 0.85``.

    Examples
    --------
    >>> interval(0.4412, 0.8549)
    '0.44, 0.85'
    """
    return f"{irr(low)}, {irr(high)}"


def irr_with_ci(estimate: float, low: float, high: float) -> str:
    """An IRR with its interval in brackets: ``0.65 [0.48, 0.89]``.

    Examples
    --------
    >>> irr_with_ci(0.651, 0.478, 0.889)
    '0.65 [0.48, 0.89]'
    """
    return f"{irr(estimate)} [{interval(low, high)}]"


def p_value(p: float) -> str:
    """A p-value to three decimals, or ``<0.001``.

    Examples
    --------
    >>> p_value(0.02243), p_value(0.0000012)
    ('0.022', '<0.001')
    """
    return f"{p:.3f}" if p >= 0.001 else "<0.001"


def pct_change(ratio: float) -> float:
    """The size of the change a ratio means, in percent (0.65 -> 35.0); NaN when not finite.

    Examples
    --------
    >>> round(pct_change(0.65), 6), round(pct_change(1.2), 6)
    (35.0, 20.0)
    """
    return float(abs(ratio - 1) * 100) if is_finite(ratio) else float("nan")


def percent(ratio: float) -> str:
    """The size of the change a ratio means, as text (0.65 -> ``35%``).

    Examples
    --------
    >>> percent(0.65)
    '35%'
    """
    return f"{pct_change(ratio):.0f}%"


def count(v: float) -> str:
    """A count, with thousands separators: ``1,040``.

    Examples
    --------
    >>> count(1040.0)
    '1,040'
    """
    return f"{v:,.0f}"


def rate(v: float, scale: float) -> str:
    """An average count: three decimals per pupil (days in care), two per 100 pupils.

    Examples
    --------
    >>> rate(2.5, 100), rate(0.4567, 1)
    ('2.50', '0.457')
    """
    return f"{v:.{3 if scale == 1 else 2}f}"


def money(v: float) -> str:
    """Pounds and pence: ``£84,387.91``.

    Examples
    --------
    >>> money(84387.91)
    '£84,387.91'
    """
    return f"£{v:,.2f}"


def number(v: int | float) -> str:
    """A quoted figure: whole numbers as integers, others to two decimals.

    Examples
    --------
    >>> number(1200), number(2.5)
    ('1,200', '2.50')
    """
    return f"{v:,}" if isinstance(v, int) else f"{v:,.2f}"


def yes_no(flag: bool) -> str:
    """``yes`` or ``no``.

    Examples
    --------
    >>> yes_no(True)
    'yes'
    """
    return "yes" if flag else "no"


def span(low: float, high: float) -> str:
    """An interval in words, saying where it has no limit (an inverted test may have none).

    Examples
    --------
    >>> span(0.75, 2.01), span(0.0, 1.67), span(0.39, float("inf")), span(0.0, float("inf"))
    ('0.75 to 2.01', 'below 1.67 (no lower limit)', 'above 0.39 (no upper limit)', 'unbounded')
    """
    if not (math.isfinite(high) or low > 0):
        return "unbounded"
    if low <= 0:
        return f"below {irr(high)} (no lower limit)"
    if not math.isfinite(high):
        return f"above {irr(low)} (no upper limit)"
    return f"{irr(low)} to {irr(high)}"
