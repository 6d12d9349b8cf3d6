"""What the report published, as data: regression estimates, stated changes, context tables and costs.

Every file in ``data/published`` and ``data/context`` cites the table or
section of the report it was transcribed from, in a ``source`` column.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from swis import paths

#: Numeric columns of the published regression estimates.
VALUE_COLUMNS = ("irr", "ci_low", "ci_high")


def load_published(path: str | Path | None = None) -> pd.DataFrame:
    """Published regression estimates (``data/published/regression_estimates.csv``).

    The printed text of each number is kept (``*_text``) to know its precision.

    Examples
    --------
    >>> pub = load_published()
    >>> float(pub.loc[0, "irr"]), pub.loc[0, "irr_text"]
    (0.61, '0.61')
    """
    frame = pd.read_csv(path or paths.PUBLISHED_ESTIMATES, dtype=str, keep_default_na=False)
    for col in VALUE_COLUMNS:
        frame[f"{col}_text"] = frame[col]
        frame[col] = pd.to_numeric(frame[col].replace("", np.nan))
    return frame


def published_table(published: pd.DataFrame, authority: str, outcome: str) -> pd.DataFrame:
    """The rows of one published regression table (empty when the report printed none)."""
    return published[(published["authority"] == authority) & (published["outcome"] == outcome)]


def load_pilots() -> pd.DataFrame:
    """Part One, Table 1: the pilots, their schools and their social work teams."""
    return pd.read_csv(paths.CONTEXT / "pilots.csv")


def load_data_collected() -> pd.DataFrame:
    """Part One, Table 2, with the total of each row computed beside the printed one.

    Returns
    -------
    DataFrame
        ``data_collection``, one column per authority (NaN where the report
        prints none), ``printed_total``, ``computed_total``, ``source``.
    """
    raw = pd.read_csv(paths.CONTEXT / "data_collected.csv")
    counts = raw.drop(columns=["data_collection", "printed_total", "source"])
    return raw.assign(computed_total=counts.fillna(0).sum(axis=1).astype(int))


def authority_columns(collected: pd.DataFrame) -> list[str]:
    """The authority columns of Table 2, in the order printed."""
    return [c for c in collected.columns if c not in ("data_collection", "printed_total", "computed_total", "source")]


def context_table(authority: str, kind: str) -> pd.DataFrame | None:
    """An authority's context table (``data_collected`` or ``configuration``), or None if it has none.

    Files: ``data/context/data_collected_<authority>.csv`` and
    ``data/context/<authority>_configuration.csv``.
    """
    name = {
        "data_collected": f"data_collected_{authority.lower()}.csv",
        "configuration": f"{authority.lower()}_configuration.csv",
    }[kind]
    path = paths.CONTEXT / name
    return pd.read_csv(path, dtype=str, keep_default_na=False) if path.exists() else None


def load_costs(path: str | Path | None = None) -> pd.DataFrame:
    """Published cost components per authority (``data/costs.csv``)."""
    return pd.read_csv(path or paths.COSTS)


def load_combined_effects(path: str | Path | None = None) -> pd.DataFrame:
    """The overall changes the report states in its text (``data/published/combined_effects.csv``).

    ``time_irr`` and ``interaction_irr`` are the printed IRRs the report
    multiplies; ``combined_irr`` is the product where the report prints it;
    ``stated_change`` is the percentage it states, parsed into
    ``stated_pct``.

    Examples
    --------
    >>> stated = load_combined_effects()
    >>> stated.loc[stated["outcome"].eq("days_in_care") & stated["authority"].eq("Stockport"), "stated_pct"].item()
    3.0
    """
    frame = pd.read_csv(path or paths.COMBINED_EFFECTS)
    frame["stated_pct"] = pd.to_numeric(frame["stated_change"].str.rstrip("%")).astype(float)
    return frame
