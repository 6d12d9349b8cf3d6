"""Every numbered table and figure of the book: its label, page, notebook cell and ``swis`` function.

The registry (``book/registry.yml``, read here) is the one source of the replication table in the README and in
the reproducibility appendix, and of the labels the pages give their tables
and figures (:func:`label`): a page cannot number a table the registry does
not know. Labels are patterns, filled in per authority (``{code}``: the
config's code in lower case) and per outcome (``{oc}``: its short name,
:func:`swis.config.short_name`).

Run ``python -m swis.book.registry`` to rewrite the README's table.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

from swis import paths

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: Scopes: once in the book; per authority; per authority and outcome; per outcome of the matching's authority;
#: per authority of Part Two (the worked example left out: a chapter about the pilots).
SCOPES = ("book", "authority", "outcome", "matching", "part_two")


@dataclass(frozen=True)
class Entry:
    """One numbered table or figure (a pattern, for per-authority and per-outcome ones).

    Attributes
    ----------
    key : str
        Name a page asks for (:func:`label`).
    label : str
        The MyST label, e.g. ``tbl-{code}-{oc}-panel``.
    title : str
        What it shows, in words.
    page : str
        The book page (document) it appears on, e.g. ``book/generated/authority_{slug}``.
    notebook : str
        The template that makes it.
    cell : str
        The code cell of the template that shows or glues it.
    functions : tuple of str
        The ``swis`` functions that compute and lay it out.
    scope : str
        One of :data:`SCOPES`.
    """

    key: str
    label: str
    title: str
    page: str
    notebook: str
    cell: str
    functions: tuple[str, ...]
    scope: str = "book"

    @property
    def kind(self) -> str:
        """``Table`` or ``Figure``, from the label's prefix."""
        return "Figure" if self.label.startswith("fig-") else "Table"


def entries(path: str | Path | None = None) -> tuple[Entry, ...]:
    """The registered tables and figures (``book/registry.yml``), in the book's order."""
    raw = yaml.load(Path(path or paths.REGISTRY).read_text(encoding="utf-8"), Loader=_LOADER)
    return tuple(Entry(**{**item, "functions": tuple(item["functions"])}) for item in raw)


def entry(key: str) -> Entry:
    """The entry registered under ``key``.

    Raises
    ------
    KeyError
        The key is not registered.
    """
    found = [e for e in entries() if e.key == key]
    if not found:
        raise KeyError(f"no table or figure '{key}' in {paths.relative(paths.REGISTRY)}")
    return found[0]


def label(key: str, code: str = "", outcome: str = "") -> str:
    """The label of a registered table or figure, filled in.

    Parameters
    ----------
    key : str
        The entry's key (:attr:`Entry.key`).
    code : str
        The authority's code (any case), for per-authority labels.
    outcome : str
        The outcome's key, for per-outcome labels.

    Raises
    ------
    KeyError
        The key is not registered.

    Examples
    --------
    >>> label("panel", "SOU", "days_in_care")
    'tbl-sou-dic-panel'
    """
    from swis.config import short_name

    return entry(key).label.format(code=code.lower(), oc=short_name(outcome) if outcome else "")


def _places(entry: Entry, book: dict) -> list[tuple[str, str, str]]:
    """(authority, code, outcome) of each table or figure an entry stands for."""
    from swis.config import authority_configs, example_entry, load_config

    configs = authority_configs(book)
    if entry.scope == "part_two":
        return [(c.authority, c.code, "") for c in configs]
    example = example_entry(book)
    if example is not None:  # the worked example's chapter is made from the same template
        configs.append(load_config(paths.resolve(example.config)))
    if entry.scope == "authority":
        return [(c.authority, c.code, "") for c in configs]
    if entry.scope == "outcome":
        return [(c.authority, c.code, o) for c in configs for o in c.outcomes]
    if entry.scope == "matching":
        cfg = load_config(paths.config_path(book["matching"]["authority"])) if "matching" in book else None
        return [(cfg.authority, "", o) for o in cfg.outcomes] if cfg else []
    return [("", "", "")]


def expand(book: dict | None = None) -> list[dict]:
    """Every table and figure of the book, labels filled in for the book's authorities and outcomes.

    Returns
    -------
    list of dict
        ``key, label, title, page, notebook, cell, functions`` per table or figure.
    """
    from swis.config import load_book_config

    book = book or load_book_config()
    out = []
    for e in entries():
        for authority, code, outcome in _places(e, book):
            out.append(
                {
                    "key": e.key,
                    "label": label(e.key, code, outcome),
                    "title": e.title,
                    "page": e.page.format(slug=authority.lower()),
                    "notebook": e.notebook,
                    "cell": e.cell,
                    "functions": e.functions,
                }
            )
    return out


def readme_table() -> str:
    """The README's replication table: one row per registered table or figure (labels as patterns)."""
    lines = ["| Label | What it shows | Notebook (template) and cell | `swis` functions |", "| --- | --- | --- | --- |"]
    for e in entries():
        funcs = ", ".join(f"`{f}`" for f in e.functions)
        lines.append(f"| `{e.label}` | {e.title} | `{e.notebook}`: `{e.cell}` | {funcs} |")
    return "\n".join(lines)


#: Markers around the generated table in the README.
README_START = "<!-- registry:start (generated by `python -m swis.book.registry`; do not edit) -->"
README_END = "<!-- registry:end -->"


def readme_with_table(text: str) -> str:
    """The README text with the table between the markers replaced by :func:`readme_table`."""
    head, _, rest = text.partition(README_START)
    _, _, tail = rest.partition(README_END)
    return f"{head}{README_START}\n{readme_table()}\n{README_END}{tail}"


def main() -> None:
    """Rewrite the README's replication table (``python -m swis.book.registry``)."""
    from swis.io import atomic_write_text

    text = paths.README.read_text(encoding="utf-8")
    if README_START not in text:
        sys.exit(f"error: {paths.README}: no line '{README_START}'")
    atomic_write_text(readme_with_table(text), paths.README)


if __name__ == "__main__":
    main()
