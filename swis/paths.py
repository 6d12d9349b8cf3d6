"""Every path the project uses, in one place.

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
PANEL = DATA / "panels" / "swis_panel.csv"
CORRECTIONS = DATA / "corrections.csv"
PUBLISHED = DATA / "published"
PUBLISHED_ESTIMATES = PUBLISHED / "regression_estimates.csv"
FACTS_DIR = DATA / "facts"
CONTEXT = DATA / "context"
LOGIC_MODEL = DATA / "logic_model.yml"

NOTEBOOKS = ROOT / "notebooks"
BOOK = ROOT / "book"
GENERATED = BOOK / "generated"
BUILD = ROOT / "_build"
RESULTS = ROOT / "results"


def config_path(authority: str) -> Path:
    """Return the config file of an authority, e.g. ``data/config/southampton.yml``."""
    return CONFIG_DIR / f"{authority.lower()}.yml"


def relative(path: Path) -> str:
    """Show ``path`` relative to the repository root when it lies inside it."""
    try:
        return str(Path(path).resolve().relative_to(ROOT))
    except ValueError:
        return str(path)
