"""The whole book builds (Sphinx warnings are errors) and every glue key in the prose exists.

The build is what `make book` runs (`swis build`): every notebook is executed
by papermill and `jupyter-book build -n -W --keep-going` renders the HTML.
Tests marked ``book`` read that build (`make check`); the others read the prose.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from swis import paths
from swis.book.toc import toc, toc_files
from swis.data.facts import load_facts

GLUE = re.compile(r"\{glue:text\}`([^`]+)`")


def _toc_files() -> list[str]:
    return toc_files(toc())


def _glue_keys(nb_path: Path) -> set[str]:
    nb = json.loads(nb_path.read_text())
    keys = set()
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            name = out.get("metadata", {}).get("scrapbook", {}).get("name")
            if name:
                keys.add(name)
    return keys


def _references() -> list[tuple[str, str, str]]:
    """(file, document, key) of every cross-document glue reference in the prose."""
    refs = []
    for path in (paths.BOOK).rglob("*.md"):
        for text in GLUE.findall(path.read_text()):
            key = text.rsplit(":", 1)[0] if text.count(":") >= 3 else text
            if "::" in key:
                doc, name = key.split("::", 1)
                refs.append((str(path.relative_to(paths.ROOT)), doc, name))
    return refs


def test_prose_references_use_a_format_spec():
    for path in paths.BOOK.rglob("*.md"):
        for text in GLUE.findall(path.read_text()):
            if "::" in text:
                assert text.count(":") >= 3, f"{path}: {text} needs a format spec (path::key:fmt)"


def test_fact_references_exist():
    facts = set(load_facts()["key"])
    missing = [(f, k) for f, doc, k in _references() if doc.endswith("facts.ipynb") and k not in facts]
    assert not missing


def test_every_fact_is_used():
    used = {k for _, doc, k in _references() if doc.endswith("facts.ipynb")}
    unused = set(load_facts()["key"]) - used
    assert not unused, f"facts never pasted in the prose: {sorted(unused)}"


@pytest.mark.book
def test_book_builds_with_every_chapter(built):
    for doc in _toc_files():
        assert (built["html"] / f"{doc}.html").exists(), doc


@pytest.mark.book
def test_every_glue_reference_exists_after_build(built):
    for f, doc, key in _references():
        nb = paths.ROOT / doc.lstrip("/")
        assert nb.exists(), f"{f}: {doc} not generated"
        if not doc.endswith("facts.ipynb"):
            assert key in _glue_keys(nb), f"{f}: {doc}::{key} not glued"


@pytest.mark.book
def test_book_is_offline(built):
    """No page loads a script or stylesheet from the network."""
    pattern = re.compile(r'<(?:script|link)[^>]+(?:src|href)="(https?:)?//', re.I)
    for page in built["html"].rglob("*.html"):
        assert not pattern.search(page.read_text()), page
