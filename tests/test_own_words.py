"""Own words, book-wide: no run of ten or more words of the book's prose is shared with the reports.

Covers every Markdown page under ``book/`` (the chapters of Part Two have their own, stricter tests beside
this one), the Markdown cells of every notebook template, and the free text of the record's data files
(``data/record/*.csv``), which the reproducibility appendix renders. Marked quotations (block quotes and text
in curly double quotes) are the reports' words by design and are not counted; see ``tests/prose.py``.
"""

from __future__ import annotations

import csv
import json

import prose
import pytest

NEEDS_SEEDS = pytest.mark.skipif(
    not prose.SEEDS.is_dir(),
    reason=f"the reports are not beside the repository ({prose.SEEDS} is absent), so there is nothing to compare",
)

GENERATED = prose.BOOK / "generated"
PAGES = sorted(p for p in prose.BOOK.rglob("*.md") if GENERATED not in p.parents)
NOTEBOOKS = sorted((prose.ROOT / "notebooks").glob("*.ipynb"))
RECORD = sorted((prose.ROOT / "data" / "record").glob("*.csv"))
# columns of the record's files that hold the book's own sentences (the others hold the reports' values)
RECORD_PROSE = ("topic", "book_uses", "why", "note")


def _shared(text: str, n: int = 10) -> list[str]:
    w = prose.words(prose.prose(text))
    grams = prose.seed_ngrams(n)
    return [" ".join(w[i : i + n]) for i in range(len(w) - n + 1) if tuple(w[i : i + n]) in grams]


def test_the_pages_are_found():
    names = {p.relative_to(prose.BOOK).as_posix() for p in PAGES}
    assert {"index.md", "part1/introduction.md", "part2/lambeth.md", "appendix/reproducibility.md"} <= names
    assert NOTEBOOKS


@NEEDS_SEEDS
def test_the_reports_are_read():
    """A guard for the tests below: a sentence of the final report is found among its runs of ten words."""
    assert prose.seed_ngrams(10)
    assert _shared("Social workers in schools: an evaluation of pilots in three local authorities in England")


@NEEDS_SEEDS
@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(prose.BOOK).as_posix())
def test_page_shares_no_run_of_ten_words_with_the_reports(page):
    assert prose.shared_runs(page) == []


@NEEDS_SEEDS
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_text_shares_no_run_of_ten_words_with_the_reports(notebook):
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    text = "\n\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    assert _shared(text) == []


@NEEDS_SEEDS
@pytest.mark.parametrize("path", RECORD, ids=lambda p: p.name)
def test_record_text_shares_no_run_of_ten_words_with_the_reports(path):
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    shared = [
        (row.get("id") or row.get("item"), col, run)
        for row in rows
        for col in RECORD_PROSE
        if row.get(col)
        for run in _shared(row[col])
    ]
    assert shared == []
