"""Reading CSV files cell by cell, and writing outputs atomically (fully or not at all)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pandas as pd

from swis.errors import InputError

#: CSV line of the first data row (line 1 is the header).
FIRST_LINE = 2


def read_csv_text(path: str | Path) -> pd.DataFrame:
    """Read a CSV with every cell as text, indexed by CSV line, so bad cells can be reported by row.

    Raises
    ------
    InputError
        The file is missing or is not a readable CSV.
    """
    path = Path(path)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except FileNotFoundError:
        raise InputError.one(path, 0, "-", "file not found") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InputError.one(path, 0, "-", f"not a readable CSV file: {exc}") from None
    frame.columns = [c.strip() for c in frame.columns]
    frame.index = pd.RangeIndex(FIRST_LINE, FIRST_LINE + len(frame))
    return frame


def atomic_write_text(text: str, path: str | Path) -> Path:
    """Write ``text`` to ``path`` through a temporary file in the same folder."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def atomic_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a DataFrame as CSV (no index) atomically."""
    return atomic_write_text(frame.to_csv(index=False), path)
