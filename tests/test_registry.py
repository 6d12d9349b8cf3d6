"""The registry of tables and figures: complete, pointing at real cells and functions, in step with the README."""

from __future__ import annotations

import importlib
import json
import re

import nbformat
import pytest

from swis import paths
from swis.book import registry

NAME = re.compile(r"^:name: ((?:tbl|fig)-[A-Za-z0-9{}_-]+)", re.M)


def _resolve(dotted: str):
    """Import ``a.b.c`` as module ``a.b`` attribute ``c`` (or as a module)."""
    module, _, attr = dotted.rpartition(".")
    try:
        return getattr(importlib.import_module(module), attr)
    except (ImportError, AttributeError):
        return importlib.import_module(dotted)


def test_keys_and_labels_are_unique():
    entries = registry.entries()
    assert len({e.key for e in entries}) == len(entries)
    assert len({e.label for e in entries}) == len(entries)
    labels = [r["label"] for r in registry.expand()]
    assert len(set(labels)) == len(labels)


@pytest.mark.parametrize("entry", registry.entries(), ids=lambda e: e.key)
def test_entry_names_a_real_cell_and_real_functions(entry):
    nb = nbformat.read(paths.ROOT / entry.notebook, as_version=4)
    assert entry.cell in [c.source for c in nb.cells if c.cell_type == "code"], entry.notebook
    for name in entry.functions:
        assert callable(_resolve(name)), name
    assert entry.scope in registry.SCOPES


def test_every_label_in_a_template_is_registered():
    """Labels written in the templates' markdown (glued figures) must be registered patterns."""
    patterns = {e.label.replace("{code}", "{{code}}").replace("{oc}", "{{oc}}") for e in registry.entries()}
    for path in paths.NOTEBOOKS.glob("*.ipynb"):
        for cell in nbformat.read(path, as_version=4).cells:
            for label in NAME.findall(cell.source):
                assert label in patterns, f"{path.name}: {label} is not in {paths.relative(paths.REGISTRY)}"


def test_unknown_key_is_refused():
    with pytest.raises(KeyError, match="no table or figure"):
        registry.label("no-such-table")


def test_readme_table_is_generated_from_the_registry():
    text = paths.README.read_text(encoding="utf-8")
    assert registry.README_START in text
    assert registry.readme_with_table(text) == text, "run `make readme` to regenerate the README's table"


def _labels_in(nb_path) -> set[str]:
    nb = json.loads(nb_path.read_text())
    found = set()
    for cell in nb["cells"]:
        found |= set(NAME.findall("".join(cell["source"])))
        for out in cell.get("outputs", []):
            markdown = out.get("data", {}).get("text/markdown", "")
            found |= set(NAME.findall("".join(markdown)))  # stored as a string or a list of lines
    return found


@pytest.mark.book
def test_every_numbered_table_and_figure_of_the_book_is_registered(built):
    in_book = set().union(*(_labels_in(p) for p in built["generated"].glob("*.ipynb")))
    # figures a written chapter shows itself (the team diagrams, drawn by a notebook into a file)
    in_book |= {label for p in paths.BOOK.rglob("*.md") for label in NAME.findall(p.read_text(encoding="utf-8"))}
    registered = {r["label"] for r in registry.expand()}
    assert in_book - registered == set(), "labels in the book missing from the registry"
    assert registered - in_book == set(), "registered labels the book does not have"
