"""Every number format the book uses, defined once.

Formatters take a number and return the text a reader sees; none of them
computes anything but the text.
"""

from __future__ import annotations

import math

NOT_ESTIMABLE = "not estimable"


def is_finite(v: float | None) -> bool:
    return v is not None and isinstance(v, (int, float)) and math.isfinite(v)


SUPERSCRIPT = str.maketrans("-0123456789", "\u207b\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079")


def power_of_ten(mantissa: str, exponent: int) -> str:
    """``1.43 × 10⁻⁸``: a very small number as a reader writes it, never ``1.43e-08``.

    Examples
    --------
    >>> power_of_ten("1.43", -8)
    '1.43 × 10⁻⁸'
    """
    return f"{mantissa} \u00d7 10{str(exponent).translate(SUPERSCRIPT)}"


def join_words(items: list[str]) -> str:
    """A list in a sentence: ``a``, ``a and b``, ``a, b and c``.

    Examples
    --------
    >>> join_words(["a"]), join_words(["a", "b"]), join_words(["a", "b", "c"])
    ('a', 'a and b', 'a, b and c')
    """
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def irr(v: float) -> str:
    """An incidence rate ratio (or a confidence limit or a rate per pupil) to two decimals.

    Smaller values keep two significant figures: in plain decimals down to 0.0001, below that as a power of
    ten (never in the ``e`` notation of a program).

    Examples
    --------
    >>> irr(0.6543), irr(0.0), irr(float("nan"))
    ('0.65', '0.00', 'not estimable')
    >>> irr(0.00149), irr(0.000806), irr(1.43e-08)
    ('0.0015', '0.00081', '1.4 × 10⁻⁸')
    """
    if not is_finite(v):
        return NOT_ESTIMABLE
    if v >= 0.005 or v == 0 or v < 0:
        return f"{v:.2f}"
    exponent = math.floor(math.log10(v))
    if exponent >= -4:
        return f"{v:.{1 - exponent}f}"
    return power_of_ten(f"{v / 10**exponent:.1f}", exponent)


def printed(text: str) -> str:
    """A number as the report printed it, its ``E`` notation written as a power of ten.

    Examples
    --------
    >>> printed("1.43E-08"), printed("1.54E-9"), printed("0.65"), printed("")
    ('1.43 × 10⁻⁸', '1.54 × 10⁻⁹', '0.65', '')
    """
    mantissa, e, exponent = str(text).upper().partition("E")
    return power_of_ten(mantissa, int(exponent)) if e and exponent else str(text)


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
    """A count (a rank, a number of schools): an integer with thousands separators, empty when missing.

    Examples
    --------
    >>> count(1040.0), count(4), count(float("nan")), count(None)
    ('1,040', '4', '', '')
    """
    return f"{v:,.0f}" if is_finite(v) else ""


def decimals(v: float, places: int) -> str:
    """A measure to a fixed number of decimals, the same for every row of a column; empty when missing.

    Examples
    --------
    >>> decimals(0.29, 3), decimals(1.0, 3), decimals(1.17749, 3), decimals(10.5, 1), decimals(float("nan"), 3)
    ('0.290', '1.000', '1.177', '10.5', '')
    """
    return f"{v:.{places}f}" if is_finite(v) else ""


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
    """A quoted figure: whole numbers as integers (also when stored as floats), others to two decimals.

    Examples
    --------
    >>> number(1200), number(12.0), number(2.5)
    ('1,200', '12', '2.50')
    """
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.2f}"


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
