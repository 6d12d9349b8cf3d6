"""Administrative data for choosing comparison schools: schema and loader.

A tidy CSV, one row per school x year group x term x outcome::

    school,group,year_group,term,outcome,count,pupils

``group`` is ``intervention`` or ``candidate`` (the authority's other
schools); ``year_group`` the school year (``Reception``, ``Year 1`` ...
``Year 14``, or ``Nursery``); ``term`` one of the config's ``autumn_terms``
or ``terms``; ``outcome`` one of the config's outcomes; ``count`` the events
(or days in care) in that year group and term, a number >= 0; ``pupils`` the
pupils on roll, > 0. Other columns are kept and ignored. Matching needs the
last three pre-intervention autumn terms (``autumn_terms`` in the config).

Every problem is reported as ``error: FILE:ROW: COLUMN: message``, where ROW
is the CSV line (the header is line 1; 0 means the whole file).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from swis.config import Config
from swis.data.checks import COUNT_RULE, MAX_PUPILS, PUPILS_RULE, all_zero_problems, count_bound_problems, whole
from swis.errors import WHOLE_FILE, InputError, Problem
from swis.io import read_csv_text

ADMIN_COLUMNS = ("school", "group", "year_group", "term", "outcome", "count", "pupils")
GROUPS = ("intervention", "candidate")
KEY = ["school", "year_group", "term", "outcome"]
YEAR_GROUP = re.compile(r"^(Nursery|Reception|Year ([1-9]|1[0-4]))$")


def admin_schema(config: Config) -> pa.DataFrameSchema:
    """Row rules of an admin file (every cell read as text), for one authority's config.

    Examples
    --------
    >>> from swis import paths
    >>> from swis.config import load_config
    >>> sorted(admin_schema(load_config(paths.config_path("Lambeth"))).columns)
    ['count', 'group', 'outcome', 'pupils', 'school', 'term', 'year_group']
    """
    terms = list(dict.fromkeys([*config.autumn_terms, *config.terms]))
    text = lambda what: pa.Check.str_length(min_value=1, error=f"expected {what}")  # noqa: E731
    return pa.DataFrameSchema(
        {
            "school": pa.Column(str, text("a school label")),
            "group": pa.Column(
                str, pa.Check.isin(GROUPS, error="unknown group; expected 'intervention' or 'candidate'")
            ),
            "year_group": pa.Column(
                str,
                pa.Check.str_matches(
                    YEAR_GROUP.pattern, error="expected a school year: 'Reception', 'Year 1' ... 'Year 14' or 'Nursery'"
                ),
            ),
            "term": pa.Column(
                str,
                pa.Check.isin(
                    terms,
                    error=f"unknown term; expected one of the config's autumn_terms or terms ({', '.join(terms)})",
                ),
            ),
            "outcome": pa.Column(
                str,
                pa.Check.isin(
                    list(config.outcomes), error=f"unknown outcome; expected one of {', '.join(config.outcomes)}"
                ),
            ),
            "count": pa.Column(str, pa.Check(lambda s: whole(s, 0, 10**8), error=COUNT_RULE)),
            "pupils": pa.Column(str, pa.Check(lambda s: whole(s, 1, MAX_PUPILS), error=PUPILS_RULE)),
        },
        strict=False,
    )


def _cell_problems(err: pa.errors.SchemaErrors, file: str) -> list[Problem]:
    """One problem per failing cell, in line order."""
    problems = []
    for case in err.failure_cases.itertuples(index=False):
        row = int(case.index) if pd.notna(case.index) else WHOLE_FILE
        got = f"got {case.failure_case!r}" if str(case.failure_case).strip() else "got an empty cell"
        problems.append(Problem(file, row, str(case.column), f"{case.check}, {got}"))
    return sorted(
        set(problems), key=lambda p: (p.row, ADMIN_COLUMNS.index(p.column) if p.column in ADMIN_COLUMNS else 99)
    )


def _duplicates(raw: pd.DataFrame, file: str) -> list[Problem]:
    """Repeated school x year group x term x outcome rows (each repeat names the first line)."""
    dup = raw.duplicated(KEY, keep=False)
    if not dup.any():
        return []
    rows = raw[dup]
    first = rows.reset_index().groupby(KEY, sort=False)["index"].transform("min").to_numpy()
    return [
        Problem(
            file,
            line,
            "school",
            f"duplicate row: this school, year group, term and outcome are already on line {start}",
        )
        for line, start in zip(rows.index, first, strict=True)
        if line != start
    ]


def _mixed_groups(raw: pd.DataFrame, file: str) -> list[Problem]:
    """A school must be in one group on every row."""
    first = raw.groupby("school", sort=False)["group"].transform("first")
    line = raw.reset_index().groupby("school", sort=False)["index"].transform("first").to_numpy()
    bad = raw.index[(raw["group"] != first).to_numpy()]
    where = dict(zip(raw.index, line, strict=True))
    return [
        Problem(
            file,
            r,
            "group",
            f"school {raw.at[r, 'school']!r} is {first[r]!r} on line {where[r]} "
            f"but {raw.at[r, 'group']!r} here; a school belongs to one group",
        )
        for r in bad
    ]


def _coverage(raw: pd.DataFrame, config: Config, file: str) -> list[Problem]:
    """Whole-file needs: the last three autumn terms, and intervention and candidate schools per outcome."""
    problems = []
    absent = [t for t in config.autumn_terms[-3:] if t not in set(raw["term"])]
    if absent:
        problems.append(
            Problem(
                file,
                WHOLE_FILE,
                "term",
                f"no rows for autumn term(s) {', '.join(absent)}; "
                "matching needs the last three pre-intervention autumn terms "
                f"({', '.join(config.autumn_terms[-3:])})",
            )
        )
    for outcome, rows in raw.groupby("outcome", sort=False):
        for group in GROUPS:
            if not rows["group"].eq(group).any():
                problems.append(
                    Problem(file, WHOLE_FILE, "group", f"outcome {outcome}: no {group} school; expected at least one")
                )
    return problems


def check_config(config: Config) -> None:
    """The config must list at least three autumn terms, none of them an intervention term."""
    autumn = list(config.autumn_terms)
    line = config.line_of("autumn_terms") or WHOLE_FILE
    if len(autumn) < 3:
        raise InputError.one(
            config.path,
            line,
            "autumn_terms",
            f"expected at least three pre-intervention autumn terms, got {len(autumn)}",
        )
    late = [t for t in autumn if t in config.intervention_terms]
    if late or len(set(autumn)) != len(autumn):
        raise InputError.one(
            config.path,
            line,
            "autumn_terms",
            "expected distinct terms before the intervention"
            + (f"; {', '.join(late)} is an intervention term" if late else ""),
        )


def _read(path: str | Path) -> pd.DataFrame:
    """The file's cells as stripped text; refuse a missing column or a file without rows."""
    file = str(path)
    raw = read_csv_text(path)
    missing = [c for c in ADMIN_COLUMNS if c not in raw.columns]
    if missing:
        raise InputError(
            [Problem(file, 1, c, "missing column; expected the columns " + ", ".join(ADMIN_COLUMNS)) for c in missing]
        )
    if raw.empty:
        raise InputError.one(file, WHOLE_FILE, "-", "no data rows")
    raw[list(ADMIN_COLUMNS)] = raw[list(ADMIN_COLUMNS)].apply(lambda s: s.str.strip())
    return raw


def load_admin(path: str | Path, config: Config) -> pd.DataFrame:
    """Read and check an admin file; return it with numeric ``count`` and ``pupils`` and a ``line`` column.

    Parameters
    ----------
    path : str or Path
        The CSV (see the module docstring).
    config : Config
        The authority's config: its terms, autumn terms and outcomes.

    Returns
    -------
    DataFrame
        The file's rows in order; ``line`` is each row's CSV line.

    Raises
    ------
    InputError
        A missing column; a bad cell (a count not a whole number from 0 to
        10^8, pupils not a whole number from 1 to 10,000, unknown group,
        outcome or term, a year group not named as a school year); a count
        above pupils x the outcome's ``max_per_pupil``; an outcome whose
        counts are all zero; a duplicate row; a school in two groups; fewer than
        three autumn terms in the config or in the data; an outcome without an
        intervention or a candidate school.

    Examples
    --------
    >>> import tempfile
    >>> from swis import paths
    >>> from swis.config import load_config
    >>> cfg = load_config(paths.config_path("Stockport"))
    >>> path = Path(tempfile.mkdtemp()) / "admin.csv"
    >>> header = "school,group,year_group,term,outcome,count,pupils"
    >>> _ = path.write_text(header + "\\nA,intervention,Year 7,Autumn 2016,s17,x,90\\n")
    >>> try:
    ...     load_admin(path, cfg)
    ... except InputError as err:
    ...     print(str(err).replace(str(path), "admin.csv"))
    error: admin.csv:2: count: expected a whole number from 0 to 100,000,000, got 'x'
    """
    file = str(path)
    check_config(config)
    raw = _read(path)
    try:
        admin_schema(config).validate(raw, lazy=True)
    except pa.errors.SchemaErrors as err:
        raise InputError(_cell_problems(err, file)) from None
    problems = _duplicates(raw, file) + _mixed_groups(raw, file)
    if problems:
        raise InputError(sorted(problems, key=lambda p: p.row))
    problems = _coverage(raw, config, file)
    if problems:
        raise InputError(problems)
    out = raw.assign(count=pd.to_numeric(raw["count"]), pupils=pd.to_numeric(raw["pupils"]), line=raw.index)
    problems = count_bound_problems(out, config, file) + all_zero_problems(out, file)
    if problems:
        raise InputError(sorted(problems, key=lambda p: p.row))
    return out.reset_index(drop=True)
