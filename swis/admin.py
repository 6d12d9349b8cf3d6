"""Administrative data for choosing comparison schools: schema and loader.

A tidy CSV, one row per school x year group x term x outcome::

    school,group,year_group,term,outcome,count,pupils

``group`` is ``intervention`` or ``candidate``; ``year_group`` the school
year (``Year 7``); ``term`` as in the authority's config. At least three
pre-intervention autumn terms (``autumn_terms`` in the config) are needed.
Problems are reported as ``error: FILE:ROW: COLUMN: message``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from swis.config import Config
from swis.data import _failures, _is_number, _positive, read_csv_text
from swis.errors import InputError, Problem

ADMIN_COLUMNS = ("school", "group", "year_group", "term", "outcome", "count", "pupils")
KEY = ["school", "year_group", "term", "outcome"]


def admin_schema(config: Config) -> pa.DataFrameSchema:
    """Row rules of the admin file."""
    terms = list(dict.fromkeys([*config.autumn_terms, *config.terms]))
    return pa.DataFrameSchema({
        "school": pa.Column(str, pa.Check.str_length(min_value=1, error="expected a school label")),
        "group": pa.Column(str, pa.Check.isin(["intervention", "candidate"],
                           error="unknown group; expected 'intervention' or 'candidate'")),
        "year_group": pa.Column(str, pa.Check.str_length(min_value=1, error="expected a year group, e.g. 'Year 7'")),
        "term": pa.Column(str, pa.Check.isin(terms, error=f"term not in the config's terms or autumn terms ({config.path})")),
        "outcome": pa.Column(str, pa.Check.isin(list(config.outcomes),
                             error=f"unknown outcome; expected one of {', '.join(config.outcomes)}")),
        "count": pa.Column(str, pa.Check(_is_number, error="expected a number >= 0")),
        "pupils": pa.Column(str, pa.Check(_positive, error="expected a number of pupils > 0")),
    }, checks=[pa.Check(lambda d: ~d.duplicated(KEY), name="duplicate",
                        error="duplicate row for this school, year group, term and outcome")])


def load_admin(path: str | Path, config: Config) -> pd.DataFrame:
    """Read and check an admin file; return it with numeric counts and pupils.

    Raises
    ------
    InputError
        Missing column, bad cell, duplicate row, fewer than three autumn
        terms in the config or in the data, no intervention school.
    """
    file = str(path)
    raw = read_csv_text(path)
    missing = [c for c in ADMIN_COLUMNS if c not in raw.columns]
    if missing:
        raise InputError([Problem(file, 1, c, "missing column; expected the columns " + ", ".join(ADMIN_COLUMNS))
                          for c in missing])
    if len(config.autumn_terms) < 3:
        raise InputError.one(config.path, config.line_of("autumn_terms") or 0, "autumn_terms",
                             "at least three pre-intervention autumn terms are needed for two trends")
    try:
        admin_schema(config).validate(raw, lazy=True)
    except pa.errors.SchemaErrors as err:
        raise InputError(_failures(err, file)) from None
    absent = [t for t in config.autumn_terms[-3:] if t not in set(raw["term"])]
    if absent:
        raise InputError.one(file, 2, "term", f"autumn term(s) {', '.join(absent)} absent; "
                             "matching needs the last three pre-intervention autumn terms")
    if not raw["group"].eq("intervention").any():
        raise InputError.one(file, 2, "group", "no intervention school; expected at least one")
    out = raw.copy()
    out["count"] = pd.to_numeric(out["count"])
    out["pupils"] = pd.to_numeric(out["pupils"])
    return out
