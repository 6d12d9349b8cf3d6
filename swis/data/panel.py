"""Load, check and correct a school-by-term panel.

The panel is a tidy CSV, one row per authority x outcome x school x term::

    authority,outcome,school,group,term,count,pupils,printed_rate[,source]

``count`` is the number of events (Section 17 starts, Section 47 starts) or
of days in care; ``pupils`` the pupils on roll that term; ``printed_rate`` the
average the report printed (per 100 pupils, or per pupil for days in care),
blank for data that were never printed. Validation is done with pandera; each
problem is reported as ``error: FILE:ROW: COLUMN: message`` where ROW is the
line of the CSV (the header is line 1).

Transcription errors in the report are never edited in the data file: they
are listed in ``data/corrections.csv`` and applied here, so the book can show
the printed and the corrected value side by side.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from swis import paths
from swis.config import Config
from swis.data.checks import (
    COUNT_RULE,
    MAX_PUPILS,
    PUPILS_RULE,
    all_zero_problems,
    count_bound_problems,
    missing_outcome_problems,
    one_group_terms,
    select_authority,
    whole,
)
from swis.data.corrections import CORRECTION_COLUMNS, apply_corrections, load_corrections
from swis.errors import InputError, Problem
from swis.io import read_csv_text, reading_part

COLUMNS = ("authority", "outcome", "school", "group", "term", "count", "pupils", "printed_rate")
GROUPS = ("intervention", "control")
KEY = ["authority", "outcome", "school", "term"]
_NUMBER = re.compile(r"^\s*[0-9]{1,9}(\.[0-9]{1,9})?\s*$")


@dataclass
class Panel:
    """A checked panel of one authority, ready for estimation.

    Attributes
    ----------
    data : DataFrame
        Typed rows with, besides the CSV columns, ``line`` (CSV line),
        ``printed_count`` / ``printed_school`` (as printed) and ``corrected``.
    config : Config
        The authority's settings.
    file : str
        The CSV as named by the user.
    warnings : list of Problem
        Problems that do not stop the analysis (unbalanced panel, a printed
        rate that disagrees with count / pupils).
    corrections : DataFrame
        The corrections that were applied.
    """

    data: pd.DataFrame
    config: Config
    file: str
    warnings: list[Problem] = field(default_factory=list)
    corrections: pd.DataFrame = field(default_factory=pd.DataFrame)

    def outcome(self, key: str) -> pd.DataFrame:
        """Rows of one outcome."""
        return self.data[self.data["outcome"] == key].copy()

    @property
    def outcomes(self) -> list[str]:
        """Outcomes present, in the config's order."""
        present = set(self.data["outcome"])
        return [o for o in self.config.outcomes if o in present]


def _is_number(s: pd.Series) -> pd.Series:
    return s.astype(str).str.match(_NUMBER)


def _optional_number(s: pd.Series) -> pd.Series:
    return s.astype(str).str.strip().eq("") | _is_number(s)


def _row_schema(config: Config) -> pa.DataFrameSchema:
    """Row-by-row rules: types, ranges, allowed values, unique rows."""
    text = {"authority": "a non-empty authority name", "school": "a non-empty school label"}
    cols = {c: pa.Column(str, pa.Check.str_length(min_value=1, error=f"expected {m}")) for c, m in text.items()}
    cols["outcome"] = pa.Column(
        str,
        pa.Check.isin(list(config.outcomes), error=f"unknown outcome; expected one of {', '.join(config.outcomes)}"),
    )
    cols["group"] = pa.Column(
        str, pa.Check.isin(list(GROUPS), error="unknown group; expected 'intervention' or 'control'")
    )
    cols["term"] = pa.Column(
        str, pa.Check.isin(list(config.terms), error=f"term not in the config's list of terms ({config.path})")
    )
    cols["count"] = pa.Column(str, pa.Check(lambda s: whole(s, 0, 10**8), error=COUNT_RULE))
    cols["pupils"] = pa.Column(str, pa.Check(lambda s: whole(s, 1, MAX_PUPILS), error=PUPILS_RULE))
    cols["printed_rate"] = pa.Column(
        str, pa.Check(_optional_number, error="expected a number >= 0 or an empty cell"), required=False
    )
    dup = pa.Check(
        lambda d: ~d.duplicated(KEY, keep="first"),
        name="duplicate",
        error="duplicate row for this authority, outcome, school and term",
    )
    return pa.DataFrameSchema(cols, checks=[dup], strict=False)


def _failures(err: pa.errors.SchemaErrors, file: str) -> list[Problem]:
    """Turn pandera's failure cases into one problem per row and rule."""
    cases = err.failure_cases
    problems, seen = [], set()
    for case in cases.itertuples(index=False):
        row = int(case.index) if pd.notna(case.index) else 1
        if case.check == "column_in_dataframe" or str(case.check).startswith("column_in"):
            column, message = str(case.failure_case), "missing column; expected the columns " + ", ".join(COLUMNS)
        elif case.schema_context == "DataFrameSchema" and "duplicate" in str(case.check):
            column, message = "school", str(case.check)
        else:
            column = str(case.column)
            message = (
                f"{case.check}, got {case.failure_case!r}"
                if case.failure_case != ""
                else f"{case.check}, got an empty cell"
            )
        if (row, column, message) not in seen:
            seen.add((row, column, message))
            problems.append(Problem(file, row, column, message))
    return sorted(problems, key=lambda p: (p.row, p.column))


def _check_columns(raw: pd.DataFrame, file: str) -> None:
    missing = [c for c in COLUMNS if c != "printed_rate" and c not in raw.columns]
    if missing:
        raise InputError(
            [Problem(file, 1, c, "missing column; expected the columns " + ", ".join(COLUMNS)) for c in missing]
        )


def validate_rows(raw: pd.DataFrame, config: Config, file: str) -> pd.DataFrame:
    """Check every row with pandera and return the frame with typed numbers.

    Raises
    ------
    InputError
        One problem per bad cell: missing column, non-numeric or negative
        count, pupils <= 0, unknown group or outcome, a term not in the
        config, duplicate school-term rows.
    """
    _check_columns(raw, file)
    try:
        _row_schema(config).validate(raw, lazy=True)
    except pa.errors.SchemaErrors as err:
        raise InputError(_failures(err, file)) from None
    typed = raw.copy()
    typed["count"] = pd.to_numeric(typed["count"])
    typed["pupils"] = pd.to_numeric(typed["pupils"])
    rate = typed["printed_rate"] if "printed_rate" in typed else pd.Series("", index=typed.index)
    typed["printed_rate_text"] = rate.astype(str).str.strip()
    typed["printed_rate"] = pd.to_numeric(rate.replace("", np.nan))
    typed["line"] = typed.index
    problems = count_bound_problems(typed, config, file) + all_zero_problems(typed, file)
    if problems:
        raise InputError(sorted(problems, key=lambda p: p.row))
    return typed


def _per_outcome(d: pd.DataFrame, test) -> pd.Series:
    """Broadcast a per-outcome boolean test to the outcome's rows."""
    return d.groupby("outcome")["outcome"].transform(lambda s: bool(test(d.loc[s.index])))


def _structure_checks(config: Config) -> list[pa.Check]:
    """Rules across rows: design of the comparison and presence of key terms."""
    ref, post = config.reference_term, list(config.intervention_terms)
    return [
        pa.Check(
            lambda d: d.groupby("school")["group"].transform("nunique").le(1),
            name="both_groups",
            error="school is in both the intervention and the control group",
        ),
        pa.Check(
            lambda d: _per_outcome(d, lambda g: g["group"].eq("intervention").any()),
            name="no_intervention",
            error="outcome has no intervention school; expected at least one",
        ),
        pa.Check(
            lambda d: _per_outcome(d, lambda g: g["group"].eq("control").any()),
            name="no_control",
            error="outcome has no control school; expected at least one",
        ),
        pa.Check(
            lambda d: _per_outcome(d, lambda g: g["term"].eq(ref).any()),
            name="reference_term",
            error=f"reference term '{ref}' is absent from the data",
        ),
        pa.Check(
            lambda d: _per_outcome(d, lambda g: set(post) <= set(g["term"])),
            name="intervention_terms",
            error=f"intervention term(s) {', '.join(post)} absent from the data",
        ),
    ]


def _structure_problems(err: pa.errors.SchemaErrors, data: pd.DataFrame, config: Config, file: str) -> list[Problem]:
    """One problem per failed rule and outcome, pointing at the most useful place."""
    problems, seen = [], set()
    cases = err.failure_cases.dropna(subset=["index"])
    for case in cases.itertuples(index=False):
        row = data.loc[int(case.index)]
        name = str(case.check)
        both = name.startswith("school is in both")
        key = (name, row["school"] if both else row["outcome"])
        if key in seen:
            continue
        seen.add(key)
        if name.startswith("reference term"):
            problems.append(
                Problem(
                    config.path,
                    config.line_of("reference_term"),
                    "reference_term",
                    f"{name} for outcome '{row['outcome']}' in {file}",
                )
            )
        elif name.startswith("intervention term"):
            problems.append(
                Problem(
                    config.path,
                    config.line_of("intervention_terms"),
                    "intervention_terms",
                    f"{name} for outcome '{row['outcome']}' in {file}",
                )
            )
        elif both:
            problems.append(Problem(file, int(row["line"]), "group", f"{name} ('{row['school']}')"))
        else:
            problems.append(Problem(file, int(row["line"]), "group", f"{name} ('{row['outcome']}')"))
    return problems


def validate_structure(data: pd.DataFrame, config: Config, file: str) -> None:
    """Check the comparison design of a typed panel with pandera.

    Raises
    ------
    InputError
        A school in both groups; an outcome without intervention or without
        control schools; the reference or an intervention term absent.
    """
    schema = pa.DataFrameSchema(checks=_structure_checks(config))
    try:
        schema.validate(data, lazy=True)
    except pa.errors.SchemaErrors as err:
        raise InputError(_structure_problems(err, data, config, file)) from None
    problems = one_group_terms(data, file)
    if problems:
        raise InputError(problems)


def balance_warnings(data: pd.DataFrame, config: Config, file: str) -> list[Problem]:
    """Warn about schools that lack some terms (an unbalanced panel is allowed)."""
    out = []
    for (outcome, school), rows in data.groupby(["outcome", "school"], sort=False):
        missing = [t for t in config.terms if t not in set(rows["term"])]
        if missing and set(data.loc[data["outcome"] == outcome, "term"]) - set(rows["term"]):
            out.append(
                Problem(
                    file,
                    int(rows["line"].iloc[0]),
                    "term",
                    f"unbalanced panel: {school} ({outcome}) has no row for {', '.join(missing)}",
                )
            )
    return out


def rate_mismatches(data: pd.DataFrame, config: Config) -> pd.DataFrame:
    """Rows whose printed rate disagrees with count / pupils at the printed precision.

    The rate is per 100 pupils or per pupil, from the outcome's ``scale`` in
    the config. A printed value agrees when count / pupils x scale rounds to
    it at the number of decimals printed.

    Returns
    -------
    DataFrame
        ``line, outcome, school, term, count, pupils, printed_rate, computed_rate``.
    """
    d = data[data["printed_rate"].notna()].copy()
    if d.empty:
        return d.assign(computed_rate=pd.Series(dtype=float))
    scale = d["outcome"].map({k: o.scale for k, o in config.outcomes.items()})
    d["computed_rate"] = d["count"] / d["pupils"] * scale
    decimals = d["printed_rate_text"].str.split(".").str[1].str.len().fillna(0)
    tolerance = 0.5 * 10.0 ** (-decimals) + 1e-9
    bad = (d["computed_rate"] - d["printed_rate"]).abs() > tolerance
    cols = ["line", "outcome", "school", "term", "count", "pupils", "printed_rate", "computed_rate"]
    return d.loc[bad, cols]


def cross_table_pupils(data: pd.DataFrame) -> pd.DataFrame:
    """School-terms whose pupil numbers differ between outcome tables.

    The report prints one table per outcome; the same school and term
    should carry the same number of pupils in each.
    """
    spread = data.groupby(["authority", "school", "term"])["pupils"].agg(["min", "max", "nunique"])
    diff = spread[spread["nunique"] > 1].reset_index()
    if diff.empty:
        return diff
    by_outcome = data.pivot_table(
        index=["authority", "school", "term"], columns="outcome", values="pupils", aggfunc="first"
    )
    return diff[["authority", "school", "term"]].merge(by_outcome.reset_index(), how="left")


def load_panel(path: str | Path, config: Config, corrections: str | Path | None | bool = None) -> Panel:
    """Read, correct and check the panel of one authority.

    Parameters
    ----------
    path : str or Path
        Tidy panel CSV (see the module docstring). Rows of other
        authorities are ignored.
    config : Config
        The authority's settings (:func:`swis.config.load_config`).
    corrections : path, None or False
        Corrections file; None for ``data/corrections.csv``, False for none.

    Returns
    -------
    Panel

    Raises
    ------
    InputError
        Any problem listed in :func:`validate_rows` or :func:`validate_structure`.

    Examples
    --------
    >>> from swis import paths
    >>> from swis.config import load_config
    >>> panel = load_panel(paths.PANEL, load_config(paths.config_path("Stockport")))
    >>> panel.outcomes
    ['s17', 's47', 'days_in_care']
    """
    file = str(path)
    # only this authority's rows (and corrections) matter: a build re-executes the notebook when they change
    with reading_part(path, "authority", config.authority):
        raw = read_csv_text(path)
    _check_columns(raw, file)
    raw = select_authority(raw, config, file)
    fixes = pd.DataFrame(columns=CORRECTION_COLUMNS)
    if corrections is not False:
        with reading_part(corrections or paths.CORRECTIONS, "authority", config.authority):
            table = load_corrections(corrections or None)
        raw, fixes = apply_corrections(raw, table)
    data = validate_rows(raw, config, file)
    missing = missing_outcome_problems(data, config, file)
    if missing:
        raise InputError(missing)
    validate_structure(data, config, file)
    warnings = balance_warnings(data, config, file)
    for r in rate_mismatches(data, config).itertuples():
        warnings.append(
            Problem(
                file,
                int(r.line),
                "printed_rate",
                f"printed rate {r.printed_rate:g} disagrees with count / pupils = {r.computed_rate:.3f}",
            )
        )
    data["term"] = pd.Categorical(data["term"], categories=list(config.terms), ordered=True)
    return Panel(data.reset_index(drop=True), config, file, warnings, fixes)
