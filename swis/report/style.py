"""Colours and line styles of every figure, defined once.

The palette is Okabe and Ito's, distinguishable with the common forms of
colour-blindness; figures never rely on colour alone (line style, marker
and position also tell the series apart).
"""

from __future__ import annotations

#: Okabe-Ito colours.
OKABE_ITO = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "black": "#000000",
}

#: Intervention (pilot) and control (comparison) schools, and the intervention schools' counterfactual.
GROUP_COLOURS = {"intervention": OKABE_ITO["vermillion"], "control": OKABE_ITO["blue"], "counterfactual": "#555555"}
GROUP_LINES = {"intervention": "-", "control": "--"}

#: Comparators chosen for one school, in turn (the school itself is drawn in the intervention colour).
COMPARATOR_COLOURS = (OKABE_ITO["blue"], OKABE_ITO["bluish_green"], OKABE_ITO["reddish_purple"])
COMPARATOR_MARKERS = "so^v"

#: Shading of the intervention term(s).
PILOT_SHADE = "#EEEEEE"
INTERVENTION_TERM_SHADE = OKABE_ITO["yellow"]
#: Estimates in the forest plot, and its intervals.
POINT = OKABE_ITO["vermillion"]
INTERVAL = "#333333"
#: The design-respecting (t(G-1)) interval of the forest plot, beside the report's.
DESIGN_INTERVAL = OKABE_ITO["blue"]
REFERENCE_LINE = "#888888"
MUTED_TEXT = "#555555"
ANNOTATION = "#444444"

#: Logic model: (fill, edge) per section, light tints of the palette with darker edges, black text.
LOGIC_MODEL = {
    "assumptions": ("#EBEBEB", "#6E6E6E"),
    "prerequisites": ("#EBEBEB", "#6E6E6E"),
    "context": ("#D9EAF7", OKABE_ITO["blue"]),
    "mechanisms": ("#D3EFE5", OKABE_ITO["bluish_green"]),
    "outcomes": ("#FCEBC5", "#B07800"),
    "risks": ("#F9DCCB", OKABE_ITO["vermillion"]),
    "final_outcome": ("#F4DEEB", "#A0527F"),
    # the team diagrams (swis.report.figures.team), drawn the same way
    "team": ("#D9EAF7", OKABE_ITO["blue"]),
    "school": ("#FCEBC5", "#B07800"),
}
LOGIC_MODEL_LANE = "#F5F5F5"
INK = "#1A1A1A"

#: Width of every figure (inches): the content column is 672 CSS px at a 1280 px window, and figures are shown
#: at 100 px per inch (:data:`swis.book.myst.FIGURE_DPI` halved), so a figure this wide (with the few hundredths
#: of an inch the tight crop adds) is never shrunk.
FIGURE_WIDTH_IN = 6.5
#: The smallest text on a figure (points at the figure's own size). Shown unshrunk at 100 px per inch, 9 pt
#: reads as 9 x 100 / 96 = 9.4 pt on the page; the browser test checks each figure as displayed.
TEXT_PT = 9
#: The smallest text a reader should meet on a page, in points (CSS pt, 96 px per inch) as displayed.
SMALLEST_SHOWN_PT = 9
