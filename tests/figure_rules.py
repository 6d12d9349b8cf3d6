"""How the browser test judges a figure: the size of its smallest text as shown, and its alt text.

Kept apart from ``test_browser.py`` (which needs the built book) so that ``test_figures.py`` checks the rules
themselves in the fast suite.
"""

from __future__ import annotations

import re


def shown_points(smallest_pt: float, dpi: float, displayed_px: float, natural_px: float) -> float:
    """The size in CSS points (96 px per inch) at which a figure's smallest text is shown.

    Text of ``smallest_pt`` points is ``smallest_pt / 72 * dpi`` pixels high in an image drawn at ``dpi``;
    the browser scales the image by ``displayed_px / natural_px``; a CSS point is 96 / 72 px. So a 9 pt text
    at 200 ppi shown at half size reads as 9 x 200 / 96 / 2 = 9.4 pt.

    Examples
    --------
    >>> round(shown_points(9, 200, 680, 1360), 2)
    9.38
    >>> round(shown_points(9, 200, 672, 2840), 2)  # a wide drawing squeezed into the column: too small
    4.44
    """
    return smallest_pt * dpi / 96 * displayed_px / natural_px


#: Alt text that names a file, or says only that there is a picture.
FILE_NAME = re.compile(r"^\S+\.(?:png|svg|jpe?g|gif|webp)$", re.IGNORECASE)
GENERIC_ALT = {"figure", "image", "chart", "plot", "graph", "picture", "diagram"}


def alt_problem(alt: str) -> str | None:
    """What is wrong with a figure's alt text (None: it says what the figure shows).

    Examples
    --------
    >>> alt_problem("Line chart of Section 47 starts by term, one line per school.") is None
    True
    >>> [alt_problem(a) for a in ("", "fig_forest.png", "Figure", "a plot")]
    ['empty', 'a file name', 'too short to say what it shows', 'too short to say what it shows']
    """
    words = re.findall(r"[A-Za-z0-9]+", alt)
    if not alt:
        return "empty"
    if FILE_NAME.match(alt) or re.fullmatch(r"[0-9a-f]{16,}\S*", alt):
        return "a file name"
    if len(words) < 4 or {w.lower() for w in words} <= GENERIC_ALT | {"a", "the", "of"}:
        return "too short to say what it shows"
    return None


def svg_text(data: str) -> tuple[float, float]:
    """Smallest font size and natural width of an SVG, both in its own units."""
    sizes = [float(v) for v in re.findall(r"font-size[:=]\s*[\"']?([0-9.]+)", data)]
    sizes += [float(v) for v in re.findall(r"font:[^;\"]*?([0-9.]+)px", data)]
    box = re.search(r"viewBox=[\"']\s*[-0-9.]+[ ,]+[-0-9.]+[ ,]+([0-9.]+)", data)
    return (min(sizes) if sizes else float("nan")), (float(box.group(1)) if box else float("nan"))
