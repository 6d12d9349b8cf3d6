"""The overarching logic model drawn (its data: :mod:`swis.data.logic_model`).

The figure reads from top to bottom, so that it fits the book's column at the
size its text is set: the assumptions and prerequisites that hold for every
pathway; one lane per pathway (A, B, C), running left to right from its
context through its ordered mechanisms to its outcomes, with what would stop
it working underneath; and the final outcome, a short chain. Every element of
the YAML becomes exactly one text artist. Text is wrapped by measuring it with
the font, and every box is as tall as its wrapped text, so an edited file
never produces overlapping text. Layout is computed first in inches (y grows
downwards), then rendered; the figure height follows from the content.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Rectangle
from matplotlib.textpath import TextToPath

from swis.report.style import INK
from swis.report.style import LOGIC_MODEL as STYLE
from swis.report.style import LOGIC_MODEL_LANE as LANE_FILL

#: Headings over the three lane columns.
LANE_HEADINGS = {
    "context": "Context: what must hold",
    "mechanisms": "Mechanisms: steps in order",
    "outcomes": "Outcomes: what changes",
}
LINE_SPACING = 1.3
PAD = 0.12  # inches inside a box
INDENT = 0.2  # inches from a bullet to its text
ITEM_GAP = 0.07  # inches between items of a box
_T2P = TextToPath()


# -- measuring and wrapping text -------------------------------------------------------------


def text_width(text: str, size: float, weight: str = "normal") -> float:
    """Width in inches of one line of ``text`` in the default font at ``size`` points."""
    prop = FontProperties(size=size, weight=weight)
    return _T2P.get_text_width_height_descent(text, prop, ismath=False)[0] / 72 * 1.02  # slack for hinting


def text_height(n_lines: int, size: float) -> float:
    """Height in inches of ``n_lines`` lines of text at ``size`` points."""
    return n_lines * size * LINE_SPACING / 72


def wrap_to_width(text: str, width: float, size: float, weight: str = "normal") -> list[str]:
    """Break ``text`` into lines no wider than ``width`` inches.

    Lines break between words; a single word wider than the line is split.

    Examples
    --------
    >>> wrap_to_width("Fewer children in care", 1.5, 10)
    ['Fewer children in', 'care']
    """
    lines: list[str] = []
    line = ""
    for word in text.split():
        while text_width(word, size, weight) > width and len(word) > 1:  # split an over-long word
            cut = max(n for n in range(1, len(word)) if text_width(word[:n], size, weight) <= width or n == 1)
            lines += [line] if line else []
            lines.append(word[:cut])
            line, word = "", word[cut:]
        trial = f"{line} {word}".strip()
        if line and text_width(trial, size, weight) > width:
            lines.append(line)
            trial = word
        line = trial
    return lines + ([line] if line else [])


# -- layout (inches, y downwards) ------------------------------------------------------------


@dataclass
class _Layout:
    """What to draw: boxes, texts, connector lines and arrows, in inches from the top left."""

    width: float
    size: float
    depth: float = 0.0
    boxes: list = field(default_factory=list)  # (section, x, top, w, h)
    lanes: list = field(default_factory=list)  # (x, top, w, h)
    texts: list = field(default_factory=list)  # (x, y, text, size, weight, gid)
    lines: list = field(default_factory=list)  # ((x0, x1), (y0, y1))
    arrows: list = field(default_factory=list)  # ((x0, y0), (x1, y1))

    def write(self, x: float, y: float, lines: list[str], gid: str, bold: bool = False) -> float:
        """Place wrapped lines with their top at ``y``; return the y below them."""
        size = self.size * (1.1 if bold else 1.0)
        self.texts.append((x, y, "\n".join(lines), size, "bold" if bold else "normal", gid))
        return y + text_height(len(lines), size)


def _list_box(
    lay: _Layout, section: str, at: tuple[float, float, float], items: list[str], pathway: str = "", heading: str = ""
) -> float:
    """Lay out one box listing ``items``, as tall as its wrapped text.

    Mechanisms are numbered; the final outcome is a chain with arrows between
    its items; other sections are bulleted.

    Parameters
    ----------
    lay : _Layout
        The layout to add the box, its texts and arrows to.
    section : str
        A key of :data:`STYLE` (sets colours, markers and the texts' gid).
    at : tuple of float
        (x, top, width) of the box, in inches.
    items : list of str
        The elements, one text artist each.
    pathway, heading : str
        The pathway's name (for the gid) and an optional bold heading.

    Returns
    -------
    float
        The y of the box's bottom edge.
    """
    x, top, w = at
    y = top + PAD
    if heading:
        y = lay.write(x + PAD, y, wrap_to_width(heading, w - 2 * PAD, lay.size * 1.1, "bold"), "heading", True)
        y += ITEM_GAP
    chain = section == "final_outcome"
    for i, item in enumerate(items):
        if chain and i:
            lay.arrows.append(((x + w / 2, y + 0.02), (x + w / 2, y + 0.28)))
            y += 0.32
        indent = 0 if chain else INDENT
        if not chain:
            lay.write(x + PAD, y, [f"{i + 1}." if section == "mechanisms" else "•"], "marker")
        lines = wrap_to_width(item, w - 2 * PAD - indent, lay.size)
        y = lay.write(x + PAD + indent, y, lines, f"element:{section}:{pathway}") + ITEM_GAP
    bottom = y - ITEM_GAP + PAD
    lay.boxes.append((section, x, top, w, bottom - top))
    return bottom


def _columns(width: float) -> dict:
    """x and width of each column (inches) for a figure ``width`` inches wide.

    Returns ``lanes``, a list of (x, w) for the context, mechanisms and
    outcomes columns, and ``left`` and ``right``, the x of the connector bars
    in the channels either side of the lanes.
    """
    margin, channel, inner = 0.1, 0.32, 0.3
    shares = (0.95, 1.1, 1.0)
    unit = (width - 2 * margin - 2 * channel - 2 * inner) / sum(shares)
    x = margin + channel
    lanes = []
    for share in shares:
        lanes.append((x, unit * share))
        x += unit * share + inner
    return {"lanes": lanes, "left": margin + 0.08, "right": width - margin - 0.08}


def _lane(lay: _Layout, cols: dict, top: float, name: str, lane: dict) -> tuple[float, float, float]:
    """Lay out one pathway lane: title, context -> mechanisms -> outcomes, then risks.

    Parameters
    ----------
    lay : _Layout
        The layout to add to.
    cols : dict
        Column positions from :func:`_columns`.
    top : float
        y of the lane's top edge, in inches.
    name : str
        The pathway's name (A, B, C).
    lane : dict
        The pathway from the model.

    Returns
    -------
    tuple of float
        The lane's bottom, and the mid y of its context and outcomes boxes
        (where the connectors from the left and to the right attach).
    """
    columns = cols["lanes"]
    x0, span = columns[0][0], columns[-1][0] + columns[-1][1] - columns[0][0]
    title = wrap_to_width(f"Pathway {name}: {lane['title']}", span, lay.size * 1.1, "bold")
    y = lay.write(x0, top + PAD, title, "lane-title", True) + 0.08
    bottoms, heights = [], []
    for (x, w), key in zip(columns, ("context", "mechanisms", "outcomes"), strict=True):
        bottoms.append(_list_box(lay, key, (x, y, w), lane[key], pathway=str(name)))
        heights.append(bottoms[-1] - y)
    for i in range(2):
        mid = y + min(heights[i], heights[i + 1]) / 2
        lay.arrows.append(((columns[i][0] + columns[i][1], mid), (columns[i + 1][0], mid)))
    bottom = max(bottoms)
    if lane["risks"]:
        bottom = _list_box(
            lay, "risks", (x0, bottom + 0.14, span), lane["risks"], pathway=str(name), heading="Unlikely to work if"
        )
    lay.lanes.append((x0 - PAD, top, span + 2 * PAD, bottom + PAD - top))
    return bottom + PAD, y + heights[0] / 2, y + heights[2] / 2


def _shared(lay: _Layout, cols: dict, top: float, model: dict) -> tuple[float, list[float]]:
    """Lay out the assumptions and prerequisites side by side above the lanes.

    Returns the y below them and the x of each box's centre (where the
    connector to the lanes leaves it).
    """
    (x0, _), (x2, w2) = cols["lanes"][0], cols["lanes"][-1]
    gap = 0.3
    half = (x2 + w2 - x0 - gap) / 2
    bottoms, centres = [], []
    for i, key in enumerate(("assumptions", "prerequisites")):
        x = x0 + i * (half + gap)
        bottoms.append(_list_box(lay, key, (x, top, half), model[key], heading=key.capitalize()))
        centres.append(x + half / 2)
    bottom = max(bottoms)
    for x, b in zip(centres, bottoms, strict=True):
        lay.lines.append(((x, x), (b, bottom + 0.18)))
    return bottom + 0.18, centres


def _layout(model: dict, width: float, size: float) -> _Layout:
    """Place every box, text and arrow of the model, from top to bottom.

    The assumptions and prerequisites sit side by side at the top; a bar in
    the left channel leads from them to every pathway lane; a bar in the
    right channel leads from every lane's outcomes to the final outcome,
    at the bottom.

    Parameters
    ----------
    model : dict
        As returned by :func:`load_logic_model`.
    width : float
        Figure width in inches.
    size : float
        Font size of the elements, in points.

    Returns
    -------
    _Layout
        Positions in inches from the top left; ``depth`` is the figure height.
    """
    lay, cols = _Layout(width, size), _columns(width)
    bus, centres = _shared(lay, cols, 0.15, model)
    lay.lines.append(((cols["left"], max(centres)), (bus, bus)))
    heading_bottom = top = bus + 0.15
    for (x, w), key in zip(cols["lanes"], ("context", "mechanisms", "outcomes"), strict=True):
        lines = wrap_to_width(LANE_HEADINGS[key], w, size * 1.1, "bold")
        heading_bottom = max(heading_bottom, lay.write(x + w / 2, top, lines, "column-heading", True))
    y = heading_bottom + 0.08
    context_mids, outcome_mids = [], []
    for name, lane in model["pathways"].items():
        y, c_mid, o_mid = _lane(lay, cols, y, name, lane)
        context_mids.append(c_mid)
        outcome_mids.append(o_mid)
        y += 0.22
    lane_x = cols["lanes"][0][0]
    lay.lines.append(((cols["left"], cols["left"]), (bus, max(context_mids))))
    lay.arrows += [((cols["left"], m), (lane_x, m)) for m in context_mids]
    x1, (x2, w2) = cols["lanes"][1][0], cols["lanes"][2]
    final_bottom = _list_box(
        lay, "final_outcome", (x1, y, x2 + w2 - x1), model["final_outcome"], heading="Final outcome"
    )
    final_mid = y + 0.25
    right, out_x = cols["right"], x2 + w2
    lay.lines += [((out_x, right), (m, m)) for m in outcome_mids]
    lay.lines.append(((right, right), (min(outcome_mids), final_mid)))
    lay.arrows.append(((right, final_mid), (out_x, final_mid)))
    lay.depth = final_bottom + 0.15
    return lay


# -- drawing ---------------------------------------------------------------------------------


def _render(lay: _Layout, dpi: float) -> Figure:
    """Draw a computed layout on a new figure (closed in pyplot, so never shown twice)."""
    fig = plt.figure(figsize=(lay.width, lay.depth), dpi=dpi)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, lay.width)
    ax.set_ylim(lay.depth, 0)  # y grows downwards, as in the layout
    ax.set_axis_off()
    for x, top, w, h in lay.lanes:
        ax.add_patch(Rectangle((x, top), w, h, facecolor=LANE_FILL, edgecolor="none", zorder=0, gid="lane"))
    for section, x, top, w, h in lay.boxes:
        fill, edge = STYLE[section]
        ax.add_patch(
            FancyBboxPatch(
                (x, top),
                w,
                h,
                boxstyle="round,pad=0,rounding_size=0.06",
                facecolor=fill,
                edgecolor=edge,
                lw=1.6 if section == "risks" else 1.2,
                zorder=1,
                gid="box",
                linestyle="--" if section == "risks" else "-",
            )
        )
    for xs, ys in lay.lines:
        ax.plot(xs, ys, color="#4D4D4D", lw=1.3, zorder=2, solid_capstyle="round", gid="connector")
    for start, end in lay.arrows:
        ax.add_patch(
            FancyArrowPatch(
                start,
                end,
                arrowstyle="-|>",
                mutation_scale=15,
                color="#4D4D4D",
                lw=1.3,
                shrinkA=0,
                shrinkB=1,
                zorder=2,
                gid="arrow",
            )
        )
    for x, y, text, size, weight, gid in lay.texts:
        centred = gid == "column-heading"
        ax.text(
            x,
            y,
            text,
            fontsize=size,
            fontweight=weight,
            color=INK,
            va="top",
            ha="center" if centred else "left",
            linespacing=LINE_SPACING,
            parse_math=False,
            zorder=3,
            gid=gid,
        )
    plt.close(fig)  # the caller glues or saves it; pyplot must not display it as well
    return fig


def draw_logic_model(model: dict, *, width: float = 7.0, font_size: float = 10.0, dpi: float = 100) -> Figure:
    """Draw the overarching logic model.

    Parameters
    ----------
    model : dict
        As returned by :func:`load_logic_model`.
    width : float, default 7.0
        Figure width in inches; the height follows from the content. The
        default is the book's column, so that the text is shown at its size.
    font_size : float, default 10.0
        Size in points of the elements' text (headings are a little larger).
    dpi : float, default 100
        Resolution; the defaults give an image 700 pixels wide.

    Returns
    -------
    matplotlib.figure.Figure
        Already closed in pyplot: save it, or glue it with myst-nb. Each element
        of the model is one text artist whose gid is
        ``element:<section>:<pathway>`` (pathway empty outside the lanes); every
        box is a patch with gid ``box``.

    Examples
    --------
    >>> from swis import paths
    >>> from swis.data.logic_model import load_logic_model
    >>> fig = draw_logic_model(load_logic_model(paths.LOGIC_MODEL))
    >>> round(fig.get_figwidth() * fig.dpi)
    700
    """
    return _render(_layout(model, width, font_size), dpi)
