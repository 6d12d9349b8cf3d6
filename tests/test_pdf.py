"""The PDF edition (swis/book/pdf.py): the whole book printed by Chromium, read back with pypdf.

The tests marked ``book`` read ``_build/html/swis-book.pdf`` as `make book` made it; the others check how one
page becomes a chapter of the joined document.
"""

from __future__ import annotations

import functools
import hashlib
import io
import re
import unicodedata

import pytest
from bs4 import BeautifulSoup
from PIL import Image

from swis import paths
from swis.book.pdf import COVER_STAMP, PDF_NAME, anchor, chapter, contents_page, cover_says, edition_is_current, entries
from swis.book.toc import toc

PAGE = """<html><head><title>t</title></head><body><nav class="bd-sidebar">Search this book</nav>
<article class="bd-article"><section id="methods"><h1>Methods<a class="headerlink" href="#methods">#</a></h1>
<p>See <a class="reference internal" href="../references.html#id25">Westlake</a>, <a href="#methods">above</a>,
<a href="../../_downloads/1/panel.csv">the panel</a> and <a href="https://doi.org/10.1/x">the DOI</a>.</p>
<img alt="A figure" src="../../_images/abc.png"/><details><summary>More</summary>hidden</details></section>
</article></body></html>"""
DOCS = {"book/part1/methods", "book/references"}


def test_a_page_becomes_a_chapter_with_its_ids_and_links_in_the_joined_document():
    section = BeautifulSoup(chapter("book/part1/methods", PAGE, DOCS, 1), "html.parser").section
    assert section.find("h1")["id"] == "book-part1-methods"  # a link to the page lands on its title
    assert "Search this book" not in section.get_text()  # only the article, none of the theme's navigation
    assert section.find("h1").parent["id"] == "book-part1-methods--methods"
    hrefs = [a.get("href") for a in section.find_all("a")]
    assert hrefs == [
        "#book-part1-methods--methods",
        "#book-references--id25",
        "#book-part1-methods--methods",
        None,  # a file of the build: no link in a PDF (it would be a path of this machine)
        "https://doi.org/10.1/x",
    ]
    assert section.find("img")["src"] == "_images/abc.png"
    assert section.find("details").has_attr("open")


def test_the_contents_link_every_page_under_its_part_with_its_page_number():
    contents = {"root": "book/index", "parts": [{"caption": "Part One", "chapters": [{"file": "book/a"}]}]}
    rows = [(e, e.doc.upper()) for e in entries(contents)]
    nav = BeautifulSoup(contents_page(rows, {"book-a": 7}), "html.parser")
    assert [li.get_text(" ", strip=True) for li in nav.find_all("li")] == ["BOOK/INDEX", "Part One", "BOOK/A 7"]
    assert [a["href"] for a in nav.find_all("a")] == ["#book-index", "#book-a"]


# --- the PDF `make book` made -------------------------------------------------------------------------------


@functools.cache
def _reader():
    from pypdf import PdfReader

    path = paths.BUILD / "html" / PDF_NAME
    if not path.exists():
        pytest.fail(f"no {PDF_NAME} in _build/html: `make book` prints it (it needs /usr/bin/chromium)")
    return PdfReader(path)


@functools.cache
def _text(index: int) -> str:
    """A page's text, ligatures undone and white space collapsed."""
    text = unicodedata.normalize("NFKC", _reader().pages[index].extract_text())
    return re.sub(r"\s+", " ", text)


@functools.cache
def _starts() -> dict[str, int]:
    """Page index (from 0) where each document of the book starts (Chromium names a destination after each id
    a link points to)."""
    reader = _reader()
    named = reader.named_destinations
    return {e.doc: reader.get_destination_page_number(named["/" + anchor(e.doc)]) for e in entries(toc())}


def _html(doc: str) -> BeautifulSoup:
    return BeautifulSoup((paths.BUILD / "html" / f"{doc}.html").read_text(), "html.parser")


def _title(doc: str) -> str:
    h1 = _html(doc).select_one("article.bd-article h1")
    for link in h1.select(".headerlink"):
        link.decompose()
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", h1.get_text(" ", strip=True)))


def test_an_edition_printed_at_another_commit_is_not_current(tmp_path, monkeypatch):
    """A build whose pages did not change still prints the edition again when its cover would now say another
    commit or date (`make book` after a commit that changed no page)."""
    from swis.book import pdf

    html = tmp_path / "html"
    html.mkdir()
    assert not edition_is_current(html)  # no edition
    (html / PDF_NAME).write_bytes(b"%PDF")
    assert not edition_is_current(html)  # printed by a build that did not say what its cover says
    (tmp_path / COVER_STAMP).write_text(cover_says(), encoding="utf-8")  # beside the pages, not among them
    assert edition_is_current(html)
    monkeypatch.setattr(pdf, "provenance", lambda: "commit 0000000000000000000000000000000000000000")
    assert not edition_is_current(html)


@pytest.mark.book
def test_the_page_count_is_plausible(built):
    docs = [e.doc for e in entries(toc())]
    chars = sum(len(_html(d).select_one("article.bd-article").get_text(" ", strip=True)) for d in docs)
    pages = len(_reader().pages)
    assert len(docs) + 2 <= pages <= 12 * len(docs)  # a cover, the contents, then each page of the HTML book
    assert 800 <= chars / pages <= 6000, f"{chars} characters of text on {pages} pages"


@pytest.mark.book
def test_every_figure_of_the_html_book_is_in_the_pdf(built):
    def key(image: Image.Image) -> tuple:
        rgb = image.convert("RGB")
        return rgb.size, hashlib.sha256(rgb.tobytes()).hexdigest()

    in_html = {}
    for doc in (e.doc for e in entries(toc())):
        for img in _html(doc).select("article.bd-article img"):
            path = (paths.BUILD / "html" / doc).parent / img["src"]
            in_html[key(Image.open(path))] = f"{doc}: {img['src']}"
    in_pdf = {key(Image.open(io.BytesIO(image.data))) for page in _reader().pages for image in page.images}
    assert in_html
    missing = [where for k, where in in_html.items() if k not in in_pdf]
    assert missing == [], "figures of the HTML book missing from the PDF (or changed in it)"


@pytest.mark.book
def test_the_text_is_extractable_and_every_page_of_the_book_starts_where_the_contents_say(built):
    starts = _starts()
    contents = " ".join(_text(i) for i in range(1, min(starts.values())))
    for doc, start in starts.items():
        title = _title(doc)
        assert title in _text(start), f"{doc}: {title!r} not on page {start + 1}"
        assert f"{title} {start + 1}" in contents, f"{doc}: the contents do not give page {start + 1}"


@pytest.mark.book
def test_the_cover_gives_title_date_and_commit(built):
    cover = _text(0)
    assert "Social Workers in Schools" in cover
    assert re.search(r"Dated \d{1,2} [A-Z][a-z]+ 20\d\d", cover), cover
    assert re.search(r"commit [0-9a-f]{40}", cover), cover


@pytest.mark.book
def test_glued_numbers_of_the_synthesis_are_in_its_pages(built):
    glued = [s.get_text(strip=True) for s in _html("book/generated/synthesis").select("span.pasted-text")]
    # every number of every glued value (a generated sentence may be split by a page break, where the running
    # header and a table pushed onto the page come between its halves in the extracted text)
    numbers = sorted({n for g in glued for n in re.findall(r"\d(?:[\d,.]*\d)?", g)})
    assert numbers, "the synthesis page glues no number"
    order = sorted(_starts().values())
    first = _starts()["book/generated/synthesis"]
    last = next((s for s in order if s > first), len(_reader().pages))
    text = " ".join(_text(i) for i in range(first, max(last, first + 1)))
    missing = [n for n in numbers if unicodedata.normalize("NFKC", n) not in text]
    assert missing == []


@pytest.mark.book
def test_internal_links_go_to_the_page_of_their_target(built):
    reader = _reader()
    named = reader.named_destinations
    checked = 0
    for index, page in enumerate(reader.pages):
        for annotation in page.get("/Annots") or []:
            link = annotation.get_object()
            dest = link.get("/Dest")
            if dest is None or not str(dest).startswith("/book-references--"):
                continue
            target = reader.get_destination_page_number(named[str(dest)])
            assert target >= _starts()["book/references"], f"page {index + 1}: {dest} lands on {target + 1}"
            checked += 1
    assert checked, "no citation in the PDF links to the references"


@pytest.mark.book
def test_nothing_of_the_web_theme_or_the_machine_in_the_pdf(built):
    text = " ".join(_text(i) for i in range(len(_reader().pages)))
    for theme in ("Search this book", "Skip to main content", "Back to top", "Ctrl+K"):
        assert theme not in text
    raw = (paths.BUILD / "html" / PDF_NAME).read_bytes()
    assert b"file:" not in raw and str(paths.ROOT).encode() not in raw


@pytest.mark.book
def test_the_landing_page_links_the_pdf(built):
    links = _html("book/index").select(f'a[href="../{PDF_NAME}"]')
    assert links and (paths.BUILD / "html" / PDF_NAME).stat().st_size > 100_000
