"""The render's numbered-reference cache (swis/book/build/numref_speed.py): same HTML, far fewer unpickled trees.

A two-page Sphinx project with many numbered references to each page's table is built with and without the
extension; the pages must be byte-identical, and with it each page's doctree is read a fixed number of times
(to write the page, once for all the references to it, and the root page for the navigation) instead of once
per reference.
"""

from __future__ import annotations

from collections import Counter

import pytest
from sphinx.application import Sphinx
from sphinx.domains.std import StandardDomain
from sphinx.environment import BuildEnvironment

from swis.book.build import numref_speed

REFS = " ".join([":numref:`tbl-a` and :numref:`tbl-b`."] * 6)


def _table(label: str, caption: str) -> str:
    return f".. _{label}:\n\n.. table:: {caption}\n\n   = =\n   a b\n   = =\n\n"


def _project(root, extensions: list[str]):
    src = root / "src"
    src.mkdir(parents=True)
    (src / "conf.py").write_text(f"extensions = {extensions!r}\nnumfig = True\n")
    (src / "index.rst").write_text(
        "Title\n=====\n\n.. toctree::\n\n   other\n\n" + _table("tbl-a", "First") + REFS + "\n"
    )
    (src / "other.rst").write_text("Other\n=====\n\n" + _table("tbl-b", "Second") + REFS + "\n")
    return src


def _build(root, extensions: list[str], monkeypatch) -> tuple[dict[str, str], Counter]:
    calls: Counter = Counter()
    original = BuildEnvironment.get_doctree

    def counting(self, docname):
        calls[docname] += 1
        return original(self, docname)

    monkeypatch.setattr(BuildEnvironment, "get_doctree", counting)
    src = _project(root, extensions)
    app = Sphinx(str(src), str(src), str(root / "out"), str(root / "doctrees"), "html", status=None, warning=None)
    app.build()
    pages = {name: (root / "out" / f"{name}.html").read_text() for name in ("index", "other")}
    return pages, calls


@pytest.fixture
def original_resolution(monkeypatch):
    """Sphinx's own resolution restored after the test (the extension replaces it for the process)."""
    monkeypatch.setattr(StandardDomain, "_resolve_numref_xref", numref_speed._ORIGINAL)


def test_the_cache_writes_the_same_pages_from_fewer_trees(tmp_path, monkeypatch, original_resolution):
    plain, plain_calls = _build(tmp_path / "plain", [], monkeypatch)
    cached, cached_calls = _build(tmp_path / "cached", ["swis.book.build.numref_speed"], monkeypatch)
    assert "Table 2" in plain["index"] and "Table 1" in plain["other"]  # the references were resolved
    assert cached == plain
    assert plain_calls["other"] >= 12  # Sphinx alone: once per reference
    assert cached_calls["other"] <= 2 and cached_calls["index"] <= 3  # the root page is read for navigation too
