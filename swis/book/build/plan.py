"""What a build runs: one notebook run per authority and per page, with parameters from ``data/book.yml``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from swis import paths
from swis.config import Entry, authority_entries, example_entry

#: Runs that read other runs' outputs, executed after all the others (the synthesis reads the estimates).
AFTER = ("synthesis",)
#: Pages with one run each, in the order they are executed (after the facts and the authorities).
PAGES = ("synthesis", "logic_model", "matching", "audit", "sensitivity", "planning", "replication")


#: Seconds a run takes on the project's 2-core machine (a cold build's fresh-clone CI, 2026-12-06), used to
#: start the longest runs first when the cache has not timed them: two workers finish soonest when the
#: longest jobs start first and the short ones fill in. An authority not listed is taken as an authority.
EXPECTED_SECONDS = {
    "planning": 10.6,
    "audit": 4.8,
    "walkthrough": 4.5,
    "matching": 3.9,
    "sensitivity": 3.6,
    "logic_model": 2.5,
    "synthesis": 2.2,
    "replication": 2.0,
    "facts": 1.7,
}
AUTHORITY_SECONDS = 5.0


def expected_seconds(name: str, measured: float | None = None) -> float:
    """How long a run is expected to take: as measured last time, else as listed.

    Examples
    --------
    >>> expected_seconds("planning"), expected_seconds("authority_northshire"), expected_seconds("audit", 7.5)
    (10.6, 5.0, 7.5)
    """
    if measured is not None:
        return measured
    return EXPECTED_SECONDS.get(name, AUTHORITY_SECONDS)


@dataclass(frozen=True)
class Run:
    """One notebook execution: template, output name and parameters."""

    template: Path
    name: str
    parameters: dict


def authority_parameters(authority: str | Entry, overrides: dict | None = None) -> dict:
    """Default parameters of an authority's notebook (panel and config from its entry in ``data/book.yml``),
    with overrides.

    Examples
    --------
    >>> authority_parameters("Stockport")["config_path"]
    'data/config/stockport.yml'
    """
    from swis.config.book import entry

    e = authority if isinstance(authority, Entry) else entry(authority)
    params = {
        "authority": e.name,
        "panel_path": e.panel,
        "config_path": e.config,
        "output_dir": f"book/generated/results/{e.slug}",
    }
    params.update(overrides or {})
    return params


def run_name(authority: str) -> str:
    """The executed notebook of an authority, e.g. ``authority_southampton``."""
    return f"authority_{authority.lower()}"


def _authority_run(e: Entry, book: dict, overrides: dict) -> Run:
    params = authority_parameters(e, {**book.get("authority_defaults", {}), **overrides.get(e.name, {})})
    return Run(paths.NOTEBOOKS / "authority.ipynb", run_name(e.name), params)


def plan(book: dict, overrides: dict[str, dict] | None = None) -> list[Run]:
    """Every notebook run of the book, in order: the facts, each authority (then the worked example and its
    walkthrough, if the book has one), then the other pages."""
    overrides = overrides or {}
    runs = [Run(paths.NOTEBOOKS / "facts.ipynb", "facts", dict(book.get("facts") or {}))]
    runs += [_authority_run(e, book, overrides) for e in authority_entries(book)]
    example = example_entry(book)
    if example is not None:
        runs.append(_authority_run(example, book, overrides))
        walkthrough = {
            "example_config": example.config,
            "example_admin": str(book["example"]["admin"]),
            "example_panel": example.panel,
            "outcome": str(book["example"].get("outcome", "")),
        }
        runs.append(Run(paths.NOTEBOOKS / "walkthrough.ipynb", "walkthrough", walkthrough))
    for name in PAGES:
        if name in book:
            runs.append(Run(paths.NOTEBOOKS / f"{name}.ipynb", name, dict(book[name] or {})))
    return runs
