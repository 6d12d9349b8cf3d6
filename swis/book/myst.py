"""MyST for the notebooks: glued values and figures, numbered tables, figure directives, download links.

Notebooks show what these return; the prose pastes glued values with
``{glue:text}``, so no number in the book is typed by hand.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from swis import paths
from swis.io import atomic_csv


def glue_values(values: dict[str, object]) -> None:
    """Glue every value under its key, without displaying it."""
    from myst_nb import glue

    for key, value in values.items():
        glue(key, value, display=False)


#: Pixels per inch of a glued figure: twice the screen's 100, shown at half size, so that the page looks the
#: same and the PDF edition prints at about 290 ppi (print resolution) instead of 144.
FIGURE_DPI = 200


#: The PNG text key under which a figure records its smallest text, in points at the figure's own size; the
#: browser test reads it to work out the size of that text as displayed.
SMALLEST_TEXT_KEY = "swis:smallest-text-pt"


def smallest_text(figure) -> float:
    """The size in points of the smallest visible text of a figure (laid out first, so tick labels exist).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = ax.set_title("A title", fontsize=12)
    >>> _ = ax.text(0.5, 0.5, "small", fontsize=7)
    >>> smallest_text(fig)
    7.0
    """
    from matplotlib.text import Text

    figure.draw_without_rendering()  # lays out the figure and makes its tick labels, without painting pixels
    sizes = [
        t.get_fontsize()
        for t in figure.findobj(Text)
        if t.get_visible() and t.get_text().strip() and t.get_window_extent().width > 0
    ]
    return float(min(sizes)) if sizes else float("inf")


def figure_image(figure):
    """A matplotlib figure as an IPython PNG image at :data:`FIGURE_DPI`, displayed at half its pixel size.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots(figsize=(4, 3))
    >>> image = figure_image(fig)
    >>> from PIL import Image as PILImage
    >>> import io
    >>> pixels = PILImage.open(io.BytesIO(image.data)).size
    >>> abs(pixels[0] - 2 * image.width) <= 1 and abs(pixels[1] - 2 * image.height) <= 1  # odd sizes round down
    True
    >>> PILImage.open(io.BytesIO(image.data)).text[SMALLEST_TEXT_KEY]  # matplotlib's default tick labels
    '10'

    """
    import io

    from IPython.display import Image

    png = io.BytesIO()
    metadata = {SMALLEST_TEXT_KEY: f"{smallest_text(figure):g}"}
    figure.savefig(png, format="png", dpi=FIGURE_DPI, bbox_inches="tight", facecolor="white", metadata=metadata)
    return Image(data=png.getvalue(), format="png", retina=True)


def glue_figure(key: str, figure) -> None:
    """Glue a matplotlib figure under ``key`` (shown where a ``{glue:figure}`` names it) and close it.

    The figure is glued as a PNG at :data:`FIGURE_DPI`, with its display size halved (IPython's *retina*
    images, :func:`figure_image`), instead of through the kernel's inline backend at 100 ppi.
    """
    import matplotlib.pyplot as plt
    from myst_nb import glue

    image = figure_image(figure)
    plt.close(figure)
    glue(key, image, display=False)


def write_figure(figure, path: str | Path) -> Path:
    """Write a matplotlib figure as a PNG at :data:`FIGURE_DPI` (through a temporary file) and close it.

    For a page that shows the image with a ``{figure}`` directive instead of a glue: give the directive a
    ``:width:`` of the figure's width in inches times 100 pixels, as :func:`figure_image` does for a glued one.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import tempfile
    >>> from PIL import Image as PILImage
    >>> path = write_figure(plt.subplots(figsize=(4, 3))[0], Path(tempfile.mkdtemp()) / "a.png")
    >>> PILImage.open(path).size, PILImage.open(path).text[SMALLEST_TEXT_KEY]
    ((800, 600), '10')
    """
    import os

    import matplotlib.pyplot as plt

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    metadata = {"Software": None, SMALLEST_TEXT_KEY: f"{smallest_text(figure):g}"}  # as a glued figure records
    figure.savefig(temporary, format="png", dpi=FIGURE_DPI, facecolor="white", metadata=metadata)
    plt.close(figure)
    os.replace(temporary, path)
    return path


def figure_directive(key: str, name: str, alt: str, caption: str) -> str:
    """MyST of a numbered ``{glue:figure}``.

    Examples
    --------
    >>> print(figure_directive("fig_a", "fig-a", "A chart.", "The caption."))
    ```{glue:figure} fig_a
    :name: fig-a
    :alt: A chart.
    <BLANKLINE>
    The caption.
    ```
    """
    return "\n".join([f"```{{glue:figure}} {key}", f":name: {name}", f":alt: {alt}", "", caption, "```"])


def _cell(value: object) -> str:
    text = "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)
    return text.replace("|", "\\|").replace("\n", " ") or " "


def scroll_region(table_md: str, label: str) -> str:
    """A table's MyST inside a deliberate scroll container a keyboard can reach (``_static/swis.css``).

    The container scrolls sideways (its first column stays in view), takes the focus (``tabindex``) so the
    arrow keys scroll it, and is a named region, so a screen reader says what it holds.

    Examples
    --------
    >>> print(scroll_region("TABLE", 'Lambeth: "days"'))
    <div class="swis-scroll" tabindex="0" role="region" aria-label="Lambeth: &quot;days&quot;">
    <BLANKLINE>
    TABLE
    <BLANKLINE>
    </div>
    """
    import html

    opening = f'<div class="swis-scroll" tabindex="0" role="region" aria-label="{html.escape(label, quote=True)}">'
    return "\n".join([opening, "", table_md, "", "</div>"])


def myst_table(frame: pd.DataFrame, caption: str, name: str, index: bool = True, scroll: str = "", classes: str = ""):
    """A DataFrame as a numbered MyST ``list-table`` (cite it with ``{numref}``).

    Multi-level column headers become several header rows (a level's label
    is written once, above the first of its columns). The notebook shows
    the returned object; myst-nb parses it as MyST markdown. ``scroll``, given,
    puts a table that may be wider than the column in a :func:`scroll_region`
    of that name; ``classes`` are set on the table (styles of ``_static/swis.css``).

    Examples
    --------
    >>> md = myst_table(pd.DataFrame({"a": [1]}), "A table", "tbl-a")
    >>> print(md.data.splitlines()[0])
    ```{list-table} A table
    """
    from IPython.display import Markdown

    data = frame.reset_index() if index else frame
    if isinstance(frame.columns, pd.MultiIndex):
        levels = [list(frame.columns.get_level_values(i)) for i in range(frame.columns.nlevels)]
        names = list(frame.index.names) if index else []
        headers = []
        for depth, level in enumerate(levels):
            shown = [v if j == 0 or level[j - 1] != v or depth == len(levels) - 1 else "" for j, v in enumerate(level)]
            lead = [n or "" for n in names] if depth == len(levels) - 1 else [""] * len(names)
            headers.append(lead + shown)
    else:
        headers = [[str(c) for c in data.columns]]
    body = [[_cell(v) for v in row] for row in data.itertuples(index=False)]
    if not body:  # a list-table needs a body row
        body = [["(none)"] + [" "] * (len(headers[-1]) - 1)]
    lines = [f"```{{list-table}} {caption}", f":name: {name}", f":header-rows: {len(headers)}"]
    lines += [f":class: {classes}", ""] if classes else [""]
    for row in headers + body:
        lines.append(f"* - {_cell(row[0])}")
        lines += [f"  - {_cell(v)}" for v in row[1:]]
    lines.append("```")
    text = "\n".join(lines)
    return Markdown(scroll_region(text, scroll) if scroll else text)


def write_csvs(frames: dict[str, pd.DataFrame], out_dir: str | Path) -> dict[str, Path]:
    """Write each table as ``<name>.csv`` into ``out_dir`` (relative to the repository root), atomically."""
    folder = paths.resolve(out_dir)
    return {name: atomic_csv(frame, folder / f"{name}.csv") for name, frame in frames.items()}


def download_links(files: dict[str, Path], lead: str = "Download the tables as CSV: ", named: bool = False):
    """``{download}`` links to files inside the book (relative to the folder of the executed notebooks).

    Files written outside the book are not linked, and their paths are not
    shown. ``named`` puts the name before the file, e.g. ``estimates
    (estimates_s17.csv)``.
    """
    from IPython.display import Markdown

    links = []
    for name, path in files.items():
        rel = paths.inside_book(path)
        if rel is not None:
            text = f"{name} ({path.name})" if named else path.name
            links.append(f"{{download}}`{text} <{rel.as_posix()}>`")
    if not links:
        return Markdown("The tables were written as CSV files to the run's output folder, outside the book.")
    return Markdown(lead + " · ".join(links))
