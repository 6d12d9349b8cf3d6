"""Figures quoted from the reports, kept as data (``data/facts/*.csv``).

Each fact is one number with its key and its source (section or table of
the report). The facts page glues every fact under its key so that the
book's prose can paste it with ``{glue:text}``; nothing is typed by hand.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from swis import paths
from swis.errors import InputError, Problem

FACT_COLUMNS = ("key", "value", "source")


def _parse_value(text: str) -> int | float:
    return int(text) if text.lstrip("-").isdigit() else float(text)


def load_facts(folder: str | Path | None = None) -> pd.DataFrame:
    """All facts, with the file they come from.

    Raises
    ------
    InputError
        A missing column, a value that is not a number, an empty source, or
        a key defined twice.
    """
    folder = Path(folder or paths.FACTS_DIR)
    frames, problems = [], []
    for path in sorted(folder.glob("*.csv")):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        missing = [c for c in FACT_COLUMNS if c not in frame.columns]
        problems += [Problem(str(path), 1, c, "missing column") for c in missing]
        if missing:
            continue
        frame.index = range(2, len(frame) + 2)
        for line, row in frame.iterrows():
            try:
                _parse_value(row["value"].strip())
            except ValueError:
                problems.append(Problem(str(path), line, "value", f"expected a number, got {row['value']!r}"))
            if not row["source"].strip():
                problems.append(Problem(str(path), line, "source", "every fact must cite its source"))
        frames.append(frame.assign(file=path.name, line=frame.index))
    facts = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=[*FACT_COLUMNS, "file", "line"])
    for key, rows in facts[facts["key"].duplicated(keep=False)].groupby("key"):
        problems.append(
            Problem(rows["file"].iloc[1], int(rows["line"].iloc[1]), "key", f"key '{key}' is defined twice")
        )
    if problems:
        raise InputError(problems)
    facts["value"] = facts["value"].str.strip().map(_parse_value)
    return facts
