"""The table of contents Jupyter Book reads, written from ``book/toc.yml`` and ``data/book.yml``.

The template names no authority: its ``authorities`` item becomes one chapter per authority of the book
(in its order), ``example_authority`` the worked example's page, and a part marked ``example: true`` is kept
only when the book has a worked example. Run by the build before rendering; ``_toc.yml`` is git-ignored.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from swis import paths
from swis.book.build.plan import run_name
from swis.config import authority_entries, example_entry, load_book_config

TEMPLATE = paths.BOOK / "toc.yml"
TOC = paths.ROOT / "_toc.yml"


def authority_chapter(name: str) -> dict:
    """An authority's chapter: its prose page with the generated page and conclusions as sections, if it has
    prose pages; otherwise the generated data-and-impact page alone.

    Examples
    --------
    >>> authority_chapter("Lambeth")["sections"][0]
    {'file': 'book/generated/authority_lambeth'}
    >>> authority_chapter("Northshire")
    {'file': 'book/generated/authority_northshire'}
    """
    slug = name.lower()
    generated = {"file": f"book/generated/{run_name(name)}"}
    prose = paths.BOOK / "part2" / f"{slug}.md"
    if not prose.exists():
        return generated
    sections = [generated]
    if (paths.BOOK / "part2" / f"{slug}_conclusions.md").exists():
        sections.append({"file": f"book/part2/{slug}_conclusions"})
    return {"file": f"book/part2/{slug}", "sections": sections}


def _chapters(chapters: list, book: dict) -> list:
    out = []
    for item in chapters:
        if item == "authorities":
            out += [authority_chapter(e.name) for e in authority_entries(book)]
        elif item == "example_authority":
            example = example_entry(book)
            out += [{"file": f"book/generated/{run_name(example.name)}"}] if example else []
        else:
            out.append(item)
    return out


def toc(book: dict | None = None, template: str | Path | None = None) -> dict:
    """The table of contents for ``book`` (default ``data/book.yml``).

    Examples
    --------
    >>> parts = toc()["parts"]
    >>> [c["file"] for c in parts[1]["chapters"]][:2]
    ['book/part2/overview', 'book/part2/southampton']
    """
    book = book or load_book_config()
    raw = yaml.safe_load(Path(template or TEMPLATE).read_text(encoding="utf-8"))
    parts = []
    for part in raw["parts"]:
        if part.pop("example", False) and not example_entry(book):
            continue
        parts.append({**part, "chapters": _chapters(part["chapters"], book)})
    return {**raw, "parts": parts}


def toc_files(contents: dict) -> list[str]:
    """Every document of a table of contents, in reading order."""
    files = [contents["root"]]

    def walk(items):
        for item in items:
            files.append(item["file"])
            walk(item.get("sections", []))

    for part in contents["parts"]:
        walk(part["chapters"])
    return files


def write_toc(book: dict | None = None, path: str | Path | None = None) -> Path:
    """Write the table of contents where Jupyter Book reads it (``_toc.yml`` at the repository root)."""
    from swis.io import atomic_write_text

    text = "# Written by swis build from book/toc.yml and data/book.yml; do not edit.\n"
    return atomic_write_text(text + yaml.safe_dump(toc(book), sort_keys=False, allow_unicode=True), path or TOC)
