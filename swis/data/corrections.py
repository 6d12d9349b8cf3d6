"""Corrections of the report's printed tables (``data/corrections.csv``), applied by the panel loader.

Transcription errors in the report are never edited in the data file: they
are listed here and applied on loading, so the book can show the printed and
the corrected value side by side.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from swis import paths
from swis.errors import InputError, Problem
from swis.io import read_csv_text

CORRECTION_COLUMNS = (
    "authority",
    "outcome",
    "school",
    "term",
    "column",
    "printed_value",
    "corrected_value",
    "action",
    "evidence",
)
_CELL_COLUMNS = ("count", "pupils", "school", "group", "term")


def load_corrections(path: str | Path | None = None) -> pd.DataFrame:
    """Read the corrections file (``data/corrections.csv``).

    Rows with ``action == "apply"`` change one cell (``column`` of the rows
    matching authority, outcome, school and, when given, term); rows with
    ``action == "note"`` only document a problem of a caption or footnote.
    """
    path = Path(path) if path else paths.CORRECTIONS
    frame = read_csv_text(path)
    missing = [c for c in CORRECTION_COLUMNS if c not in frame.columns]
    if missing:
        raise InputError([Problem(str(path), 1, c, "missing column") for c in missing])
    bad = frame[~frame["action"].isin(["apply", "note"])]
    if not bad.empty:
        raise InputError.one(path, int(bad.index[0]), "action", "expected 'apply' or 'note'")
    wrong = frame[(frame["action"] == "apply") & ~frame["column"].isin(_CELL_COLUMNS)]
    if not wrong.empty:
        raise InputError.one(
            path, int(wrong.index[0]), "column", f"a correction applies to one of {', '.join(_CELL_COLUMNS)}"
        )
    return frame


def _matches(raw: pd.DataFrame, fix: pd.Series) -> pd.Series:
    hit = (raw["authority"] == fix["authority"]) & (raw["outcome"] == fix["outcome"])
    hit &= raw["school"] == fix["school"]
    if fix["term"]:
        hit &= raw["term"] == fix["term"]
    return hit & (raw[fix["column"]].str.strip() == fix["printed_value"])


def apply_corrections(raw: pd.DataFrame, corrections: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Apply the ``apply`` rows of the corrections to a text panel.

    The printed count and school label are kept in ``printed_count`` and
    ``printed_school``; ``corrected`` flags the changed rows. Corrections
    that match no row (another authority's data) are ignored.

    Returns
    -------
    (DataFrame, DataFrame)
        The corrected panel, and the corrections that changed at least one row.
    """
    out = raw.copy()
    out["printed_count"] = out["count"]
    out["printed_school"] = out["school"]
    out["corrected"] = False
    used = []
    for _, fix in corrections[corrections["action"] == "apply"].iterrows():
        hit = _matches(out, fix)
        if hit.any():
            out.loc[hit, fix["column"]] = fix["corrected_value"]
            out.loc[hit, "corrected"] = True
            used.append(fix)
    return out, pd.DataFrame(used, columns=corrections.columns)
