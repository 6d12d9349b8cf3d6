"""References: the bibliography holds only the works the book cites, every citation resolves, and no two works
are rendered with the same author-year label."""

from __future__ import annotations

import json
import re

from swis import paths

BIB = paths.BOOK / "references.bib"
ENTRY = re.compile(r"^@\w+\{([^,]+),(.*?)^\}", re.S | re.M)
FIELD = re.compile(r"^\s*(\w+)\s*=\s*\{(.*)\},?\s*$", re.M)
CITE = re.compile(r"\{cite(?::\w+)?\}`([^`]+)`")


def _entries() -> dict[str, dict[str, str]]:
    return {key: dict(FIELD.findall(body)) for key, body in ENTRY.findall(BIB.read_text(encoding="utf-8"))}


def _cited() -> set[str]:
    """Every key cited in the pages and in the notebook templates' Markdown."""
    texts = [p.read_text(encoding="utf-8") for p in paths.BOOK.rglob("*.md") if "generated" not in p.parts]
    for nb in paths.NOTEBOOKS.glob("*.ipynb"):
        cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
        texts += ["".join(c["source"]) for c in cells if c["cell_type"] == "markdown"]
    return {key.strip() for text in texts for group in CITE.findall(text) for key in group.split(",")}


def author_year(fields: dict[str, str]) -> str:
    """The label the author-year style gives a work: first author's family name, "et al." beyond two, year.

    Examples
    --------
    >>> author_year({"author": "Westlake, D. and Silverwood, V. and Forrester, D.", "year": "2019a"})
    'Westlake et al. 2019a'
    >>> author_year({"author": "{Department for Education}", "year": "2019"})
    'Department for Education 2019'
    """
    authors = [a.strip(" {}") for a in fields.get("author", "").split(" and ")]
    first = authors[0].split(",")[0].strip()
    many = len(authors) > 2 or "et al" in first
    return f"{first.replace(' et al.', '')}{' et al.' if many else ''} {fields.get('year', '')}"


def test_every_citation_resolves():
    assert _cited() - set(_entries()) == set()


def test_the_bibliography_holds_only_cited_works():
    assert set(_entries()) - _cited() == set()
    assert ":all:" not in (paths.BOOK / "references.md").read_text(encoding="utf-8")


def test_distinct_works_have_distinct_keys_and_labels():
    entries = _entries()
    keys = [key for key, _ in ENTRY.findall(BIB.read_text(encoding="utf-8"))]
    assert len(keys) == len(set(keys))
    labels = {}
    for key, fields in entries.items():
        labels.setdefault(author_year(fields), []).append(key)
    assert {label: ks for label, ks in labels.items() if len(ks) > 1} == {}
