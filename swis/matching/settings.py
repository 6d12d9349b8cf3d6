"""Settings of the matching procedure, the decisions a pair can end in, and the order of year groups."""

from __future__ import annotations

import re
from dataclasses import dataclass

STANDARDISE = ("candidates", "pair", "none")
#: Trends are rounded to this many decimals (rates are per 100 pupils or per pupil).
TREND_DECIMALS = 10
U_TESTS = ("ranks", "differences")
#: Decision about a pair, in the order of the status codes.
STATUS = ("selected", "accepted, not needed", "rejected", "not testable", "not comparable", "not tested")


@dataclass(frozen=True)
class MatchSettings:
    """Settings of the matching procedure (see the module docstring).

    Parameters
    ----------
    per_school : int
        Comparators kept per intervention school and outcome (the report: 2 in
        Southampton and Lambeth, 1 in Stockport).
    alpha : float
        Level of the Mann-Whitney U test: a match with ``p < alpha`` is rejected.
    standardise : {"candidates", "pair", "none"}
        What the absolute trend differences are divided by.
    u_test : {"ranks", "differences"}
        What the U test compares between the two periods.
    test_all : bool
        Test every comparable candidate, not only until ``per_school`` pass.

    Examples
    --------
    >>> MatchSettings(per_school=1).u_test
    'ranks'
    >>> MatchSettings(standardise="z")
    Traceback (most recent call last):
    ...
    ValueError: standardise must be one of candidates, pair, none; got 'z'
    """

    per_school: int = 2
    alpha: float = 0.05
    standardise: str = "candidates"
    u_test: str = "ranks"
    test_all: bool = False

    def __post_init__(self):
        if self.standardise not in STANDARDISE:
            raise ValueError(f"standardise must be one of {', '.join(STANDARDISE)}; got {self.standardise!r}")
        if self.u_test not in U_TESTS:
            raise ValueError(f"u_test must be one of {', '.join(U_TESTS)}; got {self.u_test!r}")
        if int(self.per_school) != self.per_school or self.per_school < 1:
            raise ValueError(f"per_school must be a whole number >= 1; got {self.per_school!r}")
        if not 0 < self.alpha < 1:
            raise ValueError(f"alpha must lie between 0 and 1; got {self.alpha!r}")

    def reasons(self) -> tuple[str, ...]:
        """Why a pair has each status (same order as :data:`STATUS`)."""
        n = self.per_school
        better = "a better-ranked candidate" if n == 1 else f"{n} better-ranked candidates"
        return (
            "the best-ranked candidate whose match held in both periods"
            if n == 1
            else f"among the {n} best-ranked candidates whose match held in both periods",
            f"passed the U test, but {better} {'was' if n == 1 else 'were'} kept",
            f"U test p < {self.alpha:g}: the match did not persist over time",
            "no year group with trends in both periods to test",
            "no year group with a trend in the latest years in both schools",
            f"not needed: {better} passed",
        )


def year_group_key(label: str) -> tuple:
    """Sort key of a year group: Nursery, Reception, Year 1, ..., Year 14, then others by name.

    Examples
    --------
    >>> sorted(["Year 10", "Year 2", "Reception"], key=year_group_key)
    ['Reception', 'Year 2', 'Year 10']
    """
    text = str(label).strip()
    found = re.fullmatch(r"(?i)year\s*(\d+)", text)
    if found:
        return (int(found.group(1)), "")
    return {"nursery": (-2, ""), "reception": (-1, "")}.get(text.lower(), (99, text))
