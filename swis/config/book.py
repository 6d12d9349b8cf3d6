"""The book's own configuration, ``data/book.yml``: which authorities it covers and every run's parameters.

The list of authorities lives here and nowhere else: Part Two, the synthesis,
the audit and the build all ask :func:`authorities`.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from swis import paths
from swis.config.authority import Config, load_config


def load_book_config(path: str | Path | None = None) -> dict:
    """The build's parameters (``data/book.yml``)."""
    return yaml.safe_load(Path(path or paths.BOOK_CONFIG).read_text(encoding="utf-8"))


def authorities(book: dict | None = None) -> list[str]:
    """The authorities of the book, in the order of Part Two.

    Examples
    --------
    >>> authorities()
    ['Southampton', 'Stockport', 'Lambeth']
    """
    return list((book or load_book_config())["authorities"])


def authority_configs(book: dict | None = None) -> list[Config]:
    """The config of every authority of the book, in the book's order."""
    return [load_config(paths.config_path(a)) for a in authorities(book)]
