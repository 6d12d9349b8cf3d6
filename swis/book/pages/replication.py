"""The replication page (``notebooks/replication.ipynb``): where each table and figure comes from."""

from __future__ import annotations

import pandas as pd

from swis import paths
from swis.book import registry
from swis.book.myst import myst_table
from swis.config import load_book_config


def registry_table(book_config: str):
    """Every numbered table and figure of the book, with its notebook cell and ``swis`` functions.

    ``book_config`` (relative to the repository root) gives the authorities
    and outcomes that per-authority and per-outcome labels are filled in for.
    """
    rows = registry.expand(load_book_config(paths.resolve(book_config)))
    frame = pd.DataFrame(
        {
            "Table or figure": [f"{{numref}}`{r['label']}`: {r['title']}" for r in rows],
            "Notebook (template) and cell": [f"`{r['notebook']}`: `{r['cell']}`" for r in rows],
            "`swis` functions": [", ".join(f"`{f}`" for f in r["functions"]) for r in rows],
        }
    )
    return myst_table(frame, "Where each table and figure comes from", registry.label("registry"), index=False)
