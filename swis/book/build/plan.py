"""What a build runs: one notebook run per authority and per page, with parameters from ``data/book.yml``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from swis import paths
from swis.config import authorities

#: Pages with one run each, in the order they are executed (after the facts and the authorities).
PAGES = ("synthesis", "logic_model", "matching", "audit", "planning", "replication")


@dataclass(frozen=True)
class Run:
    """One notebook execution: template, output name and parameters."""

    template: Path
    name: str
    parameters: dict


def authority_parameters(authority: str, overrides: dict | None = None) -> dict:
    """Default parameters of an authority's notebook, with overrides.

    Examples
    --------
    >>> authority_parameters("Stockport")["config_path"]
    'data/config/stockport.yml'
    """
    slug = authority.lower()
    params = {
        "authority": authority,
        "panel_path": paths.relative(paths.PANEL),
        "config_path": paths.relative(paths.config_path(authority)),
        "output_dir": f"book/generated/results/{slug}",
    }
    params.update(overrides or {})
    return params


def run_name(authority: str) -> str:
    """The executed notebook of an authority, e.g. ``authority_southampton``."""
    return f"authority_{authority.lower()}"


def plan(book: dict, overrides: dict[str, dict] | None = None) -> list[Run]:
    """Every notebook run of the book, in order: the facts, each authority, then the other pages."""
    overrides = overrides or {}
    runs = [Run(paths.NOTEBOOKS / "facts.ipynb", "facts", dict(book.get("facts") or {}))]
    for authority in authorities(book):
        params = authority_parameters(authority, {**book.get("authority_defaults", {}), **overrides.get(authority, {})})
        runs.append(Run(paths.NOTEBOOKS / "authority.ipynb", run_name(authority), params))
    for name in PAGES:
        if name in book:
            runs.append(Run(paths.NOTEBOOKS / f"{name}.ipynb", name, dict(book[name] or {})))
    return runs
