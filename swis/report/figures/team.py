"""A pilot's team drawn (its data: :mod:`swis.data.teams`), the same way as the logic model.

The team stands at the top, from the top down (one box per role, joined by
arrows); below it, the schools it served, one box each in rows, reached from
the team by a connector down the left-hand side. Boxes, wrapped text and
arrows are those of :mod:`swis.report.figures.logic_model`, so the two kinds
of diagram look alike and are readable at the book's column width.
"""

from __future__ import annotations

from matplotlib.figure import Figure

from swis.report.figures.logic_model import PAD, _Layout, _list_box, _render

MARGIN = 0.08  # inches at the figure's edges
CHANNEL = 0.22  # inches on the left for the connector from the team to the schools
GAP = 0.15  # inches between boxes


def school_lines(school: dict, label: str = "social workers") -> list[str]:
    """A school's notes and, when the report gives it, its number of social workers.

    ``label`` says what the number counts (e.g. ``social workers over the pilot``); its first word in the
    plural loses its ``s`` for one.

    Examples
    --------
    >>> school_lines({"name": "SEMH 1", "notes": ["Office in the school"], "social_workers": 1})
    ['Office in the school', '1 social worker']
    >>> school_lines({"name": "S", "notes": ["Own office"], "social_workers": 2}, "social workers over the pilot")
    ['Own office', '2 social workers over the pilot']
    >>> school_lines({"name": "Feeder primaries", "notes": ["Visited regularly"], "social_workers": None})
    ['Visited regularly']
    """
    workers = school["social_workers"]
    if workers is None:
        return list(school["notes"])
    counted = label.replace("workers", "worker", 1) if workers == 1 else label
    return [*school["notes"], f"{workers} {counted}"]


def _team(lay: _Layout, team: list[dict], x: float, w: float, top: float) -> float:
    """The team's boxes, one below the other, joined by arrows; returns the bottom of the last."""
    y = top
    for i, role in enumerate(team):
        if i:
            lay.arrows.append(((x + w / 2, y), (x + w / 2, y + 0.3)))
            y += 0.3
        y = _list_box(lay, "team", (x, y, w), role["notes"], heading=role["role"])
    return y


def _layout(team: dict, width: float, size: float, per_row: int) -> _Layout:
    """Place the team, the schools and the connectors (inches, y downwards)."""
    lay = _Layout(width, size)
    left = MARGIN + CHANNEL
    usable = width - left - MARGIN
    team_w = min(usable, 0.6 * width)
    team_x = left + (usable - team_w) / 2
    y = _team(lay, team["team"], team_x, team_w, 0.15)
    trunk = MARGIN + CHANNEL / 2
    bus = y + 0.2
    lay.lines += [((team_x + team_w / 2, team_x + team_w / 2), (y, bus))]
    col_w = (usable - (per_row - 1) * GAP) / per_row
    schools, label = team["schools"], team["social_workers_label"]
    for start in range(0, len(schools), per_row):
        row = schools[start : start + per_row]
        centres = [left + i * (col_w + GAP) + col_w / 2 for i in range(len(row))]
        lay.lines.append(((trunk, max(centres + [team_x + team_w / 2] * (start == 0))), (bus, bus)))
        top = bus + 0.25
        lay.arrows += [((c, bus), (c, top)) for c in centres]
        bottoms = [
            _list_box(lay, "school", (c - col_w / 2, top, col_w), school_lines(s, label), heading=s["name"])
            for c, s in zip(centres, row, strict=True)
        ]
        last_bus, bus = bus, max(bottoms) + 0.3
    lay.lines.append(((trunk, trunk), (y + 0.2, last_bus)))
    lay.depth = bus - 0.3 + PAD
    return lay


def draw_team(team: dict, *, width: float = 7.0, font_size: float = 10.0, per_row: int = 3, dpi: float = 100) -> Figure:
    """Draw a pilot's team and the schools it served.

    Parameters
    ----------
    team : dict
        As returned by :func:`swis.data.teams.load_team`.
    width : float, default 7.0
        Figure width in inches (the book's column); the height follows from the content.
    font_size : float, default 10.0
        Size in points of the notes (headings are a little larger).
    per_row : int, default 3
        Schools in each row.
    dpi : float, default 100
        Resolution.

    Returns
    -------
    matplotlib.figure.Figure
        Already closed in pyplot. Each note is one text artist whose gid is
        ``element:team:`` or ``element:school:``; each role and school name
        is a text artist with gid ``heading``; each box a patch with gid ``box``.

    Examples
    --------
    >>> from swis import paths
    >>> from swis.data.teams import load_team
    >>> fig = draw_team(load_team(paths.TEAMS_DIR / "southampton.yml"))
    >>> round(fig.get_figwidth() * fig.dpi)
    700
    """
    return _render(_layout(team, width, font_size, per_row), dpi)
