"""The PDF edition: the rendered HTML pages, in the order of the table of contents, joined into one document
and printed by Debian's Chromium through Playwright.

No notebook is executed and nothing is fetched: the pages are the ones ``swis build`` rendered, the browser is
``/usr/bin/chromium`` (Playwright downloads none) and every request that is not a local file is refused. Each
page's article becomes one chapter; its ids are prefixed with the page's name so that cross-references between
pages become links inside the PDF. The document gets a cover (title, the commit and its date), a table of
contents whose page numbers are read from a first printing, running headers and page numbers.

``python -m swis.book.pdf`` prints ``_build/html/swis-book.pdf`` from the HTML already built.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import posixpath
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import yaml
from bs4 import BeautifulSoup

from swis import paths
from swis.book.provenance import build_date, provenance
from swis.errors import BuildError

CHROMIUM = Path("/usr/bin/chromium")
#: No background networking, component updates or sync: the browser itself asks nothing of the network.
CHROMIUM_ARGS = ["--disable-background-networking", "--disable-component-update", "--disable-sync"]
PDF_NAME = "swis-book.pdf"
#: Beside the folder of the PDF edition (in ``_build``, not among the published pages): what its cover says of
#: its sources (:func:`cover_says`), so that a build can tell an edition printed at another commit.
COVER_STAMP = ".swis-book.pdf.cover"
#: The print stylesheet (``_static``, copied into the HTML by Jupyter Book, which also links it from every page).
PRINT_CSS = "_static/swis-print.css"
#: The joined document, written next to the pages (so that their relative links resolve) and removed after.
JOINED = ".swis-print.html"
#: Page size and margins; the running header and the page number sit in the top and bottom margins.
PAGE = {"format": "A4", "margin": {"top": "22mm", "bottom": "20mm", "left": "18mm", "right": "18mm"}}
#: The width of the printed text in CSS pixels (A4 less the side margins; 96 pixels to the inch).
TEXT_WIDTH = round((210 - 18 - 18) / 25.4 * 96)
#: The width of the text on a landscape page (A4 on its side, less the side margins).
WIDE_TEXT_WIDTH = round((297 - 18 - 18) / 25.4 * 96)
#: A table still wider than the text once the print stylesheet has narrowed it is scaled down to fit; one that
#: would shrink below three quarters of its size gets a landscape page of its own (``swis-print-wide``).
FIT_TABLES = f"""() => document.querySelectorAll("table").forEach(table => {{
  let room = table.parentElement.getBoundingClientRect().width;
  if (table.getBoundingClientRect().width > room / 0.75) {{
    table.parentElement.classList.add("swis-print-wide");
    room = room * {WIDE_TEXT_WIDTH} / {TEXT_WIDTH};
  }}
  for (let i = 0; i < 4; i++) {{  // zoom changes the room the table is given: a few steps settle it
    const wide = table.getBoundingClientRect().width;
    if (wide <= room + 1) break;
    table.style.zoom = (parseFloat(table.style.zoom) || 1) * room / wide;
  }}
}})"""
FOOTER = '<div style="font-size:8pt;width:100%;text-align:center;color:#444"><span class="pageNumber"></span></div>'


@dataclass(frozen=True)
class Entry:
    """One page of the book in reading order: its document name, the part it opens (if any) and its depth."""

    doc: str
    part: str | None
    level: int


def entries(contents: dict) -> list[Entry]:
    """The book's pages in reading order, from a table of contents (:func:`swis.book.toc.toc`).

    Examples
    --------
    >>> toc = {"root": "book/index", "parts": [{"caption": "One", "chapters": [
    ...     {"file": "a", "sections": [{"file": "b"}]}, {"file": "c"}]}]}
    >>> [(e.doc, e.part, e.level) for e in entries(toc)]
    [('book/index', None, 1), ('a', 'One', 1), ('b', None, 2), ('c', None, 1)]
    """
    out = [Entry(contents["root"], None, 1)]

    def walk(items: list, level: int, part: str | None) -> None:
        for item in items:
            out.append(Entry(item["file"], part, level))
            part = None
            walk(item.get("sections", []), level + 1, None)

    for part in contents["parts"]:
        walk(part["chapters"], 1, part.get("caption"))
    return out


def anchor(doc: str, fragment: str = "") -> str:
    """The id, in the joined document, of ``fragment`` on the page of ``doc`` (the page itself without one).

    Examples
    --------
    >>> anchor("book/part1/methods", "sec-methods")
    'book-part1-methods--sec-methods'
    >>> anchor("book/index")
    'book-index'
    """
    page = doc.replace("/", "-")
    return f"{page}--{fragment}" if fragment else page


def resolve(doc: str, href: str, docs: set[str]) -> str | None:
    """Where a link of the page of ``doc`` points in the joined document: ``#id`` for a place in the book, the
    address itself for the web, None for anything else (a file of this build: no use, and a path, in a PDF).

    Examples
    --------
    >>> docs = {"book/index", "book/part1/methods"}
    >>> resolve("book/index", "part1/methods.html#sec-methods", docs)
    '#book-part1-methods--sec-methods'
    >>> resolve("book/part1/methods", "#research-questions", docs)
    '#book-part1-methods--research-questions'
    >>> resolve("book/index", "https://doi.org/10.1/x", docs)
    'https://doi.org/10.1/x'
    >>> resolve("book/index", "../_downloads/1/panel.csv", docs) is None
    True
    """
    parts = urlsplit(href)
    if parts.scheme in ("http", "https", "mailto"):
        return href
    if parts.scheme or parts.netloc:
        return None
    if not parts.path:
        return "#" + anchor(doc, parts.fragment)
    target = posixpath.normpath(posixpath.join(posixpath.dirname(doc), parts.path))
    if target.endswith(".html") and target.removesuffix(".html") in docs:
        return "#" + anchor(target.removesuffix(".html"), parts.fragment)
    return None


def chapter(doc: str, page: str, docs: set[str], level: int) -> str:
    """The article of one rendered page as a section of the joined document: ids prefixed, links resolved,
    images and other files addressed from the root of the HTML, hidden details opened."""
    soup = BeautifulSoup(page, "html.parser")
    article = soup.select_one("article.bd-article")
    for tag in article.find_all(id=True):
        tag["id"] = anchor(doc, tag["id"])
    for link in article.find_all("a", href=True):
        target = resolve(doc, link["href"], docs)
        if target is None:
            del link["href"]
        else:
            link["href"] = target
    for image in article.find_all(["img", "source"], src=True):
        if not urlsplit(image["src"]).scheme:
            image["src"] = posixpath.normpath(posixpath.join(posixpath.dirname(doc), image["src"]))
    for details in article.find_all("details"):
        details["open"] = ""
    article.name = "section"
    article.attrs = {"class": ["swis-print-page", f"swis-print-level{level}"]}
    # a link to the page lands on its title: where a section starts is not always where its heading is printed
    first = article.find("h1") or article
    first["id"] = anchor(doc)
    return str(article)


def heading(section: str) -> str:
    """The title of a page made a chapter (:func:`chapter`): its first heading, without the theme's link sign."""
    first = BeautifulSoup(section, "html.parser").find("h1")
    for link in first.select(".headerlink"):
        link.decompose()
    return first.get_text(" ", strip=True)


def long_date(day: dt.date) -> str:
    """A date as the cover prints it.

    Examples
    --------
    >>> long_date(dt.date(2026, 12, 6))
    '6 December 2026'
    """
    return f"{day.day} {day:%B %Y}"


#: The time stamps Chromium writes into the PDF's information dictionary.
STAMP = re.compile(rb"/(CreationDate|ModDate) \(D:\d{14}")


def stable_dates(pdf: bytes, day: dt.date) -> bytes:
    """The PDF with its creation and modification times set to the start of ``day`` (:func:`build_date`), so
    that two builds of one commit are byte-identical (the stamps keep their length, so the cross-reference
    offsets stay right).

    Examples
    --------
    >>> stable_dates(b"<</CreationDate (D:20261206001950+00'00')>>", dt.date(2026, 12, 6))
    b"<</CreationDate (D:20261206000000+00'00')>>"
    """
    return STAMP.sub(lambda m: b"/" + m.group(1) + f" (D:{day:%Y%m%d}000000".encode(), pdf)


def cover(config: dict, date: str, commit: str) -> str:
    """The first page: the book's title and authors, the commit it was built from and that commit's date."""
    esc = html.escape
    return (
        '<section class="swis-print-cover" id="cover">'
        f'<p class="swis-print-title">{esc(config["title"])}</p>'
        f'<p class="swis-print-author">{esc(config.get("author", ""))}</p>'
        '<dl class="swis-print-provenance">'
        f"<dt>Built from</dt><dd>{esc(commit)}</dd><dt>Dated</dt><dd>{esc(date)}</dd></dl>"
        '<p class="swis-print-note">Printed from the HTML edition of this book, made by the same build: every '
        "table, figure and number in it is computed from the data by the <code>swis</code> package.</p>"
        "</section>"
    )


def contents_page(rows: list[tuple[Entry, str]], numbers: dict[str, int] | None = None) -> str:
    """The table of contents: parts, chapters and sections, each a link with its page number (``numbers``,
    by anchor; empty on the first printing, which the numbers are read from)."""
    numbers = numbers or {}
    items = []
    for entry, title in rows:
        if entry.part:
            items.append(f'<li class="swis-print-toc-part">{html.escape(entry.part)}</li>')
        target = anchor(entry.doc)
        items.append(
            f'<li class="swis-print-toc-level{entry.level}"><a href="#{target}">'
            f'<span class="swis-print-toc-title">{html.escape(title)}</span>'
            f'<span class="swis-print-toc-page">{numbers.get(target, "")}</span></a></li>'
        )
    return (
        '<nav class="swis-print-toc" id="contents" aria-label="Contents">'
        f'<p class="swis-print-toc-heading">Contents</p><ol>{"".join(items)}</ol></nav>'
    )


@dataclass(frozen=True)
class Joined:
    """The whole book as one HTML document: ``front`` (the cover), the contents, then every page's article in
    reading order, with the styles of the book's first page."""

    head: str
    front: str
    rows: list[tuple[Entry, str]]
    chapters: list[str]

    def html(self, numbers: dict[str, int] | None = None) -> str:
        """The document, with ``numbers`` (page by anchor) in its contents."""
        body = self.front + contents_page(self.rows, numbers) + "".join(self.chapters)
        return (
            f'<!DOCTYPE html><html lang="en" data-theme="light"><head><meta charset="utf-8">{self.head}</head>'
            f'<body class="swis-print"><main class="bd-article">{body}</main></body></html>'
        )


def join(html_dir: Path, contents: dict, front: str, title: str) -> Joined:
    """Read the rendered pages of ``contents`` (each parsed once) into a :class:`Joined` document titled
    ``title`` (the PDF's title)."""
    order = entries(contents)
    docs = {e.doc for e in order}
    first = (html_dir / f"{order[0].doc}.html").read_text(encoding="utf-8")
    head = BeautifulSoup(first, "html.parser").head
    styles = [
        posixpath.normpath(posixpath.join(posixpath.dirname(order[0].doc), link["href"].split("?")[0]))
        for link in head.select('link[rel="stylesheet"]')
    ]
    styles += [PRINT_CSS] if PRINT_CSS not in styles else []
    links = "".join(f'<link rel="stylesheet" href="{html.escape(s)}">' for s in styles)
    chapters = [chapter(e.doc, (html_dir / f"{e.doc}.html").read_text(encoding="utf-8"), docs, e.level) for e in order]
    rows = [(e, heading(c)) for e, c in zip(order, chapters, strict=True)]
    return Joined(f"<title>{html.escape(title)}</title>{links}", front, rows, chapters)


def page_numbers(pdf: bytes) -> dict[str, int]:
    """The page (counted from 1, as the footer counts) each named destination of a PDF is on.

    Chromium names a destination after the id of each element a link of the document points to.
    """
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    return {
        name.lstrip("/"): reader.get_destination_page_number(dest) + 1
        for name, dest in reader.named_destinations.items()
    }


def _offline(route) -> None:
    """Let the browser read local files only."""
    if route.request.url.startswith("file:"):
        route.continue_()
    else:
        route.abort()


def print_pdf(document: Path, title: str, numbered) -> bytes:
    """Print ``document`` twice with Chromium: once to learn where each chapter starts, then with those page
    numbers in the contents (``numbered(numbers)`` rewrites the document; the contents keep their length)."""
    from playwright.sync_api import sync_playwright

    header = f'<div style="font-size:7.5pt;width:100%;text-align:center;color:#444">{html.escape(title)}</div>'
    options = {**PAGE, "display_header_footer": True, "header_template": header, "footer_template": FOOTER}
    options |= {"print_background": True, "outline": True, "tagged": True}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            # laid out as printed (print media, the text's width) so that wide tables can be measured
            context = browser.new_context(color_scheme="light", viewport={"width": TEXT_WIDTH, "height": 1000})
            context.route("**/*", _offline)
            page = context.new_page()
            page.emulate_media(media="print")
            page.goto(document.as_uri(), wait_until="load")
            page.evaluate(FIT_TABLES)
            numbers = page_numbers(page.pdf(**options))
            numbered(numbers)
            page.goto(document.as_uri(), wait_until="load")
            page.evaluate(FIT_TABLES)
            return page.pdf(**options)
        finally:
            browser.close()


def write_pdf(html_dir: Path | None = None, contents: dict | None = None) -> Path:
    """Print the book rendered in ``html_dir`` (default ``_build/html``) to ``html_dir/swis-book.pdf``."""
    from swis.book.toc import toc

    html_dir = Path(html_dir or paths.BUILD / "html")
    contents = contents or toc()
    config = yaml.safe_load((paths.ROOT / "_config.yml").read_text(encoding="utf-8"))
    day, source = build_date(), provenance()
    front = cover(config, long_date(day), source)
    stamp = html_dir.parent / COVER_STAMP
    stamp.unlink(missing_ok=True)  # until the new edition is in place
    document = html_dir / JOINED
    out = html_dir / PDF_NAME
    joined = join(html_dir, contents, front, config["title"])
    try:
        document.write_text(joined.html(), encoding="utf-8")

        def numbered(numbers: dict[str, int]) -> None:
            document.write_text(joined.html(numbers), encoding="utf-8")

        pdf = print_pdf(document, config["title"], numbered)
    finally:
        document.unlink(missing_ok=True)
    partial = out.with_name(out.name + ".partial")
    partial.write_bytes(stable_dates(pdf, day))
    partial.replace(out)
    stamp.write_text(cover_says(source, day), encoding="utf-8")  # what this cover printed, not asked again
    return out


def cover_says(source: str | None = None, day: dt.date | None = None) -> str:
    """What the cover of an edition says of its sources: the commit (and whether the tree had uncommitted
    changes) and the date; by default, those of an edition printed now (:func:`provenance`, :func:`build_date`)."""
    return f"{source or provenance()}\n{long_date(day or build_date())}\n"


def edition_is_current(html_dir: Path) -> bool:
    """Whether ``html_dir`` holds a PDF edition whose cover says what one printed now would (the pages it was
    printed from are the caller's to know): an edition printed at an earlier commit, whose pages are the same,
    still names that commit."""
    stamp = html_dir.parent / COVER_STAMP
    return (html_dir / PDF_NAME).exists() and stamp.exists() and stamp.read_text(encoding="utf-8") == cover_says()


def edition(html_dir: Path) -> Path | None:
    """What the build calls once the HTML is rendered (into its staging folder): the PDF edition, or, without
    Chromium, one line saying why there is none. A failed printing fails the build, leaving the last book."""
    from playwright.sync_api import Error

    if not CHROMIUM.exists():
        print(f"no PDF edition: {CHROMIUM} not found (apt-get install chromium)", file=sys.stderr, flush=True)
        return None
    try:
        return write_pdf(html_dir)
    except Error as error:
        message = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise BuildError(f"the PDF edition could not be printed: {message}") from None


def main() -> int:
    """``python -m swis.book.pdf``: print the built book; one line saying where, or why not."""
    if not CHROMIUM.exists():
        print(f"no PDF edition: {CHROMIUM} not found (apt-get install chromium)", file=sys.stderr)
        return 2
    if not (paths.BUILD / "html" / "book" / "index.html").exists():
        print("no PDF edition: the book is not built (make book)", file=sys.stderr)
        return 2
    from swis.book.build.lock import writer_lock  # one writer of _build at a time, as for `swis build`

    with writer_lock():
        out = write_pdf()
    print(f"PDF edition: {paths.relative(out)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
