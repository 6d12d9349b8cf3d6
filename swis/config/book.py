"""The book's own configuration, ``data/book.yml``: which authorities it covers and every run's parameters.

The list of authorities lives here and nowhere else: Part Two, the table of contents, the synthesis, the
audit and the build all ask :func:`authorities`. An entry is either the name of one of the report's pilots
(analysed from the report's published panel) or a mapping for an authority added by a researcher::

    authorities:
      - Southampton
      - name: Northshire
        panel: data/panels/northshire.csv      # its own panel file
        config: data/config/northshire.yml     # optional: data/config/<name>.yml by default

An ``example`` mapping of the same form names the SYNTHETIC worked example, which is built into its own part
of the book and never counted among the authorities.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from swis import paths
from swis.config.authority import Config, load_config


@dataclass(frozen=True)
class Entry:
    """One authority of the book: its name, panel and config (paths relative to the repository root)."""

    name: str
    panel: str
    config: str
    pilot: bool

    @property
    def slug(self) -> str:
        """The name in file names and labels, e.g. ``southampton``."""
        return self.name.lower().replace(" ", "_")


def load_book_config(path: str | Path | None = None) -> dict:
    """The build's parameters (``data/book.yml``)."""
    return yaml.safe_load(Path(path or paths.BOOK_CONFIG).read_text(encoding="utf-8"))


def entry(raw: str | dict) -> Entry:
    """An entry of ``authorities`` (or ``example``) with its defaults filled in.

    Examples
    --------
    >>> entry("Stockport").panel, entry("Stockport").pilot
    ('data/panels/swis_panel.csv', True)
    >>> entry({"name": "Northshire", "panel": "data/panels/northshire.csv"}).config
    'data/config/northshire.yml'
    """
    if isinstance(raw, str):
        return Entry(raw, paths.relative(paths.PANEL), paths.relative(paths.config_path(raw)), True)
    name = str(raw["name"])
    return Entry(
        name,
        str(raw["panel"]),
        str(raw.get("config") or paths.relative(paths.config_path(name))),
        bool(raw.get("pilot", False)),
    )


def authority_entries(book: dict | None = None) -> list[Entry]:
    """Every authority of the book, in the order of Part Two."""
    return [entry(raw) for raw in (book or load_book_config())["authorities"]]


def authorities(book: dict | None = None) -> list[str]:
    """The authorities of the book, in the order of Part Two.

    Examples
    --------
    >>> authorities()
    ['Southampton', 'Stockport', 'Lambeth']
    """
    return [e.name for e in authority_entries(book)]


def example_entry(book: dict | None = None) -> Entry | None:
    """The SYNTHETIC worked example's authority, if the book has one."""
    raw = (book or load_book_config()).get("example")
    return entry(raw) if raw else None


def pilot_panels(book: dict | None = None) -> list[tuple[Config, Path]]:
    """(config, panel) of each of the report's pilots in the book: what calibrations may learn from."""
    return [(load_config(paths.resolve(e.config)), paths.resolve(e.panel)) for e in authority_entries(book) if e.pilot]


def authority_configs(book: dict | None = None) -> list[Config]:
    """The config of every authority of the book, in the book's order."""
    return [load_config(paths.resolve(e.config)) for e in authority_entries(book)]


def outcome_labels(in_text: bool = False, book: dict | None = None) -> dict[tuple[str, str], str]:
    """(authority, outcome) -> the outcome's label (``in_text``: as it reads inside a sentence), for the book.

    Examples
    --------
    >>> outcome_labels()[("Southampton", "days_in_care")], outcome_labels(in_text=True)[("Southampton", "days_in_care")]
    ('Days in care', 'days in care')
    """
    return {
        (c.authority, key): spec.in_text if in_text else spec.label
        for c in authority_configs(book)
        for key, spec in c.outcomes.items()
    }
