"""The record of the reports, kept as data (``data/record/``): where the book covers each part of them, and
where they contradict themselves.

``contradictions.csv`` is the ledger: one row per internal inconsistency of the reports, with both values,
where each is printed, what the book uses and why. ``report_map.csv`` lists every heading, table and figure of
both reports with the book's page and label that covers it, or why it is not reproduced. The reproducibility
appendix renders both (:mod:`swis.book.pages.facts` glues them).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from swis import paths
from swis.errors import InputError, Problem

RECORD_DIR = paths.ROOT / "data" / "record"

CONTRADICTION_COLUMNS = ("id", "section", "topic", "value_a", "where_a", "value_b", "where_b", "book_uses", "why")
#: Sections of the ledger, in the order the appendix shows them, with the label of each.
SECTIONS = {
    "Across the report": "sec-ledger-across",
    "Southampton": "sec-ledger-southampton",
    "Stockport": "sec-ledger-stockport",
    "Lambeth": "sec-ledger-lambeth",
}

MAP_COLUMNS = ("report", "part", "kind", "item", "page", "label", "note")
REPORTS = ("Final report (May 2020)", "Interim report (August 2019)")
KINDS = ("heading", "table", "figure")
NOT_REPRODUCED = "not reproduced"


def _read(path: Path, columns: tuple[str, ...]) -> tuple[pd.DataFrame, list[Problem]]:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    problems = [Problem(str(path), 1, c, "missing column") for c in columns if c not in frame.columns]
    frame.index = range(2, len(frame) + 2)
    return frame, problems


def load_contradictions(path: str | Path | None = None) -> pd.DataFrame:
    """The ledger of contradictions, checked: every cell filled, ids unique, sections known.

    Raises
    ------
    InputError
        A missing column, an empty cell, an unknown section or an id given twice.

    Examples
    --------
    >>> ledger = load_contradictions()
    >>> set(ledger["section"]) <= set(SECTIONS)
    True
    """
    path = Path(path or RECORD_DIR / "contradictions.csv")
    frame, problems = _read(path, CONTRADICTION_COLUMNS)
    if not problems:
        for line, row in frame.iterrows():
            problems += [Problem(str(path), line, c, "must not be empty") for c in CONTRADICTION_COLUMNS if not row[c]]
            if row["section"] and row["section"] not in SECTIONS:
                problems.append(Problem(str(path), line, "section", f"expected one of {', '.join(SECTIONS)}"))
        for line in frame.index[frame["id"].duplicated()]:
            problems.append(Problem(str(path), line, "id", f"id '{frame.at[line, 'id']}' is given twice"))
    if problems:
        raise InputError(problems)
    return frame.reset_index(drop=True)


def load_report_map(path: str | Path | None = None) -> pd.DataFrame:
    """The map of the reports, checked: a known report and kind, and either a page and label or a reason.

    A row that the book covers names the page (e.g. ``book/part1/methods``) and a label on it: a MyST label
    (``sec-methods``, ``tbl-sou-s17-panel``) or the anchor of a heading (``#study-design``). A row the book
    does not reproduce has the label ``not reproduced`` and says why in ``note``.

    Raises
    ------
    InputError
        A missing column, an unknown report or kind, an empty item, a covered row without a page, or a row
        not reproduced without a reason.

    Examples
    --------
    >>> mapped = load_report_map()
    >>> set(mapped["kind"]) <= set(KINDS)
    True
    """
    path = Path(path or RECORD_DIR / "report_map.csv")
    frame, problems = _read(path, MAP_COLUMNS)
    if not problems:
        for line, row in frame.iterrows():
            if row["report"] not in REPORTS:
                problems.append(Problem(str(path), line, "report", f"expected one of {', '.join(REPORTS)}"))
            if row["kind"] not in KINDS:
                problems.append(Problem(str(path), line, "kind", f"expected one of {', '.join(KINDS)}"))
            if not row["item"]:
                problems.append(Problem(str(path), line, "item", "must not be empty"))
            if not row["label"]:
                problems.append(Problem(str(path), line, "label", f"a label or '{NOT_REPRODUCED}'"))
            elif row["label"] == NOT_REPRODUCED and not row["note"]:
                problems.append(Problem(str(path), line, "note", "say why it is not reproduced"))
            elif row["label"] != NOT_REPRODUCED and not row["page"]:
                problems.append(Problem(str(path), line, "page", "a covered item needs the book's page"))
    if problems:
        raise InputError(problems)
    return frame.reset_index(drop=True)


def covered(report_map: pd.DataFrame) -> pd.DataFrame:
    """The rows of the map that the book covers (page and label given)."""
    return report_map[report_map["label"] != NOT_REPRODUCED]


def ledger_display(ledger: pd.DataFrame, section: str) -> pd.DataFrame:
    """One section of the ledger, as the appendix shows it."""
    rows = ledger[ledger["section"] == section]
    return pd.DataFrame(
        {
            "Entry": rows["id"],
            "What": rows["topic"],
            "One value": rows["value_a"] + " (" + rows["where_a"] + ")",
            "The other": rows["value_b"] + " (" + rows["where_b"] + ")",
            "The book uses": rows["book_uses"],
            "Why": rows["why"],
        }
    )


def _target(page: str, label: str) -> str:
    if label == NOT_REPRODUCED:
        return "not reproduced"
    if label.startswith("#"):  # a heading's anchor: the page, and the heading's name
        return f"{{doc}}`/{page}`, section: {label[1:].replace('-', ' ')}"
    if label.startswith(("tbl-", "fig-")):  # a numbered table or figure: its number, not its whole caption
        return f"{{numref}}`{label}`"
    return f"{{ref}}`{label}`"


def map_display(report_map: pd.DataFrame, report: str) -> pd.DataFrame:
    """The map of one report, as the appendix shows it: each item, where the book covers it, or why not."""
    rows = report_map[report_map["report"] == report]
    return pd.DataFrame(
        {
            "Part": rows["part"],
            "Kind": rows["kind"],
            "In the report": rows["item"],
            "In the book": [_target(p, label) for p, label in zip(rows["page"], rows["label"], strict=True)],
            "Note": rows["note"],
        }
    )
