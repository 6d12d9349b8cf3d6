"""Every path the project uses, in one place, and how a path given by a user is resolved.

The repository root is found from this file's location, so an editable
install works from any working directory. ``SWIS_ROOT`` overrides it (for
running the package against a copy of the repository elsewhere).
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(os.environ.get("SWIS_ROOT", Path(__file__).resolve().parents[1]))

DATA = ROOT / "data"
CONFIG_DIR = DATA / "config"
BOOK_CONFIG = DATA / "book.yml"
PANEL = DATA / "panels" / "swis_panel.csv"
CORRECTIONS = DATA / "corrections.csv"
PUBLISHED = DATA / "published"
PUBLISHED_ESTIMATES = PUBLISHED / "regression_estimates.csv"
COMBINED_EFFECTS = PUBLISHED / "combined_effects.csv"
COSTS = DATA / "costs.csv"
FACTS_DIR = DATA / "facts"
CONTEXT = DATA / "context"
LOGIC_MODEL = DATA / "logic_model.yml"
TEAMS_DIR = DATA / "teams"

NOTEBOOKS = ROOT / "notebooks"
BOOK = ROOT / "book"
GENERATED = BOOK / "generated"
BUILD = ROOT / "_build"
RESULTS = ROOT / "results"
README = ROOT / "README.md"
REGISTRY = BOOK / "registry.yml"


def config_path(authority: str) -> Path:
    """The config file of an authority.

    Examples
    --------
    >>> config_path("Southampton").relative_to(ROOT).as_posix()
    'data/config/southampton.yml'
    """
    return CONFIG_DIR / f"{authority.lower()}.yml"


def resolve(path: str | Path) -> Path:
    """A path as given when absolute, else relative to the repository root.

    Notebook parameters and ``data/book.yml`` name files relative to the
    root, so that a build does not depend on the folder it is started from.

    Examples
    --------
    >>> resolve("data/book.yml") == BOOK_CONFIG
    True
    """
    path = Path(path)
    return path if path.is_absolute() else ROOT / path


def relative(path: str | Path) -> str:
    """Show ``path`` relative to the repository root when it lies inside it.

    Examples
    --------
    >>> relative(PANEL)
    'data/panels/swis_panel.csv'
    """
    try:
        return Path(path).resolve().relative_to(ROOT.resolve()).as_posix()
    except ValueError:
        return str(path)


def inside_book(path: str | Path) -> Path | None:
    """The path relative to the book folder that holds it, or None outside the book.

    Executed notebooks sit in a folder directly under ``book/`` (``generated``,
    or a staging copy of it), and ``{download}`` links are relative to it.

    Examples
    --------
    >>> inside_book(GENERATED / "results" / "a.csv").as_posix()
    'results/a.csv'
    >>> inside_book(ROOT / "elsewhere.csv") is None
    True
    """
    path = Path(path).resolve()
    book = BOOK.resolve()
    folder = next((p for p in path.parents if p.parent == book), None)
    return path.relative_to(folder) if folder is not None else None
