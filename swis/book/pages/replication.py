"""The replication page (``notebooks/replication.ipynb``): where each table and figure comes from."""

from __future__ import annotations

import pandas as pd

from swis import paths
from swis.book import registry
from swis.book.myst import myst_table
from swis.config import load_book_config


def registry_table(book_config: str):
    """Every numbered table and figure of the book, grouped by what makes it: notebook cell and functions.

    ``book_config`` (relative to the repository root) gives the authorities
    and outcomes that per-authority and per-outcome labels are filled in for.
    """
    rows = pd.DataFrame(registry.expand(load_book_config(paths.resolve(book_config))))
    groups = rows.groupby("key", sort=False)
    frame = pd.DataFrame(
        {
            "What": [
                f"{g['title'].iloc[0]}: " + ", ".join(f"{{numref}}`{label}`" for label in g["label"]) for _, g in groups
            ],
            "Notebook cell": [
                f"`{g['notebook'].iloc[0].removeprefix('notebooks/')}`: `{g['cell'].iloc[0]}`" for _, g in groups
            ],
            "`swis` functions": [
                ", ".join(f"`{f.removeprefix('swis.')}`" for f in g["functions"].iloc[0]) for _, g in groups
            ],
        }
    )
    return myst_table(frame, "Where each table and figure comes from", registry.label("registry"), index=False)
