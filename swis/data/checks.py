"""Checks shared by the panel and admin-file loaders: whole numbers within plausible ranges, authorities,
terms observed in both groups.

Counts and pupils are whole numbers (``12`` or ``12.0``; not ``12.5``, not
``1e3``, not a number of 400 digits). Pupils on roll range from 1 to
:data:`MAX_PUPILS` (a school, or a year group of one); a count is at most
pupils x the outcome's ``max_per_pupil`` (:mod:`swis.config.authority`).
"""

from __future__ import annotations

import difflib
import re

import pandas as pd

from swis.config import Config
from swis.errors import InputError, Problem
from swis.io import FIRST_LINE

#: Most pupils on roll in one school (the largest schools in England have about 4,000).
MAX_PUPILS = 10_000
#: A whole number written plainly, at most 9 digits (anything longer is a typing error, not a count).
WHOLE = re.compile(r"^[0-9]{1,9}(\.0*)?$")


def whole(s: pd.Series, low: int, high: int) -> pd.Series:
    """True where a text cell is a whole number from ``low`` to ``high``.

    Examples
    --------
    >>> whole(pd.Series(["3", "3.0", "3.5", "-1", "1e3", "9" * 400, ""]), 0, 100).tolist()
    [True, True, False, False, False, False, False]
    """
    text = s.astype(str).str.strip()
    value = pd.to_numeric(text.where(text.str.match(WHOLE)), errors="coerce")
    return value.between(low, high).fillna(False).astype(bool)


COUNT_RULE = "expected a whole number from 0 to 100,000,000"
PUPILS_RULE = f"expected a whole number of pupils from 1 to {MAX_PUPILS:,}"


def count_bound_problems(data: pd.DataFrame, config: Config, file: str) -> list[Problem]:
    """Rows whose count is above pupils x the outcome's ``max_per_pupil`` (typed ``count`` and ``pupils``).

    ``data`` needs ``outcome``, ``count``, ``pupils`` and ``line`` columns.
    """
    bound = data["outcome"].map({k: o.max_per_pupil for k, o in config.outcomes.items()})
    bad = data[data["count"] > data["pupils"] * bound]
    return [
        Problem(
            file,
            int(r.line),
            "count",
            f"{r.count:,.0f} is more than {b:g} per pupil x {r.pupils:,.0f} pupils for {r.outcome} "
            f"(the bound max_per_pupil of {config.path or 'the config'}); a typing error?",
        )
        for r, b in zip(bad.itertuples(), bound[bad.index], strict=True)
    ]


def all_zero_problems(data: pd.DataFrame, file: str) -> list[Problem]:
    """Outcomes whose counts are all zero, overall or in one group: no comparison can be estimated.

    The model compares the change in the intervention schools with the
    change in the others; with no event at all in one group there is
    nothing to compare (the fit breaks down or is meaningless).
    """
    problems = []
    for outcome, rows in data.groupby("outcome", sort=False):
        groups = [(None, rows)] if rows["count"].sum() == 0 else list(rows.groupby("group", sort=True))
        for group, part in groups:
            if part["count"].sum() == 0:
                whose = f"count of the {group} schools for" if group else "count of"
                problems.append(
                    Problem(
                        file,
                        int(part["line"].iloc[0]),
                        "count",
                        f"every {whose} outcome '{outcome}' is zero; expected at least one event "
                        + ("in each group to compare them" if group else "to estimate a rate"),
                    )
                )
    return problems


def missing_outcome_problems(data: pd.DataFrame, config: Config, file: str) -> list[Problem]:
    """Outcomes of the config with no row in the panel: each would be a chapter section without data.

    A config lists what the authority's chapter reports; an outcome listed there but absent from the panel
    is a slip in one of the two files (a missing extract, a stray key), so it is refused rather than
    silently left out of the book.

    Examples
    --------
    >>> from swis import paths
    >>> from swis.config import load_config
    >>> config = load_config(paths.config_path("Stockport"))
    >>> rows = pd.DataFrame({"outcome": ["s47"], "line": [2]})
    >>> print(missing_outcome_problems(rows, config, "panel.csv")[0])  # doctest: +ELLIPSIS
    error: panel.csv:0: outcome: no rows for outcome 's17' (Section 17 starts), listed in the outcomes of ...
    """
    present = set(data["outcome"])
    return [
        Problem(
            file,
            0,
            "outcome",
            f"no rows for outcome '{key}' ({spec.label}), listed in the outcomes of {config.path or 'the config'}; "
            f"add its rows to {file} or remove it from the config",
        )
        for key, spec in config.outcomes.items()
        if key not in present
    ]


def select_authority(raw: pd.DataFrame, config: Config, file: str) -> pd.DataFrame:
    """Keep the rows of the config's authority; a file may also hold the book's other authorities.

    A row naming any other authority (a misspelling, another case) is
    refused, not dropped, so no row is lost silently.
    """
    if "authority" not in raw.columns:
        return raw
    from swis.config import authorities

    name = raw["authority"].str.strip()
    known = [config.authority, *[a for a in authorities() if a != config.authority]]
    rows = raw[name == config.authority]
    if rows.empty:
        found = ", ".join(sorted(set(name))) or "none"
        raise InputError.one(
            file,
            FIRST_LINE,
            "authority",
            f"no rows for authority '{config.authority}' named in {config.path} (found: {found})",
        )
    stray = raw.index[~name.isin(known)]
    if len(stray):
        problems = []
        for line in stray:
            hint = difflib.get_close_matches(name[line], known, n=1, cutoff=0.6)
            problems.append(
                Problem(
                    file,
                    int(line),
                    "authority",
                    f"unknown authority {name[line]!r}"
                    + (f" (did you mean '{hint[0]}'?)" if hint else "")
                    + f"; expected '{config.authority}' (named in {config.path}) or one of {', '.join(known[1:])}",
                )
            )
        raise InputError(problems)
    return rows


def one_group_terms(data: pd.DataFrame, file: str) -> list[Problem]:
    """Terms of an outcome with rows of one group only: there the groups cannot be compared.

    The model's term effect and the group's difference in that term would be one and the same column (a
    singular model), so such a panel is refused here rather than failing inside the estimation.

    Examples
    --------
    >>> rows = pd.DataFrame({"outcome": "s47", "term": ["T1", "T1", "T2"], "line": [2, 3, 4],
    ...                      "group": ["intervention", "control", "intervention"]})
    >>> print(one_group_terms(rows, "panel.csv")[0])  # doctest: +NORMALIZE_WHITESPACE
    error: panel.csv:4: term: term 'T2' of outcome 's47' has rows of intervention schools only; every term
    needs rows of both groups (or none at all)
    """
    out = []
    for (outcome, term), rows in data.groupby(["outcome", "term"], sort=False, observed=True):
        groups = set(rows["group"])
        if len(groups) == 1:
            out.append(
                Problem(
                    file,
                    int(rows["line"].iloc[0]),
                    "term",
                    f"term '{term}' of outcome '{outcome}' has rows of {groups.pop()} schools only; every term "
                    "needs rows of both groups (or none at all)",
                )
            )
    return out
